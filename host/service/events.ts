// Validation and normalization of incoming events into the compact form the log stores and the
// engine applies. Two kinds of bad item (api-contract.md): a schema violation rejects the event; a
// value that cannot be normalized is dropped and reported, and the rest of the event is kept.
import { IDENTIFIER_TYPES, RequestError, type IdentifierType, type ItemError } from '../types.js';
import { normalizeEmail, normalizePhone, normalizeDeviceId, verifyLinkToken, type LinkSecrets } from '../identity/index.js';
import type { EventEvidence } from '../engine/layout.js';
import { blockListOf, type TenantConfig } from './config.js';
import { parseIsoTime } from '../util/iso-time.js';


/**
 * One identifier as stored in the log: [type, matching value, display form or '', blocked 0|1].
 * Read-only: one array is shared by every event with the value (the verdict cache holds it). Not
 * frozen at run time: JSON.stringify of a frozen array takes V8's slow path (~25 % more for a batch).
 */
export type LoggedIdentifier = readonly [IdentifierType, string, string, 0 | 1];

/** An event as the log stores it and the engine applies it. */
export interface LoggedEvent {
  id?: string;
  type: string;
  /** Event time, ms since the epoch. */
  time: number;
  /** What the event proves (eventEvidence of its type), kept in the log so replay never depends on today's type lists. */
  evidence: EventEvidence;
  /** Logs written before evidence classes: whether the type was an authenticated one. */
  auth?: boolean;
  ids: LoggedIdentifier[];
  traits?: Record<string, unknown>;
}

export const MAX_EVENTS_PER_BATCH = 10_000;
export const MAX_VALUES_PER_TYPE = 16;
export const MAX_ID_LENGTH = 256;
const MAX_TYPE_LENGTH = 64;
const MAX_TOKEN_LENGTH = 2048;
const MAX_TRAITS_BYTES = 16_384;
const RAW_LENGTH_LIMITS: Record<IdentifierType, number> = { email: 320, phone: 64, device: 64, customer: 256, subscriber: 256 };

// Event types, compared lower-cased with spaces and dashes as underscores ("Order Completed").
// Events in which a person proves who they are: identifiers together are strong evidence, and a
// device beside them medium (a login on a family tablet proves who logged in, not whose tablet it is).
const AUTHENTICATED_TYPES = new Set([
  'identify', 'login', 'log_in', 'logged_in', 'signin', 'sign_in', 'signed_in', 'signup', 'sign_up', 'signed_up',
  'register', 'registration', 'checkout', 'checkout_completed', 'order', 'order_completed', 'order_placed',
  'purchase', 'subscribe', 'account_created', 'alias',
]);
// Campaign link clicks: the message may have been forwarded, so every link they make is weak.
const CLICK_TYPES = new Set(['link_click', 'email_link_clicked', 'campaign_click']);
const TYPE_SEPARATORS = /[\s-]+/g;

export interface TokenContext {
  tenant: string;
  secrets: LinkSecrets;
}

export interface NormalizeResult {
  /** Valid events with the index they had in the request. */
  events: { index: number; event: LoggedEvent }[];
  errors: ItemError[];
}

class SchemaError extends Error {
  constructor(readonly field: string, readonly code: string, message: string) {
    super(message);
  }
}

function itemError(index: number, field: string, code: string, message: string): ItemError {
  return { index, field, error: { code, message } };
}

/**
 * What an event of this type proves. `click`: every pair of its identifiers is weak evidence;
 * `authenticated`: person identifiers together are strong, a device beside them medium;
 * `ordinary` (page views, custom and untyped events): person identifiers together are medium, a
 * device beside them weak. See mergePersonaValues (assembly/personas.ts) for what each may join.
 */
export function eventEvidence(type: string): EventEvidence {
  let evidence = evidenceByType.get(type);
  if (evidence === undefined) {
    const key = type.trim().toLowerCase().replace(TYPE_SEPARATORS, '_');
    evidence = CLICK_TYPES.has(key) ? 'click' : AUTHENTICATED_TYPES.has(key) ? 'authenticated' : 'ordinary';
    if (evidenceByType.size >= EVIDENCE_CACHE) evidenceByType.clear();
    evidenceByType.set(type, evidence);
  }
  return evidence;
}

/** A handful of event types make up nearly all traffic. */
const evidenceByType = new Map<string, EventEvidence>();
const EVIDENCE_CACHE = 1_000;

/** The evidence class of a logged event; logs from before the classes only said whether it was authenticated. */
export function evidenceOf(event: LoggedEvent): EventEvidence {
  if (event.evidence !== undefined) return event.evidence;
  return event.auth ? 'authenticated' : eventEvidence(event.type) === 'click' ? 'click' : 'ordinary';
}

