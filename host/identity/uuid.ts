// Name-based UUIDs, version 5 (RFC 9562 §5.5, formerly RFC 4122 §4.3): SHA-1 of namespace + name.
import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_BYTES = 16;
const VERSION_BYTE = 6;
const VARIANT_BYTE = 8;
const VERSION_5 = 0x50;
const RFC_VARIANT = 0x80; // 10xx xxxx

/** Lower-case canonical form of a hyphenated UUID (any case, surrounding space allowed), or null. */
export function normalizeUuid(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  return UUID_PATTERN.test(trimmed) ? trimmed.toLowerCase() : null;
}

/** The UUIDv5 of `name` (UTF-8) in `namespace` (a UUID string). */
export function uuidV5(namespace: string, name: string): string {
  const ns = normalizeUuid(namespace);
  if (ns === null) throw new TypeError(`namespace is not a UUID: ${JSON.stringify(namespace)}`);
  const digest = createHash('sha1').update(Buffer.from(ns.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, UUID_BYTES);
  bytes[VERSION_BYTE] = (bytes[VERSION_BYTE] & 0x0f) | VERSION_5;
  bytes[VARIANT_BYTE] = (bytes[VARIANT_BYTE] & 0x3f) | RFC_VARIANT;
  return formatUuid(bytes);
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
