// Hostile bodies on every JSON endpoint, generated with fast-check: cut-off JSON, wrong types in
// every checked place, huge strings, deep nesting, 10,001 items, oversized and gzip-bomb bodies.
// Each gets a 4xx in the contract's error shape (an ingest endpoint may instead answer 200 with
// nothing accepted), never a 5xx; and at the end the stored state is exactly what it was before.
// A forged link token must not leave anything behind either.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Answer } from '../http/helpers.js';
import { endpoints, hugeString, hugeValue, nestedAt, replaceAt, wrongValue, type Endpoint } from './hostile-requests.js';
import { BODY_LIMIT_BYTES, startHostileServer, TENANT, type HostileServer } from './hostile-server.js';

const RUNS = 120;
const TOO_MANY = 10_001;
let target: HostileServer;
let before: Awaited<ReturnType<HostileServer['digest']>>;
let all: Endpoint[];

beforeAll(async () => {
  target = await startHostileServer();
  all = endpoints(target);
  before = await target.digest();
}, 120_000);
afterAll(async () => {
  await target.close();
});

async function send(endpoint: Endpoint, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return call(target.server, endpoint.method, endpoint.path, { rawBody: body, headers: { 'content-type': 'application/json', ...endpoint.headers, ...headers } });
}

function describeCase(endpoint: Endpoint, answer: Answer, what: string): string {
  return `${endpoint.name} (${what}) → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
}

/** A 4xx in the contract's error shape. */
function expectRefused(endpoint: Endpoint, answer: Answer, what: string): void {
  const label = describeCase(endpoint, answer, what);
  expect(answer.status, label).toBeGreaterThanOrEqual(400);
  expect(answer.status, label).toBeLessThan(500);
  expect(answer.headers.get('content-type'), label).toMatch(/^application\/json/);
  expect(answer.body, label).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^[a-z][a-z0-9_]*$/), message: expect.any(String) }) });
}

/** Refused, or (ingest endpoints) answered with every item rejected. */
function expectNothingTaken(endpoint: Endpoint, answer: Answer, what: string): void {
  if (endpoint.ingests && answer.status === 200) {
    expect(answer.body, describeCase(endpoint, answer, what)).toMatchObject({ accepted: 0, duplicates: 0 });
    return;
  }
  expectRefused(endpoint, answer, what);
}

/** No 5xx and the error shape on a 4xx; a read may answer 200 (its digest part shows it changed nothing). */
function expectNoHarm(endpoint: Endpoint, answer: Answer, what: string): void {
  if (answer.status === 200) {
    if (endpoint.ingests) expect(answer.body, describeCase(endpoint, answer, what)).toMatchObject({ accepted: 0, duplicates: 0 });
    return;
  }
  expectRefused(endpoint, answer, what);
}

describe('hostile bodies on every endpoint', () => {
  it('answers 400 invalid_json for JSON cut off anywhere', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: all.length - 1 }), fc.nat(), async (which, cut) => {
      const endpoint = all[which];
      const json = JSON.stringify(endpoint.sample);
      const answer = await send(endpoint, json.slice(0, cut % json.length));
      expectRefused(endpoint, answer, `cut at ${cut % json.length}`);
      expect(answer.body.error.code).toBe('invalid_json');
    }), { numRuns: RUNS });
  });

  it('refuses a wrong JSON type in every place the server checks', async () => {
    const slots = all.flatMap((endpoint, e) => endpoint.typed.map((typed) => ({ e, typed, path: typed.path })));
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...slots).chain((slot) => wrongValue(slot.typed).map((value) => ({ ...slot, value }))),
      async ({ e, path, value }) => {
        const endpoint = all[e];
        const answer = await send(endpoint, JSON.stringify(replaceAt(endpoint.sample, path, value)));
        expectNothingTaken(endpoint, answer, `${path} = ${JSON.stringify(value)}`);
      },
    ), { numRuns: RUNS * 2 });
  });

  it('lets no huge string through (100 kB to 900 kB, plain and odd characters)', async () => {
    const slots = all.flatMap((endpoint, e) => endpoint.strings.map((path) => ({ e, path })));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...slots), hugeString, async ({ e, path }, huge) => {
      const endpoint = all[e];
      const answer = await send(endpoint, JSON.stringify(replaceAt(endpoint.sample, path, hugeValue(huge))));
      expectNoHarm(endpoint, answer, `${path} = ${JSON.stringify(huge)}`);
    }), { numRuns: 40 });
  });

  it('answers 400 invalid_json for nesting deeper than the limit, wherever it is', async () => {
    const slots = all.flatMap((endpoint, e) => [...endpoint.typed.map((s) => s.path), ...endpoint.strings].map((path) => ({ e, path })));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...slots), fc.integer({ min: 65, max: 20_000 }), async ({ e, path }, depth) => {
      const endpoint = all[e];
      const answer = await send(endpoint, nestedAt(endpoint.sample, path, depth));
      expectRefused(endpoint, answer, `${path} nested ${depth} deep`);
      expect(answer.body.error.code).toBe('invalid_json');
    }), { numRuns: RUNS });
  });

  it('answers 4xx for 10,001 events, lookups, erasures or analytics messages', async () => {
    const byName = new Map(all.map((e) => [e.name, e]));
    const cases: [string, unknown][] = [
      ['events', { events: Array.from({ length: TOO_MANY }, (_, i) => ({ id: `many-${i}`, identifiers: { customer: `many-${i}` } })) }],
      ['resolve', { identifiers: Array.from({ length: TOO_MANY }, (_, i) => ({ type: 'customer', value: `a-${i}` })) }],
      ['erase', { identifiers: Array.from({ length: TOO_MANY }, (_, i) => ({ type: 'customer', value: `a-${i}` })) }],
      ['segment batch', { batch: Array.from({ length: TOO_MANY }, (_, i) => ({ type: 'identify', userId: `many-${i}` })) }],
      ['posthog batch', { api_key: target.keys.writeA, batch: Array.from({ length: TOO_MANY }, (_, i) => ({ event: 'e', distinct_id: `many-${i}` })) }],
    ];
    for (const [name, body] of cases) {
      const endpoint = byName.get(name)!;
      const json = JSON.stringify(body);
      expect(json.length).toBeLessThan(BODY_LIMIT_BYTES); // refused for the count, not the size
      expectRefused(endpoint, await send(endpoint, json), `${TOO_MANY} items`);
    }
  });

  it('answers 413 for bodies over the limit: declared, streamed, or a gzip bomb', async () => {
    for (const endpoint of all) {
      const oversized = Buffer.alloc(BODY_LIMIT_BYTES + 1, 0x20);
      const declared = await send(endpoint, oversized);
      expectRefused(endpoint, declared, 'body over the limit');
      expect(declared.status).toBe(413);
      const bomb = gzipSync(Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(BODY_LIMIT_BYTES * 8, 0x61), Buffer.from('"}')]));
      const exploded = await send(endpoint, bomb, { 'content-encoding': 'gzip' });
      expectRefused(endpoint, exploded, `gzip bomb (${bomb.length} bytes)`);
      expect(exploded.status).toBe(413);
    }
  });

  it('changed nothing: the state digest is what it was, and the server still serves', async () => {
    expect(await target.digest()).toEqual(before);
    expect((await call(target.server, 'GET', '/healthz')).status).toBe(200);
    expect((await call(target.server, 'GET', '/readyz')).status).toBe(200);
  });

  it('stores nothing for a forged link token, not even a signing secret for a tenant that had none', async () => {
    const issued = await call(target.server, 'POST', `/v1/tenants/${TENANT}/links`, {
      key: target.keys.admin, body: { url: 'https://shop.bg/x', recipient: { customer: 'a-1' }, campaign: 'c-1', channel: 'email' },
    });
    // the same token re-addressed to a tenant that never issued one: well-formed, wrongly signed
    const [payload, signature] = (issued.body.token as string).split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), t: 'shop-fresh' })).toString('base64url')}.${signature}`;
    const digest = await target.digest();
    const answer = await call(target.server, 'POST', '/v1/tenants/shop-fresh/events', {
      key: target.keys.admin, body: { type: 'link_click', token: forged, identifiers: { device: '6f1c2b9e-0d4a-4c1e-9a57-3b8e2f6d1a0f' } },
    });
    expect(answer.body).toMatchObject({ accepted: 0, errors: [{ field: 'token', error: { code: 'invalid_token' } }] });
    expect((await target.digest()).store).toEqual(digest.store);
  });
});
