// The per-tenant block list: built-in junk values plus the tenant's own values and patterns.
// A blocked value is still accepted as data, but must never link two identifiers together.
import { IDENTIFIER_TYPES, RequestError, type IdentifierType } from '../types.js';
import { builtinBlockReason, type BuiltinBlockReason } from './builtin-blocked.js';
import { compileSafePattern } from './safe-pattern.js';

export interface TenantBlockConfig {
  /** Exact values, per identifier type (email and device compared case-insensitively). */
  values?: Partial<Record<IdentifierType, string[]>>;
  /** Regular expressions (JavaScript syntax, `u` flag), per identifier type. */
  patterns?: Partial<Record<IdentifierType, string[]>>;
}

export type BlockReason = BuiltinBlockReason | 'tenant:value' | 'tenant:pattern';

export interface BlockList {
  /**
   * Why the value must not link identifiers, or null. Pass the normalized value and the value as
   * received; when normalization failed pass null and the raw value is judged alone (so a raw
   * `0000000000` is reported as a placeholder phone instead of just an invalid one).
   */
  isBlocked(type: IdentifierType, normalizedValue: string | null, raw?: string): BlockReason | null;
}

export const MAX_BLOCKED_VALUES_PER_TYPE = 10_000;
export const MAX_BLOCKED_PATTERNS_PER_TYPE = 100;
export const MAX_BLOCKED_VALUE_LENGTH = 1024;
// Bounds the work one pattern test can do on an oversized raw value; normalized values are short.
const MAX_PATTERN_INPUT_LENGTH = 1024;
const CASE_INSENSITIVE_TYPES = new Set<IdentifierType>(['email', 'device']);
/** The keys of TenantBlockConfig. */
export const BLOCK_SECTIONS: ReadonlySet<string> = new Set(['values', 'patterns']);

/** Builds a block list; throws RequestError(400, 'invalid_config') naming the bad entry. */
export function createBlockList(tenantBlocked: TenantBlockConfig = {}): BlockList {
  if (!isObject(tenantBlocked)) throw invalidConfig('blocked must be an object');
  for (const section of Object.keys(tenantBlocked)) {
    if (!BLOCK_SECTIONS.has(section)) {
      throw invalidConfig(`blocked: unknown section "${section.slice(0, 64)}"; list values under blocked.values or blocked.patterns, e.g. {"values": {"email": [...]}}`);
    }
  }
  const values = perType(tenantBlocked.values, 'blocked.values', MAX_BLOCKED_VALUES_PER_TYPE, (value, where, type) => {
    if (typeof value !== 'string' || value.length > MAX_BLOCKED_VALUE_LENGTH) {
      throw invalidConfig(`${where} must be a string of at most ${MAX_BLOCKED_VALUE_LENGTH} characters`);
    }
    return matchKey(type, value);
  });
  const patterns = perType(tenantBlocked.patterns, 'blocked.patterns', MAX_BLOCKED_PATTERNS_PER_TYPE, compileSafePattern);
  const valueSets = new Map([...values].map(([type, list]) => [type, new Set(list)]));

  return {
    isBlocked(type, normalizedValue, raw) {
      const builtin = builtinBlockReason(type, normalizedValue, raw);
      if (builtin !== null) return builtin;
      if (!valueSets.get(type)?.size && !patterns.get(type)?.length) return null; // most tenants list nothing
      const candidates = [normalizedValue, raw].filter((value): value is string => typeof value === 'string');
      const blockedValues = valueSets.get(type);
      if (blockedValues?.size && candidates.some((value) => blockedValues.has(matchKey(type, value)))) {
        return 'tenant:value';
      }
      const typePatterns = patterns.get(type) ?? [];
      const testable = candidates.filter((value) => value.length <= MAX_PATTERN_INPUT_LENGTH);
      if (typePatterns.some((pattern) => testable.some((value) => pattern.test(value)))) return 'tenant:pattern';
      return null;
    },
  };
}

function matchKey(type: IdentifierType, value: string): string {
  const trimmed = value.trim();
  return CASE_INSENSITIVE_TYPES.has(type) ? trimmed.toLowerCase() : trimmed;
}

/** Validates a `{ [type]: items[] }` section and converts every item. */
function perType<T>(
  section: unknown,
  name: string,
  maxItems: number,
  convert: (item: unknown, where: string, type: IdentifierType) => T,
): Map<IdentifierType, T[]> {
  const result = new Map<IdentifierType, T[]>();
  if (section === undefined) return result;
  if (!isObject(section)) throw invalidConfig(`${name} must be an object keyed by identifier type`);
  for (const [type, items] of Object.entries(section)) {
    if (!IDENTIFIER_TYPES.includes(type as IdentifierType)) {
      throw invalidConfig(`${name}: unknown identifier type ${JSON.stringify(type)}`);
    }
    if (!Array.isArray(items)) throw invalidConfig(`${name}.${type} must be an array`);
    if (items.length > maxItems) throw invalidConfig(`${name}.${type} holds more than ${maxItems} entries`);
    const identifierType = type as IdentifierType;
    result.set(identifierType, items.map((item, index) => convert(item, `${name}.${type}[${index}]`, identifierType)));
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidConfig(message: string): RequestError {
  return new RequestError(400, 'invalid_config', message);
}
