// CORS for the endpoints web pages call (tracker events and devices, analytics wire formats,
// t.js). Keys travel in headers or `?key=`, never in cookies, so any origin may call them.
import type { Context } from 'koa';

const CORS_ALLOWED_HEADERS = 'authorization, content-type, x-retry-count';
/** Response headers a page's script may read (to honour back-pressure, to quote in bug reports). */
const CORS_EXPOSED_HEADERS = 'retry-after, x-request-id';
/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Lets the calling page read this response. */
export function allowOrigin(ctx: Context): void {
  const origin = ctx.get('Origin');
  ctx.set('Access-Control-Allow-Origin', origin === '' ? '*' : origin);
  ctx.set('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
  ctx.vary('Origin');
}

/** Answers a preflight for a browser endpoint that takes `methods`. */
export function answerPreflight(ctx: Context, methods: string[]): void {
  allowOrigin(ctx);
  ctx.set('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
  ctx.set('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
  ctx.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  ctx.status = 204;
}
