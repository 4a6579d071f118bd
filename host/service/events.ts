// Validation and normalization of incoming events into the compact form the log stores and the
// engine applies. Two kinds of bad item (api-contract.md): a schema violation rejects the event; a
// value that cannot be normalized is dropped and reported, and the rest of the event is kept.
import { IDENTIFIER_TYPES, RequestError, type IdentifierType, type ItemError } from '../types.js';
import { normalizeEmail, normalizePhone, normalizeDeviceId, verifyLinkToken, type LinkSecrets } from '../identity/index.js';
import type { EventEvidence } from '../engine/layout.js';
import { blockListOf, type TenantConfig } from './config.js';


/** One identifier as stored in the log: [type, matching value, display form or '', blocked 0|1]. */
export type LoggedIdentifier = [IdentifierType, string, string, 0 | 1];

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
  const key = type.trim().toLowerCase().replace(TYPE_SEPARATORS, '_');
  if (CLICK_TYPES.has(key)) return 'click';
  return AUTHENTICATED_TYPES.has(key) ? 'authenticated' : 'ordinary';
}

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

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function checkRawValues(type: IdentifierType, value: unknown): void {
  const values = Array.isArray(value) ? value : [value];
  if (values.length > MAX_VALUES_PER_TYPE) {
    throw new SchemaError(`identifiers.${type}`, 'too_many_values', `at most ${MAX_VALUES_PER_TYPE} ${type} values per event`);
  }
  for (const v of values) {
    if (typeof v !== 'string') throw new SchemaError(`identifiers.${type}`, 'invalid_type', `identifiers.${type} must be a string or an array of strings`);
    if (hasLoneSurrogate(v)) {
      throw new SchemaError(`identifiers.${type}`, 'invalid_unicode', `identifiers.${type} holds an unpaired surrogate (not valid Unicode)`);
    }
    if (v.length > RAW_LENGTH_LIMITS[type]) {
      throw new SchemaError(`identifiers.${type}`, 'value_too_long', `identifiers.${type} is longer than ${RAW_LENGTH_LIMITS[type]} characters`);
    }
  }
}

