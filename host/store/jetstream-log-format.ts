// What a partition stream holds, message by message. Subjects (prefix `pg.p07` for partition 7):
//
//   pg.p07.e.<tenant>.<kind>   an entry: the kept items of one append            (read in seq order)
//   pg.p07.r.<tenant>.<kind>   a replacement of entry `replaces` after a rewrite (read at `replaces`)
//   pg.p07.i.<tenant>          ids of purged entries, kept so they stay duplicates (never read as entries)
//
// Every payload is JSON with a format version `v`. Entries and replacements carry the ids of their
// kept items, so the idempotency state can be rebuilt from the stream alone.
import { createHash } from 'node:crypto';

const FORMAT_VERSION = 1;
/** A kind is one subject token: lower-case, short, no dots or wildcards. */
export const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export const MESSAGE_TYPE = { ENTRY: 'e', REPLACEMENT: 'r', IDS: 'i' } as const;
type MessageType = (typeof MESSAGE_TYPE)[keyof typeof MESSAGE_TYPE];

/** One message as the stream returns it. */
export interface RawMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
}

/** An entry or a replacement of one. */
export interface EntryRecord {
  type: typeof MESSAGE_TYPE.ENTRY | typeof MESSAGE_TYPE.REPLACEMENT;
  tenant: string;
  kind: string;
  /** Append time of the original entry, ms since the epoch. */
  at: number;
  /** Ids of the kept items (items without an id have none here). */
  ids: string[];
  items: unknown[];
  /** Replacements only: the seq of the entry this one stands in for. */
  replaces?: number;
}

export interface IdsRecord {
  type: typeof MESSAGE_TYPE.IDS;
  tenant: string;
  ids: string[];
}

export type PartitionRecord = EntryRecord | IdsRecord;

export function entrySubject(prefix: string, tenant: string, kind: string): string {
  return `${prefix}.${MESSAGE_TYPE.ENTRY}.${tenant}.${kind}`;
}

export function replacementSubject(prefix: string, tenant: string, kind: string): string {
  return `${prefix}.${MESSAGE_TYPE.REPLACEMENT}.${tenant}.${kind}`;
}

export function idsSubject(prefix: string, tenant: string): string {
  return `${prefix}.${MESSAGE_TYPE.IDS}.${tenant}`;
}

/** Filter for the entries of the partition, or of one tenant in it. */
export function entriesFilter(prefix: string, tenant?: string): string {
  return tenant === undefined ? `${prefix}.${MESSAGE_TYPE.ENTRY}.>` : `${prefix}.${MESSAGE_TYPE.ENTRY}.${tenant}.>`;
}

export function allMessagesFilter(prefix: string): string {
  return `${prefix}.>`;
}

/**
 * JSON of an entry or replacement. `itemsJson` is the items array already serialized (the log
 * serializes the bodies once, up front, to check them before anything is sent).
 */
export function encodeEntry(record: Omit<EntryRecord, 'items'>, itemsJson: string): Uint8Array {
  const replaces = record.replaces === undefined ? '' : `,"replaces":${record.replaces}`;
  const head = JSON.stringify({ v: FORMAT_VERSION, tenant: record.tenant, kind: record.kind, at: record.at, ids: record.ids });
  return Buffer.from(`${head.slice(0, -1)}${replaces},"items":${itemsJson}}`, 'utf8');
}

export function encodeIds(tenant: string, ids: string[]): Uint8Array {
  return Buffer.from(JSON.stringify({ v: FORMAT_VERSION, tenant, ids }), 'utf8');
}

/** The record a message holds; throws an Error naming the seq when the message is not ours or is damaged. */
export function decodeMessage(prefix: string, message: RawMessage): PartitionRecord {
  const type = message.subject.slice(prefix.length + 1).split('.', 1)[0] as MessageType;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength).toString('utf8'));
  } catch (err) {
    throw new Error(`log message ${message.seq} (${message.subject}) is not JSON: ${(err as Error).message}`);
  }
  if (body?.v !== FORMAT_VERSION || typeof body.tenant !== 'string' || !isStringArray(body.ids)) {
    throw new Error(`log message ${message.seq} (${message.subject}) has an unknown layout`);
  }
  if (type === MESSAGE_TYPE.IDS) return { type, tenant: body.tenant, ids: body.ids };
  if (type !== MESSAGE_TYPE.ENTRY && type !== MESSAGE_TYPE.REPLACEMENT) {
    throw new Error(`log message ${message.seq} has an unknown subject ${message.subject}`);
  }
  if (typeof body.kind !== 'string' || typeof body.at !== 'number' || !Array.isArray(body.items)) {
    throw new Error(`log message ${message.seq} (${message.subject}) is missing kind, at or items`);
  }
  const record: EntryRecord = { type, tenant: body.tenant, kind: body.kind, at: body.at, ids: body.ids, items: body.items };
  if (type === MESSAGE_TYPE.REPLACEMENT) {
    if (!Number.isSafeInteger(body.replaces)) throw new Error(`replacement ${message.seq} does not say which entry it replaces`);
    record.replaces = body.replaces as number;
  }
  return record;
}

/**
 * The Nats-Msg-Id of a batch whose kept items all have ids: a retry of the same batch gets the
 * same id, so the server drops it within its duplicate window even when the first ack was lost.
 */
export function batchMessageId(tenant: string, kind: string, ids: readonly string[]): string {
  const hash = createHash('sha256').update(tenant).update('\0').update(kind);
  // Length-prefixed, so no two different id lists hash the same bytes (ids may contain anything).
  for (const id of ids) hash.update(`\0${id.length}:`).update(id);
  return hash.digest('base64url');
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
