// The OpenAPI 3.1 document, generated from the route table: the same TypeBox schemas that
// validate requests describe them here (OpenAPI 3.1 schemas are JSON Schema 2020-12).
import type { TObject, TSchema } from '@sinclair/typebox';
import type { RouteSpec } from './route.js';
import { ErrorResponse } from './schemas.js';

export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** Plain JSON Schema: TypeBox marks its schemas with symbol keys, which JSON drops. */
function json(schema: TSchema): object {
  return JSON.parse(JSON.stringify(schema)) as object;
}

function errorResponse(description: string, headers?: object) {
  return { description, content: { 'application/json': { schema: ERROR_REF } }, ...(headers ? { headers } : {}) };
}

const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };

/** Parameters of an object schema, or of a union of objects (each property once; required only where every member requires it). */
function parameters(schema: TSchema | undefined, where: 'path' | 'query'): object[] {
  if (!schema) return [];
  const members = (schema.anyOf as TObject[] | undefined) ?? [schema as TObject];
  const properties = new Map<string, TSchema>();
  for (const member of members) for (const [name, property] of Object.entries(member.properties)) properties.set(name, property as TSchema);
  const requiredEverywhere = (name: string) => members.every((member) => (member.required ?? []).includes(name));
  const inEveryMember = (name: string) => members.every((member) => name in member.properties);
  // the union's alternatives first, then what every alternative takes
  const ordered = [...properties].sort(([a], [b]) => Number(inEveryMember(a) && members.length > 1) - Number(inEveryMember(b) && members.length > 1));
  return ordered.map(([name, property]) => ({
    name, in: where, required: where === 'path' || requiredEverywhere(name), schema: json(property),
  }));
}

function security(spec: RouteSpec): object[] {
  switch (spec.access.kind) {
    case 'none':
      return [];
    case 'tenant':
      return spec.browser ? [{ bearerKey: [] }, { queryKey: [] }] : [{ bearerKey: [] }];
    case 'wire':
      return [{ basicWriteKey: [] }, { bearerKey: [] }, { queryKey: [] }, {}];
  }
}

function responses(spec: RouteSpec): Record<string, object> {
  const ok = 'mediaType' in spec.response
    ? { description: 'OK', content: { [spec.response.mediaType as string]: {} } }
    : { description: 'OK', content: { 'application/json': { schema: json(spec.response) } } };
  const out: Record<string, object> = { 200: ok };
  if (spec.params || spec.query || spec.body) out[400] = errorResponse('invalid request (code names the problem)');
  if (spec.access.kind !== 'none') {
    out[401] = errorResponse('no key, or an unknown key');
    out[403] = errorResponse('the key may not do this, or not for this tenant');
  }
  if (spec.notFound) out[404] = errorResponse(spec.notFound);
  if (spec.body) out[413] = errorResponse('request body over the size limit');
  const unavailable = spec.access.kind !== 'none' ? 'overloaded: retry after the given delay' : spec.unavailable;
  if (unavailable) out[503] = errorResponse(unavailable, RETRY_AFTER);
  return out;
}

export function openApiDocument(routes: RouteSpec[], info: ApiInfo): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of routes) {
    const operation: Record<string, unknown> = {
      operationId: spec.id,
      summary: spec.summary,
      tags: [spec.tag],
      security: security(spec),
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      responses: responses(spec),
    };
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: json(spec.body) } } };
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: json(ErrorResponse) },
      securitySchemes: {
        bearerKey: { type: 'http', scheme: 'bearer', description: 'API key: write (events, devices), secret (its tenant), admin (every tenant)' },
        queryKey: { type: 'apiKey', in: 'query', name: 'key', description: 'a write key as ?key=, for navigator.sendBeacon; a secret or admin key there is refused (403): URLs end up in logs' },
        basicWriteKey: { type: 'http', scheme: 'basic', description: 'Segment clients: the write key as the user name; analytics.js and PostHog send it in the body (writeKey, api_key)' },
      },
    },
  };
}