/** Normalizes one identifier value; null when it cannot be (invalid email, impossible phone...). */
export function normalizeIdentifier(type: IdentifierType, raw: string, config: TenantConfig): { value: string; display?: string } | null {
  switch (type) {
    case 'email': {
      const email = normalizeEmail(raw, { canonicalize: config.emailCanonical });
      if (!email) return null;
      return email.address === email.canonical ? { value: email.canonical } : { value: email.canonical, display: email.address };
    }
    case 'phone': {
      const phone = normalizePhone(raw, config.defaultCountry);
      return phone ? { value: phone } : null;
    }
    case 'device': {
      const device = normalizeDeviceId(raw);
      return device ? { value: device } : null;
    }
    default:
      return raw.length >= 1 && raw.length <= MAX_ID_LENGTH ? { value: raw } : null;
  }
}

/** An unpaired UTF-16 surrogate: not a character, and it would collapse distinct ids once encoded. */
const LONE_SURROGATE = /\p{Cs}/u;

const SURROGATE_FIRST = 0xd800;
const SURROGATE_LAST = 0xdfff;

export function hasLoneSurrogate(text: string): boolean {
  // a scan of the code units is far cheaper than the regex on the usual short ASCII value
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= SURROGATE_FIRST && c <= SURROGATE_LAST) return LONE_SURROGATE.test(text);
  }
  return false;
}

function checkRawValues(type: IdentifierType, value: unknown): void {
  const values = Array.isArray(value) ? value : [value];
  if (values.length > MAX_VALUES_PER_TYPE) {
    throw new SchemaError(`identifiers.${type}`, 'too_many_values', `at most ${MAX_VALUES_PER_TYPE} ${type} values per event`);
  }
  for (const v of values) {
    if (v === null) continue; // an unset item, skipped as an unset field is
    if (typeof v !== 'string') throw new SchemaError(`identifiers.${type}`, 'invalid_type', `identifiers.${type} must be a string or an array of strings (null: none)`);
    if (hasLoneSurrogate(v)) {
      throw new SchemaError(`identifiers.${type}`, 'invalid_unicode', `identifiers.${type} holds an unpaired surrogate (not valid Unicode)`);
    }
    if (v.length > RAW_LENGTH_LIMITS[type]) {
      throw new SchemaError(`identifiers.${type}`, 'value_too_long', `identifiers.${type} is longer than ${RAW_LENGTH_LIMITS[type]} characters`);
    }
  }
}

function rejectLoneSurrogate(field: string, value: unknown): void {
  if (typeof value === 'string' && hasLoneSurrogate(value)) {
    throw new SchemaError(field, 'invalid_unicode', `${field} holds an unpaired surrogate (not valid Unicode)`);
  }
}

const KNOWN_TYPES = new Set<string>(IDENTIFIER_TYPES);

