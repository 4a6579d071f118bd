// Every failure leaves the server in the contract's shape `{"error": {code, message, details?}}`.
// RequestErrors (thrown by the facade, the wire mappers and this layer) keep their status and
// code; anything else is a bug: logged in full, answered with a bare 500 that reveals nothing.
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { RequestError, type ErrorBody } from '../types.js';

/** Statuses a client should retry later; they carry `Retry-After`. */
const RETRYABLE_STATUSES = new Set([429, 503]);
const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function notFound(what = 'no such route'): RequestError {
  return new RequestError(404, 'not_found', what);
}

export function methodNotAllowed(method: string, allowed: string[]): RequestError {
  return new RequestError(405, 'method_not_allowed', `${method} is not allowed here; use ${allowed.join(', ')}`, { allowed });
}

function internalError(): RequestError {
  return new RequestError(500, 'internal', 'internal error; the server log has the details');
}

/** `details.retryAfterSeconds` of an overload error (the facade's back-pressure), as whole seconds. */
function retryAfterSeconds(error: RequestError): number {
  const details = error.details as { retryAfterSeconds?: unknown } | undefined;
  const seconds = details?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : DEFAULT_RETRY_AFTER_SECONDS;
}

/** The RequestError to answer with: the thrown one, or a generic 500 for anything unexpected. */
function asRequestError(error: unknown): RequestError {
  return error instanceof RequestError && error.status >= 400 && error.status <= 599 ? error : internalError();
}

function errorJson(body: ErrorBody): string {
  return JSON.stringify({ error: body });
}

/** Writes the error response on `ctx`; headers set before (CORS, request id) are kept. */
export function sendError(ctx: Context, error: RequestError): void {
  ctx.status = error.status;
  if (error.status === 405) ctx.set('Allow', ((error.details as { allowed: string[] }).allowed).join(', '));
  if (RETRYABLE_STATUSES.has(error.status)) ctx.set('Retry-After', String(retryAfterSeconds(error)));
  // The request body may be unread (rejected before reading): do not keep a half-read connection.
  if (error.status === 413) ctx.set('Connection', 'close');
  ctx.type = 'application/json';
  ctx.body = errorJson(error.toBody());
}

/**
 * The error boundary around `handle` (inside the request log): maps what was thrown to the
 * contract's shape. A wrapper, not a middleware of its own: each Koa middleware level costs a
 * promise and a bound function per request.
 */
export function errorBoundary(logger: Logger, handle: (ctx: Context) => Promise<void>): (ctx: Context) => Promise<void> {
  return async function handleErrors(ctx: Context): Promise<void> {
    try {
      await handle(ctx);
    } catch (error) {
      const answer = asRequestError(error);
      if (answer !== error) logger.error({ err: error, reqId: ctx.state.requestId }, 'unexpected error while handling a request');
      sendError(ctx, answer);
    }
  };
}
