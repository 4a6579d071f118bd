// Structured JSON logs (pino), and the per-request line with its metrics. Keys never reach a log:
// the request line names the route template, never the URL (which may hold `?key=`), and no
// headers are logged at all.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { pino, type Logger } from 'pino';
import type { HttpMetrics } from './metrics.js';

/** An incoming x-request-id is kept when it is this tame (it is echoed and logged). */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

/**
 * JSON lines on stdout, written asynchronously: lines logged while a write is in flight go out
 * together with the next one, so a busy server does not pay a system call per request. (A
 * `minLength` buffer would batch more, but sonic-boom re-measures the whole pending buffer on every
 * line, which costs more than the writes it saves.) Pending lines are flushed when the process exits.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'persona-graph' } }, pino.destination({ dest: 1, sync: false }));
}

function requestIdOf(header: string | undefined): string {
  return header !== undefined && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Outermost middleware: request id, then one log line and the request metrics once answered. */
export function observeRequests(logger: Logger, metrics: HttpMetrics) {
  return async function observe(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    const header = ctx.req.headers['x-request-id'];
    const requestId = requestIdOf(typeof header === 'string' ? header : undefined);
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const elapsedNs = Number(process.hrtime.bigint() - started);
      const route = ctx.state.route as string | undefined;
      metrics.observeRequest(ctx.method, route, ctx.status, elapsedNs / NS_PER_S);
      logger.info({
        reqId: requestId, method: ctx.method, route: route ?? null, tenant: ctx.state.tenant as string | undefined,
        status: ctx.status, ms: Math.round(elapsedNs / (NS_PER_MS / 100)) / 100,
      }, 'request');
    }
  };
}
