// An outsider's audit: POST /resolve answered `null` for an item of an unknown identifier type
// while GET /resolve?fax=1 answered 400. `null` means an unknown value (api-contract.md, Resolve);
// a type that is not an identifier type is a mistake in the request, reported as GET reports it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-audit3';
let server: TestServer;
let key = '';

beforeAll(async () => {
  server = await startTestServer({}, (graph) => { key = graph.keys.createKey('shop-audit3', 'secret').key; });
  await call(server, 'POST', `${T}/events`, { key, body: { identifiers: { customer: 'c-1', email: 'a@b.bg' } } });
});
afterAll(async () => { await server.shutdown(); });

describe('POST /resolve with an unknown identifier type', () => {
  it('is a 400 invalid_request naming the item, as GET ?fax= is', async () => {
    expectError(await call(server, 'GET', `${T}/resolve?fax=1`, { key }), 400, 'invalid_request');
    const answer = await call(server, 'POST', `${T}/resolve`, { key, body: { identifiers: [{ type: 'customer', value: 'c-1' }, { type: 'fax', value: '1' }] } });
    expectError(answer, 400, 'invalid_request');
    expect(answer.body.error.message).toContain('identifiers/1/type');
    expect(answer.body.error.message).toContain('fax');
    expect(answer.body.error.details).toEqual({ errors: [{ path: 'identifiers/1/type', message: expect.stringContaining('email') }] });
  });

  it('still answers null for a known type whose value is unknown or cannot be normalized', async () => {
    const answer = await call(server, 'POST', `${T}/resolve`, {
      key, body: { identifiers: [{ type: 'customer', value: 'c-1' }, { type: 'customer', value: 'nobody' }, { type: 'phone', value: 'not a phone' }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.personas).toEqual([expect.stringMatching(/^psn_/), null, null]);
  });
});
