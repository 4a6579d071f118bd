// An outsider's audit: POST /erase answered {"erased": 1} for a value the tenant never had. The
// count is what was found and erased; a never-seen value is still remembered as erased, so an
// event carrying it later links nothing (api-contract.md: erased values never come back).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-audit3-erase';
let server: TestServer;
let key = '';

beforeAll(async () => {
  server = await startTestServer({}, (graph) => { key = graph.keys.createKey('shop-audit3-erase', 'secret').key; });
  await call(server, 'POST', `${T}/events`, { key, body: { identifiers: { customer: 'c-1', email: 'a@b.bg' } } });
});
afterAll(async () => { await server.shutdown(); });

const erase = (identifiers: { type: string; value: string }[]) => call(server, 'POST', `${T}/erase`, { key, body: { identifiers } });

describe('POST /erase counts only identifiers found', () => {
  it('answers 0 for a value never seen, and it still never links afterwards', async () => {
    expect((await erase([{ type: 'customer', value: 'never-seen' }])).body).toEqual({ erased: 0 });
    await call(server, 'POST', `${T}/events`, { key, body: { identifiers: { customer: 'never-seen', email: 'later@b.bg' } } });
    expect((await call(server, 'GET', `${T}/resolve?customer=never-seen`, { key })).status).toBe(404);
  });

  it('counts each found identifier once, in any form it was sent', async () => {
    const answer = await erase([{ type: 'email', value: 'A@B.bg' }, { type: 'email', value: 'a@b.bg' }, { type: 'customer', value: 'c-1' }, { type: 'customer', value: 'nobody' }]);
    expect(answer.body).toEqual({ erased: 2 });
    expect((await call(server, 'GET', `${T}/resolve?customer=c-1`, { key })).status).toBe(404);
    expect((await erase([{ type: 'customer', value: 'c-1' }])).body).toEqual({ erased: 0 });
  });
});
