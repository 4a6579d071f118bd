// The contract's tenant endpoints: each one a thin adapter over one PersonaGraph call.
import type { GraphApi, ReadOptions } from '../service/graph-api.js';
import { IDENTIFIER_TYPES, type Identifier, type IdentifierType } from '../types.js';
import { lookupListDecoder } from './lookup-list-body.js';
import type { HttpMetrics } from './metrics.js';
import { JsonText, route, type RouteSpec } from './route.js';
import * as S from './schemas.js';

const TENANT = '/v1/tenants/{tenant}';

/** `?minSeq=` as the graph's read options (the schema allows digits only). */
function readOptions(query: { minSeq?: string }): ReadOptions | undefined {
  return query.minSeq === undefined ? undefined : { minSeq: Number(query.minSeq) };
}

/** The one identifier named in a resolve query (the schema guarantees exactly one). */
function queryIdentifier(query: Partial<Record<IdentifierType, string>>): Identifier {
  const type = IDENTIFIER_TYPES.find((t) => query[t] !== undefined) as IdentifierType;
  return { type, value: query[type] as string };
}

const IDENTIFIER_TYPE_NAMES = new Set<string>(IDENTIFIER_TYPES);

/**
 * A GET /resolve query naming one identifier and nothing else: valid for S.ResolveQuery, whose union
 * of five closed objects costs TypeBox ~0.5 µs per request (listing the query's keys per member).
 */
export function namesOneIdentifier(query: Record<string, unknown>): boolean {
  let names = 0;
  for (const name in query) {
    if (!IDENTIFIER_TYPE_NAMES.has(name) || typeof query[name] !== 'string') return false;
    names++;
  }
  return names === 1;
}

/** Encoded `{"persona": …}` answers kept; the cache is emptied when it holds this many. */
const MAX_PERSONA_ANSWERS = 10_000;

/**
 * The encoded GET /resolve answer around each persona text the graph hands out. The graph hands
 * out the same string until the persona's shard changes, so a repeated lookup finds its bytes
 * here (a Map hit on a string whose hash V8 already keeps): nothing is concatenated, measured or
 * encoded per request. Texts of a changed shard are no longer asked for and leave with the next clear.
 */
function personaAnswers(): (json: string) => Buffer {
  const answers = new Map<string, Buffer>();
  return (json) => {
    let answer = answers.get(json);
    if (answer === undefined) {
      answer = Buffer.from(`{"persona":${json}}`, 'utf8');
      if (answers.size >= MAX_PERSONA_ANSWERS) answers.clear();
      answers.set(json, answer);
    }
    return answer;
  };
}

