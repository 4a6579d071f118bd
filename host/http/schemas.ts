// TypeBox schemas of the HTTP API: the one source for request validation and for the OpenAPI
// document. Request schemas check JSON shape only (types, required fields); what a value means
// (a normalizable phone, a known setting, batch limits with their own error codes) is the
// facade's to judge, so HTTP never refuses what the library accepts for a reason it does not.
import { FormatRegistry, Type, type TSchema } from '@sinclair/typebox';
import { IDENTIFIER_TYPES } from '../types.js';
import { MAX_WIRE_EVENTS } from './wire/index.js';

// TypeBox checks only the string formats registered with it: these are the ones used below.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
FormatRegistry.Set('date-time', (value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
FormatRegistry.Set('uuid', (value) => UUID.test(value));

const literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));

/**
 * A schema shown in the document but not enforced here: per-item checks of event batches belong
 * to the facade, which rejects a bad item without failing the batch.
 */
function describedOnly(schema: TSchema, description: string): TSchema {
  return Type.Unknown({ ...(JSON.parse(JSON.stringify(schema)) as object), description });
}

const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601, UTC' });
const Count = Type.Integer({ minimum: 0 });

// ---- shared pieces ----

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'snake_case error code' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
}, { title: 'Error' });

export const IdentifierType = literals(IDENTIFIER_TYPES);

/**
 * An identifier to look up. Any `type` string passes the schema: the facade judges it (resolve, split and
 * erase refuse an unknown type with 400; audiences count it unreachable).
 */
export const LookupIdentifier = Type.Object({
  type: Type.String({ description: `one of ${IDENTIFIER_TYPES.join(', ')}` }),
  value: Type.String(),
}, { title: 'Identifier' });

const Channel = literals(['email', 'sms', 'viber']);

export const Persona = Type.Object({
  id: Type.String({ description: 'psn_...' }),
  aliases: Type.Array(Type.String(), { description: 'ids of personas merged into this one' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'latest email by event time' }),
  phone: Type.Union([Type.String(), Type.Null()], { description: 'latest phone (E.164) by event time' }),
  identifiers: Type.Array(Type.Object({ type: IdentifierType, value: Type.String(), firstSeen: Timestamp, lastSeen: Timestamp })),
  counts: Type.Object(Object.fromEntries(IDENTIFIER_TYPES.map((type) => [type, Count]))),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { title: 'Persona' });

// ---- path and query parameters ----

export const TenantParams = Type.Object({
  tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'tenant (shop) id' }),
});
export const PersonaParams = Type.Object({ tenant: TenantParams.properties.tenant, id: Type.String({ description: 'persona id (psn_...)' }) });
export const CampaignParams = Type.Object({
  tenant: TenantParams.properties.tenant,
  campaign: Type.String({ minLength: 1, maxLength: 256, description: 'campaign id' }),
});

/** `?key=`: how navigator.sendBeacon authenticates, as it cannot set headers. */
export const BrowserQuery = Type.Object({
  key: Type.Optional(Type.String({ description: 'API key, for clients that cannot send Authorization' })),
});

/** Read-your-writes: answer only from a state that includes this log position. */
const MinSeq = Type.String({ pattern: '^[0-9]{1,15}$', description: 'a `seq` a write returned: the answer includes that write' });
/**
 * `?_=`, a browser's cache-buster (jQuery's `cache: false`), ignored. Read queries refuse other
 * unknown parameters: a misspelled `?emial=` next to `?customer=` must be reported, not dropped.
 */
const CacheBuster = Type.Optional(Type.String({ description: 'ignored (cache-buster)' }));
export const MinSeqQuery = Type.Object({ minSeq: Type.Optional(MinSeq), _: CacheBuster }, { additionalProperties: false });

/** Exactly one identifier (and optionally `minSeq`). */
export const ResolveQuery = Type.Union(
  IDENTIFIER_TYPES.map((type) => Type.Object({ [type]: Type.String(), minSeq: Type.Optional(MinSeq), _: CacheBuster }, { additionalProperties: false })),
  { errorMessage: `name exactly one identifier: ${IDENTIFIER_TYPES.map((type) => `?${type}=`).join(', ')} (and optionally ?minSeq=, a log position in digits; ?_= is ignored)` },
);

/** A misspelled `?sinse=` must not silently restart the feed: unknown parameters are refused. */
export const ChangesQuery = Type.Object({
  since: Type.Optional(Type.String({ description: 'cursor of the last change already seen; omit to start from the beginning' })),
  limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,2}|1000)$', description: 'most changes in the page, 1..1000 (default 1000)' })),
  _: CacheBuster,
}, { additionalProperties: false });

