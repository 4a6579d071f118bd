// One PostHog capture event → one event.
import { EventDraft, rejected, type ItemOutcome } from './event-draft.js';
import { isRecord, field, readId, readText, WRONG_TYPE, type JsonRecord } from './json.js';
import { correctClockSkew } from './time.js';

export interface PosthogEventEnv {
  receivedAt: Date;
  mapDeviceId: (raw: string) => string;
  /** A batch's `sent_at`, used when the event has none of its own. */
  batchSentAt?: number;
}

/** PostHog event names → the event types the Segment mapping uses; any other name is a `track`. */
const EVENT_TYPES = new Map([
  ['$identify', 'identify'],
  ['$set', 'identify'],
  ['$create_alias', 'alias'],
  ['$pageview', 'page'],
  ['$screen', 'screen'],
]);
const DEFAULT_EVENT_TYPE = 'track';
/** Describes a group (posthog-node sends it under the synthetic distinct_id `$<type>_<key>`). */
const GROUP_IDENTIFY = '$groupidentify';
const CREATE_ALIAS = '$create_alias';
/** Where PostHog clients put person properties (posthog-js at the top, posthog-node in properties). */
const PERSON_PROPERTY_SETS = ['$set', '$set_once'];
/** Properties the SDK adds besides its `$`-prefixed ones; the rest are the caller's own. */
const SDK_PROPERTIES = new Set(['distinct_id', 'token', 'alias']);
const SDK_PROPERTY_PREFIX = '$';

export function mapPosthogEvent(event: JsonRecord, env: PosthogEventEnv): ItemOutcome {
  const name = readText(event.event);
  if (name === undefined || name === WRONG_TYPE) return rejected('event', 'missing_field', 'event must be a non-empty string');
  if (name === GROUP_IDENTIFY) return { kind: 'skipped', reason: 'group_event' };
  const properties = isRecord(event.properties) ? event.properties : {};

  const draft = new EventDraft(env.mapDeviceId);
  const [distinctId, distinctField] =
    event.distinct_id !== undefined ? [event.distinct_id, 'distinct_id'] : [properties.distinct_id, 'properties.distinct_id'];
  draft.addId(isAnonymous(distinctId, properties) ? 'device' : 'customer', distinctId, distinctField);
  draft.addLooseId('device', properties.$anon_distinct_id, 'properties.$anon_distinct_id');
  draft.addLooseId('device', properties.$device_id, 'properties.$device_id');
  if (name === CREATE_ALIAS) {
    if (readId(properties.alias) === undefined) {
      draft.reject('properties.alias', 'missing_field', '$create_alias needs properties.alias');
    }
    draft.addId('customer', properties.alias, 'properties.alias');
  }
  for (const set of PERSON_PROPERTY_SETS) {
    for (const [where, source] of [[set, event], [`properties.${set}`, properties]] as const) {
      draft.addLooseId('email', field(source[set], 'email'), `${where}.email`);
      draft.addLooseId('phone', field(source[set], 'phone'), `${where}.phone`);
    }
  }

  const timestamp = eventTime(draft, event, properties, env);
  const uuid = readId(event.uuid);
  if (uuid === WRONG_TYPE) draft.reject('uuid', 'invalid_field', 'uuid must be a string');
  const own = callerProperties(properties);
  return draft.finish({
    id: uuid === WRONG_TYPE ? undefined : uuid,
    type: EVENT_TYPES.get(name) ?? DEFAULT_EVENT_TYPE,
    timestamp,
    traits: own === undefined ? { event: name } : { event: name, properties: own },
  });
}

/** An anonymous event's distinct_id is the device's own id (posthog-js before identify). */
function isAnonymous(distinctId: unknown, properties: JsonRecord): boolean {
  if (properties.$is_identified === false) return true;
  const id = readId(distinctId);
  return typeof id === 'string' && id === readId(properties.$device_id);
}

/**
 * PostHog's rules: `timestamp` corrected by `sent_at` (unless `$ignore_sent_at`), else
 * `timestamp` as is, else receipt time minus `offset` ms, else receipt time.
 */
function eventTime(draft: EventDraft, event: JsonRecord, properties: JsonRecord, env: PosthogEventEnv): string {
  const timestamp = draft.readTime(event.timestamp, 'timestamp');
  const sentAt = draft.readTime(event.sent_at, 'sent_at') ?? env.batchSentAt;
  if (timestamp !== undefined) {
    const useAsIs = sentAt === undefined || properties.$ignore_sent_at === true;
    return draft.isoTime(useAsIs ? timestamp : correctClockSkew(timestamp, sentAt, env.receivedAt), env.receivedAt);
  }
  const offset = event.offset;
  if (offset === undefined || offset === null) return env.receivedAt.toISOString();
  if (typeof offset === 'number' && Number.isFinite(offset)) {
    return draft.isoTime(env.receivedAt.getTime() - offset, env.receivedAt);
  }
  draft.reject('offset', 'invalid_timestamp', 'offset must be a number of milliseconds');
  return env.receivedAt.toISOString();
}

/** The caller's own properties, without what the SDK adds (browser, screen, lib, ...). */
function callerProperties(properties: JsonRecord): JsonRecord | undefined {
  const own = Object.entries(properties).filter(([key]) => !key.startsWith(SDK_PROPERTY_PREFIX) && !SDK_PROPERTIES.has(key));
  return own.length === 0 ? undefined : Object.fromEntries(own);
}
