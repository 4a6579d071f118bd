// Byte layouts that cross into the core: event batches (assembly/ingest.ts) and lookup keys
// (assembly/index.ts resolveBatch). Strings are written as UTF-8 straight into shard memory.
import { EVENT_CLASS, ID_FLAG_BLOCKED, MAX_VALUE_BYTES, type EventEvidence } from './layout.js';

export interface EncodedIdentifier {
  /** Type code (layout TYPE_CODES). */
  type: number;
  /** Normalized matching form. */
  value: string;
  /** Emails: the form as typed (lower-cased), when it differs from `value`. */
  display?: string;
  /** A junk value: interned and reported, but it links nothing. */
  blocked?: boolean;
}

export interface EncodedEvent {
  tenant: number;
  /**
   * What the event proves: `authenticated` (login, checkout...: the person proved who they are on
   * this device), `ordinary` (values seen together), `click` (a campaign link: maybe forwarded).
   */
  evidence: EventEvidence;
  /** Index of the event within its log entry (with the entry's seq, it names the event). */
  item: number;
  /** Event time, ms since the epoch. */
  time: number;
  identifiers: EncodedIdentifier[];
}

export interface EncodedKey {
  type: number;
  value: string;
}

export const BATCH_HEADER_BYTES = 4;
export const EVENT_HEADER_BYTES = 24;
const IDENTIFIER_HEADER_BYTES = 8;
const KEY_HEADER_BYTES = 4;

const align4 = (n: number) => (n + 3) & ~3;

/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/** Upper bound of a value's UTF-8 length; throws when the value is over the limit. */
function checkedLengthBound(text: string): number {
  const bound = text.length * MAX_UTF8_PER_UNIT;
  // only a value near the limit is measured exactly: most are far below it
  if (text.length > MAX_VALUE_BYTES || (bound > MAX_VALUE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_VALUE_BYTES)) {
    throw new RangeError(`identifier value over ${MAX_VALUE_BYTES} bytes`);
  }
  return bound;
}

/**
 * Room to reserve for encodeEvents (at least the encoded size), checking every value's length on
 * the way, so a batch with a value over the limit is refused before anything is written.
 */
export function encodedSizeBound(events: EncodedEvent[]): number {
  let size = BATCH_HEADER_BYTES;
  for (const event of events) {
    size += EVENT_HEADER_BYTES;
    for (const id of event.identifiers) size += identifierSizeBound(id.value, id.display);
  }
  return size;
}

/** Room for one identifier (at least its encoded size); throws when a value is over the limit. */
export function identifierSizeBound(value: string, display: string | undefined): number {
  return IDENTIFIER_HEADER_BYTES + align4(checkedLengthBound(value) + (display ? checkedLengthBound(display) : 0));
}

const ASCII_LIMIT = 0x80;
/** Strings up to this long are copied byte by byte when ASCII: cheaper than a native UTF-8 write call. */
const INLINE_COPY_MAX = 64;

/** Writes `text` as UTF-8 at `at`; returns the byte length. */
/** Most UTF-8 bytes one UTF-16 code unit can take (a surrogate pair: 4 bytes for 2 units). */
const UTF8_BYTES_PER_UNIT_MAX = 3;
/** Type byte of a key that can match nothing. */
const NO_TYPE = 0xff;

function writeUtf8(bytes: Buffer, text: string, at: number): number {
  const n = text.length;
  if (n <= INLINE_COPY_MAX) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= ASCII_LIMIT) break;
      bytes[at + i] = c;
    }
    if (i === n) return n;
  }
  return bytes.write(text, at, 'utf8');
}

/** Writes a batch at `at` (room for encodedSizeBound(events) bytes must exist); returns its length. */
export function encodeEvents(bytes: Buffer, at: number, events: EncodedEvent[]): number {
  let p = writeBatchHeader(bytes, at, events.length);
  for (const event of events) {
    p = writeEventHeader(bytes, p, event.tenant, EVENT_CLASS[event.evidence], event.identifiers.length, event.item, event.time);
    for (const id of event.identifiers) p = writeIdentifier(bytes, p, id.type, id.value, id.display, id.blocked === true);
  }
  return p - at;
}

