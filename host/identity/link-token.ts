// Signed campaign link tokens: a link in an email or SMS carries who it was sent to, so a click
// can tie the clicking device to that recipient. Format: base64url(JSON payload) "."
// base64url(HMAC-SHA-256(key, tenant + payload)); the key id inside the payload lets keys rotate.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { IDENTIFIER_TYPES, RequestError, type Channel, type Identifier, type IdentifierType } from '../types.js';

export interface LinkTokenPayload {
  /** Tenant the link belongs to. */
  t: string;
  /** Recipient identifier (normalized). */
  r: Identifier;
  /** Campaign id. */
  c: string;
  /** Channel the link was sent through. */
  ch: Channel;
  /** Expiry, unix seconds: the token is valid strictly before this second. */
  exp: number;
  /** Id of the secret that signed it. */
  kid: string;
}

/** What a caller signs; `kid` is always taken from the signing secret. */
export type LinkTokenClaims = Omit<LinkTokenPayload, 'kid'> & { kid?: string };

export interface LinkSecret {
  id: string;
  key: Buffer;
}

/** Signing keys by id: a map, or a lookup (e.g. over the tenant's current and retired keys). */
export type LinkSecrets = Map<string, Buffer> | ((kid: string) => Buffer | undefined);

/** The URL query parameter the browser tracker reads the token from. */
export const LINK_TOKEN_PARAM = 'pg_t';
/** HMAC-SHA-256 keys shorter than its output weaken it. */
export const MIN_SECRET_BYTES = 32;
const MAX_TOKEN_LENGTH = 2048;
const MAX_FIELD_LENGTH = 256;
const MAX_URL_LENGTH = 8192;
const MS_PER_SECOND = 1000;
const CHANNELS: readonly Channel[] = ['email', 'sms', 'viber'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const LINK_PROTOCOLS = new Set(['http:', 'https:']);

/** Signs a link token for `claims.t` with `secret`; throws `invalid_link` for malformed claims. */
export function signLinkToken(claims: LinkTokenClaims, secret: LinkSecret): string {
  if (typeof secret?.id !== 'string' || secret.id === '' || secret.id.length > MAX_FIELD_LENGTH) {
    throw new TypeError('link secret id must be a non-empty string');
  }
  checkKey(secret.key, secret.id);
  const payload = toPayload({ ...claims, kid: secret.id });
  if (typeof payload === 'string') throw new RequestError(400, 'invalid_link', payload);
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${encoded}.${signature(secret.key, payload.t, encoded)}`;
}

/**
 * Verifies a token for `tenant` and returns its payload. Throws RequestError(400, 'invalid_token')
 * when it is malformed, issued for another tenant, signed with an unknown key, forged or altered,
 * or expired at `now` (milliseconds).
 */
export function verifyLinkToken(token: string, tenant: string, secrets: LinkSecrets, now = Date.now()): LinkTokenPayload {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalidToken('token is malformed');
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((part) => BASE64URL.test(part))) throw invalidToken('token is malformed');
  const [encoded, signed] = parts;

  const payload = toPayload(decodeJson(encoded));
  if (typeof payload === 'string') throw invalidToken(`token is malformed: ${payload}`);
  if (payload.t !== tenant) throw invalidToken('token was issued for another tenant');

  const key = typeof secrets === 'function' ? secrets(payload.kid) : secrets.get(payload.kid);
  if (key === undefined) throw invalidToken('token was signed with an unknown or retired key');
  const expected = Buffer.from(signature(key, tenant, encoded));
  const given = Buffer.from(signed);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidToken('token signature does not match');
  }
  if (Math.floor(now / MS_PER_SECOND) >= payload.exp) throw invalidToken('token has expired');
  return payload;
}

/** Returns `url` with the token in its `pg_t` parameter, keeping other parameters and the fragment. */
export function addTokenToUrl(url: string, token: string): string {
  let parsed: URL;
  try {
    if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) throw new TypeError();
    parsed = new URL(url);
  } catch {
    throw new RequestError(400, 'invalid_url', `not a valid absolute URL of at most ${MAX_URL_LENGTH} characters`);
  }
  if (!LINK_PROTOCOLS.has(parsed.protocol)) {
    throw new RequestError(400, 'invalid_url', `link URLs must be http or https, got ${parsed.protocol}`);
  }
  // Edit the raw query rather than go through searchParams, which would re-encode every other
  // parameter (a%20b → a+b) and could break the shop's own tracking parameters.
  const kept = parsed.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && decodeParamName(pair) !== LINK_TOKEN_PARAM);
  kept.push(`${LINK_TOKEN_PARAM}=${encodeURIComponent(token)}`);
  parsed.search = kept.join('&');
  return parsed.toString();
}

function signature(key: Buffer, tenant: string, encodedPayload: string): string {
  // Length-prefixing the tenant keeps (tenant, payload) pairs unambiguous whatever they contain.
  return createHmac('sha256', key).update(`${tenant.length}:${tenant}:${encodedPayload}`).digest('base64url');
}

function checkKey(key: unknown, kid: string): asserts key is Buffer {
  if (!Buffer.isBuffer(key) || key.length < MIN_SECRET_BYTES) {
    throw new TypeError(`link secret ${JSON.stringify(kid)} must be a Buffer of at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function decodeJson(encoded: string): unknown {
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A fresh payload with exactly the known fields in a fixed order, or a message saying what is wrong. */
function toPayload(value: unknown): LinkTokenPayload | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'payload must be an object';
  const { t, r, c, ch, exp, kid } = value as Record<string, unknown>;
  if (!isShortString(t)) return 'tenant (t) must be a non-empty string';
  if (typeof r !== 'object' || r === null) return 'recipient (r) must be an object';
  const { type, value: recipient } = r as Record<string, unknown>;
  if (!IDENTIFIER_TYPES.includes(type as IdentifierType)) return `recipient type must be one of ${IDENTIFIER_TYPES.join(', ')}`;
  if (!isShortString(recipient)) return `recipient value must be a string of 1..${MAX_FIELD_LENGTH} characters`;
  if (!isShortString(c)) return `campaign (c) must be a string of 1..${MAX_FIELD_LENGTH} characters`;
  if (!CHANNELS.includes(ch as Channel)) return `channel (ch) must be one of ${CHANNELS.join(', ')}`;
  if (!Number.isSafeInteger(exp) || (exp as number) <= 0) return 'expiry (exp) must be a positive integer of unix seconds';
  if (!isShortString(kid)) return 'key id (kid) must be a non-empty string';
  return { t, r: { type: type as IdentifierType, value: recipient }, c, ch: ch as Channel, exp: exp as number, kid };
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD_LENGTH;
}

function decodeParamName(pair: string): string {
  const name = pair.split('=', 1)[0];
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

function invalidToken(message: string): RequestError {
  return new RequestError(400, 'invalid_token', message);
}
