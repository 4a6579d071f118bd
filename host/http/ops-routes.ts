// Operations endpoints and the tracker script: no key needed.
import { RequestError } from '../types.js';
import type { HttpMetrics } from './metrics.js';
import { Reply, route, type RouteSpec } from './route.js';
import { StatusResponse } from './schemas.js';
import type { TrackerScript } from './tracker-file.js';

/** Browsers and CDNs may reuse the script this long before revalidating it (by ETag). */
const TRACKER_MAX_AGE_SECONDS = 300;
const NOT_READY_RETRY_SECONDS = 1;

export interface OpsDeps {
  ready: () => boolean;
  metrics: HttpMetrics;
  /** The OpenAPI document (built from the route table, this route included). */
  document: () => object;
  tracker: () => TrackerScript | null;
}

export function opsRoutes(deps: OpsDeps): RouteSpec[] {
  return [
    route({
      method: 'GET', path: '/healthz', id: 'health', tag: 'operations', summary: 'The process is up',
      access: { kind: 'none' }, response: StatusResponse,
      handle: () => ({ status: 'ok' }),
    }),
    route({
      method: 'GET', path: '/readyz', id: 'ready', tag: 'operations', summary: 'State is loaded and writes are accepted (503 otherwise)',
      unavailable: 'not ready: state still loading, shutting down, or overloaded', access: { kind: 'none' }, response: StatusResponse,
      handle: () => {
        if (!deps.ready()) throw new RequestError(503, 'not_ready', 'not ready to serve', { retryAfterSeconds: NOT_READY_RETRY_SECONDS });
        return { status: 'ready' };
      },
    }),
    route({
      method: 'GET', path: '/metrics', id: 'metrics', tag: 'operations', summary: 'Prometheus metrics (text format)',
      access: { kind: 'none' }, response: { mediaType: 'text/plain; version=0.0.4' },
      handle: async () => new Reply(200, await deps.metrics.text(), { 'Content-Type': deps.metrics.contentType }),
    }),
    route({
      method: 'GET', path: '/openapi.json', id: 'openapi', tag: 'operations', summary: 'This document',
      access: { kind: 'none' }, response: { mediaType: 'application/json' },
      handle: () => deps.document(),
    }),
    route({
      method: 'GET', path: '/t.js', id: 'trackerScript', tag: 'browser', browser: true,
      summary: 'The browser tracker script', notFound: 'the tracker script is not installed',
      access: { kind: 'none' }, response: { mediaType: 'application/javascript' },
      handle: () => {
        const script = deps.tracker();
        return script && new Reply(200, script.body, {
          'Content-Type': 'application/javascript; charset=utf-8',
          'Cache-Control': `public, max-age=${TRACKER_MAX_AGE_SECONDS}`,
          ETag: script.etag,
        });
      },
    }),
  ];
}
