// One Segment-spec message (identify, track, page, screen, alias, group) → one event.
import type { IdentifierType } from '../../types.js';
import { EventDraft, type ItemOutcome } from './event-draft.js';
import { field, isRecord, mergeRecords, readId, WRONG_TYPE, type JsonRecord } from './json.js';
import { correctClockSkew } from './time.js';

export const SEGMENT_CALLS = ['identify', 'track', 'page', 'screen', 'alias', 'group'] as const;
export type SegmentCall = (typeof SEGMENT_CALLS)[number];

export interface SegmentMessageEnv {
  call: SegmentCall;
  receivedAt: Date;
  mapDeviceId: (raw: string) => string;
  isKnownCustomer?: (id: string) => boolean;
  /** A batch's shared `context`, laid under each message's own. */
  batchContext?: JsonRecord;
  /** A batch's `sentAt`, used when the message has none of its own. */
  batchSentAt?: number;
}

/** `context.externalIds[].type` (lower-cased, `_`/`-` removed) → identifier type; others are ignored. */
const EXTERNAL_ID_TYPES = new Map<string, IdentifierType>([
  ['email', 'email'],
  ['phone', 'phone'],
  ['device', 'device'],
  ['deviceid', 'device'],
  ['anonymousid', 'device'],
  ['customer', 'customer'],
  ['customerid', 'customer'],
  ['userid', 'customer'],
  ['subscriber', 'subscriber'],
  ['subscriberid', 'subscriber'],
]);
const EXTERNAL_ID_TYPE_SEPARATORS = /[_-]/g;
/** Hashed external ids (`encoding: "md5"`...) cannot match plain values, so only these are used. */
const PLAIN_ENCODINGS = new Set<unknown>([undefined, null, 'none']);
/** The message's own payload, kept as the event's traits; context and SDK metadata are left out. */
const PAYLOAD_FIELDS = ['event', 'name', 'category', 'groupId', 'properties', 'traits'] as const;

export function mapSegmentMessage(message: JsonRecord, env: SegmentMessageEnv): ItemOutcome {
  const userId = readId(message.userId);
  if (env.call === 'alias' && typeof userId === 'string' && userId === readId(message.previousId)) {
    return { kind: 'skipped', reason: 'self_alias' };
  }
  const draft = new EventDraft(env.mapDeviceId);
  if (env.call === 'alias') addAliasIds(draft, message, env);
  else addPersonIds(draft, message, env);
  const timestamp = eventTime(draft, message, env);
  const messageId = readId(message.messageId);
  if (messageId === WRONG_TYPE) draft.reject('messageId', 'invalid_field', 'messageId must be a string');
  return draft.finish({
    id: messageId === WRONG_TYPE ? undefined : messageId,
    type: env.call,
    timestamp,
    traits: payloadTraits(message),
  });
}

// Segment's alias says "previousId is now userId": only those two ids are evidence.
function addAliasIds(draft: EventDraft, message: JsonRecord, env: SegmentMessageEnv): void {
  for (const required of ['userId', 'previousId']) {
    if (readId(message[required]) === undefined) draft.reject(required, 'missing_field', `an alias needs ${required}`);
  }
  draft.addId('customer', message.userId, 'userId');
  const previousId = readId(message.previousId);
  const isCustomer = typeof previousId === 'string' && env.isKnownCustomer?.(previousId) === true;
  draft.addId(isCustomer ? 'customer' : 'device', message.previousId, 'previousId');
}

function addPersonIds(draft: EventDraft, message: JsonRecord, env: SegmentMessageEnv): void {
  draft.addId('customer', message.userId, 'userId');
  draft.addId('device', message.anonymousId, 'anonymousId');
  const context = messageContext(message, env.batchContext);
  draft.addLooseId('device', field(context.device, 'id'), 'context.device.id');
  // A group call's traits describe the group (a company's email), never the person.
  if (env.call !== 'group') addContactIds(draft, message.traits, 'traits');
  addContactIds(draft, context.traits, 'context.traits');
  addExternalIds(draft, context.externalIds);
}

function messageContext(message: JsonRecord, batchContext: JsonRecord | undefined): JsonRecord {
  const own = isRecord(message.context) ? message.context : {};
  return batchContext === undefined ? own : mergeRecords(batchContext, own);
}

function addContactIds(draft: EventDraft, traits: unknown, where: string): void {
  draft.addLooseId('email', field(traits, 'email'), `${where}.email`);
  draft.addLooseId('phone', field(traits, 'phone'), `${where}.phone`);
}

function addExternalIds(draft: EventDraft, externalIds: unknown): void {
  if (!Array.isArray(externalIds)) return;
  externalIds.forEach((entry: unknown, i) => {
    const rawType = field(entry, 'type');
    const typeKey = typeof rawType === 'string' ? rawType.toLowerCase().replace(EXTERNAL_ID_TYPE_SEPARATORS, '') : '';
    const type = EXTERNAL_ID_TYPES.get(typeKey);
    if (type === undefined || !PLAIN_ENCODINGS.has(field(entry, 'encoding'))) return;
    draft.addLooseId(type, field(entry, 'id'), `context.externalIds[${i}].id`);
  });
}

/**
 * Segment libraries send the device clock as `timestamp`; RudderStack sends it as
 * `originalTimestamp` and keeps `timestamp` for a time the caller set explicitly, which is then
 * used as is (as rudder-server does). The device clock is corrected by `sentAt` when there is one.
 */
function eventTime(draft: EventDraft, message: JsonRecord, env: SegmentMessageEnv): string {
  const original = draft.readTime(message.originalTimestamp, 'originalTimestamp');
  const explicit = draft.readTime(message.timestamp, 'timestamp');
  const sentAt = draft.readTime(message.sentAt, 'sentAt') ?? env.batchSentAt;
  const deviceTime = original ?? explicit;
  if (deviceTime === undefined) return env.receivedAt.toISOString();
  if (original !== undefined && explicit !== undefined) return draft.isoTime(explicit, env.receivedAt);
  return draft.isoTime(sentAt === undefined ? deviceTime : correctClockSkew(deviceTime, sentAt, env.receivedAt), env.receivedAt);
}

function payloadTraits(message: JsonRecord): Record<string, unknown> | undefined {
  const present = PAYLOAD_FIELDS.filter((name) => message[name] !== undefined && message[name] !== null);
  return present.length === 0 ? undefined : Object.fromEntries(present.map((name) => [name, message[name]]));
}
