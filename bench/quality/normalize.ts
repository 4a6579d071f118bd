// The simulator's own canonical identifier keys (`type:normalizedValue`), so that the reference
// lines and the scoring need no engine code. It only has to be right for the forms the
// simulator emits: email case/space variants, gmail dots and `+tags`, Bulgarian and
// international phone formats, junk values, lower-case UUIDs and opaque ids.
import { IDENTIFIER_TYPES, type IdentifierType } from '../../host/types.js';

const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);
const PHONE_SEPARATORS = /[\s\-.()/]/g;
const E164 = /^\+[1-9]\d{7,14}$/;
const BULGARIA_PREFIX = '+359';
// A Bulgarian national significant number never starts with 0 and has 8 or 9 digits.
const BULGARIAN_E164 = /^\+359[1-9]\d{7,8}$/;
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_OPAQUE_ID_LENGTH = 256;

/** Key of an identifier value in the simulator's canonical form, or null when it is invalid. */
export function identifierKey(type: IdentifierType, raw: string): string | null {
  const value = normalizedValue(type, raw);
  return value === null ? null : `${type}:${value}`;
}

/** Splits a key made by `identifierKey` back into its type and normalized value. */
export function parseKey(key: string): { type: IdentifierType; value: string } {
  const colon = key.indexOf(':');
  const type = key.slice(0, colon) as IdentifierType;
  if (colon < 0 || !IDENTIFIER_TYPES.includes(type)) {
    throw new Error(`not an identifier key: ${JSON.stringify(key)}`);
  }
  return { type, value: key.slice(colon + 1) };
}

export function normalizedValue(type: IdentifierType, raw: string): string | null {
  if (typeof raw !== 'string') return null;
  switch (type) {
    case 'email':
      return canonicalEmail(raw);
    case 'phone':
      return canonicalPhone(raw);
    case 'device': {
      const uuid = raw.trim().toLowerCase();
      return UUID_SHAPE.test(uuid) ? uuid : null;
    }
    case 'customer':
    case 'subscriber':
      return raw.length >= 1 && raw.length <= MAX_OPAQUE_ID_LENGTH ? raw : null;
  }
}

/** Trimmed and lower-cased address as a person typed it (no provider rules). */
export function typedEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** The mailbox an address reaches: gmail dots and `+tag` removed, googlemail = gmail. */
export function canonicalEmail(raw: string): string | null {
  const address = typedEmail(raw);
  if (!EMAIL_SHAPE.test(address)) return null;
  const at = address.indexOf('@');
  const domain = address.slice(at + 1);
  if (!GMAIL_DOMAINS.has(domain)) return address;
  const local = address.slice(0, at).split('+')[0].replaceAll('.', '');
  return local ? `${local}@gmail.com` : null;
}

/** E.164 with Bulgaria as the default country: `00` means `+`, a leading `0` is a BG trunk prefix. */
export function canonicalPhone(raw: string): string | null {
  const compact = raw.trim().replace(PHONE_SEPARATORS, '');
  let e164: string;
  if (compact.startsWith('+')) e164 = compact;
  else if (compact.startsWith('00')) e164 = `+${compact.slice(2)}`;
  else if (compact.startsWith('0')) e164 = `${BULGARIA_PREFIX}${compact.slice(1)}`;
  else return null;
  if (!E164.test(e164)) return null;
  if (e164.startsWith(BULGARIA_PREFIX) && !BULGARIAN_E164.test(e164)) return null;
  return e164;
}
