// Serves the route table as one Koa middleware. Every route runs the same steps: CORS, who is
// calling (401), path parameters (400), may they (403), query and body (400, 413), the facade
// call, the response. Requests no route takes get 404, or 405 naming the methods the path does take.
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { Context } from 'koa';
import { RequestError } from '../types.js';
import { authorize, bearerKey, onlyWriteKeyInUrl, wireTenant, type Caller, type KeyAuthenticator } from './auth.js';
import { readJsonBody } from './body.js';
import { allowOrigin, answerPreflight } from './cors.js';
import { methodNotAllowed, notFound } from './errors.js';
import { JsonText, Reply, type RouteSpec } from './route.js';
import { RouteTable } from './route-table.js';
import { compileValidator, type Validator } from './validation.js';
import { writeKeyFromBasicAuth } from './wire/index.js';

export interface RouterOptions {
  auth: KeyAuthenticator;
  bodyLimitBytes: number;
  /** Called once a tenant's request succeeded (metrics export that tenant's graph counters). */
  onTenantServed?: (tenant: string) => void;
}

type Handler = (ctx: Context, params: Record<string, string>) => Promise<void>;

export function buildRouter(routes: RouteSpec[], options: RouterOptions): { table: RouteTable; dispatch: (ctx: Context) => Promise<void> } {
  const table = new RouteTable(routes);
  const handlers = new Map<RouteSpec, Handler>(routes.map((spec) => [spec, routeHandler(spec, options)]));

  function dispatch(ctx: Context): Promise<void> {
    const path = ctx.path;
    const match = table.find(ctx.method, path);
    if (match !== undefined) return handlers.get(match.spec)!(ctx, match.params);
    unrouted(ctx, path);
    return Promise.resolve();
  }

  /** 404, 405, or the answer to OPTIONS (CORS preflight for browser routes). */
  function unrouted(ctx: Context, path: string): void {
    const specs = table.routesAt(path);
    if (specs.length === 0) throw notFound(`no route ${ctx.method} ${path.slice(0, 200)}`);
    // GET routes answer HEAD too, and every path OPTIONS (below)
    const methods = [...new Set(specs.flatMap((spec) => (spec.method === 'GET' ? ['GET', 'HEAD'] : [spec.method]))), 'OPTIONS'];
    if (ctx.method === 'OPTIONS') {
      const browser = specs.filter((spec) => spec.browser);
      // counted under the route it asks about, not with the 404s of random paths
      ctx.state.route = (browser[0] ?? specs[0]).path;
      ctx.set('Allow', methods.join(', '));
      if (browser.length > 0) answerPreflight(ctx, browser.map((spec) => spec.method));
      else ctx.status = 204;
      return;
    }
    throw methodNotAllowed(ctx.method, methods);
  }

  return { table, dispatch };
}

function routeHandler(spec: RouteSpec, options: RouterOptions): Handler {
  const checkParams = spec.params && compileValidator(spec.params, 'params');
  const checkQuery = spec.query && compileValidator(spec.query, 'query');
  const checkBody = spec.body && compileValidator(spec.body, 'body');
  const readBody = async (ctx: Context, check: Validator): Promise<unknown> => {
    const body = await readJsonBody(ctx.req, options.bodyLimitBytes, spec.fastBody);
    check(body);
    return body;
  };

  return async function handle(ctx: Context, params: Record<string, string>): Promise<void> {
    const receivedAt = new Date();
    ctx.state.route = spec.path;
    if (spec.browser) allowOrigin(ctx);
    // node:querystring, not ctx.query: Koa's URLSearchParams-based parser costs more per request
    const query: ParsedUrlQuery = spec.query || spec.browser ? parseQuery(ctx.querystring) : {};
    const authorization = ctx.req.headers.authorization;
    const bearer = bearerKey(authorization);
    const urlKey = bearer === undefined && spec.browser ? queryKey(query) : undefined;
    const headerKey = bearer ?? urlKey;
    let tenant = '';
    let body: unknown;
    switch (spec.access.kind) {
      case 'none':
        break;
      case 'tenant': {
        const caller = options.auth.identify(headerKey);
        if (urlKey !== undefined) onlyWriteKeyInUrl(caller);
        checkParams?.(params);
        tenant = params.tenant;
        authorize(caller, spec.access.role, tenant);
        break;
      }
      case 'wire': {
        if (checkBody) body = await readBody(ctx, checkBody);
        const presented = singleKey(headerKey ?? writeKeyFromBasicAuth(authorization), spec.access.bodyKey(body));
        const caller: Caller = options.auth.identify(presented);
        if (urlKey !== undefined && presented === urlKey) onlyWriteKeyInUrl(caller);
        tenant = wireTenant(caller, presented);
        break;
      }
    }
    if (spec.access.kind !== 'tenant') checkParams?.(params);
    if (checkQuery !== undefined && spec.usualQuery?.(query) !== true) checkQuery(query);
    if (spec.access.kind !== 'wire') {
      if (tenant !== '') spec.admit?.(tenant);
      // no await at all for routes without a body (GET /resolve): each one costs a microtask
      if (checkBody) body = await readBody(ctx, checkBody);
    }
    if (tenant !== '') ctx.state.tenant = tenant;

    const output = await spec.handle({ params, query, body, tenant, receivedAt });
    if (output === null) throw notFound(spec.notFound);
    send(ctx, output);
    if (tenant !== '') options.onTenantServed?.(tenant);
  };
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * JSON longer than this (in UTF-16 units) is encoded to bytes once, here: as a string, Koa and
 * node:http would each measure its UTF-8 length and then encode it again on the socket.
 */
const ENCODE_ONCE_ABOVE = 16 * 1024;

function send(ctx: Context, output: object): void {
  if (!(output instanceof Reply)) {
    ctx.status = 200;
    ctx.set('Content-Type', JSON_CONTENT_TYPE); // a constant: ctx.type would look the type up each time
    const json = output instanceof JsonText ? output.text : JSON.stringify(output);
    ctx.body = typeof json === 'string' && json.length > ENCODE_ONCE_ABOVE ? Buffer.from(json, 'utf8') : json;
    return;
  }
  ctx.status = output.status;
  ctx.set(output.headers);
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = output.body;
}

function queryKey(query: ParsedUrlQuery): string | undefined {
  const key = query.key;
  return typeof key === 'string' ? key : undefined;
}

/** The key a wire request carries; a header key and a different body key is a client bug. */
function singleKey(headerKey: string | undefined, bodyKey: string | undefined): string | undefined {
  if (headerKey !== undefined && bodyKey !== undefined && headerKey !== bodyKey) {
    throw new RequestError(400, 'conflicting_keys', 'the request carries one key in its headers and another in its body');
  }
  return headerKey ?? bodyKey;
}
