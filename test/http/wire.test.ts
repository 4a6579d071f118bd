// The analytics wire endpoints over HTTP: traffic captured from real Segment, RudderStack and
// PostHog clients is replayed byte for byte (with our write key in place of theirs), then the
// mapping that reaches the graph is checked.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedRequests, rawBody, type CapturedRequest } from '../wire/captured.js';
import { basicAuth, call, expectError, startTestServer, type TestServer } from './helpers.js';

/** The client keys in the captures, each replaced by our write key on replay. */
const CAPTURED_KEYS = ['WK_test123', 'RWK_test', 'WK_browser', 'phc_browser', 'phc_testtoken'];
const WIRE_PATH = /^\/(v1\/(batch|identify|track|page|screen|alias|group|[itpsagb])|batch\/|capture\/|e\/|i\/v0\/e\/)(\?|$)/;

let server: TestServer;
let writeKey = '';
let secretKey = '';

beforeAll(async () => {
  server = await startTestServer({}, (graph) => {
    writeKey = graph.keys.createKey('shop-w', 'write').key;
    secretKey = graph.keys.createKey('shop-w', 'secret').key;
  });
});
afterAll(async () => {
  await server.shutdown();
});

function withOurKey(request: CapturedRequest): { headers: Record<string, string>; body: Buffer } {
  let json = JSON.stringify(request.body);
  for (const key of CAPTURED_KEYS) json = json.split(`"${key}"`).join(JSON.stringify(writeKey));
  const replayed = rawBody({ ...request, body: JSON.parse(json) });
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'content-encoding']) if (request.headers[name]) headers[name] = request.headers[name];
  if (request.headers.authorization) headers.authorization = basicAuth(writeKey);
  return { headers, body: replayed };
}

const resolve = (query: string) => call(server, 'GET', `/v1/tenants/shop-w/resolve?${query}`, { key: secretKey });

describe('replayed client traffic', () => {
  const requests = capturedRequests().filter((r) => r.method === 'POST' && WIRE_PATH.test(r.url));

  it('accepts every captured request of every client', async () => {
    expect(requests.length).toBeGreaterThan(30);
    let accepted = 0;
    for (const request of requests) {
      const { headers, body } = withOurKey(request);
      const answer = await call(server, 'POST', request.url, { rawBody: body, headers });
      expect(answer.status, `${request.name}: ${JSON.stringify(answer.body)}`).toBe(200);
      accepted += answer.body.accepted as number;
    }
    expect(accepted).toBeGreaterThan(30);
  });

  it('linked the captured ids into personas', async () => {
    // every client identified "u-42" on top of its own anonymous ids
    const persona = (await resolve('customer=u-42')).body.persona;
    expect(persona.counts.device).toBeGreaterThan(1);
    expect(persona.counts.customer).toBeGreaterThan(1);
  });
});

describe('mapping and answers', () => {
  it('maps a non-UUID anonymousId to the tenant\'s deterministic device UUID', async () => {
    const answer = await call(server, 'POST', '/v1/t', {
      rawBody: JSON.stringify({ writeKey, event: 'Viewed', anonymousId: 'anon-xyz', userId: 'cust-xyz' }), headers: { 'content-type': 'text/plain' },
    });
    expect(answer.body).toMatchObject({ success: true, accepted: 1 });
    const device = server.graph.deviceIdFor('shop-w', 'anon-xyz');
    expect((await resolve(`device=${device}`)).body.persona.id).toBe((await resolve('customer=cust-xyz')).body.persona.id);
  });

  it('links previousId as a customer when the tenant knows it, as a device otherwise', async () => {
    await call(server, 'POST', '/v1/identify', { body: { userId: 'old-login', traits: { email: 'old@shop.bg' } }, headers: { authorization: basicAuth(writeKey) } });
    await call(server, 'POST', '/v1/alias', { body: { previousId: 'old-login', userId: 'new-login' }, headers: { authorization: basicAuth(writeKey) } });
    expect((await resolve('customer=new-login')).body.persona.id).toBe((await resolve('customer=old-login')).body.persona.id);
    await call(server, 'POST', '/v1/alias', { body: { previousId: 'anon-prev', userId: 'new-2' }, headers: { authorization: basicAuth(writeKey) } });
    const device = server.graph.deviceIdFor('shop-w', 'anon-prev');
    expect((await resolve(`device=${device}`)).body.persona.id).toBe((await resolve('customer=new-2')).body.persona.id);
  });

  it('reports errors at their position in the request, including those the graph finds', async () => {
    const answer = await call(server, 'POST', '/batch/', {
      rawBody: gzipSync(JSON.stringify({
        api_key: writeKey,
        batch: [
          { event: '$groupidentify', distinct_id: 'g', properties: {} },
          { event: 'x', distinct_id: 'ph-err', properties: { $set: { phone: '12' } } },
          { distinct_id: 'no-event-name' },
          { event: '$identify', distinct_id: 'ph-2', properties: { $anon_distinct_id: 'anon-ph-2' } },
        ],
      })),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 1, accepted: 2, skipped: [{ index: 0, reason: 'group_event' }] });
    expect(answer.body.errors.map((e: { index: number; error: { code: string } }) => [e.index, e.error.code])).toEqual([[1, 'invalid_phone'], [2, 'missing_field']]);
  });

  it('answers 400 for a request that can never succeed, 413 for an oversized Segment batch', async () => {
    const auth = { authorization: basicAuth(writeKey) };
    expectError(await call(server, 'POST', '/v1/batch', { body: { batch: 'nope' }, headers: auth }), 400, 'invalid_batch');
    expectError(await call(server, 'POST', '/v1/batch', { body: [1, 2], headers: auth }), 400, 'invalid_body');
    const big = { batch: Array.from({ length: 40 }, (_, i) => ({ type: 'track', userId: `u-${i}`, event: 'x', properties: { pad: 'x'.repeat(15_000) } })) };
    expectError(await call(server, 'POST', '/v1/batch', { body: big, headers: auth }), 413, 'payload_too_large');
  });

  it('takes the write key as the tenant id while the server runs open', async () => {
    const open = await startTestServer();
    try {
      const answer = await call(open, 'POST', '/v1/identify', { body: { userId: 'open-1' }, headers: { authorization: basicAuth('shop-open') } });
      expect(answer.body).toMatchObject({ accepted: 1 });
      expect((await call(open, 'GET', '/v1/tenants/shop-open/resolve?customer=open-1')).status).toBe(200);
      expectError(await call(open, 'POST', '/v1/identify', { body: { userId: 'open-1' } }), 401);
      expectError(await call(open, 'POST', '/v1/identify', { body: { userId: 'x' }, headers: { authorization: basicAuth('Not A Tenant') } }), 400, 'invalid_tenant');
    } finally {
      await open.shutdown();
    }
  });
});