// ---- events ----

const IdentifierValues = Type.Union([Type.String(), Type.Array(Type.Union([Type.String(), Type.Null()]), { maxItems: 16 })]);

/** Null means absent (clients send it for unset fields): an optional field of an event may be null. */
const Nullable = (schema: TSchema) => Type.Optional(Type.Union([schema, Type.Null()], { description: schema.description }));

export const Event = Type.Object({
  id: Nullable(Type.String({ minLength: 1, maxLength: 256, description: 'idempotency key, unique per tenant' })),
  type: Nullable(Type.String({ maxLength: 64, description: 'page, identify, login, checkout, link_click, ...' })),
  timestamp: Nullable(Type.String({ format: 'date-time', description: 'ISO-8601 date or date-time, UTC when it has no offset; another spelling or a date that does not exist (02-30) rejects the event (invalid_timestamp). Defaults to the time of receipt' })),
  identifiers: Nullable(Type.Object(Object.fromEntries(IDENTIFIER_TYPES.map((type) => [type, Nullable(IdentifierValues)])))),
  token: Nullable(Type.String({ maxLength: 2048, description: 'signed link token (link_click)' })),
  traits: Nullable(Type.Record(Type.String(), Type.Unknown())),
}, { title: 'Event', description: 'null in any field, or as an item of an identifier array, means absent (the same as leaving it out)' });

const EventItem = describedOnly(Event, 'an Event; a bad one is reported in `errors` and the rest are kept');

export const EventsBody = Type.Union([
  Type.Object({ events: Type.Array(EventItem, { description: `up to ${MAX_WIRE_EVENTS} events` }) }),
  Type.Array(EventItem),
  EventItem,
], { description: 'one event, an array of events, or {"events": [...]}' });

export const ItemError = Type.Object({
  index: Count,
  field: Type.String({ description: 'which part of the item: identifiers.phone, timestamp, ...' }),
  error: ErrorResponse.properties.error,
});

export const IngestResponse = Type.Object({
  accepted: Count, duplicates: Count,
  errors: Type.Array(ItemError, { description: 'refused items, and values of accepted items that link nothing: blocked_value (a placeholder), erased_value (erased earlier)' }),
  seq: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'log position of this write (null: nothing new); pass it as ?minSeq= to read your write' })),
});
/** Read-your-writes position a cluster node reports after a write other than events. */
const WriteSeq = Type.Optional(Type.Integer({ minimum: 0, description: 'cluster mode: a log position that includes this write, for ?minSeq=' }));

// ---- resolve, personas ----

export const ResolveBody = Type.Object({
  identifiers: Type.Array(LookupIdentifier, { description: 'up to 10,000 lookups' }),
});
export const ResolveResponse = Type.Object({
  personas: Type.Array(Type.Union([Type.String(), Type.Null()]), { description: 'persona id per lookup, in input order; null: unknown value (an unknown type is a 400)' }),
});
export const ResolveOneResponse = Type.Object({ persona: Persona });

export const GraphResponse = Type.Object({
  persona: Type.String(),
  nodes: Type.Array(Type.Object({
    type: IdentifierType, value: Type.String(), shared: Type.Boolean(), blocked: Type.Boolean(),
    outside: Type.Boolean({ description: 'an identifier of another persona, reached by a refused link' }),
  })),
  edges: Type.Array(Type.Object({
    from: Count, to: Count, eventId: Type.Union([Type.String(), Type.Null()]), timestamp: Timestamp,
    strength: Type.String(), decision: Type.String(), seq: Count, item: Count,
  })),
});

const EdgeEnd = Type.Union([LookupIdentifier, Type.Integer({ minimum: 0, description: 'a node index, as GET …/graph lists edges' })]);
const IdentifierPairEdge = Type.Object({ from: EdgeEnd, to: EdgeEnd });
export const SplitBody = Type.Object({
  identifiers: Type.Optional(Type.Array(LookupIdentifier, { description: 'identifiers of the persona to cut out (one it does not hold is a 400 not_in_persona)' })),
  edges: Type.Optional(Type.Array(IdentifierPairEdge, { description: 'links to cut (at least one end in the persona, else 400 not_in_persona)' })),
});
export const SplitResponse = Type.Object({ personas: Type.Array(Persona) });

