// The writer of one shard: appends each write to the durable log, then applies it to the shard's
// memory, in log order. It runs inside the shard's Piscina worker (writer-worker.ts); recovery
// replays the same entries through the same code, so a log always rebuilds the same graph.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Shard, SnapshotLayoutError, NODE_FLAG, type EncodedEvent, type JournalEntry } from '../engine/shard.js';
import { EVENT_CLASS, MAX_EVENT_IDENTIFIERS, TYPE_CODES, TYPE_NAMES } from '../engine/layout.js';
import { BATCH_HEADER_BYTES, EVENT_HEADER_BYTES, identifierSizeBound, writeBatchHeader, writeEventHeader, writeIdentifier } from '../engine/codec.js';
import type { IdentifierType } from '../types.js';
import type { AppendResult, ErasureStore, GroupAppend, LogEntry, Store } from '../store/index.js';
import { engineSettings, completeConfig, type TenantConfig } from './config.js';
import { evidenceOf, type LoggedEvent } from './events.js';
import { traceStartup } from '../util/startup-trace.js';
import { WriterTimings } from './writer-timings.js';

export interface Change {
  kind: 'merge' | 'split' | 'erase';
  personas: string[];
  at: string;
}

export interface IngestOutcome {
  seq: number | null;
  duplicate: boolean[];
  /** [index in the batch, type] of each erased value a new event carried (dropped when applied); absent when none. */
  erased?: [number, IdentifierType][];
}

export type IdentifierPair = [IdentifierType, string];

/**
 * An ingest batch as it crosses to the writer thread: the UTF-8 JSON array of its logged events,
 * the bytes the log stores, and the same events as the core applies them, both in one buffer of
 * their own so it is transferred, not copied (cloning the event objects cost the writer more than
 * appending them). The writer parses the JSON only when it cannot apply the core bytes as they are.
 */
export interface IngestBatch {
  tenant: string;
  /** Events in the batch (the write queue groups batches by it without decoding them). */
  count: number;
  json: Uint8Array;
  /** The events' ids, for the log's duplicate check. */
  ids: (string | undefined)[];
  /**
   * The batch in the core's layout (codec.ts, each event's item its index here, tenant set by the
   * writer): what apply would encode from `json` when no event is a duplicate and none carries an
   * erased value. Null when some event cannot be encoded (the JSON path then reports why).
   */
  core: Uint8Array | null;
}

const utf8Decoder = new TextDecoder();

export function encodeBatch(tenant: string, events: LoggedEvent[]): IngestBatch {
  const json = JSON.stringify(events);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const coreBound = coreSizeBound(events);
  // unpooled: the buffer is transferred to the writer thread
  const buffer = Buffer.allocUnsafeSlow(jsonBytes + Math.max(coreBound, 0));
  buffer.write(json, 0, 'utf8');
  const core = coreBound < 0 ? null : buffer.subarray(jsonBytes, jsonBytes + encodeCore(buffer, jsonBytes, events));
  const ids = new Array<string | undefined>(events.length);
  for (let i = 0; i < events.length; i++) ids[i] = events[i].id;
  return { tenant, count: events.length, json: buffer.subarray(0, jsonBytes), ids, core };
}

/** Room for encodeCore's bytes, or -1 when an event holds more identifiers or longer values than the core takes. */
function coreSizeBound(events: LoggedEvent[]): number {
  let size = BATCH_HEADER_BYTES;
  try {
    for (let e = 0; e < events.length; e++) {
      const ids = events[e].ids;
      if (ids.length > MAX_EVENT_IDENTIFIERS) return -1;
      size += EVENT_HEADER_BYTES;
      for (let i = 0; i < ids.length; i++) size += identifierSizeBound(ids[i][1], ids[i][2]);
    }
  } catch {
    return -1;
  }
  return size;
}