function checkSchema(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SchemaError('', 'invalid_event', 'an event must be a JSON object');
  const event = raw as Record<string, unknown>;
  // null is "absent" for every optional field (clients send it for unset ones): `!= null` below
  if (event.id != null && (typeof event.id !== 'string' || event.id.length < 1 || event.id.length > MAX_ID_LENGTH)) {
    throw new SchemaError('id', 'invalid_id', `id must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  // each field by name: a loop over the names is a keyed load per event and field
  rejectLoneSurrogate('id', event.id);
  rejectLoneSurrogate('type', event.type);
  rejectLoneSurrogate('token', event.token);
  if (event.type != null && (typeof event.type !== 'string' || event.type.length > MAX_TYPE_LENGTH)) {
    throw new SchemaError('type', 'invalid_type', `type must be a string of at most ${MAX_TYPE_LENGTH} characters`);
  }
  if (event.token != null && (typeof event.token !== 'string' || event.token.length > MAX_TOKEN_LENGTH)) {
    throw new SchemaError('token', 'invalid_token', `token must be a string of at most ${MAX_TOKEN_LENGTH} characters`);
  }
  if (event.identifiers != null && (typeof event.identifiers !== 'object' || Array.isArray(event.identifiers))) {
    throw new SchemaError('identifiers', 'invalid_identifiers', 'identifiers must be an object keyed by identifier type');
  }
  if (event.traits != null) {
    if (typeof event.traits !== 'object' || Array.isArray(event.traits)) {
      throw new SchemaError('traits', 'invalid_traits', 'traits must be a JSON object');
    }
    if (JSON.stringify(event.traits).length > MAX_TRAITS_BYTES) {
      throw new SchemaError('traits', 'traits_too_large', `traits must serialize to at most ${MAX_TRAITS_BYTES} bytes`);
    }
  }
  for (const key in event.identifiers as object | null | undefined) {
    if (!KNOWN_TYPES.has(key)) {
      throw new SchemaError(`identifiers.${key}`, 'unknown_identifier_type', `unknown identifier type "${key.slice(0, 64)}"`);
    }
  }
  return event;
}

/** The times the contract's format (four-digit years) can write back: others would come out as "+275760-…". */
const FIRST_WRITABLE_TIME = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_WRITABLE_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function parseTime(value: unknown, now: number): number {
  if (value === undefined || value === null) return now;
  if (typeof value !== 'string') throw new SchemaError('timestamp', 'invalid_timestamp', 'timestamp must be an ISO-8601 string');
  const fast = parseIsoUtc(value);
  if (fast >= 0) return fast;
  const time = parseIsoTime(value);
  if (Number.isNaN(time)) {
    throw new SchemaError('timestamp', 'invalid_timestamp', `timestamp "${value.slice(0, 64)}" is not an ISO-8601 date or date-time (2026-03-01T10:00:00Z; no offset is UTC)`);
  }
  if (time < FIRST_WRITABLE_TIME || time > LAST_WRITABLE_TIME) {
    throw new SchemaError('timestamp', 'invalid_timestamp', `timestamp "${value.slice(0, 64)}" is outside the years 0000..9999`);
  }
  return time;
}

const CHAR_0 = 48;
const ISO_SECONDS_LENGTH = 20; // 2026-03-01T10:00:00Z
const ISO_MILLIS_LENGTH = 24; // 2026-03-01T10:00:00.000Z
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MAX_HOUR = 23;
const MAX_MINUTE = 59;
const MAX_SECOND = 59;

/** Digits of `text` in [from, to) as a number, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - CHAR_0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * "YYYY-MM-DDTHH:MM:SS[.sss]Z" by character positions (the form nearly every sender uses): no
 * regex, no Date object. -1 for anything else, which the general path then judges.
 */
function parseIsoUtc(text: string): number {
  const length = text.length;
  if ((length !== ISO_SECONDS_LENGTH && length !== ISO_MILLIS_LENGTH) || text.charCodeAt(length - 1) !== 0x5a /* Z */) return -1;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return -1;
  if (length === ISO_MILLIS_LENGTH && text[19] !== '.') return -1;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const millis = length === ISO_MILLIS_LENGTH ? digits(text, 20, 23) : 0;
  // years before 100 go to the general path: Date.UTC reads them as 1900..1999
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > MAX_HOUR || minute < 0 || minute > MAX_MINUTE
    || second < 0 || second > MAX_SECOND || millis < 0) return -1;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return -1;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/**
 * What an identifier value becomes in an event. Nearly every value is kept and not blocked: then the
 * verdict is its logged form itself, one object fewer to allocate and to reach on each cache hit.
 */
type Verdict = LoggedIdentifier | Exceptional;

/** A value dropped (logged null) or kept but blocked, with the block-list reason. */
interface Exceptional {
  logged: LoggedIdentifier | null;
  blocked: string | null;
}

function isPlain(verdict: Verdict): verdict is LoggedIdentifier {
  return Array.isArray(verdict);
}

/**
 * Verdicts per tenant settings, identifier type and raw value: the same values arrive again and
 * again, and one Map lookup replaces normalization (a phone parse is ~14 µs) and the block list.
 * Only values that passed checkRawValues are ever cached, so a hit also vouches for them.
 */
const verdictCaches = new WeakMap<TenantConfig, Map<string, Verdict>[]>();
const VERDICT_CACHE_PER_TYPE = 100_000;

function verdictCache(config: TenantConfig): Map<string, Verdict>[] {
  let caches = verdictCaches.get(config);
  if (!caches) {
    caches = IDENTIFIER_TYPES.map(() => new Map());
    verdictCaches.set(config, caches);
  }
  return caches;
}

function judge(config: TenantConfig, type: IdentifierType, raw: string): Verdict {
  const normalized = normalizeIdentifier(type, raw, config);
  const blocked = blockListOf(config).isBlocked(type, normalized?.value ?? null, raw);
  const logged: LoggedIdentifier | null = normalized ? [type, normalized.value, normalized.display ?? '', blocked ? 1 : 0] : null;
  return logged !== null && blocked === null ? logged : { logged, blocked };
}

/**
 * Per type, an event's value(s) and the cached verdict of a single value, read once in the schema pass
 * (reused by every event: normalizeEvents is synchronous).
 */
const givenValues: unknown[] = IDENTIFIER_TYPES.map(() => undefined);
const singleVerdicts: (Verdict | undefined)[] = IDENTIFIER_TYPES.map(() => undefined);

function holds(ids: LoggedIdentifier[], type: IdentifierType, value: string): boolean {
  for (let i = 0; i < ids.length; i++) if (ids[i][0] === type && ids[i][1] === value) return true;
  return false;
}

/** Validates and normalizes a batch. Never throws for a bad event; only the batch size is checked here. */
export function normalizeEvents(raw: unknown[], config: TenantConfig, token: TokenContext | null, now = Date.now()): NormalizeResult {
  if (raw.length > MAX_EVENTS_PER_BATCH) {
    throw new RequestError(400, 'batch_too_large', `at most ${MAX_EVENTS_PER_BATCH} events per request, got ${raw.length}`);
  }
  const result: NormalizeResult = { events: [], errors: [] };
  const caches = verdictCache(config);
  for (let index = 0; index < raw.length; index++) {
    try {
      const event = checkSchema(raw[index]);
      const time = parseTime(event.timestamp, now);
      const type = typeof event.type === 'string' && event.type.length > 0 ? event.type : 'event';
      const identifiers = (event.identifiers ?? {}) as Record<string, unknown>;
      // all schema checks before any normalization, so a rejected event reports one reason
      // one cache lookup per single value, kept for the loop below (the lookups dominate a warm batch)
      for (let ti = 0; ti < IDENTIFIER_TYPES.length; ti++) {
        const given = identifiers[IDENTIFIER_TYPES[ti]];
        const known = typeof given === 'string' ? caches[ti].get(given) : undefined;
        givenValues[ti] = given;
        singleVerdicts[ti] = known;
        if (given != null && known === undefined) checkRawValues(IDENTIFIER_TYPES[ti], given);
      }
      const ids: LoggedIdentifier[] = [];
      let dropped: ItemError[] | undefined;
      for (let ti = 0; ti < IDENTIFIER_TYPES.length; ti++) {
        const given = givenValues[ti];
        if (given == null) continue;
        const t = IDENTIFIER_TYPES[ti];
        const cache = caches[ti];
        const many = Array.isArray(given);
        const count = many ? (given as string[]).length : 1;
        for (let v = 0; v < count; v++) {
          const rawValue = (many ? (given as string[])[v] : given) as string;
          if (rawValue === null) continue;
          let verdict = many ? cache.get(rawValue) : singleVerdicts[ti];
          if (verdict === undefined) {
            verdict = judge(config, t, rawValue);
            if (cache.size >= VERDICT_CACHE_PER_TYPE) cache.clear();
            cache.set(rawValue, verdict);
          }
          const logged = isPlain(verdict) ? verdict : verdict.logged;
          const reason = isPlain(verdict) ? null : verdict.blocked;
          if (!logged) {
            (dropped ??= []).push(itemError(index, `identifiers.${t}`, reason ? 'blocked_value' : `invalid_${t}`,
              reason ? `${t} "${rawValue.slice(0, 64)}" is a placeholder value (${reason})` : `${t} "${rawValue.slice(0, 64)}" cannot be normalized`));
            continue;
          }
          if (holds(ids, t, logged[1])) continue;
          if (reason) {
            (dropped ??= []).push(itemError(index, `identifiers.${t}`, 'blocked_value', `${t} "${rawValue.slice(0, 64)}" is kept but links nothing (${reason})`));
          }
          ids.push(logged);
        }
      }
      if (event.token != null) {
        if (!token) throw new SchemaError('token', 'invalid_token', 'link tokens are not accepted here');
        let recipient: { type: IdentifierType; value: string };
        try {
          recipient = verifyLinkToken(event.token as string, token.tenant, token.secrets, now).r as { type: IdentifierType; value: string };
        } catch (error) {
          throw new SchemaError('token', 'invalid_token', error instanceof Error ? error.message : 'invalid link token');
        }
        if (!ids.some(([t, v]) => t === recipient.type && v === recipient.value)) ids.push([recipient.type, recipient.value, '', 0]);
      }
      if (dropped) result.errors.push(...dropped);
      if (ids.length === 0) {
        result.errors.push(itemError(index, 'identifiers', 'no_identifiers', 'the event has no valid identifier'));
        continue;
      }
      // a click is a click by its token too, whatever type the sender gave it
      const evidence = event.token != null ? 'click' : eventEvidence(type);
      // the usual event has an id: built with it in one literal (adding a property is a shape change)
      const logged: LoggedEvent = event.id == null ? { type, time, evidence, ids } : { type, time, evidence, ids, id: event.id as string };
      if (event.traits != null) logged.traits = event.traits as Record<string, unknown>;
      result.events.push({ index, event: logged });
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      result.errors.push(itemError(index, error.field || 'event', error.code, error.message));
    }
  }
  return result;
}
