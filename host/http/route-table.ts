// Finding the route of a request: the route table compiled once into path segments. Matches as
// @koa/router (path-to-regexp) did: literal segments ignore ASCII case, a `{param}` takes one
// non-empty segment (percent-decoded when it decodes), one trailing slash is optional, GET routes
// answer HEAD too, and the first route registered wins. No regular expression, no per-request
// middleware composition: the cost stays flat as routes are added.
import type { Method, RouteSpec } from './route.js';

export interface RouteMatch {
  spec: RouteSpec;
  params: Record<string, string>;
}

/** A template segment: literal text (lower case) or the name of a path parameter. */
type Segment = { literal: string } | { param: string };

interface CompiledRoute {
  spec: RouteSpec;
  segments: Segment[];
}

const PARAM = /^\{(\w+)\}$/;
const ASCII_UPPER = /[A-Z]/;

function compile(spec: RouteSpec): CompiledRoute {
  const segments = spec.path.split('/').map((part): Segment => {
    const param = PARAM.exec(part);
    if (param === null && /[{}]/.test(part)) throw new Error(`route ${spec.id}: a parameter must be a whole path segment (${spec.path})`);
    return param === null ? { literal: part.toLowerCase() } : { param: param[1] };
  });
  return { spec, segments };
}

function decodeParam(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // as @koa/router: a malformed escape stays as sent
  }
}

/** `text` equals the lower-case literal, ignoring the case of ASCII letters only (as a RegExp /i does). */
function sameLiteral(text: string, literal: string): boolean {
  if (text === literal) return true;
  if (text.length !== literal.length || !ASCII_UPPER.test(text)) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const lower = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
    if (lower !== literal.charCodeAt(i)) return false;
  }
  return true;
}

function matchSegments(route: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const { segments } = route;
  if (segments.length !== parts.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const part = parts[i];
    if ('literal' in segment) {
      if (!sameLiteral(part, segment.literal)) return undefined;
    } else {
      if (part === '') return undefined;
      (params ??= {})[segment.param] = decodeParam(part);
    }
  }
  return params ?? {};
}

/** The path's segments without its one optional trailing slash, when it has one. */
function trailingSlashTrimmed(path: string): string[] | undefined {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1).split('/') : undefined;
}

function matchRoute(route: CompiledRoute, parts: string[], trimmed: string[] | undefined): Record<string, string> | undefined {
  return matchSegments(route, parts) ?? (trimmed === undefined ? undefined : matchSegments(route, trimmed));
}

/** Paths whose match is remembered per method; the memo is emptied when it holds this many. */
const MATCHES_KEPT = 1_000;
/** Longer paths are matched every time (a flood of long junk paths must not fill memory). */
const LONGEST_KEPT_PATH = 256;

export class RouteTable {
  private readonly compiled: CompiledRoute[];
  /** Routes by method (HEAD: the GET routes), in registration order. */
  private readonly byMethod = new Map<string, CompiledRoute[]>();
  /**
   * The match of paths already seen, per method (null: none). A service is called on a few paths
   * over and over (GET /resolve of a tenant has one path; the identifier is in the query), and a
   * Map hit costs a fraction of splitting the path and comparing its segments with every route.
   */
  private readonly matches = new Map<string, Map<string, RouteMatch | null>>();

  constructor(routes: RouteSpec[]) {
    const ids = new Set<string>();
    for (const spec of routes) {
      if (ids.has(spec.id)) throw new Error(`duplicate route id ${spec.id}`);
      ids.add(spec.id);
    }
    this.compiled = routes.map(compile);
    for (const route of this.compiled) {
      for (const method of route.spec.method === 'GET' ? ['GET', 'HEAD'] : [route.spec.method]) {
        const list = this.byMethod.get(method) ?? [];
        list.push(route);
        this.byMethod.set(method, list);
      }
    }
  }

  /** The route that serves `method path` (the path without its query), with its parameters (shared: read only). */
  find(method: string, path: string): RouteMatch | undefined {
    const routes = this.byMethod.get(method);
    if (routes === undefined) return undefined;
    if (path.length > LONGEST_KEPT_PATH) return this.match(routes, path);
    let matches = this.matches.get(method);
    if (matches === undefined) {
      matches = new Map();
      this.matches.set(method, matches);
    }
    let match = matches.get(path);
    if (match === undefined) {
      match = this.match(routes, path) ?? null;
      if (match !== null) Object.freeze(match.params);
      if (matches.size >= MATCHES_KEPT) matches.clear();
      matches.set(path, match);
    }
    return match ?? undefined;
  }

  private match(routes: CompiledRoute[], path: string): RouteMatch | undefined {
    const parts = path.split('/');
    const trimmed = trailingSlashTrimmed(path);
    for (const route of routes) {
      const params = matchRoute(route, parts, trimmed);
      if (params !== undefined) return { spec: route.spec, params };
    }
    return undefined;
  }

  /** Every route whose path matches, whatever its method (for 405 and OPTIONS answers). */
  routesAt(path: string): RouteSpec[] {
    const parts = path.split('/');
    const trimmed = trailingSlashTrimmed(path);
    return this.compiled.filter((route) => matchRoute(route, parts, trimmed) !== undefined).map((route) => route.spec);
  }

  /** `METHOD /template` of every route served (HEAD implied by GET). */
  served(): `${Method} ${string}`[] {
    return this.compiled.map(({ spec }) => `${spec.method} ${spec.path}` as const);
  }
}
