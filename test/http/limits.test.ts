// Bad requests of every kind get a 4xx in the contract's error shape, never a 5xx or a crash.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, startTestServer, type TestServer } from './helpers.js';

const SMALL_LIMIT = 64 * 1024;
let server: TestServer;
let small: TestServer;

beforeAll(async () => {
  [server, small] = await Promise.all([
    startTestServer(),
    startTestServer({ server: { bodyLimitBytes: SMALL_LIMIT } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.shutdown(), small.shutdown()]);
});

/** POSTs `chunks` with chunked transfer encoding (no Content-Length) and returns status and body. */
function postChunked(url: string, path: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const writeNext = (i: number) => {
      if (i === chunks.length) return req.end();
      if (req.destroyed) return undefined;
      req.write(chunks[i], () => writeNext(i + 1));
    };
    writeNext(0);
  });
}

describe('request bodies', () => {
  it('answers 400 invalid_json for malformed or empty JSON', async () => {
    for (const rawBody of ['{"events": [', '{identifiers: 1}', '', '\u0000']) {
      expectError(await call(server, 'POST', '/v1/tenants/shop-a/events', { rawBody }), 400, 'invalid_json');
    }
  });

  it('answers 400 for nesting deep enough to break JSON.stringify', async () => {
    const deep = `{"identifiers": {"customer": "c"}, "traits": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expectError(await call(server, 'POST', '/v1/tenants/shop-a/events', { rawBody: deep }), 400, 'invalid_json');
  });

  it('answers 413 for a declared length over the limit (default 10 MB)', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    expectError(await call(server, 'POST', '/v1/tenants/shop-a/events', { rawBody: body }), 413, 'payload_too_large');
  });

  it('answers 413 as soon as a chunked body streams past the configured limit', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const answer = await postChunked(small.url, '/v1/tenants/shop-a/events', Array.from({ length: 8 }, () => chunk));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
    // the server is still fine afterwards
    expect((await call(small, 'POST', '/v1/tenants/shop-a/events', { body: { identifiers: { customer: 'c' } } })).status).toBe(200);
  });

  it('counts the limit after gzip decompression, and accepts gzip bodies', async () => {
    const events = { events: [{ identifiers: { customer: 'gz-1' } }] };
    const ok = await call(small, 'POST', '/v1/tenants/shop-a/events', { rawBody: gzipSync(JSON.stringify(events)), headers: { 'content-encoding': 'gzip' } });
    expect(ok.body).toMatchObject({ accepted: 1 });
    const bomb = gzipSync(Buffer.alloc(SMALL_LIMIT * 4, 0x20));
    expectError(await call(small, 'POST', '/v1/tenants/shop-a/events', { rawBody: bomb, headers: { 'content-encoding': 'gzip' } }), 413);
    expectError(await call(small, 'POST', '/v1/tenants/shop-a/events', { rawBody: '{}', headers: { 'content-encoding': 'br' } }), 415);
  });

  it('answers 400 batch_too_large for 10,001 events and changes nothing', async () => {
    const events = Array.from({ length: 10_001 }, (_, i) => ({ identifiers: { customer: `big-${i}` } }));
    expectError(await call(server, 'POST', '/v1/tenants/shop-a/events', { body: { events } }), 400, 'batch_too_large');
    expectError(await call(server, 'GET', '/v1/tenants/shop-a/resolve?customer=big-0'), 404);
    const accepted = await call(server, 'POST', '/v1/tenants/shop-a/events', { body: { events: events.slice(0, 10_000) } });
    expect(accepted.body).toMatchObject({ accepted: 10_000 });
  });
});

describe('routing', () => {
  it('answers 404 not_found for unknown routes', async () => {
    for (const path of ['/', '/v2/tenants/shop-a/events', '/v1/tenants/shop-a', '/v1/tenants/shop-a/events/extra', '/batch', '/v1/m']) {
      expectError(await call(server, 'POST', path, { body: {} }), 404, 'not_found');
    }
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const answer = await call(server, 'PATCH', '/v1/tenants/shop-a/personas/psn_1');
    expectError(answer, 405, 'method_not_allowed');
    // every known path answers OPTIONS (preflights, or 204 with Allow)
    expect(answer.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS');
    const events = await call(server, 'GET', '/v1/tenants/shop-a/events');
    expectError(events, 405);
    expect(events.headers.get('allow')).toBe('POST, OPTIONS');
    expectError(await call(server, 'DELETE', '/healthz'), 405);
  });

  it('survives hostile paths and query strings', async () => {
    for (const path of ['/v1/tenants/%E0%A4%A/personas/x', '/v1/tenants/shop-a/personas/%ZZ', '/v1/tenants/shop-a/resolve?email=%E0%A4%A', `/v1/tenants/${'a'.repeat(5000)}/config`]) {
      const answer = await call(server, 'GET', path);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
    }
  });
});

describe('unexpected failures', () => {
  it('answers 500 internal without details, and logs what happened', async () => {
    const broken = await startTestServer();
    try {
      // a fault inside the library (not a RequestError) stands for any bug
      broken.graph.persona = async () => {
        throw new TypeError('cannot read the secret sauce at offset 42');
      };
      const answer = await call(broken, 'GET', '/v1/tenants/shop-a/personas/psn_1');
      expectError(answer, 500, 'internal');
      expect(JSON.stringify(answer.body)).not.toMatch(/secret sauce|TypeError|at /);
      const logged = broken.logs.find((line) => line.level === 50);
      expect(JSON.stringify(logged)).toContain('secret sauce');
      expect((await call(broken, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await broken.shutdown();
    }
  });
});

describe('arbitrary input', () => {
  const routes: [string, string][] = [
    ['POST', '/v1/tenants/shop-a/events'], ['POST', '/v1/tenants/shop-a/resolve'], ['POST', '/v1/tenants/shop-a/audiences/dedupe'],
    ['POST', '/v1/tenants/shop-a/devices'], ['POST', '/v1/tenants/shop-a/links'], ['PUT', '/v1/tenants/shop-fuzz/config'],
    ['POST', '/v1/tenants/shop-a/personas/psn_1/split'], ['POST', '/v1/tenants/shop-a/erase'], ['POST', '/v1/tenants/shop-a/campaigns/c/claims'],
    ['POST', '/v1/batch'], ['POST', '/v1/t'], ['POST', '/batch/'], ['POST', '/e/'],
  ];

  it('never produces a 5xx, whatever JSON arrives', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 4 }), async ([method, path], body) => {
      const answer = await call(server, method, path, { body, headers: { authorization: 'Basic c2hvcC1hOg==' } });
      expect(answer.status, `${method} ${path} ${JSON.stringify(body).slice(0, 200)} → ${JSON.stringify(answer.body)}`).toBeLessThan(500);
    }), { numRuns: 150 });
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });

  it('never produces a 5xx for identifier-shaped junk in events', async () => {
    const junk = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 20 }), fc.object());
    const event = fc.record({
      type: fc.oneof(fc.string(), fc.integer()), timestamp: fc.oneof(fc.string(), fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString()))),
      identifiers: fc.dictionary(fc.constantFrom('email', 'phone', 'device', 'customer', 'subscriber', 'fax', '__proto__'), junk),
      traits: junk, token: junk, id: junk,
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(fc.array(event, { maxLength: 20 }), async (events) => {
      const answer = await call(server, 'POST', '/v1/tenants/shop-a/events', { body: { events } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }), { numRuns: 100 });
  });
});
