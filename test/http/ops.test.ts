// Operations: health and readiness, Prometheus metrics, request logs and ids, the tracker script,
// CORS for browser endpoints, and back-pressure answered with Retry-After.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, call, expectError, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
let ready = true;
const trackerDir = mkdtempSync(join(tmpdir(), 'pg-tracker-'));
const trackerPath = join(trackerDir, 't.js');

beforeAll(async () => {
  writeFileSync(trackerPath, '/* tracker v1 */');
  server = await startTestServer({ server: { trackerPath } });
});
afterAll(async () => {
  await server.shutdown();
  rmSync(trackerDir, { recursive: true, force: true });
});

describe('health and readiness', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await call(server, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(server, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('/readyz answers 503 with Retry-After while the app is not ready', async () => {
    const { createHttpApi } = await import('../../host/http/app.js');
    const { createServer } = await import('node:http');
    const { pino } = await import('pino');
    const api = createHttpApi(server.graph, { ready: () => ready, logger: pino({ level: 'silent' }), processMetrics: false });
    const http = createServer(api.app.callback());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    ready = false;
    const answer = await call({ url }, 'GET', '/readyz');
    expectError(answer, 503, 'not_ready');
    expect(answer.headers.get('retry-after')).toBe('1');
    ready = true;
    expect((await call({ url }, 'GET', '/readyz')).status).toBe(200);
    await new Promise((resolve) => http.close(resolve));
  });
});

describe('metrics and logs', () => {
  it('exports request counts and latency by route template, events, and graph counters per tenant', async () => {
    await call(server, 'POST', '/v1/tenants/shop-m/events', { body: { events: [{ type: 'login', identifiers: { customer: 'm-1', email: 'm@shop.bg' } }, { identifiers: { fax: '1' } }] } });
    await call(server, 'GET', '/v1/tenants/shop-m/resolve?customer=m-1');
    await call(server, 'GET', '/no/such/path/12345');
    await call(server, 'OPTIONS', '/v1/tenants/shop-m/events', { headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    await call(server, 'OPTIONS', '/no/such/path/12345');
    const metrics = await call(server, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = metrics.body as string;
    expect(text).toContain('persona_http_requests_total{method="GET",route="/v1/tenants/{tenant}/resolve",status="200"} 1');
    expect(text).toContain('persona_http_request_duration_seconds_count{method="POST",route="/v1/tenants/{tenant}/events",status="200"} 1');
    expect(text).toContain('persona_http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/v1/tenants/{tenant}/resolve",status="200"}');
    expect(text).toContain('persona_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    // a preflight is counted under its route, not with the 404s
    expect(text).toContain('persona_http_requests_total{method="OPTIONS",route="/v1/tenants/{tenant}/events",status="204"} 1');
    expect(text).toContain('persona_http_requests_total{method="OPTIONS",route="unmatched",status="404"} 1');
    expect(text).not.toContain('/no/such/path');
    expect(text).toContain('persona_events_total{source="events",outcome="accepted"} 1');
    expect(text).toContain('persona_event_errors_total{source="events"} 1');
    expect(text).toContain('persona_graph_personas{tenant="shop-m"} 1');
    expect(text).toContain('persona_graph_identifiers{tenant="shop-m"} 2');
  });

  it('exports each shard\'s memory size and histograms of its log appends and snapshot writes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pg-ops-metrics-'));
    const durable = await startTestServer({ graph: { dataDir, shards: 2, snapshotIntervalMs: 0 } });
    try {
      const sample = (text: string, line: string) => {
        const match = text.split('\n').find((l) => l.startsWith(`${line} `));
        expect(match, line).toBeDefined();
        return Number(match!.slice(line.length + 1));
      };
      const tenants = ['shop-a', 'shop-b', 'shop-c', 'shop-d', 'shop-e', 'shop-f'];
      for (const tenant of tenants) {
        expect((await call(durable, 'POST', `/v1/tenants/${tenant}/events`, { body: { identifiers: { customer: `${tenant}-1` } } })).status).toBe(200);
      }
      await durable.graph.snapshot();
      const text = (await call(durable, 'GET', '/metrics')).body as string;
      const operations = durable.graph.operations!();
      let appends = 0;
      for (const { shard, memoryBytes } of operations) {
        expect(memoryBytes % 65536).toBe(0);
        expect(sample(text, `persona_shard_memory_bytes{shard="${shard}"}`)).toBe(memoryBytes);
        expect(sample(text, `persona_snapshot_write_seconds_count{shard="${shard}"}`)).toBe(1);
        const count = sample(text, `persona_log_append_seconds_count{shard="${shard}"}`);
        expect(sample(text, `persona_log_append_seconds_bucket{le="+Inf",shard="${shard}"}`)).toBe(count);
        expect(sample(text, `persona_log_append_seconds_sum{shard="${shard}"}`)).toBeGreaterThan(count === 0 ? -1 : 0);
        appends += count;
      }
      // the requests were sent one after another, so no batch waited to share another's append
      expect(appends).toBe(tenants.length);
    } finally {
      await durable.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('logs failures, writes and slow reads at info with route template, status, time and request id; fast reads at debug', async () => {
    const request = (method: string, path: string, id: string, body?: unknown) => call(server, method, path, { headers: { 'x-request-id': id }, body });
    const lineOf = (logs: Record<string, unknown>[], id: string) => logs.find((l) => l.reqId === id);
    const answer = await request('GET', '/v1/tenants/shop-m/config', 'trace-42');
    expect(answer.headers.get('x-request-id')).toBe('trace-42');
    expect(lineOf(server.logs, 'trace-42')).toBeUndefined();
    await request('GET', '/v1/tenants/shop-m/personas/psn_nobody', 'trace-43');
    expect(lineOf(server.logs, 'trace-43')).toMatchObject({ level: 30, method: 'GET', route: '/v1/tenants/{tenant}/personas/{id}', tenant: 'shop-m', status: 404, ms: expect.any(Number) });
    await request('POST', '/v1/tenants/shop-m/events', 'trace-44', { identifiers: { customer: 'm-2' } });
    expect(lineOf(server.logs, 'trace-44')).toMatchObject({ level: 30, method: 'POST', route: '/v1/tenants/{tenant}/events', status: 200 });
    const generated = await call(server, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces and "quotes"' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const verbose = await startTestServer({ logLevel: 'debug' });
    const slow = await startTestServer({ server: { slowReadMs: 0 } });
    try {
      await call(verbose, 'GET', '/v1/tenants/shop-m/config', { headers: { 'x-request-id': 'trace-45' } });
      expect(lineOf(verbose.logs, 'trace-45')).toMatchObject({ level: 20, method: 'GET', route: '/v1/tenants/{tenant}/config', tenant: 'shop-m', status: 200, ms: expect.any(Number) });
      // no request is answered within 0 ms: every read is a slow one
      await call(slow, 'GET', '/v1/tenants/shop-m/config', { headers: { 'x-request-id': 'trace-46' } });
      expect(lineOf(slow.logs, 'trace-46')).toMatchObject({ level: 30, route: '/v1/tenants/{tenant}/config', status: 200 });
    } finally {
      await Promise.all([verbose.shutdown(), slow.shutdown()]);
    }
  });
});

describe('the tracker script', () => {
  it('serves /t.js with its content type, caching headers and a content ETag', async () => {
    const first = await call(server, 'GET', '/t.js');
    expect(first.status).toBe(200);
    expect(first.body).toBe('/* tracker v1 */');
    expect(first.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    // a revalidating browser sends max-age=0 (fetch itself would add no-cache, which forbids a 304)
    const revalidate = { 'if-none-match': etag, 'cache-control': 'max-age=0' };
    expect((await call(server, 'GET', '/t.js', { headers: revalidate })).status).toBe(304);

    writeFileSync(trackerPath, '/* tracker v2, longer */');
    const changed = await call(server, 'GET', '/t.js', { headers: revalidate });
    expect(changed.status).toBe(200);
    expect(changed.body).toBe('/* tracker v2, longer */');
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('serves the real tracker by default', async () => {
    const { defaultTrackerPath } = await import('../../host/http/tracker-file.js');
    expect(readFileSync(defaultTrackerPath(), 'utf8')).toContain('personaGraph');
  });
});

describe('CORS', () => {
  const origin = 'https://shop.example';
  const preflight = (path: string) => call(server, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

  it('answers preflights of browser endpoints with 204 and the allowed headers', async () => {
    for (const path of ['/v1/tenants/shop-a/events', '/v1/tenants/shop-a/devices', '/v1/batch', '/v1/t', '/e/', '/i/v0/e/']) {
      const answer = await preflight(path);
      expect(answer.status, path).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
      expect(answer.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-retry-count');
    }
  });

  it('puts CORS headers on browser responses, errors included, and not on secret endpoints', async () => {
    const ok = await call(server, 'POST', '/v1/tenants/shop-a/events', { headers: { origin }, body: { identifiers: { customer: 'cors-1' } } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    const bad = await call(server, 'POST', '/v1/tenants/shop-a/events', { headers: { origin }, rawBody: '{' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await call(server, 'GET', '/t.js')).headers.get('access-control-allow-origin')).toBe('*');
    expect((await preflight('/v1/tenants/shop-a/config')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await call(server, 'GET', '/v1/tenants/shop-a/config', { headers: { origin } })).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('back-pressure', () => {
  it('answers 503 overloaded with Retry-After when a shard queue is full, on native and wire endpoints', async () => {
    const busy = await startTestServer({ graph: { maxQueue: 1 } });
    try {
      const send = (i: number) => (i % 2 === 0
        ? call(busy, 'POST', '/v1/tenants/shop-a/events', { body: { identifiers: { customer: `q-${i}` } } })
        : call(busy, 'POST', '/v1/track', { body: { userId: `q-${i}`, event: 'x' }, headers: { authorization: basicAuth('shop-a') } }));
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i)));
      expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const answer of refused) {
        expectError(answer, 503, 'overloaded');
        expect(answer.headers.get('retry-after')).toBe('1');
      }
    } finally {
      await busy.shutdown();
    }
  });
});
