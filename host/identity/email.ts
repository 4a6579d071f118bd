// Email normalization: one stored form per address, plus the provider-specific "canonical" form
// that decides whether two spellings reach the same mailbox.
import { BoundedCache } from '../util/bounded-cache.js';

export interface NormalizedEmail {
  /** Trimmed, NFC-normalized, lower-cased and validated: where mail is sent. */
  address: string;
  /** The form used for matching people (provider aliasing rules applied when enabled). */
  canonical: string;
}

export interface EmailOptions {
  /** Apply provider aliasing rules (gmail dots, `+tag`). Per-tenant setting; default true. */
  canonicalize?: boolean;
}

// RFC 5321 limits (254 = the usable path length, 64 = local part, 63 = DNS label).
const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

// Dot-atom local part (RFC 5322) widened to Unicode letters, digits and marks (RFC 6531).
// Quoted local parts ("a b"@x) are deliberately rejected: real shoppers never use them.
const LOCAL_PART = /^[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
// A top-level domain is alphabetic (at least two letters) or an IDN in punycode; this also
// rules out IP literals such as user@[10.0.0.1] and user@10.0.0.1.
const TOP_LEVEL_DOMAIN = /^(?:\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]+)$/u;

const GMAIL = 'gmail.com';
const GMAIL_ALIASES = new Set([GMAIL, 'googlemail.com']);
const PLUS_TAG_ONLY_DOMAINS = new Set(['outlook.com', 'hotmail.com', 'live.com']);
const TAG_SEPARATOR = '+';

/** Validates and normalizes an email address; null when it is not a plausible address. */
export function normalizeEmail(raw: string, options: EmailOptions = {}): NormalizedEmail | null {
  if (typeof raw !== 'string') return null;
  const canonicalize = options.canonicalize ?? true;
  const cache = canonicalize ? canonicalCache : plainCache;
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const result = normalizeUncached(raw, canonicalize);
  cache.set(raw, result);
  return result;
}

// Addresses repeat across a shop's events; results are small and immutable (frozen below).
const EMAIL_CACHE_SIZE = 50_000;
const canonicalCache = new BoundedCache<string, NormalizedEmail | null>(EMAIL_CACHE_SIZE);
const plainCache = new BoundedCache<string, NormalizedEmail | null>(EMAIL_CACHE_SIZE);

function normalizeUncached(raw: string, canonicalize: boolean): NormalizedEmail | null {
  const address = raw.trim().normalize('NFC').toLowerCase();
  if (address.length > MAX_ADDRESS_LENGTH) return null;

  const at = address.indexOf('@');
  if (at < 0 || address.indexOf('@', at + 1) >= 0) return null;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!isValidLocalPart(local) || !isValidDomain(domain)) return null;

  return Object.freeze({ address, canonical: canonicalize ? canonicalForm(local, domain) : address });
}

function isValidLocalPart(local: string): boolean {
  return local.length > 0 && local.length <= MAX_LOCAL_LENGTH && LOCAL_PART.test(local);
}

function isValidDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > MAX_DOMAIN_LENGTH) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const valid = labels.every((label) => label.length <= MAX_LABEL_LENGTH && DOMAIN_LABEL.test(label));
  return valid && TOP_LEVEL_DOMAIN.test(labels[labels.length - 1]);
}

function canonicalForm(local: string, domain: string): string {
  if (GMAIL_ALIASES.has(domain)) {
    // Gmail ignores dots and everything after '+', and googlemail.com is the same mailbox.
    const base = withoutTag(local).replaceAll('.', '');
    return base ? `${base}@${GMAIL}` : `${local}@${domain}`;
  }
  if (PLUS_TAG_ONLY_DOMAINS.has(domain)) {
    const base = withoutTag(local);
    return base ? `${base}@${domain}` : `${local}@${domain}`;
  }
  return `${local}@${domain}`;
}

function withoutTag(local: string): string {
  const plus = local.indexOf(TAG_SEPARATOR);
  return plus < 0 ? local : local.slice(0, plus);
}
