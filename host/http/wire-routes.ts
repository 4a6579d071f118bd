// Drop-in endpoints for analytics clients (Segment spec incl. RudderStack, PostHog). The wire
// mappers turn a payload into contract events; the write key's tenant ingests them. Status codes
// are the ones these clients understand: 200 once accepted (even with per-item errors), 400 only
// for a request that can never succeed, 401 for a bad key, 429/503 with Retry-After to retry.
import type { GraphApi } from '../service/graph-api.js';
import type { IngestResult, ItemError } from '../types.js';
import { mapPosthogPayload, mapSegmentPayload, SEGMENT_CALLS, type WireMapResult } from './wire/index.js';
import { field, isRecord, readId } from './wire/json.js';
import { singleBodyKey } from './wire/keys.js';
import type { HttpMetrics } from './metrics.js';
import { route, type RouteSpec } from './route.js';
import * as S from './schemas.js';

/** `/v1/{name}` → the mapper's call name; analytics.js uses the one-letter forms. */
const SEGMENT_PATHS: [path: string, call: string][] = [
  ['batch', 'batch'], ['b', 'batch'],
  ...SEGMENT_CALLS.flatMap((call): [string, string][] => [[call, call], [call[0], call]]),
];
const POSTHOG_PATHS = ['/batch/', '/capture/', '/e/', '/i/v0/e/'];

// The tenant must be known before mapping (device ids are derived per tenant), so the body's key
// is found first, in the places the mappers read it from.
function segmentBodyKey(call: string) {
  return (body: unknown): string | undefined => {
    const items = call === 'batch' && Array.isArray(field(body, 'batch')) ? (field(body, 'batch') as unknown[]) : [];
    return singleBodyKey([field(body, 'writeKey'), ...items.map((item) => field(item, 'writeKey'))], 'writeKey');
  };
}

function posthogBodyKey(body: unknown): string | undefined {
  const envelope = isRecord(body) && body.batch !== undefined ? body : undefined;
  const items: unknown[] = Array.isArray(body) ? body : envelope ? (Array.isArray(envelope.batch) ? envelope.batch : []) : [body];
  return singleBodyKey([
    field(envelope, 'api_key'), field(envelope, 'token'),
    ...items.flatMap((item) => [field(item, 'api_key'), field(item, 'token'), field(field(item, 'properties'), 'token')]),
  ], 'api_key');
}

/** previousIds of the alias messages of a Segment payload: the ones that may be known customers. */
function aliasPreviousIds(call: string, body: unknown): string[] {
  const messages = call === 'batch' ? (Array.isArray(field(body, 'batch')) ? (field(body, 'batch') as unknown[]) : []) : [body];
  const ids = new Set<string>();
  for (const message of messages) {
    if (call !== 'alias' && field(message, 'type') !== 'alias') continue;
    const id = readId(field(message, 'previousId'));
    if (typeof id === 'string') ids.add(id);
  }
  return [...ids];
}

/** Which of `ids` the tenant already knows as customer ids. */
async function knownCustomers(graph: GraphApi, tenant: string, ids: string[]): Promise<(id: string) => boolean> {
  if (ids.length === 0) return () => false;
  const personas = await graph.resolve(tenant, ids.map((value) => ({ type: 'customer', value })));
  const known = new Set(ids.filter((_, i) => personas[i] !== null));
  return (id) => known.has(id);
}

type WireResult = Pick<IngestResult, 'accepted' | 'duplicates' | 'errors'> & { skipped: WireMapResult['skipped'] };

/** Ingests mapped events; every error is reported at its item's position in the request. */
async function ingestMapped(graph: GraphApi, tenant: string, mapped: WireMapResult): Promise<WireResult> {
  const result = mapped.events.length === 0
    ? { accepted: 0, duplicates: 0, errors: [] as ItemError[] }
    : await graph.ingest(tenant, mapped.events);
  const ingestErrors = result.errors.map((error) => ({ ...error, index: mapped.eventIndexes[error.index] }));
  const errors = [...mapped.errors, ...ingestErrors].sort((a, b) => a.index - b.index);
  return { accepted: result.accepted, duplicates: result.duplicates, errors, skipped: mapped.skipped };
}

export function wireRoutes(graph: GraphApi, metrics: HttpMetrics): RouteSpec[] {
  const mapDeviceIdFor = (tenant: string) => (raw: string) => graph.deviceIdFor(tenant, raw);
  const segment = SEGMENT_PATHS.map(([name, call]) => route({
    method: 'POST', path: `/v1/${name}`, id: `segment${name[0].toUpperCase()}${name.slice(1)}`, tag: 'segment', browser: true,
    summary: call === name ? `Segment-spec ${call}` : `Segment-spec ${call} (analytics.js short path)`,
    access: { kind: 'wire', bodyKey: segmentBodyKey(call) }, body: S.SegmentBody, response: S.SegmentResponse,
    handle: async ({ tenant, body, receivedAt }) => {
      const isKnownCustomer = await knownCustomers(graph, tenant, aliasPreviousIds(call, body));
      const mapped = mapSegmentPayload(name, body, { receivedAt, mapDeviceId: mapDeviceIdFor(tenant), isKnownCustomer });
      const result = await ingestMapped(graph, tenant, mapped);
      metrics.countEvents('segment', result);
      return { success: true, ...result };
    },
  }));
  const posthog = POSTHOG_PATHS.map((path) => route({
    method: 'POST', path, id: `posthog${path.split('/').filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('')}`,
    tag: 'posthog', browser: true, summary: `PostHog capture (${path})`,
    access: { kind: 'wire', bodyKey: posthogBodyKey }, body: S.PosthogBody, response: S.PosthogResponse,
    handle: async ({ tenant, body, receivedAt }) => {
      const mapped = mapPosthogPayload(body, { receivedAt, mapDeviceId: mapDeviceIdFor(tenant) });
      const result = await ingestMapped(graph, tenant, mapped);
      metrics.countEvents('posthog', result);
      return { status: 1, ...result };
    },
  }));
  return [...segment, ...posthog];
}
