// The event log of one tenant partition, kept in the JetStream stream PG_P<nn>. The asynchronous
// counterpart of EventLog (types.ts): the same entries, ids and sequence rules, over the network.
//
// Sequence numbers are the stream's own. An append publishes ONE message (the kept items, their
// ids, tenant and kind) and returns once JetStream acked it, i.e. once it is stored on a quorum
// of the stream's replicas.
//
// Idempotency, in two layers:
//  - Per item id, for ever: this object keeps the ids of every entry of the partition in memory
//    (one Set per tenant), rebuilt on `open` by reading the whole partition stream. Ids of entries
//    that `purgeThrough` removes are first written back to the stream as `i` messages, so they are
//    still found after a restart. Trade-off: memory and open time grow with the partition's ids
//    (roughly one string per event ever accepted), in exchange for no extra write or lookup on the
//    append path and no dependence on the server's duplicate window. A KV key per id would bound
//    memory but cost one round trip per item; a per-tenant bloom filter would bound both but
//    needs an exact check behind it anyway.
//  - Per batch, against lost acks: a batch whose kept items all have ids is published with a
//    Nats-Msg-Id derived from them, so a retry the server already stored is dropped (within the
//    stream's duplicate window). Every publish also states the stream sequence it expects to
//    follow (Nats-Expected-Last-Sequence): a message this object did not see (an earlier attempt
//    whose ack was lost, another writer) makes the publish fail, the log reads what it missed,
//    and decides again. So an append whose ack was lost and that is retried reports its items as
//    duplicates, and the entry is in the stream once.
//  After an append throws, its outcome is unknown (it may have been stored): the caller must read
//  the log from what it has applied before trusting its state; the log itself catches up first.
//
// Rewrite (GDPR): a stored message cannot be edited. A rewrite publishes a replacement (`r`
// subject, same tenant, kind, time and ids, new items, `replaces: <seq>`) and then deletes the
// message it supersedes with erase (the original entry, or an earlier replacement). Replay order:
// `read` returns entries by their ORIGINAL seq: the replacement is returned in place of entry
// <seq> (with seq = <seq>), and is never returned at its own stream position. An index original
// seq → replacement is kept in memory and rebuilt on open. A crash between the publish and the
// delete leaves both; readers already prefer the replacement, and the next open (or the next
// write after a failure) deletes the leftover.
//
// Operations on one log run one at a time, in call order (the partition has a single writer).
import type { PubAck } from '@nats-io/jetstream';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { AppendResult, LogEntry, LogItem, Logger } from './types.js';
import type { JetStreamConnection } from './jetstream-connection.js';
import {
  allMessagesFilter,
  batchMessageId,
  decodeMessage,
  encodeEntry,
  encodeIds,
  entriesFilter,
  entrySubject,
  idsSubject,
  KIND_PATTERN,
  MESSAGE_TYPE,
  replacementSubject,
  type EntryRecord,
  type RawMessage,
} from './jetstream-log-format.js';
import { DEFAULT_PARTITIONS, partitionOf, partitionStreamName, partitionSubjectPrefix } from './jetstream-partitions.js';
import { StreamReader } from './jetstream-reader.js';
import { prepareItems, type PreparedItems } from './log-items.js';
import { requireArray, requirePositiveInt, requireSeq, requireTenant, toJson } from './validate.js';

/** Messages per read while the log scans its own stream (open, catch-up, purge). */
const SCAN_PAGE = 256;
/** Publish attempts of one append when the stream moved under it. */
const MAX_APPEND_ATTEMPTS = 3;
/** Upper bound on the ids bytes of one `i` message, well under the server's 1 MiB max_payload. */
const IDS_CHUNK_BYTES = 256 * 1024;
/** Deletes sent at once while repairing interrupted rewrites. */
const REPAIR_PARALLELISM = 32;

export interface JetStreamLogOptions {
  partition: number;
  /** Number of partitions of the cluster; must match every other process. */
  partitions?: number;
  /** The stream's duplicate window for Nats-Msg-Id (the server's default when omitted). */
  duplicateWindowMs?: number;
  /** Receives warnings, such as leftovers of an interrupted rewrite being removed. */
  logger?: Logger;
}

