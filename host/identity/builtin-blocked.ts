// Values that software and shoppers type when they have nothing real to give. Such a value is
// shared by thousands of unrelated people, so linking on it would merge them all into one.
import type { IdentifierType } from '../types.js';
import { normalizeUuid } from './uuid.js';
import { nationalNumberOf } from './phone.js';

export type BuiltinBlockReason =
  | 'builtin:empty'
  | 'builtin:null_like'
  | 'builtin:placeholder_email'
  | 'builtin:placeholder_phone'
  | 'builtin:placeholder_device';

/** Compared after trimming and lower-casing; applies to every identifier type. */
const NULL_LIKE = new Set([
  'null', 'undefined', 'nil', 'none', 'nan', 'n/a', 'na', 'n.a.', 'unknown', 'anonymous', 'guest',
  '[object object]', 'object', 'false', 'true', 'test', 'user', 'admin', 'noemail', 'no email',
  'nomail', 'empty', 'blank', 'default', 'placeholder',
]);
const ONLY_ZEROS = /^0+$/;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Local parts (with `+tag` and `.`, `-`, `_` removed) that are placeholders at any domain. */
const PLACEHOLDER_LOCAL_PARTS = new Set([
  'noemail', 'nomail', 'noreply', 'donotreply', 'none', 'null', 'nil', 'undefined', 'unknown',
  'asdf', 'qwerty', 'fake', 'example', 'nobody',
]);
const TEST_LOCAL_PART = /^test\d*$/;
const LOCAL_PART_SEPARATORS = /[._-]/g;
/** Whole addresses that are placeholders but whose parts alone are not. */
const PLACEHOLDER_ADDRESSES = new Set([
  'email@email.com', 'mail@mail.com', 'user@user.com', 'user@domain.com', 'name@domain.com',
  'email@domain.com', 'your@email.com', 'youremail@email.com', 'youremail@domain.com',
  'abc@abc.com', 'abc@xyz.com',
]);
/**
 * Top-level domains that can never receive mail (RFC 6761). The documentation domains (example.com,
 * .example, .test) are not blocked: integrations and their tests use them for real-looking people,
 * and nobody types them at a checkout.
 */
const UNDELIVERABLE_TOP_LEVEL_DOMAINS = new Set(['invalid', 'localhost']);
/** `a@a.com`, `aaa@a.bg`: local part and first domain label one and the same character, repeated. */
const SAME_REPEATED_CHAR = /^(.)\1*@\1+$/su;

/** Shorter runs can be real national numbers in small numbering plans. */
const MIN_JUNK_PHONE_DIGITS = 6;
const DECIMAL_DIGITS = 10;
const NON_DIGITS = /\D/g;
const LEADING_ZEROS = /^0+/;

const REPEATED_HEX_UUID = /^([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}$/;

/**
 * Why a value is junk, or null. Checks the normalized value and the raw value (either may be
 * absent): a raw `0000000000` fails phone normalization, yet callers want to report it as a
 * placeholder rather than as a malformed number.
 */
export function builtinBlockReason(
  type: IdentifierType,
  normalizedValue: string | null,
  raw?: string,
): BuiltinBlockReason | null {
  const normalizedReason = typeof normalizedValue === 'string' ? valueReason(type, normalizedValue) : null;
  if (normalizedReason !== null) return normalizedReason;
  // a raw value equal to its normalized form (the usual case for ids and UUIDs) was just judged
  return typeof raw === 'string' && raw !== normalizedValue ? valueReason(type, raw) : null;
}

function valueReason(type: IdentifierType, value: string): BuiltinBlockReason | null {
  // The specific reason first: `0000000000` is a placeholder phone before it is null-like.
  return emptyReason(value) ?? placeholderReason(type, value) ?? nullLikeReason(value);
}

function emptyReason(value: string): BuiltinBlockReason | null {
  return value.trim() === '' ? 'builtin:empty' : null;
}

function nullLikeReason(value: string): BuiltinBlockReason | null {
  const key = value.trim().toLowerCase();
  if (NULL_LIKE.has(key) || ONLY_ZEROS.test(key) || !HAS_LETTER_OR_DIGIT.test(key)) return 'builtin:null_like';
  return null;
}

function placeholderReason(type: IdentifierType, value: string): BuiltinBlockReason | null {
  switch (type) {
    case 'email':
      return isPlaceholderEmail(value.trim().toLowerCase()) ? 'builtin:placeholder_email' : null;
    case 'phone':
      return isPlaceholderPhone(value) ? 'builtin:placeholder_phone' : null;
    case 'device': {
      const uuid = normalizeUuid(value);
      return uuid !== null && REPEATED_HEX_UUID.test(uuid) ? 'builtin:placeholder_device' : null;
    }
    default:
      return null;
  }
}

function isPlaceholderEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const plus = local.indexOf('+');
  const base = (plus < 0 ? local : local.slice(0, plus)).replace(LOCAL_PART_SEPARATORS, '');
  const labels = domain.split('.');
  return (
    PLACEHOLDER_ADDRESSES.has(email) ||
    PLACEHOLDER_LOCAL_PARTS.has(base) ||
    TEST_LOCAL_PART.test(base) ||
    UNDELIVERABLE_TOP_LEVEL_DOMAINS.has(labels[labels.length - 1]) ||
    SAME_REPEATED_CHAR.test(`${local}@${labels[0]}`)
  );
}

/**
 * Judged on the national significant number when the value is in international form (E.164 or
 * as typed with `+`/`00`), and on its plain digits, with and without leading zeros (a trunk
 * prefix), so national spellings that fail normalization are caught too.
 */
function isPlaceholderPhone(value: string): boolean {
  const national = nationalNumberOf(value);
  if (national !== null && isJunkDigits(national)) return true;
  const digits = value.normalize('NFKC').replace(NON_DIGITS, '');
  return isJunkDigits(digits) || isJunkDigits(digits.replace(LEADING_ZEROS, ''));
}

/** One repeated digit, or a run up or down the keypad (1234567890, 0123456789, 9876543210). */
function isJunkDigits(digits: string): boolean {
  if (digits.length < MIN_JUNK_PHONE_DIGITS) return false;
  return [0, 1, -1].some((step) => isArithmeticRun(digits, step));
}

function isArithmeticRun(digits: string, step: number): boolean {
  for (let i = 1; i < digits.length; i++) {
    const expected = (Number(digits[i - 1]) + step + DECIMAL_DIGITS) % DECIMAL_DIGITS;
    if (Number(digits[i]) !== expected) return false;
  }
  return true;
}