export const ChangesResponse = Type.Object({
  changes: Type.Array(Type.Object({ kind: literals(['merge', 'split', 'erase']), personas: Type.Array(Type.String()), at: Timestamp, cursor: Type.String() }), {
    description: 'oldest first. merge: the persona kept, then those merged into it; split: the persona before, then those it became; '
      + 'erase: the persona values were erased from (one per persona and erasure), followed by a split to what is left when that fell apart or changed id',
  }),
  cursor: Type.String({ description: 'pass as `since` to continue' }),
});

export const EraseBody = Type.Object({ identifiers: Type.Array(LookupIdentifier, { description: '1 to 10,000 identifiers' }) });
export const EraseResponse = Type.Object({
  erased: Type.Integer({ minimum: 0, description: 'identifiers found and erased; values never seen count 0 but are still kept from coming in later' }),
  seq: WriteSeq,
});

// ---- audiences and claims ----

export const AudienceBody = Type.Object({
  channel: Channel,
  recipients: Type.Array(LookupIdentifier, { description: 'up to 200,000 recipients' }),
});
const audienceFields = {
  recipients: Type.Array(Type.Object({
    persona: Type.Union([Type.String(), Type.Null()]),
    address: Type.String({ description: 'where to send' }),
    inputs: Type.Array(Count, { description: 'indices of the input recipients covered' }),
  })),
  unreachable: Type.Array(Count),
};
const audienceStats = { input: Count, recipients: Count, duplicatesRemoved: Count, unreachable: Count };
export const AudienceResponse = Type.Object({ ...audienceFields, stats: Type.Object(audienceStats) });
export const ClaimResponse = Type.Object({
  ...audienceFields,
  stats: Type.Object({ ...audienceStats, alreadyClaimed: Count }),
  seq: WriteSeq,
});

// ---- devices, links, settings ----

export const DeviceBody = Type.Object({
  browser: Type.Optional(Type.String({ maxLength: 512 })),
  cpu: Type.Optional(Type.String({ maxLength: 512 })),
  manufacturer: Type.Optional(Type.String({ maxLength: 512 })),
  model: Type.Optional(Type.String({ maxLength: 512 })),
  extra: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'further signals, nested up to 4 levels' })),
}, { description: 'fingerprint components' });
export const DeviceResponse = Type.Object({ device: Type.String({ format: 'uuid' }) });

export const LinkBody = Type.Object({
  url: Type.String(),
  recipient: Type.Record(Type.String(), Type.String(), { description: 'exactly one identifier, e.g. {"subscriber": "s-1"}' }),
  campaign: CampaignParams.properties.campaign,
  channel: Channel,
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
});
export const LinkResponse = Type.Object({ url: Type.String(), token: Type.String() });

const perType = (description?: string) => Type.Object(Object.fromEntries(IDENTIFIER_TYPES.map((type) => [type, Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 }))])), { description });
const PerType = perType();
export const ConfigBody = Type.Object({
  defaultCountry: Type.Optional(Type.String({ description: 'ISO 3166 alpha-2, e.g. BG' })),
  emailCanonical: Type.Optional(Type.Boolean()),
  guardrails: Type.Optional(Type.Boolean({ description: 'false: plain connected components, no merge guardrails' })),
  limits: Type.Optional(perType('most identifiers of a type one persona may hold (a merge beyond is refused); 0 = no limit')),
  sharedThresholds: Type.Optional(perType('most distinct identities before a value is marked shared; 0 = never')),
  blocked: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const ConfigResponse = Type.Object({
  defaultCountry: Type.String(), emailCanonical: Type.Boolean(), guardrails: Type.Boolean(),
  limits: PerType, sharedThresholds: PerType, blocked: Type.Record(Type.String(), Type.Unknown()),
});

// ---- analytics wire formats ----

export const SegmentBody = describedOnly(Type.Object({
  writeKey: Type.Optional(Type.String()),
  batch: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
}), 'a Segment-spec message, or {"batch": [...]} on /v1/batch; gzip accepted');
export const PosthogBody = describedOnly(Type.Object({
  api_key: Type.Optional(Type.String()),
  batch: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
}), 'one PostHog event, an array of events, or {"api_key", "batch": [...]}; gzip accepted');

const wireResultFields = {
  accepted: Count,
  duplicates: Count,
  errors: Type.Array(ItemError, { description: '`index` is the position in the request' }),
  skipped: Type.Array(Type.Object({ index: Count, reason: Type.String() })),
};
export const SegmentResponse = Type.Object({ success: Type.Literal(true), ...wireResultFields });
export const PosthogResponse = Type.Object({ status: Type.Literal(1), ...wireResultFields });

// ---- operations ----

export const StatusResponse = Type.Object({ status: Type.String() });
