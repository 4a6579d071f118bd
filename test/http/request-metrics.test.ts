// The request metrics counted outside prom-client export exactly what prom-client's own Counter
// and Histogram export for the same requests (differential, over generated requests).
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from '../../host/http/request-metrics.js';
import { mulberry32 } from '../../bench/seeded-random.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REQUESTS = { name: 'test_requests_total', help: 'requests' };
const LATENCY = { name: 'test_request_duration_seconds', help: 'latency', buckets: BUCKETS };
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'BREW'];
const ROUTES = ['/v1/tenants/{tenant}/resolve', '/v1/tenants/{tenant}/events', '/healthz', undefined];
const STATUSES = [200, 204, 304, 400, 401, 403, 404, 405, 413, 500, 503];

/** What the app exported before: prom-client metrics, unknown methods as OTHER, no route as `unmatched`. */
function promClientReference() {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const counter = new Counter({ ...REQUESTS, labelNames, registers: [registry] });
  const histogram = new Histogram({ ...LATENCY, labelNames, registers: [registry] });
  return {
    registry,
    observe(method: string, route: string | undefined, status: number, seconds: number) {
      const labels = { method: METHODS.indexOf(method) < 7 ? method : 'OTHER', route: route ?? 'unmatched', status: String(status) };
      counter.inc(labels);
      histogram.observe(labels, seconds);
    },
  };
}

const sortedLines = (text: string) => text.split('\n').sort();

describe('request metrics', () => {
  it('export the same text as prom-client for the same requests', async () => {
    const next = mulberry32(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    const reference = promClientReference();
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, { requests: REQUESTS, latency: LATENCY });
    for (let i = 0; i < 5000; i++) {
      const method = pick(METHODS);
      const route = pick(ROUTES);
      const status = pick(STATUSES);
      // latencies on and around every bucket bound, and beyond the last
      const seconds = next() < 0.3 ? pick(BUCKETS) : next() ** 4 * 20;
      reference.observe(method, route, status, seconds);
      metrics.observe(method, route, status, seconds);
    }
    const expected = await reference.registry.metrics();
    const actual = await registry.metrics();
    expect(actual.length).toBeGreaterThan(10_000);
    expect(sortedLines(actual)).toEqual(sortedLines(expected));
    expect(await registry.getMetricsAsJSON()).toHaveLength(2);
  });

  it('reset clears every series', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, { requests: REQUESTS, latency: LATENCY });
    metrics.observe('GET', '/healthz', 200, 0.001);
    expect(await registry.metrics()).toContain('test_requests_total{method="GET",route="/healthz",status="200"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/healthz"');
  });
});
