// Identifiers as lookups name them, normalized into the keys the shards are searched by. Reads
// repeat the same values (a shop resolves its own customers over and over), so the keys are
// memoized per tenant settings, type and raw value: one Map lookup instead of normalization.
import { IDENTIFIER_TYPES, RequestError, type IdentifierType } from '../types.js';
import { TYPE_CODES } from '../engine/layout.js';
import { hasLoneSurrogate, normalizeIdentifier } from './events.js';
import type { TenantConfig } from './config.js';

/**
 * 400 invalid_request, naming `<list>/<index>` as the HTTP schema does, for a lookup that is not
 * {type: string, value: string}: over HTTP the schema refuses it, and the library must not answer
 * null (or unreachable) for a caller's bug instead.
 */
export function checkLookupShape(item: unknown, list: 'identifiers' | 'recipients', index: number): void {
  const refuse = (path: string, message: string) => {
    throw new RequestError(400, 'invalid_request', `${path}: ${message}`, { errors: [{ path, message }] });
  };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) refuse(`${list}/${index}`, 'Expected object');
  const { type, value } = item as { type?: unknown; value?: unknown };
  if (typeof type !== 'string') refuse(`${list}/${index}/type`, 'Expected string');
  if (typeof value !== 'string') refuse(`${list}/${index}/value`, 'Expected string');
}

/** A lookup's normalized identifier, and the same as the engine's key. Shared: never mutate. */
export interface LookupKey {
  readonly type: IdentifierType;
  readonly value: string;
  readonly display?: string;
  readonly engine: { readonly type: number; readonly value: string };
}

/** Longest value a lookup may name (longer ones cannot be stored, so they resolve to nothing). */
const MAX_LOOKUP_VALUE_LENGTH = 1024;
const CACHE_PER_TYPE = 100_000;
const TYPE_INDEX = new Map<string, number>(IDENTIFIER_TYPES.map((type, i) => [type, i]));
const CACHED_TYPES = IDENTIFIER_TYPES.map((type) => type === 'email' || type === 'phone');
type Memo = Map<string, LookupKey | null>[];
const caches = new WeakMap<TenantConfig, Memo>();

/** The key of `{type, value}`, or null when it is not an identifier or its value cannot be normalized. */
export function lookupKeyOf(identifier: unknown, config: TenantConfig): LookupKey | null {
  const typeIndex = typeIndexOf(identifier);
  if (typeIndex < 0) return null;
  const { type, value } = identifier as { type: IdentifierType; value: string };
  // ids are taken as given and UUIDs checked by a short regex: a Map lookup (hashing a fresh string)
  // would cost more than normalizing them; emails and phones are worth it
  if (!CACHED_TYPES[typeIndex]) return computeKey(type, value, config);
  return memoizedKey(memoOf(config)[typeIndex], type, value, config);
}

/**
 * Only the engine key of `{type, value}` (what reads search the shard by), or null: for ids and
 * devices no LookupKey is built around it, which a batch of 10,000 lookups would only throw away.
 */
export function engineKeyOf(identifier: unknown, config: TenantConfig): LookupKey['engine'] | null {
  return engineKeyIn(identifier, config, undefined);
}

/** engineKeyOf of each identifier (null where none): a batch looks its tenant's memo up once. */
export function engineKeysOf(identifiers: readonly unknown[], config: TenantConfig): (LookupKey['engine'] | null)[] {
  const memo = memoOf(config);
  const keys = new Array<LookupKey['engine'] | null>(identifiers.length);
  for (let i = 0; i < identifiers.length; i++) keys[i] = engineKeyIn(identifiers[i], config, memo);
  return keys;
}

/** `memo`: the tenant's, when the caller has it already (undefined: looked up if needed). */
function engineKeyIn(identifier: unknown, config: TenantConfig, memo: Memo | undefined): LookupKey['engine'] | null {
  const typeIndex = typeIndexOf(identifier);
  if (typeIndex < 0) return null;
  const { type, value } = identifier as { type: IdentifierType; value: string };
  if (CACHED_TYPES[typeIndex]) return memoizedKey((memo ?? memoOf(config))[typeIndex], type, value, config)?.engine ?? null;
  const normalized = normalizedValue(type, value, config);
  return normalized === null ? null : { type: TYPE_CODES[type], value: normalized.value };
}

/** Index of the identifier's type in IDENTIFIER_TYPES; -1 when it is not `{type, value: string}` of a known type. */
function typeIndexOf(identifier: unknown): number {
  if (typeof identifier !== 'object' || identifier === null) return -1;
  const { type, value } = identifier as { type: unknown; value: unknown };
  const typeIndex = typeof type === 'string' ? TYPE_INDEX.get(type) : undefined;
  return typeIndex === undefined || typeof value !== 'string' ? -1 : typeIndex;
}

/** A tenant settings' keys by raw value, per type. */
function memoOf(config: TenantConfig): Memo {
  let memo = caches.get(config);
  if (!memo) {
    memo = IDENTIFIER_TYPES.map(() => new Map());
    caches.set(config, memo);
  }
  return memo;
}

function memoizedKey(cache: Map<string, LookupKey | null>, type: IdentifierType, value: string, config: TenantConfig): LookupKey | null {
  let key = cache.get(value);
  if (key === undefined) {
    key = computeKey(type, value, config);
    // only short values are kept: a flood of long junk lookups must not fill memory
    if (value.length <= MAX_LOOKUP_VALUE_LENGTH / 4) {
      if (cache.size >= CACHE_PER_TYPE) cache.clear();
      cache.set(value, key);
    }
  }
  return key;
}

function normalizedValue(type: IdentifierType, value: string, config: TenantConfig): ReturnType<typeof normalizeIdentifier> {
  if (value.length > MAX_LOOKUP_VALUE_LENGTH || hasLoneSurrogate(value)) return null;
  return normalizeIdentifier(type, value, config);
}

function computeKey(type: IdentifierType, value: string, config: TenantConfig): LookupKey | null {
  const normalized = normalizedValue(type, value, config);
  if (!normalized) return null;
  return Object.freeze({
    type,
    value: normalized.value,
    ...(normalized.display !== undefined ? { display: normalized.display } : {}),
    engine: Object.freeze({ type: TYPE_CODES[type], value: normalized.value }),
  });
}

const otherEmailForms = new WeakMap<TenantConfig, TenantConfig>();

/**
 * The engine key of an email in the other matching form (emailCanonical flipped), or null when the
 * key is not an email's or both forms agree. An email is keyed by the setting in force when it was
 * stored: one stored before the setting changed is found (and erased) by this key.
 */
export function otherEmailKey(identifier: unknown, key: LookupKey['engine'], config: TenantConfig): LookupKey['engine'] | null {
  if (key.type !== TYPE_CODES.email) return null;
  let other = otherEmailForms.get(config);
  if (!other) {
    other = { ...config, emailCanonical: !config.emailCanonical };
    otherEmailForms.set(config, other);
  }
  const otherKey = engineKeyOf(identifier, other);
  return otherKey && otherKey.value !== key.value ? otherKey : null;
}