/** Writes `events` at `at` as encodeEvents writes their EncodedEvent form (tenant 0: the writer sets it); returns the length. */
function encodeCore(bytes: Buffer, at: number, events: LoggedEvent[]): number {
  let p = writeBatchHeader(bytes, at, events.length);
  for (let e = 0; e < events.length; e++) {
    const event = events[e];
    const ids = event.ids;
    p = writeEventHeader(bytes, p, 0, EVENT_CLASS[evidenceOf(event)], ids.length, e, event.time);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      p = writeIdentifier(bytes, p, TYPE_CODES[id[0]], id[1], id[2] || undefined, id[3] === 1);
    }
  }
  return p - at;
}

/**
 * The JSON text of an encoded batch. An ASCII batch (nearly all) is read as Latin-1, the same text:
 * decoding plus JSON.parse took 1.6-2.2 µs per event with TextDecoder, 1.2-1.5 µs so.
 */
export function batchText(batch: IngestBatch): string {
  const { json } = batch;
  return isAscii(json) ? Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('latin1') : utf8Decoder.decode(json);
}

/** An error as it crosses the thread boundary of a grouped write. */
export interface WriteFailure {
  name: string;
  message: string;
}

export type GroupOutcome = { outcome: IngestOutcome; error?: undefined } | { error: WriteFailure; outcome?: undefined };

interface PendingChanges {
  tenant: string;
  seq: number;
  changes: Change[];
}

/** What an operator's split cuts, by value (node numbers are not stable enough to log). */
export interface SplitSpec {
  persona: string;
  identifiers: IdentifierPair[];
  edges: [IdentifierPair, IdentifierPair][];
}

export const ENTRY = { EVENTS: 'events', CONFIG: 'config', SPLIT: 'split', ERASE: 'erase' } as const;
const REPLAY_PAGE = 500;

/** Salted hash of an erased value: lets replay recognise it without keeping the value. */
export function erasedValueHash(salt: Buffer, type: IdentifierType, value: string): string {
  return createHash('sha256').update(salt).update(`${type}\0${value}`).digest('hex');
}

/**
 * The shard as of its newest snapshot, and the log sequence that snapshot covers. A snapshot written
 * by a core of another memory layout (an upgrade) is skipped and the shard rebuilt from the whole
 * log, which the same log always allows, unless the log before it was pruned: then starting would
 * lose acknowledged events, so it refuses with a message saying what to do.
 */
function restoreNewest(store: Store, index: number): { shard: Shard; after: number } {
  let memory: WebAssembly.Memory | undefined;
  // Fresh memory for each file tried: a damaged newer one must leave nothing behind in it.
  const snapshot = store.snapshots.loadNewestInto(index, (length) => {
    memory = Shard.memoryFor(length);
    return new Uint8Array(memory.buffer, 0, length);
  });
  if (!snapshot || !memory) return { shard: Shard.create(), after: 0 };
  traceStartup(`shard ${index}: snapshot at seq ${snapshot.seq} read into shard memory (${snapshot.length} bytes)`);
  try {
    return { shard: Shard.restoreIn(memory, snapshot.length), after: snapshot.seq };
  } catch (err) {
    if (!(err instanceof SnapshotLayoutError)) throw err;
    const first = store.log.read(0, 1)[0];
    const pruned = first !== undefined ? first.seq !== 1 : store.log.lastSeq() > 0;
    if (pruned) {
      throw new Error(`shard ${index}: the snapshot at seq ${snapshot.seq} has core layout ${err.found} (this version reads ${err.expected}) `
        + `and the log before seq ${first?.seq ?? store.log.lastSeq() + 1} was pruned, so this version cannot rebuild the graph without losing events: `
        + 'run the version that wrote this data directory, or restore a backup taken before the upgrade');
    }
    console.warn(`shard ${index}: skipping the snapshot at seq ${snapshot.seq} (core layout ${err.found}, this version reads ${err.expected}); rebuilding from the whole log`);
    return { shard: Shard.create(), after: 0 };
  }
}

/**
 * Events with the tenant's erased values removed, and their traits too (they belonged to the erased
 * person); an event with nothing erased is returned as it is.
 */
export function withoutErasedValues(erasure: Pick<ErasureStore, 'erasedSalt' | 'isErased'>, tenant: string, events: LoggedEvent[]): LoggedEvent[] {
  return scrubErased(erasure, tenant, events).kept;
}