/*
 * The pieces of encodeEvents, for an encoder that writes a batch from its own representation of
 * the events (host/service/writer.ts, without building EncodedEvent objects). Each returns where
 * the next piece goes.
 */

export function writeBatchHeader(bytes: Buffer, at: number, events: number): number {
  bytes.writeUInt32LE(events, at);
  return at + BATCH_HEADER_BYTES;
}

/** `evidence`: an EVENT_CLASS code; `identifiers`: how many writeIdentifier calls follow. */
export function writeEventHeader(bytes: Buffer, p: number, tenant: number, evidence: number, identifiers: number, item: number, time: number): number {
  bytes.writeUInt32LE(tenant, p);
  bytes[p + 4] = evidence;
  bytes[p + 5] = identifiers;
  bytes.writeUInt16LE(0, p + 6);
  bytes.writeUInt32LE(item, p + 8);
  bytes.writeUInt32LE(0, p + 12);
  bytes.writeDoubleLE(time, p + 16);
  return p + EVENT_HEADER_BYTES;
}

export function writeIdentifier(bytes: Buffer, p: number, type: number, value: string, display: string | undefined, blocked: boolean): number {
  const valueAt = p + IDENTIFIER_HEADER_BYTES;
  const len = writeUtf8(bytes, value, valueAt);
  const displayLen = display ? writeUtf8(bytes, display, valueAt + len) : 0;
  bytes[p] = type;
  bytes[p + 1] = blocked ? ID_FLAG_BLOCKED : 0;
  bytes.writeUInt16LE(len, p + 2);
  bytes.writeUInt16LE(displayLen, p + 4);
  bytes.writeUInt16LE(0, p + 6);
  const end = valueAt + len + displayLen;
  const padded = valueAt + align4(len + displayLen);
  for (let z = end; z < padded; z++) bytes[z] = 0;
  return padded;
}

/** Sets the tenant of every event of the encoded batch at `at` (written before the tenant's index was known). */
export function setBatchTenant(bytes: Buffer, at: number, tenant: number): void {
  const events = bytes.readUInt32LE(at);
  let p = at + BATCH_HEADER_BYTES;
  for (let e = 0; e < events; e++) {
    bytes.writeUInt32LE(tenant, p);
    const identifiers = bytes[p + 5];
    p += EVENT_HEADER_BYTES;
    for (let i = 0; i < identifiers; i++) p += IDENTIFIER_HEADER_BYTES + align4(bytes.readUInt16LE(p + 2) + bytes.readUInt16LE(p + 4));
  }
}

/**
 * Writes keys from `start` into [at, at + room) as (u8 type, u8 0, u16 len, bytes, pad), stopping
 * when the room or `maxCount` is used up. Returns how many were written.
 */
export function encodeKeys(bytes: Buffer, at: number, room: number, keys: EncodedKey[], start: number, maxCount: number): { count: number } {
  let p = at;
  const end = at + room;
  let count = 0;
  for (let i = start; i < keys.length && count < maxCount; i++) {
    const { value } = keys[i];
    let type = keys[i].type;
    let written: number;
    const worst = value.length * UTF8_BYTES_PER_UNIT_MAX;
    if (worst <= MAX_VALUE_BYTES && p + KEY_HEADER_BYTES + align4(worst) <= end) {
      // short enough that even all-multibyte text fits: copy without measuring first
      written = writeUtf8(bytes, value, p + KEY_HEADER_BYTES);
    } else {
      const len = Buffer.byteLength(value, 'utf8');
      if (p + KEY_HEADER_BYTES + align4(Math.min(len, MAX_VALUE_BYTES)) > end) break;
      // a value longer than any stored one cannot match: encode it empty so it resolves to nothing
      if (len > MAX_VALUE_BYTES) type = NO_TYPE;
      written = len > MAX_VALUE_BYTES ? 0 : bytes.write(value, p + KEY_HEADER_BYTES, 'utf8');
    }
    bytes[p] = type;
    bytes[p + 1] = 0;
    bytes.writeUInt16LE(written, p + 2);
    p += KEY_HEADER_BYTES + align4(written);
    count++;
  }
  return { count };
}