export function tenantRoutes(graph: GraphApi, metrics: HttpMetrics): RouteSpec[] {
  const personaAnswer = personaAnswers();
  return [
    route({
      method: 'POST', path: `${TENANT}/events`, id: 'ingestEvents', tag: 'events', browser: true,
      summary: 'Send one event, an array of events or {"events": [...]} (up to 10,000); durable when answered',
      access: { kind: 'tenant', role: 'write' }, params: S.TenantParams, query: S.BrowserQuery, body: S.EventsBody,
      response: S.IngestResponse,
      admit: (tenant) => graph.admitWrite(tenant),
      handle: async ({ tenant, body }) => {
        const { accepted, duplicates, errors, seq } = await graph.ingest(tenant, body);
        metrics.countEvents('events', { accepted, duplicates, errors });
        return { accepted, duplicates, errors, seq };
      },
    }),
    route({
      method: 'GET', path: `${TENANT}/resolve`, id: 'resolveOne', tag: 'resolve',
      summary: 'The persona of one identifier (?email=, ?phone=, ?device=, ?customer= or ?subscriber=)',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, query: S.ResolveQuery, usualQuery: namesOneIdentifier,
      response: S.ResolveOneResponse, notFound: 'no persona holds this identifier',
      handle: async ({ tenant, query }) => {
        const identifier = queryIdentifier(query);
        if (graph.personaJsonOf !== undefined) {
          // the graph keeps the persona's text ready, and personaAnswer its encoded answer
          const json = await graph.personaJsonOf(tenant, identifier, readOptions(query));
          return json === null ? null : new JsonText(personaAnswer(json));
        }
        const persona = await graph.personaOf(tenant, identifier, readOptions(query));
        return persona && { persona };
      },
    }),
    route({
      method: 'POST', path: `${TENANT}/resolve`, id: 'resolveMany', tag: 'resolve',
      summary: 'Persona ids of up to 10,000 identifiers, in input order',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, query: S.MinSeqQuery, body: S.ResolveBody,
      fastBody: lookupListDecoder('identifiers'), response: S.ResolveResponse,
      handle: async ({ tenant, query, body }) => ({ personas: await graph.resolve(tenant, body.identifiers as Identifier[], readOptions(query)) }),
    }),
    route({
      method: 'GET', path: `${TENANT}/personas/{id}`, id: 'getPersona', tag: 'personas',
      summary: 'A persona; an id merged into another returns the surviving persona',
      access: { kind: 'tenant', role: 'secret' }, params: S.PersonaParams, query: S.MinSeqQuery,
      response: S.Persona, notFound: 'no such persona',
      handle: ({ tenant, params, query }) => graph.persona(tenant, params.id, readOptions(query)),
    }),
    route({
      method: 'DELETE', path: `${TENANT}/personas/{id}`, id: 'deletePersona', tag: 'quality',
      summary: 'Erase every identifier of a persona for good (GDPR)',
      access: { kind: 'tenant', role: 'secret' }, params: S.PersonaParams,
      response: S.EraseResponse, notFound: 'no such persona',
      handle: ({ tenant, params }) => graph.deletePersona(tenant, params.id),
    }),
    route({
      method: 'GET', path: `${TENANT}/personas/{id}/graph`, id: 'getPersonaGraph', tag: 'quality',
      summary: 'Identifiers of a persona and the evidence linking them, with the rule decisions',
      access: { kind: 'tenant', role: 'secret' }, params: S.PersonaParams, query: S.MinSeqQuery,
      response: S.GraphResponse, notFound: 'no such persona',
      handle: ({ tenant, params, query }) => graph.graph(tenant, params.id, readOptions(query)),
    }),
    route({
      method: 'POST', path: `${TENANT}/personas/{id}/split`, id: 'splitPersona', tag: 'quality',
      summary: 'Cut identifiers and/or links out of a persona; returns the resulting personas',
      access: { kind: 'tenant', role: 'secret' }, params: S.PersonaParams, body: S.SplitBody,
      response: S.SplitResponse, notFound: 'no such persona',
      handle: async ({ tenant, params, body }) => {
        const personas = await graph.split(tenant, params.id, body);
        return personas && { personas };
      },
    }),
    route({
      method: 'POST', path: `${TENANT}/audiences/dedupe`, id: 'dedupeAudience', tag: 'campaigns',
      summary: 'One recipient per persona, at its latest address for the channel (up to 200,000 inputs)',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, query: S.MinSeqQuery, body: S.AudienceBody,
      response: S.AudienceResponse,
      handle: ({ tenant, query, body }) => graph.dedupe(tenant, body, readOptions(query)),
    }),
    route({
      method: 'POST', path: `${TENANT}/campaigns/{campaign}/claims`, id: 'claimRecipients', tag: 'campaigns',
      summary: 'Like audiences/dedupe, keeping only personas not yet claimed for this campaign',
      access: { kind: 'tenant', role: 'secret' }, params: S.CampaignParams, body: S.AudienceBody,
      response: S.ClaimResponse,
      handle: ({ tenant, params, body }) => graph.claim(tenant, params.campaign, body),
    }),
    route({
      method: 'POST', path: `${TENANT}/devices`, id: 'composeDevice', tag: 'devices', browser: true,
      summary: 'The device UUID for fingerprint components (the same components always give the same UUID)',
      access: { kind: 'tenant', role: 'write' }, params: S.TenantParams, query: S.BrowserQuery, body: S.DeviceBody,
      response: S.DeviceResponse,
      handle: ({ tenant, body }) => ({ device: graph.composeDevice(tenant, body) }),
    }),
    route({
      method: 'POST', path: `${TENANT}/links`, id: 'createLink', tag: 'devices',
      summary: 'A tracked link: the URL with a signed token that links the clicking device to the recipient',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, body: S.LinkBody,
      response: S.LinkResponse,
      handle: ({ tenant, body }) => graph.createLink(tenant, body),
    }),
    route({
      method: 'GET', path: `${TENANT}/config`, id: 'getConfig', tag: 'settings',
      summary: 'The tenant\'s effective settings',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams,
      response: S.ConfigResponse,
      handle: ({ tenant }) => graph.config(tenant),
    }),
    route({
      method: 'PUT', path: `${TENANT}/config`, id: 'putConfig', tag: 'settings',
      summary: 'Change some settings; returns the full effective settings',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, body: S.ConfigBody,
      response: S.ConfigResponse,
      handle: ({ tenant, body }) => graph.configure(tenant, body),
    }),
    route({
      method: 'GET', path: `${TENANT}/changes`, id: 'listChanges', tag: 'quality',
      summary: 'Merges, splits and erasures after a cursor, oldest first',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, query: S.ChangesQuery,
      response: S.ChangesResponse,
      handle: ({ tenant, query }) => graph.changes(tenant, query.since, query.limit === undefined ? undefined : Number(query.limit)),
    }),
    route({
      method: 'POST', path: `${TENANT}/erase`, id: 'eraseIdentifiers', tag: 'quality',
      summary: 'Erase identifiers for good (GDPR): erased values never come back by replay',
      access: { kind: 'tenant', role: 'secret' }, params: S.TenantParams, body: S.EraseBody,
      response: S.EraseResponse,
      handle: ({ tenant, body }) => graph.erase(tenant, body.identifiers as Identifier[]),
    }),
  ];
}