/**
 * The events `skip` does not mark, without the tenant's erased values (as withoutErasedValues), and
 * [index in `events`, type] of each value removed: one hash per value for both.
 */
export function scrubErased(erasure: Pick<ErasureStore, 'erasedSalt' | 'isErased'>, tenant: string, events: LoggedEvent[], skip?: boolean[]): { kept: LoggedEvent[]; erased: [number, IdentifierType][] } {
  const salt = erasure.erasedSalt(tenant);
  const kept: LoggedEvent[] = [];
  const erased: [number, IdentifierType][] = [];
  events.forEach((event, index) => {
    if (skip?.[index]) return;
    const ids = event.ids.filter(([type, value]) => {
      if (!erasure.isErased(tenant, type, erasedValueHash(salt, type, value))) return true;
      erased.push([index, type]);
      return false;
    });
    if (ids.length === event.ids.length) {
      kept.push(event);
      return;
    }
    const { traits: _dropped, ...rest } = event;
    kept.push({ ...rest, ids });
  });
  return { kept, erased };
}

export class ShardWriter {
  /** Tenants known to have erased values; the rest skip the per-value check on every apply. */
  private readonly tenantsWithErasures = new Map<string, boolean>();

  constructor(
    readonly shard: Shard,
    private readonly store: Store,
    private readonly index: number,
    /** Durations of the log appends and snapshot writes (exported as metrics). */
    private readonly timings = new WriterTimings(),
  ) {}

  /** Rebuilds the shard: newest valid snapshot, then every later log entry of its tenants. */
  static recover(store: Store, index: number, shardOf: (tenant: string) => number, timings?: WriterTimings): ShardWriter {
    const { shard, after: covered } = restoreNewest(store, index);
    traceStartup(`shard ${index}: restored`);
    const writer = new ShardWriter(shard, store, index, timings);
    writer.changesRecordedThrough = store.changes.lastSeqs();
    traceStartup(`shard ${index}: last recorded changes found`);
    let after = covered;
    let replayed = 0;
    for (;;) {
      const page = store.log.read(after, REPLAY_PAGE);
      if (page.length === 0) break;
      for (const entry of page) {
        if (shardOf(entry.tenant) === index) {
          writer.apply(entry);
          replayed++;
        }
        after = entry.seq;
      }
    }
    traceStartup(`shard ${index}: log tail after seq ${covered} replayed (${replayed} entries)`);
    return writer;
  }

  private tenantIndex(tenant: string): number {
    const known = this.shard.tenant(tenant);
    if (known !== 0) return known;
    const index = this.shard.registerTenant(tenant);
    this.shard.configureTenant(index, engineSettings(completeConfig(this.store.tenants.getTenantConfig(tenant))));
    return index;
  }

  /** Tests only: called between a durable append and its application (fault injection). */
  onApplied: (() => void) | undefined;
  /** Tests only: when set, onApplied fires for this tenant's batches only. */
  faultTenant: string | undefined;

  /** One encoded batch: appended as its bytes, then applied; throws what stopped it. */
  ingestEncoded(batch: IngestBatch): IngestOutcome {
    const [appended] = this.appendEncoded([batch]);
    if (appended instanceof Error) throw appended;
    return this.applyAppended(batch, appended);
  }

