// Invalid UTF-8 and odd Unicode. Bytes that are not UTF-8 must be refused, not silently turned
// into U+FFFD (which would make two different ids one); ill-formed UTF-16 (lone surrogates, from
// JSON escapes) must never make two different ids one either; well-formed odd text (controls,
// zero-width and bidi marks, combining forms, astral characters) is an opaque id like any other:
// kept exactly and never confused with a look-alike.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../http/helpers.js';
import { endpoints, replaceAt } from './hostile-requests.js';
import { startHostileServer, type HostileServer } from './hostile-server.js';

let server: TestServer;
let hostile: HostileServer;
let key = '';
const T = '/v1/tenants/shop-u';

beforeAll(async () => {
  server = await startTestServer({}, (graph) => {
    key = graph.keys.createKey('shop-u', 'admin').key;
  });
  hostile = await startHostileServer();
}, 120_000);
afterAll(async () => {
  await Promise.all([server.shutdown(), hostile.close()]);
});

const customerLookup = (value: string) => ({ type: 'customer', value });

async function resolveCustomers(values: string[]): Promise<(string | null)[]> {
  const answer = await call(server, 'POST', `${T}/resolve`, { key, body: { identifiers: values.map(customerLookup) } });
  expect(answer.status).toBe(200);
  return answer.body.personas;
}

const BYTES_MARKER = '__bytes__';

/** The JSON text of `sample` with the string at `path` replaced by "x" followed by raw `bytes`. */
function withBytes(sample: unknown, path: string, bytes: number[]): Buffer {
  const [before, after] = JSON.stringify(replaceAt(sample, path, BYTES_MARKER)).split(BYTES_MARKER);
  return Buffer.concat([Buffer.from(`${before}x`), Buffer.from(bytes), Buffer.from(after)]);
}

describe('bytes that are not UTF-8', () => {
  // lone continuation byte, truncated 2-byte sequence, overlong "/", UTF-16 surrogate encoded in UTF-8, bytes never valid
  const INVALID = [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe]];

  it('are refused with 400 on every endpoint, and change nothing', async () => {
    const before = await hostile.digest();
    const taken: string[] = [];
    for (const endpoint of endpoints(hostile)) {
      for (const bytes of INVALID) {
        const path = endpoint.strings[0];
        const answer = await call(hostile.server, endpoint.method, endpoint.path, {
          rawBody: withBytes(endpoint.sample, path, bytes), headers: { 'content-type': 'application/json', ...endpoint.headers },
        });
        if (answer.status !== 400) taken.push(`${endpoint.name} ${path} = x+${bytes.map((b) => b.toString(16))} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 120)}`);
      }
    }
    expect(taken).toEqual([]);
    expect(await hostile.digest()).toEqual(before);
  });
});

describe('lone surrogates (valid JSON escapes, ill-formed text)', () => {
  it('never make two different ids one', async () => {
    const values = ['ls-\ud800', 'ls-\udbff', 'ls-\udc00', 'ls-\udfff', 'ls-\ufffd'];
    for (const value of values) {
      const answer = await call(server, 'POST', `${T}/events`, { key, body: { identifiers: { customer: value } } });
      expect(answer.status).toBe(200);
    }
    const personas = await resolveCustomers(values);
    const known = personas.filter((p) => p !== null);
    expect(new Set(known).size, `personas: ${JSON.stringify(personas)}`).toBe(known.length);
  });
});

describe('well-formed odd Unicode in opaque ids', () => {
  const ODD = ['\u0000', '\u0007', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', 'e\u0301', '\u00e9', '\ud83d\udc69\u200d\ud83d\udc67', '\u{10ffff}', '\u0130', 'i\u0307'];
  const oddId = fc.array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 6 })
    .map((parts) => `u-${parts.join('')}`);

  it('are kept exactly, each its own identifier', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(oddId, { minLength: 2, maxLength: 8 }), async (values) => {
      const events = values.map((value) => ({ type: 'page', identifiers: { customer: value } }));
      const ingested = await call(server, 'POST', `${T}/events`, { key, body: { events } });
      expect(ingested.body, JSON.stringify(values)).toMatchObject({ accepted: values.length });
      const personas = await resolveCustomers(values);
      expect(personas.every((p) => p !== null)).toBe(true);
      expect(new Set(personas).size).toBe(values.length);
      for (const [i, value] of values.entries()) {
        const persona = await call(server, 'GET', `${T}/personas/${personas[i]}`, { key });
        expect(persona.body.identifiers.map((id: { value: string }) => id.value)).toContain(value);
      }
    }), { numRuns: 40 });
  });
});
