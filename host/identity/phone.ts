// Phone normalization to E.164. Parsing with full ("max") metadata costs ~14 µs, and the same
// numbers arrive over and over, so results (including rejections) are memoized.
import { createRequire } from 'node:module';
import type * as PhoneLibrary from 'libphonenumber-js/max';
import { RequestError } from '../types.js';
import { BoundedCache } from '../util/bounded-cache.js';

/** Enough for every distinct number of a busy hour; ~100 bytes per entry. */
export const PHONE_CACHE_SIZE = 50_000;
// Longer than any formatted phone number; longer input is rejected without parsing or caching.
const MAX_PHONE_INPUT_LENGTH = 64;
// Characters people put between digits: whitespace, dashes, dots, parentheses, slashes.
const SEPARATORS = /[\s\-.()/]/g;
const DIALABLE = /^\+?[0-9]+$/;
const INTERNATIONAL_PREFIX = /^00/;

/**
 * libphonenumber with its metadata, loaded at first use rather than with this module: the shard
 * writer threads import this module (tenant config checks) but seldom need it, and at start-up each
 * thread spent ~55 ms of CPU loading it (73 files) before its snapshot read could begin.
 */
let phoneLibrary: typeof PhoneLibrary | undefined;
function phoneLib(): typeof PhoneLibrary {
  return (phoneLibrary ??= createRequire(import.meta.url)('libphonenumber-js/max') as typeof PhoneLibrary);
}

const normalized = new BoundedCache<string, string | null>(PHONE_CACHE_SIZE);
const nationalNumbers = new BoundedCache<string, string | null>(PHONE_CACHE_SIZE);

/** Whether `code` is an ISO 3166-1 alpha-2 country libphonenumber knows (any case). */
export function isValidDefaultCountry(code: string): boolean {
  return typeof code === 'string' && phoneLib().isSupportedCountry(code.toUpperCase());
}

/**
 * Normalizes a phone number to E.164 (`+359888123456`), or null when it is not a valid number.
 * Numbers without an international prefix are read as numbers of `defaultCountry`; a leading `00`
 * counts as `+`. Throws `invalid_config` for an unknown default country (a tenant setting).
 */
export function normalizePhone(raw: string, defaultCountry: string): string | null {
  const country = toCountryCode(defaultCountry);
  if (typeof raw !== 'string' || raw.length > MAX_PHONE_INPUT_LENGTH) return null;

  const key = `${country}:${raw}`;
  const cached = normalized.get(key);
  if (cached !== undefined) return cached;
  const result = parseToE164(raw, country);
  normalized.set(key, result);
  return result;
}

/**
 * The national significant number of a number written in international form (`+359 888 123 456`,
 * `00359888123456`, E.164): `888123456`. Validity is not required, so placeholder numbers such as
 * `+359 000 000 000` can be recognised; null when there is no known country calling code.
 */
export function nationalNumberOf(international: string): string | null {
  if (typeof international !== 'string' || international.length > MAX_PHONE_INPUT_LENGTH) return null;
  const compact = toDialable(international)?.replace(INTERNATIONAL_PREFIX, '+');
  if (!compact?.startsWith('+')) return null;
  // keyed by the compact form, so every spelling of a number normalizePhone has seen hits its entry
  const cached = nationalNumbers.get(compact);
  if (cached !== undefined) return cached;
  const result = phoneLib().parsePhoneNumberFromString(compact)?.nationalNumber ?? null;
  nationalNumbers.set(compact, result);
  return result;
}

function toCountryCode(code: string): PhoneLibrary.CountryCode {
  const upper = typeof code === 'string' ? code.toUpperCase() : '';
  if (!phoneLib().isSupportedCountry(upper)) {
    throw new RequestError(400, 'invalid_config', `unknown default country ${JSON.stringify(code)} for phone numbers`);
  }
  return upper;
}

function parseToE164(raw: string, country: PhoneLibrary.CountryCode): string | null {
  const compact = toDialable(raw);
  if (compact === null) return null;
  const parsed = phoneLib().parsePhoneNumberFromString(compact.replace(INTERNATIONAL_PREFIX, '+'), country);
  if (!parsed?.isValid()) return null;
  // The placeholder check asks for this number's national number next; re-parsing the E.164 gives
  // the same one (test/identity/phone-national.test.ts checks every country's numbers) at ~1.7 µs.
  nationalNumbers.set(parsed.number, parsed.nationalNumber);
  return parsed.number;
}

/**
 * Digits with an optional leading `+`, separators removed; null for anything else. Letters,
 * extensions, `tel:` prefixes and stray symbols are not numbers we can message, and libphonenumber
 * would otherwise quietly drop trailing garbage. NFKC turns full-width digits into ASCII ones.
 */
function toDialable(raw: string): string | null {
  const compact = raw.normalize('NFKC').replace(SEPARATORS, '');
  return DIALABLE.test(compact) ? compact : null;
}