  /**
   * Several encoded ingest batches (of any tenants of the shard) appended in one transaction, so
   * one sync of the log covers them all, then applied in log order. Each batch gets its own
   * outcome, or the error that stopped it; the others are unaffected.
   */
  ingestGroup(batches: IngestBatch[]): GroupOutcome[] {
    const appended = this.appendEncoded(batches);
    // the batches' changes are recorded together once all are applied: one commit (and sync) instead of one per batch
    const pending: PendingChanges[] = [];
    this.pendingChanges = pending;
    let outcomes: GroupOutcome[];
    try {
      outcomes = appended.map((result, i) => {
        if (result instanceof Error) return { error: describeError(result) };
        const applied = attempt(() => this.applyAppended(batches[i], result));
        return applied instanceof Error ? { error: describeError(applied) } : { outcome: applied };
      });
    } finally {
      this.pendingChanges = undefined;
    }
    if (pending.length === 0) return outcomes;
    const recorded = attempt(() => this.store.changes.recordAll
      ? this.store.changes.recordAll(pending)
      : pending.forEach(({ tenant, seq, changes }) => this.store.changes.record(tenant, seq, changes)));
    if (!(recorded instanceof Error)) return outcomes;
    // as when a batch's own record failed: the batches whose changes were not recorded report it
    const failure = describeError(recorded);
    const unrecorded = new Set(pending.map((p) => p.seq));
    return outcomes.map((outcome) => (outcome.outcome?.seq != null && unrecorded.has(outcome.outcome.seq) ? { error: failure } : outcome));
  }

  /** Appends the batches, the bytes as they came where the log takes them (parsed only where it needs the events). */
  private appendEncoded(batches: IngestBatch[]): (AppendResult | Error)[] {
    const { log } = this.store;
    if (log.appendGroup) {
      const appends = batches.map((batch): GroupAppend => (
        { tenant: batch.tenant, kind: ENTRY.EVENTS, items: { ids: batch.ids, bodies: () => eventsOf(batch), json: batch.json } }
      ));
      return this.timings.time('log_append', () => log.appendGroup!(appends));
    }
    return this.timings.time('log_append', () => batches.map((batch) => attempt(() => log.append(batch.tenant, ENTRY.EVENTS, logItems(eventsOf(batch))))));
  }

  private applyAppended(batch: IngestBatch, result: AppendResult): IngestOutcome {
    const { tenant } = batch;
    const { seq, duplicate } = result;
    if (seq === null) return { seq, duplicate };
    const faulty = this.onApplied !== undefined && (this.faultTenant === undefined || this.faultTenant === tenant);
    const scrub = this.hasErasures(tenant);
    if (batch.core && !faulty && !duplicate.includes(true) && !scrub) {
      // the usual batch: what apply would encode from the logged JSON, encoded by the main thread
      this.recordChanges(tenant, seq, this.shard.applyEncodedEvents(batch.core, this.tenantIndex(tenant), seq), Date.now());
      return { seq, duplicate };
    }
    const events = eventsOf(batch);
    // the answer says which values were dropped as erased, as it says which were blocked
    const { kept, erased } = scrub
      ? scrubErased(this.store.erasure, tenant, events, duplicate)
      : { kept: events.filter((_, i) => !duplicate[i]), erased: [] };
    if (faulty) {
      // die halfway through applying the batch: the memory holds a torn state that nobody may read
      this.shard.applyEventsUnfinished(encodeEvents(this.tenantIndex(tenant), kept.slice(0, kept.length >> 1)), seq);
      this.onApplied!();
    }
    this.applyEvents(tenant, seq, kept, Date.now());
    return erased.length > 0 ? { seq, duplicate, erased } : { seq, duplicate };
  }

  configure(tenant: string, config: TenantConfig): number {
    const { seq } = this.store.log.append(tenant, ENTRY.CONFIG, [{ body: config }]);
    this.store.tenants.putTenantConfig(tenant, config as unknown as Record<string, unknown>);
    this.apply({ seq: seq!, tenant, kind: ENTRY.CONFIG, items: [config], at: Date.now() });
    return seq!;
  }

  split(tenant: string, spec: SplitSpec): number {
    const { seq } = this.store.log.append(tenant, ENTRY.SPLIT, [{ body: spec }]);
    this.apply({ seq: seq!, tenant, kind: ENTRY.SPLIT, items: [spec], at: Date.now() });
    return seq!;
  }

