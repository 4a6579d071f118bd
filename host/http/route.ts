// A route of the HTTP API, declared once: the router registers it, validates requests with its
// schemas and enforces its access; the OpenAPI document is generated from the same declarations.
import type { Static, TSchema } from '@sinclair/typebox';
import type { RequiredRole } from './auth.js';
import type { FastBodyDecoder } from './body.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * - `none`: anyone (operations endpoints, the tracker script).
 * - `tenant`: a key of the path's tenant with at least `role` (an admin key: any tenant).
 * - `wire`: an analytics client's write key, from the request or its body; its tenant gets the events.
 */
export type Access =
  | { kind: 'none' }
  | { kind: 'tenant'; role: RequiredRole }
  | { kind: 'wire'; bodyKey: (body: unknown) => string | undefined };

/** A response that is not JSON: its own status, body bytes and headers (Content-Type among them). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: string | Buffer,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A JSON answer already serialized (sent as 200): its text, or that text's UTF-8 bytes. */
export class JsonText {
  constructor(readonly text: string | Buffer) {}
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The tenant acted on: the path's, or the wire key's. Empty for `none` routes. */
  tenant: string;
  receivedAt: Date;
}

/** What a handler returns: a JSON value or JsonText (sent as 200), `null` for 404, or a Reply. */
export type RouteOutput = object | null | JsonText | Reply;

export interface RouteSpec<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema> {
  method: Method;
  /** OpenAPI path template: `/v1/tenants/{tenant}/events`. */
  path: string;
  /** Unique, camelCase: the OpenAPI operationId. */
  id: string;
  summary: string;
  tag: string;
  access: Access;
  /** Called from web pages: answers CORS, and accepts the key as `?key=` (sendBeacon sends no headers). */
  browser?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * A cheaper test passing the route's usual queries, each valid for `query`; a query it does not
   * pass is checked by the schema, whose errors are answered.
   */
  usualQuery?: (query: Record<string, unknown>) => boolean;
  /** Reads the body's usual shape faster than the generic JSON decoder (the schema is still checked). */
  fastBody?: FastBodyDecoder;
  /** The 200 response: a JSON schema, or the media type of a non-JSON body. */
  response: TSchema | { mediaType: string };
  /** Called before the body is read (e.g. write admission): a full queue costs no parsing. */
  admit?(tenant: string): void;
  /** What a `null` from the handler means (404 `not_found`). */
  notFound?: string;
  /** What a 503 from a route that needs no key means (routes with a key answer 503 when overloaded). */
  unavailable?: string;
  handle(input: RouteInput<Static<P>, Static<Q>, Static<B>>): RouteOutput | Promise<RouteOutput>;
}

/** Declares a route with its handler's input typed from its schemas. */
export function route<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}