/** Where the current content of a rewritten entry lives. */
interface Replacement {
  streamSeq: number;
  tenant: string;
}

export class JetStreamPartitionLog {
  readonly stream: string;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly reader: StreamReader;
  /** Per tenant: every item id the partition ever kept. */
  private readonly seenIds = new Map<string, Set<string>>();
  /** Original entry seq → its current replacement. */
  private readonly replacements = new Map<number, Replacement>();
  /** Replacements learned since the last repair, whose original may still be stored. */
  private unrepaired: number[] = [];
  /** Stream seqs of superseded messages still to delete (a delete failed, or a crash came first). */
  private leftovers: number[] = [];
  /** The stream seq through which `seenIds` and `replacements` reflect the stream. */
  private knownThrough = 0;
  /** Set when a write failed: the stream may hold a message this object has not seen. */
  private stale = true;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly conn: JetStreamConnection,
    readonly partition: number,
    readonly partitions: number,
    logger: Logger | undefined,
  ) {
    this.stream = partitionStreamName(partition);
    this.prefix = partitionSubjectPrefix(partition);
    this.logger = logger ?? console.warn;
    this.reader = new StreamReader(conn.js, conn.jsm, this.stream);
  }

  /** Creates the partition's stream if missing, then reads it whole to rebuild ids and rewrites. */
  static async open(conn: JetStreamConnection, options: JetStreamLogOptions): Promise<JetStreamPartitionLog> {
    const partitions = options.partitions ?? DEFAULT_PARTITIONS;
    requirePositiveInt(partitions, 'partitions');
    requireSeq(options.partition, 'partition');
    if (options.partition >= partitions) {
      throw new RangeError(`partition must be below partitions (${partitions}), got ${options.partition}`);
    }
    const log = new JetStreamPartitionLog(conn, options.partition, partitions, options.logger);
    await conn.ensureStream(log.stream, [allMessagesFilter(log.prefix)], { duplicateWindowMs: options.duplicateWindowMs });
    await log.exclusive(() => log.refresh());
    return log;
  }

  /**
   * Registers the ids and appends the kept items as one entry; resolves once JetStream acked it.
   * `seq` is the partition stream's sequence of the new entry, or null when every item was a duplicate.
   */
  async append(tenant: string, kind: string, items: LogItem[]): Promise<AppendResult> {
    this.requireOwnTenant(tenant);
    if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
      throw new RangeError(`kind must match ${KIND_PATTERN}, got ${JSON.stringify(kind)}`);
    }
    requireArray(items, 'items');
    if (items.length === 0) return { seq: null, duplicate: [] };
    const prepared = prepareItems(items);
    return this.exclusive(() => this.appendExclusive(tenant, kind, prepared));
  }

  /** Entries with seq > afterSeq, ascending by (original) seq, at most `limit`. */
  async read(afterSeq: number, limit: number): Promise<LogEntry[]> {
    requireSeq(afterSeq, 'afterSeq');
    requirePositiveInt(limit, 'limit');
    return this.exclusive(async () => (await this.readEntries(afterSeq, limit)).map(toLogEntry));
  }

  /** Same as `read`, restricted to one tenant of this partition. */
  async readTenant(tenant: string, afterSeq: number, limit: number): Promise<LogEntry[]> {
    this.requireOwnTenant(tenant);
    requireSeq(afterSeq, 'afterSeq');
    requirePositiveInt(limit, 'limit');
    return this.exclusive(async () => (await this.readEntries(afterSeq, limit, tenant)).map(toLogEntry));
  }

  /**
   * Highest sequence the partition stream ever assigned (0 when none); never goes down. Counts
   * every message, so it may be above the last entry's seq (replacements and id records take seqs too).
   */
  async lastSeq(): Promise<number> {
    const info = await this.conn.jsm.streams.info(this.stream);
    return info.state.last_seq;
  }

  /** Replaces the items of an existing entry (GDPR erase): the old content is erased from the stream. */
  async rewrite(seq: number, items: unknown[]): Promise<void> {
    requireSeq(seq, 'seq');
    requireArray(items, 'items');
    const itemsJson = toJson(items, 'items');
    await this.exclusive(() => this.rewriteExclusive(seq, itemsJson));
  }

  /**
   * Drops entries with seq <= `seq` (a snapshot covers them); returns how many were removed.
   * Their ids stay registered: they are written back to the stream before the entries go.
   */
  async purgeThrough(seq: number): Promise<number> {
    requireSeq(seq, 'seq');
    return this.exclusive(() => this.purgeExclusive(seq));
  }

  /**
   * Reads what other writers appended since this object last looked (ids, rewrites), so the next
   * append needs no failed attempt to learn it: for a new owner taking over from an old one.
   */
  async sync(): Promise<void> {
    await this.exclusive(() => this.refresh());
  }

  /** Waits for the operations already called, then refuses new ones. The connection stays open. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  private async appendExclusive(tenant: string, kind: string, prepared: PreparedItems): Promise<AppendResult> {
    await this.refreshIfStale();
    for (let attempt = 1; ; attempt++) {
      const { duplicate, keptIds, keptBodiesJson } = this.classify(tenant, prepared);
      if (keptBodiesJson === null) return { seq: null, duplicate };
      const allHaveIds = keptIds.length === duplicate.filter((d) => !d).length;
      const payload = encodeEntry({ type: MESSAGE_TYPE.ENTRY, tenant, kind, at: Date.now(), ids: keptIds }, keptBodiesJson);
      let ack: PubAck;
      try {
        ack = await this.publish(entrySubject(this.prefix, tenant, kind), payload, allHaveIds ? batchMessageId(tenant, kind, keptIds) : undefined);
      } catch (err) {
        if (!isWrongLastSequence(err) || attempt === MAX_APPEND_ATTEMPTS) throw err;
        await this.refresh();
        continue;
      }
      if (ack.duplicate) {
        // The server already stored this very batch (an earlier attempt whose ack was lost):
        // learn it from the stream, then classify again (every item is now a duplicate).
        if (attempt === MAX_APPEND_ATTEMPTS) throw new Error(`batch stored earlier at seq ${ack.seq} but not found in ${this.stream}`);
        await this.refresh();
        continue;
      }
      this.registerIds(tenant, keptIds);
      this.knownThrough = ack.seq;
      return { seq: ack.seq, duplicate };
    }
  }

  /** Which items are duplicates (of the partition's ids, or of an earlier item of this call), and the rest. */
  private classify(tenant: string, { ids, bodies, bodiesJson }: PreparedItems) {
    const seen = this.seenIds.get(tenant);
    const inCall = new Set<string>();
    const duplicate: boolean[] = new Array(ids.length);
    const keptIds: string[] = [];
    let duplicates = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      duplicate[i] = id !== undefined && (seen?.has(id) === true || inCall.has(id));
      if (duplicate[i]) duplicates++;
      else if (id !== undefined) {
        inCall.add(id);
        keptIds.push(id);
      }
    }
    let keptBodiesJson: string | null = bodiesJson;
    if (duplicates === ids.length) keptBodiesJson = null;
    else if (duplicates > 0) keptBodiesJson = JSON.stringify(bodies.filter((_, i) => !duplicate[i]));
    return { duplicate, keptIds, keptBodiesJson };
  }

  private async rewriteExclusive(seq: number, itemsJson: string): Promise<void> {
    await this.refreshIfStale();
    const previous = this.replacements.get(seq);
    const current = previous === undefined ? await this.getEntry(seq) : await this.getEntry(previous.streamSeq);
    if (current === null || (previous === undefined && current.type !== MESSAGE_TYPE.ENTRY)) {
      throw new RangeError(`no log entry with seq ${seq} in ${this.stream} (never appended, or purged)`);
    }
    const { tenant, kind, at, ids } = current;
    const payload = encodeEntry({ type: MESSAGE_TYPE.REPLACEMENT, tenant, kind, at, ids, replaces: seq }, itemsJson);
    const ack = await this.publish(replacementSubject(this.prefix, tenant, kind), payload);
    this.knownThrough = ack.seq;
    this.replacements.set(seq, { streamSeq: ack.seq, tenant });
    this.leftovers.push(previous === undefined ? seq : previous.streamSeq);
    await this.removeLeftovers();
  }

  private async purgeExclusive(seq: number): Promise<number> {
    await this.refreshIfStale();
    // 1. Keep the ids of what goes: write them back as `i` messages (a crash after this step only
    //    means they are recorded twice, which is harmless).
    const idsByTenant = new Map<string, string[]>();
    let removed = 0;
    for (let after = 0; ; ) {
      const page = (await this.readEntries(after, SCAN_PAGE)).filter((entry) => entry.seq <= seq);
      if (page.length === 0) break;
      for (const { record } of page) {
        removed++;
        const list = idsByTenant.get(record.tenant) ?? [];
        list.push(...record.ids);
        idsByTenant.set(record.tenant, list);
      }
      after = page[page.length - 1].seq;
    }
    for (const [tenant, ids] of idsByTenant) {
      for (const chunk of chunkByBytes(ids, IDS_CHUNK_BYTES)) {
        this.knownThrough = (await this.publish(idsSubject(this.prefix, tenant), encodeIds(tenant, chunk))).seq;
      }
    }
    // 2. Drop the entries, then the replacements standing in for dropped entries.
    await this.conn.jsm.streams.purge(this.stream, { filter: entriesFilter(this.prefix), seq: seq + 1 });
    for (const [original, replacement] of this.replacements) {
      if (original > seq) continue;
      this.replacements.delete(original);
      this.leftovers.push(replacement.streamSeq);
    }
    await this.removeLeftovers();
    return removed;
  }

  /**
   * Entries (as records, with their original seq) after `afterSeq`, ascending, at most `limit`:
   * stored entries that were not rewritten, plus the replacements of rewritten ones in the same range.
   */
  private async readEntries(afterSeq: number, limit: number, tenant?: string): Promise<{ seq: number; record: EntryRecord }[]> {
    await this.refreshIfStale();
    const messages = await this.reader.read(entriesFilter(this.prefix, tenant), afterSeq, limit);
    // A full page ends at its last seq; a rewritten entry after it belongs to a later page.
    const upTo = messages.length === limit ? messages[messages.length - 1].seq : Number.POSITIVE_INFINITY;
    const entries: { seq: number; record: EntryRecord }[] = [];
    for (const message of messages) {
      if (!this.replacements.has(message.seq)) entries.push({ seq: message.seq, record: this.decodeEntry(message) });
    }
    for (const [original, replacement] of this.replacements) {
      if (original <= afterSeq || original > upTo || (tenant !== undefined && replacement.tenant !== tenant)) continue;
      const record = await this.getEntry(replacement.streamSeq);
      if (record === null) throw new Error(`replacement ${replacement.streamSeq} of entry ${original} is missing from ${this.stream}`);
      entries.push({ seq: original, record });
    }
    entries.sort((a, b) => a.seq - b.seq);
    return entries.slice(0, limit);
  }

  /** The entry or replacement stored at stream seq `seq`, or null when there is none. */
  private async getEntry(seq: number): Promise<EntryRecord | null> {
    const stored = await this.conn.jsm.streams.getMessage(this.stream, { seq });
    if (stored === null) return null;
    const record = decodeMessage(this.prefix, { seq, subject: stored.subject, data: stored.data });
    return record.type === MESSAGE_TYPE.IDS ? null : record;
  }

  private decodeEntry(message: RawMessage): EntryRecord {
    const record = decodeMessage(this.prefix, message);
    if (record.type !== MESSAGE_TYPE.ENTRY) throw new Error(`message ${message.seq} of ${this.stream} is not an entry`);
    return record;
  }

  /** Publishes after the last message this object knows of; any failure means the stream must be re-read. */
  private async publish(subject: string, payload: Uint8Array, msgID?: string): Promise<PubAck> {
    const maxPayload = this.conn.nc.info?.max_payload;
    if (maxPayload !== undefined && payload.length > maxPayload) {
      throw new RangeError(`log message of ${payload.length} bytes is over the server's max_payload (${maxPayload}): append fewer items at once`);
    }
    try {
      return await this.conn.js.publish(subject, payload, { msgID, expect: { lastSequence: this.knownThrough } });
    } catch (err) {
      this.stale = true;
      throw err;
    }
  }

  private async refreshIfStale(): Promise<void> {
    if (this.stale) await this.refresh();
    else if (this.leftovers.length > 0) await this.removeLeftovers();
  }

  /** Reads every message after `knownThrough` into the ids and rewrite state, then repairs interrupted rewrites. */
  private async refresh(): Promise<void> {
    this.stale = true;
    const lastSeq = (await this.conn.jsm.streams.info(this.stream)).state.last_seq;
    for (;;) {
      const page = await this.reader.read(allMessagesFilter(this.prefix), this.knownThrough, SCAN_PAGE);
      if (page.length === 0) break;
      for (const message of page) this.learn(message);
      this.knownThrough = page[page.length - 1].seq;
    }
    // The newest messages may have been deleted: the stream's own last seq is the one publishes expect.
    this.knownThrough = Math.max(this.knownThrough, lastSeq);
    await this.repairRewrites();
    this.stale = false;
  }

  private learn(message: RawMessage): void {
    const record = decodeMessage(this.prefix, message);
    this.registerIds(record.tenant, record.ids);
    if (record.type !== MESSAGE_TYPE.REPLACEMENT) return;
    const original = record.replaces!;
    const earlier = this.replacements.get(original);
    if (earlier !== undefined && earlier.streamSeq < message.seq) this.leftovers.push(earlier.streamSeq);
    if (earlier === undefined || earlier.streamSeq < message.seq) {
      this.replacements.set(original, { streamSeq: message.seq, tenant: record.tenant });
      this.unrepaired.push(original);
    }
  }

  /** Deletes originals still stored next to their replacement (a rewrite interrupted before its delete). */
  private async repairRewrites(): Promise<void> {
    const originals = this.unrepaired;
    for (let i = 0; i < originals.length; i += REPAIR_PARALLELISM) {
      const batch = originals.slice(i, i + REPAIR_PARALLELISM);
      const stored = await Promise.all(batch.map((seq) => this.conn.jsm.streams.getMessage(this.stream, { seq })));
      batch.forEach((seq, j) => {
        if (stored[j] !== null) this.leftovers.push(seq);
      });
    }
    this.unrepaired = [];
    if (this.leftovers.length > 0) {
      this.logger(`${this.stream}: removing ${this.leftovers.length} superseded message(s) left by an interrupted rewrite or purge`);
    }
    await this.removeLeftovers();
  }

  /** Deletes superseded messages with erase (their content is overwritten on disk, not just unlinked). */
  private async removeLeftovers(): Promise<void> {
    while (this.leftovers.length > 0) {
      const seq = this.leftovers[this.leftovers.length - 1];
      try {
        await this.conn.jsm.streams.deleteMessage(this.stream, seq, true);
      } catch (err) {
        if (!isNoMessageFound(err)) throw err;
      }
      this.leftovers.pop();
    }
  }

  private registerIds(tenant: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    let seen = this.seenIds.get(tenant);
    if (seen === undefined) {
      seen = new Set();
      this.seenIds.set(tenant, seen);
    }
    for (const id of ids) seen.add(id);
  }

  private requireOwnTenant(tenant: string): void {
    requireTenant(tenant);
    const partition = partitionOf(tenant, this.partitions);
    if (partition !== this.partition) {
      throw new RangeError(`tenant ${tenant} belongs to partition ${partition}, not ${this.partition}`);
    }
  }

  /** Runs `op` after every operation called before it. */
  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`partition log ${this.stream} is closed`));
    const result = this.tail.then(op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function toLogEntry({ seq, record }: { seq: number; record: EntryRecord }): LogEntry {
  return { seq, tenant: record.tenant, kind: record.kind, items: record.items, at: record.at };
}

function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}

function isNoMessageFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound;
}

/** Splits ids into lists whose JSON stays under `maxBytes` (approximately: quotes and commas counted). */
function chunkByBytes(ids: string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    const size = Buffer.byteLength(id) + 3;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(id);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