  /** Erases values for good: out of the graph, out of every stored log entry, remembered only as salted hashes. */
  erase(tenant: string, identifiers: IdentifierPair[]): number {
    const salt = this.store.erasure.erasedSalt(tenant);
    this.tenantsWithErasures.set(tenant, true);
    for (const [type, value] of identifiers) this.store.erasure.recordErased(tenant, type, [erasedValueHash(salt, type, value)]);
    const hashes = identifiers.map(([type, value]) => [type, erasedValueHash(salt, type, value)]);
    const { seq } = this.store.log.append(tenant, ENTRY.ERASE, [{ body: hashes }]);
    this.eraseNodes(tenant, identifiers, seq!);
    this.scrubLog(tenant);
    this.store.log.checkpoint(); // the write-ahead log still holds the scrubbed rows' old bytes
    // older snapshots still hold the erased bytes: replace them with one taken now
    const snapshot = this.snapshot();
    this.store.snapshots.dropOlder(this.index, snapshot.seq);
    return seq!;
  }

  /** Applies one log entry (live or during recovery). */
  apply(entry: LogEntry): void {
    if (entry.kind === ENTRY.EVENTS) {
      this.applyEvents(entry.tenant, entry.seq, this.withoutErased(entry.tenant, entry.items as LoggedEvent[]), entry.at);
      return;
    }
    const tenant = this.tenantIndex(entry.tenant);
    let journal: JournalEntry[] = [];
    switch (entry.kind) {
      case ENTRY.CONFIG:
        this.shard.configureTenant(tenant, engineSettings(completeConfig(entry.items[0] as Record<string, unknown>)));
        break;
      case ENTRY.SPLIT:
        journal = this.applySplit(tenant, entry.items[0] as SplitSpec);
        break;
      case ENTRY.ERASE:
        // Replayed only when the snapshot predates the erasure (a crash before the fresh snapshot
        // was written): the snapshot may still hold the values, found again by their salted hashes.
        journal = this.eraseByHash(entry.tenant, tenant, entry.items[0] as [IdentifierType, string][]);
        break;
      default:
        throw new Error(`unknown log entry kind ${entry.kind} at seq ${entry.seq}`);
    }
    this.recordChanges(entry.tenant, entry.seq, journal, entry.at, entry.kind === ENTRY.ERASE ? describeErasure : describeChanges);
  }

  /** Applies logged events that hold no erased value. */
  private applyEvents(tenant: string, seq: number, events: LoggedEvent[], at: number): void {
    this.recordChanges(tenant, seq, this.shard.applyEvents(encodeEvents(this.tenantIndex(tenant), events), seq), at);
  }

  private applySplit(tenant: number, spec: SplitSpec): JournalEntry[] {
    const record = this.shard.recordById(spec.persona);
    if (record === 0) return [];
    const view = this.shard.persona(record);
    const root = this.shard.rootOf(view.founder);
    const nodes = spec.identifiers
      .map(([type, value]) => this.shard.lookupNode(tenant, { type: TYPE_CODES[type], value }))
      .filter((n) => n !== 0 && this.shard.rootOf(n) === root);
    const wanted = new Set(spec.edges.map(([a, b]) => pairKey(this.nodeOf(tenant, a), this.nodeOf(tenant, b))));
    const edges = this.shard.edges(root).filter((e) => wanted.has(pairKey(e.a, e.b))).map((e) => e.edge);
    if (nodes.length === 0 && edges.length === 0) return [];
    return this.shard.split(root, nodes, edges);
  }

  private nodeOf(tenant: number, [type, value]: IdentifierPair): number {
    return this.shard.lookupNode(tenant, { type: TYPE_CODES[type], value });
  }

  private eraseNodes(tenantName: string, identifiers: IdentifierPair[], seq: number): void {
    const tenant = this.tenantIndex(tenantName);
    const journal: JournalEntry[] = [];
    for (const pair of identifiers) {
      const node = this.nodeOf(tenant, pair);
      if (node !== 0) journal.push(...this.shard.erase(node));
    }
    this.recordChanges(tenantName, seq, journal, Date.now(), describeErasure);
  }

