// An outsider's audit: an event whose only identifiers were erased earlier was answered
// {"accepted": 1, "errors": []} though it stores nothing. Like a blocked value, each erased value
// is now reported per item (`erased_value`); the event still counts as accepted (it is logged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-audit3-erased';
let server: TestServer;
let key = '';

beforeAll(async () => {
  server = await startTestServer({}, (graph) => { key = graph.keys.createKey('shop-audit3-erased', 'secret').key; });
  await call(server, 'POST', `${T}/events`, { key, body: { identifiers: { customer: 'gone-1', email: 'gone@b.bg' } } });
  await call(server, 'POST', `${T}/erase`, { key, body: { identifiers: [{ type: 'customer', value: 'gone-1' }, { type: 'email', value: 'gone@b.bg' }] } });
});
afterAll(async () => { await server.shutdown(); });

describe('an event carrying erased values', () => {
  it('reports each erased value per item, and says nothing of the others', async () => {
    const answer = await call(server, 'POST', `${T}/events`, {
      key, body: { events: [{ identifiers: { customer: 'kept-1' } }, { identifiers: { customer: 'gone-1' } }, { identifiers: { email: 'GONE@b.bg', customer: 'kept-2' } }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(3);
    expect(answer.body.errors.map((e: { index: number; field: string; error: { code: string } }) => [e.index, e.field, e.error.code])).toEqual([
      [1, 'identifiers.customer', 'erased_value'],
      [2, 'identifiers.email', 'erased_value'],
    ]);
    // the message does not repeat the erased value
    expect(JSON.stringify(answer.body.errors)).not.toMatch(/gone/i);
    expect((await call(server, 'GET', `${T}/resolve?customer=gone-1`, { key })).status).toBe(404);
    expect((await call(server, 'GET', `${T}/resolve?customer=kept-2`, { key })).body.persona.identifiers).toHaveLength(1);
  });
});