function checkSchema(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SchemaError('', 'invalid_event', 'an event must be a JSON object');
  const event = raw as Record<string, unknown>;
  if (event.id !== undefined && (typeof event.id !== 'string' || event.id.length < 1 || event.id.length > MAX_ID_LENGTH)) {
    throw new SchemaError('id', 'invalid_id', `id must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  for (const field of ['id', 'type', 'token'] as const) {
    if (typeof event[field] === 'string' && hasLoneSurrogate(event[field] as string)) {
      throw new SchemaError(field, 'invalid_unicode', `${field} holds an unpaired surrogate (not valid Unicode)`);
    }
  }
  if (event.type !== undefined && (typeof event.type !== 'string' || event.type.length > MAX_TYPE_LENGTH)) {
    throw new SchemaError('type', 'invalid_type', `type must be a string of at most ${MAX_TYPE_LENGTH} characters`);
  }
  if (event.token !== undefined && (typeof event.token !== 'string' || event.token.length > MAX_TOKEN_LENGTH)) {
    throw new SchemaError('token', 'invalid_token', `token must be a string of at most ${MAX_TOKEN_LENGTH} characters`);
  }
  if (event.identifiers !== undefined && (typeof event.identifiers !== 'object' || event.identifiers === null || Array.isArray(event.identifiers))) {
    throw new SchemaError('identifiers', 'invalid_identifiers', 'identifiers must be an object keyed by identifier type');
  }
  if (event.traits !== undefined) {
    if (typeof event.traits !== 'object' || event.traits === null || Array.isArray(event.traits)) {
      throw new SchemaError('traits', 'invalid_traits', 'traits must be a JSON object');
    }
    if (JSON.stringify(event.traits).length > MAX_TRAITS_BYTES) {
      throw new SchemaError('traits', 'traits_too_large', `traits must serialize to at most ${MAX_TRAITS_BYTES} bytes`);
    }
  }
  for (const key of Object.keys((event.identifiers as object | undefined) ?? {})) {
    if (!(IDENTIFIER_TYPES as readonly string[]).includes(key)) {
      throw new SchemaError(`identifiers.${key}`, 'unknown_identifier_type', `unknown identifier type "${key.slice(0, 64)}"`);
    }
  }
  return event;
}

/** Block-list verdicts per (type, value): the same values arrive again and again. */
const blockVerdicts = new WeakMap<TenantConfig, Map<string, string | null>>();
const BLOCK_VERDICT_CACHE = 100_000;

function blockReason(config: TenantConfig, type: IdentifierType, value: string | null, raw: string): string | null {
  let verdicts = blockVerdicts.get(config);
  if (!verdicts) {
    verdicts = new Map();
    blockVerdicts.set(config, verdicts);
  }
  const key = value === null ? `${type}\0raw\0${raw}` : `${type}\0${value}\0${value === raw ? '' : raw}`;
  let reason = verdicts.get(key);
  if (reason === undefined) {
    reason = blockListOf(config).isBlocked(type, value, raw);
    if (verdicts.size >= BLOCK_VERDICT_CACHE) verdicts.clear();
    verdicts.set(key, reason);
  }
  return reason;
}

/** ISO-8601 UTC with milliseconds ("2026-03-01T10:00:00.000Z"), the common case, without Date.parse. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;

function parseTime(value: unknown, now: number): number {
  if (value === undefined || value === null) return now;
  if (typeof value !== 'string') throw new SchemaError('timestamp', 'invalid_timestamp', 'timestamp must be an ISO-8601 string');
  const m = ISO_UTC.exec(value);
  const time = m
    ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? +m[7] : 0)
    : Date.parse(value);
  if (Number.isNaN(time) || (m && new Date(time).getUTCDate() !== +m[3])) {
    throw new SchemaError('timestamp', 'invalid_timestamp', `timestamp "${value.slice(0, 64)}" is not a date`);
  }
  return time;
}

/** Validates and normalizes a batch. Never throws for a bad event; only the batch size is checked here. */
export function normalizeEvents(raw: unknown[], config: TenantConfig, token: TokenContext | null, now = Date.now()): NormalizeResult {
  if (raw.length > MAX_EVENTS_PER_BATCH) {
    throw new RequestError(400, 'batch_too_large', `at most ${MAX_EVENTS_PER_BATCH} events per request, got ${raw.length}`);
  }
  const result: NormalizeResult = { events: [], errors: [] };
  for (let index = 0; index < raw.length; index++) {
    try {
      const event = checkSchema(raw[index]);
      const time = parseTime(event.timestamp, now);
      const type = typeof event.type === 'string' && event.type.length > 0 ? event.type : 'event';
      const identifiers = (event.identifiers ?? {}) as Record<string, unknown>;
      // all schema checks before any normalization, so a rejected event reports one reason
      for (const t of IDENTIFIER_TYPES) if (identifiers[t] !== undefined) checkRawValues(t, identifiers[t]);
      const ids: LoggedIdentifier[] = [];
      let dropped: ItemError[] | undefined;
      for (const t of IDENTIFIER_TYPES) {
        const given = identifiers[t];
        if (given === undefined) continue;
        for (const rawValue of (Array.isArray(given) ? given : [given]) as string[]) {
          const normalized = normalizeIdentifier(t, rawValue, config);
          const reason = blockReason(config, t, normalized?.value ?? null, rawValue);
          if (!normalized) {
            (dropped ??= []).push(itemError(index, `identifiers.${t}`, reason ? 'blocked_value' : `invalid_${t}`,
              reason ? `${t} "${rawValue.slice(0, 64)}" is a placeholder value (${reason})` : `${t} "${rawValue.slice(0, 64)}" cannot be normalized`));
            continue;
          }
          if (ids.some(([seenType, seenValue]) => seenType === t && seenValue === normalized.value)) continue;
          if (reason) {
            (dropped ??= []).push(itemError(index, `identifiers.${t}`, 'blocked_value', `${t} "${rawValue.slice(0, 64)}" is kept but links nothing (${reason})`));
          }
          ids.push([t, normalized.value, normalized.display ?? '', reason ? 1 : 0]);
        }
      }
      if (event.token !== undefined) {
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
      const evidence = event.token !== undefined ? 'click' : eventEvidence(type);
      const logged: LoggedEvent = { type, time, evidence, ids };
      if (event.id !== undefined) logged.id = event.id as string;
      if (event.traits !== undefined) logged.traits = event.traits as Record<string, unknown>;
      result.events.push({ index, event: logged });
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      result.errors.push(itemError(index, error.field || 'event', error.code, error.message));
    }
  }
  return result;
}