  private eraseByHash(tenantName: string, tenant: number, hashes: [IdentifierType, string][]): JournalEntry[] {
    const wanted = new Set(hashes.map(([type, hash]) => `${type}:${hash}`));
    const salt = this.store.erasure.erasedSalt(tenantName);
    const journal: JournalEntry[] = [];
    const nodes = this.shard.counts().nodes;
    for (let n = 1; n <= nodes; n++) {
      const node = this.shard.node(n);
      if (node.tenant !== tenant || (node.flags & NODE_FLAG.ERASED) !== 0) continue;
      const type = TYPE_NAMES[node.type];
      if (wanted.has(`${type}:${erasedValueHash(salt, type, node.value)}`)) journal.push(...this.shard.erase(n));
    }
    return journal;
  }

  /** Rewrites every stored event of the tenant that still mentions an erased value. */
  private scrubLog(tenant: string): void {
    let after = 0;
    for (;;) {
      const page = this.store.log.readTenant(tenant, after, REPLAY_PAGE);
      if (page.length === 0) break;
      for (const entry of page) {
        after = entry.seq;
        if (entry.kind !== ENTRY.EVENTS) continue;
        const events = entry.items as LoggedEvent[];
        const scrubbed = this.withoutErased(tenant, events);
        if (scrubbed.some((event, i) => event !== events[i])) this.store.log.rewrite(entry.seq, scrubbed);
      }
    }
  }

  /** Events with erased values removed (their traits go too: they belonged to the erased person). */
  private withoutErased(tenant: string, events: LoggedEvent[]): LoggedEvent[] {
    return this.hasErasures(tenant) ? withoutErasedValues(this.store.erasure, tenant, events) : events;
  }

  private hasErasures(tenant: string): boolean {
    let erased = this.tenantsWithErasures.get(tenant);
    if (erased === undefined) {
      erased = this.store.erasure.hasErased(tenant);
      this.tenantsWithErasures.set(tenant, erased);
    }
    return erased;
  }

  /** Replayed entries up to here already have their changes recorded (by the run that applied them first). */
  private changesRecordedThrough = new Map<string, number>();

  /** While a group is applied: the changes to record once all of it is. */
  private pendingChanges: PendingChanges[] | undefined;

  private recordChanges(tenant: string, seq: number, journal: JournalEntry[], at: number, describe = describeChanges): void {
    if (seq <= (this.changesRecordedThrough.get(tenant) ?? 0)) return;
    const changes = describe(journal, (record) => this.shard.personaId(record), new Date(at).toISOString());
    if (changes.length === 0) return;
    if (this.pendingChanges) this.pendingChanges.push({ tenant, seq, changes });
    else this.store.changes.record(tenant, seq, changes);
  }

  snapshot(): { seq: number; bytes: number } {
    const seq = this.shard.appliedSeq();
    // views of the live memory: save() is synchronous on this thread, the only one that writes
    const chunks = this.shard.snapshotChunks();
    this.timings.time('snapshot_write', () => this.store.snapshots.save(this.index, seq, chunks));
    return { seq, bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0) };
  }

  /** Log sequence covered by the oldest snapshot still kept (0: none), the floor for pruning the log. */
  oldestSnapshotSeq(): number {
    const kept = this.store.snapshots.list(this.index);
    return kept.length === 0 ? 0 : kept[kept.length - 1].seq;
  }

  /** The ids of events named by (log seq, item); null where the event had none or the entry was pruned. */
  eventIds(tenant: string, refs: [number, number][]): (string | null)[] {
    const entries = new Map<number, LogEntry | undefined>();
    return refs.map(([seq, item]) => {
      if (!entries.has(seq)) {
        const [entry] = this.store.log.read(seq - 1, 1);
        entries.set(seq, entry?.seq === seq && entry.tenant === tenant ? entry : undefined);
      }
      const event = entries.get(seq)?.items[item] as LoggedEvent | undefined;
      return event?.id ?? null;
    });
  }
}

/** A batch's events, parsed from its JSON on first use (the usual batch is applied from its core bytes). */
function eventsOf(batch: IngestBatch & { events?: LoggedEvent[] }): LoggedEvent[] {
  return (batch.events ??= JSON.parse(batchText(batch)) as LoggedEvent[]);
}

