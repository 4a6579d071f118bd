// An outsider's audit: GET /resolve?customer=c-1&_=123 (a browser's cache-buster) answered 400
// while other routes ignore unknown query parameters. `_` is ignored; any other extra parameter is
// still refused, so a misspelled identifier type next to a real one is reported, not silently dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-audit3-query';
let server: TestServer;
let key = '';

beforeAll(async () => {
  server = await startTestServer({}, (graph) => { key = graph.keys.createKey('shop-audit3-query', 'secret').key; });
  await call(server, 'POST', `${T}/events`, { key, body: { identifiers: { customer: 'c-1' } } });
});
afterAll(async () => { await server.shutdown(); });

describe('GET /resolve query parameters', () => {
  it('ignores a cache-buster `_`', async () => {
    const answer = await call(server, 'GET', `${T}/resolve?customer=c-1&_=1733600000000`, { key });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.persona.id).toMatch(/^psn_/);
  });

  it('still refuses a misspelled identifier type, alone or next to a real one', async () => {
    expectError(await call(server, 'GET', `${T}/resolve?custmer=c-1`, { key }), 400, 'invalid_request');
    expectError(await call(server, 'GET', `${T}/resolve?customer=c-1&emial=a@b.bg`, { key }), 400, 'invalid_request');
    expectError(await call(server, 'GET', `${T}/resolve?_=1`, { key }), 400, 'invalid_request');
  });

  it('ignores `_` on the other read routes too', async () => {
    const { persona } = (await call(server, 'GET', `${T}/resolve?customer=c-1`, { key })).body;
    expect((await call(server, 'GET', `${T}/personas/${persona.id}?_=1`, { key })).status).toBe(200);
    expect((await call(server, 'POST', `${T}/resolve?_=1`, { key, body: { identifiers: [] } })).status).toBe(200);
  });
});
