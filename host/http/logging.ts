// Structured JSON logs (pino), and the per-request line with its metrics. Keys never reach a log:
// the request line names the route template, never the URL (which may hold `?key=`), and no
// headers are logged at all.
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
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

/**
 * Reads answered faster than this (ms) are logged at debug only: a line per fast read cost the
 * server more than a tenth of its time per GET /resolve. Slow reads, failures and writes stay at info.
 */
export const DEFAULT_SLOW_READ_MS = 100;
/** Methods that change nothing: their successful, fast answers are the quiet ones. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The app's one middleware: request id, `handle`, then one log line and the request metrics once
 * answered.
 */
export function observeRequests(logger: Logger, metrics: HttpMetrics, handle: (ctx: Context) => Promise<void>, slowReadMs = DEFAULT_SLOW_READ_MS) {
  function logRequest(ctx: Context, requestId: string, route: string | undefined, elapsedNs: number): void {
    const ms = Math.round(elapsedNs / (NS_PER_MS / 100)) / 100;
    const quiet = ctx.status < 400 && ms <= slowReadMs && READ_METHODS.has(ctx.method);
    if (quiet && !logger.isLevelEnabled('debug')) return;
    const line = { reqId: requestId, method: ctx.method, route: route ?? null, tenant: ctx.state.tenant as string | undefined, status: ctx.status, ms };
    if (quiet) logger.debug(line, 'request');
    else logger.info(line, 'request');
  }

  return async function observe(ctx: Context): Promise<void> {
    const started = process.hrtime.bigint();
    const header = ctx.req.headers['x-request-id'];
    const requestId = requestIdOf(typeof header === 'string' ? header : undefined);
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await handle(ctx);
    } finally {
      const elapsedNs = Number(process.hrtime.bigint() - started);
      const route = ctx.state.route as string | undefined;
      metrics.observeRequest(ctx.method, route, ctx.status, elapsedNs / NS_PER_S);
      logRequest(ctx, requestId, route, elapsedNs);
    }
  };
}