function logItems(events: LoggedEvent[]): { id?: string; body: LoggedEvent }[] {
  return events.map((event) => ({ id: event.id, body: event }));
}

function attempt<T>(run: () => T): T | Error {
  try {
    return run();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function describeError(error: Error): WriteFailure {
  return { name: error.name, message: error.message };
}

function pairKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

export function encodeEvents(tenant: number, events: LoggedEvent[]): EncodedEvent[] {
  return events.map((event, item) => ({
    tenant,
    evidence: evidenceOf(event),
    item,
    time: event.time,
    identifiers: event.ids.map(([type, value, display, blocked]) => ({
      type: TYPE_CODES[type], value, display: display || undefined, blocked: blocked === 1,
    })),
  }));
}

/** Walks the core's journal: each re-cluster as the records before and after it, other entries between them in order. */
function walkJournal(journal: JournalEntry[], recluster: (from: number[], to: number[]) => void, other: (entry: JournalEntry) => void): void {
  let from: number[] = [];
  let to: number[] = [];
  const flush = () => {
    if (from.length > 0 || to.length > 0) recluster(from, to);
    from = [];
    to = [];
  };
  for (const entry of journal) {
    if (entry.kind === 'recluster_from') {
      if (to.length > 0) flush();
      from.push(entry.a);
    } else if (entry.kind === 'recluster_to') to.push(entry.a);
    else {
      flush();
      other(entry);
    }
  }
  flush();
}

/** Turns the core's journal into the contract's change records. */
export function describeChanges(journal: JournalEntry[], idOf: (record: number) => string, at: string): Change[] {
  const changes: Change[] = [];
  walkJournal(journal, (from, to) => {
    if (to.length > 1) changes.push({ kind: 'split', personas: unique([...from, ...to].map(idOf)), at });
    else if (from.length > 1) changes.push({ kind: 'merge', personas: unique([...to, ...from].map(idOf)), at });
  }, (entry) => {
    if (entry.kind === 'merge') changes.push({ kind: 'merge', personas: [idOf(entry.a), idOf(entry.b)], at });
    if (entry.kind === 'erase' && entry.a !== 0) changes.push({ kind: 'erase', personas: [idOf(entry.a)], at });
  });
  return changes;
}

/**
 * One erasure's journal as the feed's records. Erasing value after value re-clusters the persona each
 * time, through records no reader was ever shown: the feed names only the personas that existed before
 * (an `erase` each) and, where what is left of them now has other ids (fell apart, or lost the identifier
 * its id came from), a `split` from them to the personas left.
 */
export function describeErasure(journal: JournalEntry[], idOf: (record: number) => string, at: string): Change[] {
  // record -> the records existing before the erasure that it descends from (absent: it is one of them)
  const lineage = new Map<number, number[]>();
  const ancestors = (record: number) => lineage.get(record) ?? [record];
  const erased: number[] = [];
  const alive = new Set<number>();
  walkJournal(journal, (from, to) => {
    const origins = [...new Set(from.flatMap(ancestors))];
    for (const record of from) alive.delete(record);
    for (const record of to) {
      lineage.set(record, origins);
      alive.add(record);
    }
  }, (entry) => {
    if (entry.kind === 'erase' && entry.a !== 0) erased.push(...ancestors(entry.a));
  });
  const changes: Change[] = unique(erased.map(idOf)).map((id) => ({ kind: 'erase', personas: [id], at }));
  // the personas left, by the ones they came from
  const left = new Map<string, { origins: number[]; records: number[] }>();
  for (const record of alive) {
    const origins = ancestors(record);
    const key = origins.join(',');
    const family = left.get(key);
    if (family) family.records.push(record);
    else left.set(key, { origins, records: [record] });
  }
  for (const { origins, records } of left.values()) {
    if (records.length === origins.length && records.every((record) => origins.includes(record))) continue;
    const merged = records.length === 1 && origins.length > 1;
    changes.push({ kind: merged ? 'merge' : 'split', personas: unique((merged ? [...records, ...origins] : [...origins, ...records]).map(idOf)), at });
  }
  return changes;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
