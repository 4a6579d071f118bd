// A copy of one partition: its JetStream log, its shard (one WASM memory per partition), its side
// tables (claims, changes, erasures: replica-state.ts) and the embedded mode's ShardWriter, whose
// `apply` turns log entries into graph changes — the same code for both modes, so the same log
// gives the same graph. It stands in for the facade's ShardSet (read / write / close), so the
// unchanged PersonaGraph facade runs over it.
//
// A replica is first a follower (it reads the log, never writes: a node warming up a partition
// it is about to take over) and becomes the owner's copy when its node holds the lease.
//
// Order: writes and catch-ups run one at a time. A write appends to the log (acknowledged by
// JetStream), then applies the entry; entries that reached the log some other way (an append whose
// ack was lost, a former owner) are found by the gap they leave in the sequence and applied first.
// An entry is applied only when its seq is above the last applied one, so never twice.
import { Shard, SnapshotLayoutError } from '../../engine/shard.js';
import { RequestError, type IdentifierType } from '../../types.js';
import type { LogEntry, Store } from '../../store/index.js';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import { JetStreamPartitionLog } from '../../store/jetstream-log.js';
import type { JetStreamSnapshotStore } from '../../store/jetstream-snapshots.js';
import { ENTRY, ShardWriter, erasedValueHash, scrubErased, withoutErasedValues, type IdentifierPair, type IngestOutcome } from '../writer.js';
import type { WriterTask } from '../writer-worker.js';
import type { TenantConfig } from '../config.js';
import type { LoggedEvent } from '../events.js';
import { replicaStore, type SharedTables } from './local-graph.js';
import { decodeSnapshot, encodeSnapshot, ReplicaState } from './replica-state.js';

/** Log entries read per request while catching up. */
const CATCH_UP_PAGE = 500;
/** Entry kind of campaign claims (cluster mode only: the embedded store keeps them in a table). */
export const CLAIM_ENTRY = 'claim';
/** Claimed key hashes per log entry: keeps one entry well under the server's max_payload. */
const CLAIM_KEYS_PER_ENTRY = 20_000;

export interface ReplicaContext {
  conn: JetStreamConnection;
  snapshots: JetStreamSnapshotStore;
  shared: SharedTables;
  partitions: number;
  /** Whether this node may act as the partition's owner now (its lease is valid). */
  owns: () => boolean;
}

/** Thrown when this node does not (or no longer) own the partition: the caller routes again. */
export class NotOwnerError extends RequestError {
  constructor(partition: number) {
    super(503, 'not_owner', `this node does not own partition ${partition}; retry`, { retryAfterSeconds: 1 });
  }
}

/**
 * The partition's shard from its snapshot. The stream is purged up to the newest snapshot, so a
 * snapshot of another core layout (an upgrade) cannot be replaced by a replay: say so plainly.
 */
function restoreShard(partition: number, bytes: Uint8Array): Shard {
  try {
    return Shard.restore(bytes);
  } catch (err) {
    if (!(err instanceof SnapshotLayoutError)) throw err;
    throw new Error(`partition ${partition}: the snapshot has core layout ${err.found} and this version reads ${err.expected}; `
      + 'the log before it is purged, so run the version that wrote it on this cluster');
  }
}

export class PartitionReplica {
  /** Mirrors ShardSet: one shard, no worker restarts. */
  readonly count = 1;
  readonly restarts = 0;
  readonly store: Store;
  private applied: number;
  private snapshotted: number;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly partition: number,
    private readonly log: JetStreamPartitionLog,
    shard: Shard,
    private readonly state: ReplicaState,
    private readonly context: ReplicaContext,
    snapshotSeq: number,
  ) {
    this.store = replicaStore(context.shared, state);
    this.writer = new ShardWriter(shard, this.store, partition);
    this.applied = snapshotSeq;
    this.snapshotted = snapshotSeq;
  }

  private readonly writer: ShardWriter;

  /** Recovery: the newest snapshot, then every log entry after it. */
  static async open(partition: number, context: ReplicaContext): Promise<PartitionReplica> {
    const log = await JetStreamPartitionLog.open(context.conn, { partition, partitions: context.partitions });
    const snapshot = await context.snapshots.loadNewest(partition);
    const { shard, state } = snapshot ? decodeSnapshot(snapshot.bytes) : { shard: null, state: new ReplicaState() };
    const replica = new PartitionReplica(partition, log, shard ? restoreShard(partition, shard) : Shard.create(), state, context, snapshot?.seq ?? 0);
    await replica.catchUp(Number.POSITIVE_INFINITY);
    return replica;
  }

  /** Seq of the last log entry applied. */
  get appliedSeq(): number {
    return this.applied;
  }

  /** Follower: applies what the owner appended since the last call. */
  follow(): Promise<void> {
    return this.exclusive(() => this.catchUp(Number.POSITIVE_INFINITY));
  }

  /** Becoming the owner: learn every id the former owner appended, apply the rest of the log. */
  promote(): Promise<void> {
    return this.exclusive(async () => {
      await this.log.sync();
      await this.catchUp(Number.POSITIVE_INFINITY);
    });
  }

  /** Runs a read over the shard on this thread (applies are synchronous here, so never torn). */
  async read<T>(tenant: string, read: (shard: Shard, tenantIndex: number) => T): Promise<T> {
    this.requireOwner();
    return read(this.writer.shard, this.writer.shard.tenant(tenant));
  }

  /** Waits until the replica applied the log through `seq` (read-your-writes), reading the log if needed. */
  async waitFor(seq: number): Promise<void> {
    if (this.applied >= seq) return;
    await this.exclusive(() => this.catchUp(seq));
    if (this.applied < seq) {
      throw new RequestError(503, 'seq_not_reached', `partition ${this.partition} has applied through ${this.applied}, not yet ${seq}; retry`, { retryAfterSeconds: 1 });
    }
  }

  /** The facade's write tasks, as the embedded writer worker runs them, over the JetStream log. */
  write<T>(tenant: string, task: WriterTask): Promise<T> {
    return this.exclusive(() => this.run(tenant, task)) as Promise<T>;
  }

  /**
   * A campaign claim: `claim` runs the facade's claim (read + claim in the ledger) with no other
   * write in between, then the newly claimed keys are appended to the log before the answer; if
   * that append fails they are forgotten again, so an unacknowledged claim leaves no trace.
   */
  claimed<T>(tenant: string, campaign: string, claim: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.requireOwner();
      this.state.claims.startRecording();
      let result: T;
      try {
        result = await claim();
      } catch (err) {
        this.state.claims.undoRecorded();
        throw err;
      }
      const added = this.state.claims.takeRecorded().get(campaign) ?? [];
      try {
        for (let i = 0; i < added.length; i += CLAIM_KEYS_PER_ENTRY) {
          const body = { campaign, keys: added.slice(i, i + CLAIM_KEYS_PER_ENTRY) };
          await this.append(tenant, CLAIM_ENTRY, [{ body }], () => [body]);
        }
      } catch (err) {
        this.state.claims.forget(tenant, campaign, added);
        throw err;
      }
      return result;
    });
  }

  /** Mirrors ShardSet's admission: a replica applies what the owner accepted, one at a time. */
  shardOf(_tenant: string): number {
    return 0;
  }

  admit(_shard: number): void {}

  overloaded(): boolean {
    return false;
  }

  writeShard<T>(_shard: number, task: WriterTask): Promise<T> {
    if (task.op === 'snapshot') return this.snapshot() as Promise<T>;
    return Promise.reject(new RequestError(501, 'not_supported_in_cluster', `${task.op} is done per partition by the cluster`));
  }

  private async run(tenant: string, task: WriterTask): Promise<unknown> {
    switch (task.op) {
      case 'ingest': {
        const outcome = await this.append(tenant, ENTRY.EVENTS, task.events.map((event) => ({ id: event.id, body: event })), (kept) =>
          task.events.filter((_, i) => !kept.duplicate[i]));
        // the answer says which values were dropped as erased, as the embedded writer's does
        if (outcome.seq !== null && this.state.erasure.hasErased(tenant)) {
          const { erased } = scrubErased(this.state.erasure, tenant, task.events, outcome.duplicate);
          if (erased.length > 0) return { seq: outcome.seq, duplicate: outcome.duplicate, erased } satisfies IngestOutcome;
        }
        return { seq: outcome.seq, duplicate: outcome.duplicate } satisfies IngestOutcome;
      }
      case 'configure':
        return (await this.append(tenant, ENTRY.CONFIG, [{ body: task.config }], () => [task.config], () => this.context.shared.configs.save(tenant, task.config))).seq;
      case 'split':
        return (await this.append(tenant, ENTRY.SPLIT, [{ body: task.spec }], () => [task.spec])).seq;
      case 'erase':
        return this.erase(tenant, task.identifiers);
      case 'changes':
        this.requireOwner();
        return this.state.changes.since(tenant, task.since, task.limit);
      case 'events':
        return this.eventIds(tenant, task.refs);
      default:
        throw new RequestError(501, 'not_supported_in_cluster', `${task.op} is done per partition by the cluster`);
    }
  }

  /**
   * Appends one entry (acknowledged by JetStream when this returns), stores side effects that must
   * be durable before the answer (`beforeApply`), then applies the entry in log order.
   */
  private async append(
    tenant: string,
    kind: string,
    items: { id?: string; body: unknown }[],
    keptItems: (result: { duplicate: boolean[] }) => unknown[],
    beforeApply?: () => Promise<void>,
  ): Promise<{ seq: number | null; duplicate: boolean[] }> {
    this.requireOwner();
    const result = await this.log.append(tenant, kind, items);
    if (result.seq === null) return result;
    if (result.seq > this.applied + 1) await this.catchUp(result.seq - 1);
    await beforeApply?.();
    this.apply({ seq: result.seq, tenant, kind, items: keptItems(result), at: Date.now() });
    return result;
  }

  /**
   * GDPR erasure: one erase entry (salted hashes, and the tenant's salt so every later owner
   * recognises the values), applied like any entry; then every stored event of the tenant that
   * still mentions an erased value is rewritten without it, and a fresh snapshot replaces the
   * older ones, which may still hold the values.
   */
  private async erase(tenant: string, identifiers: IdentifierPair[]): Promise<number | null> {
    this.requireOwner();
    const salt = this.state.erasure.erasedSalt(tenant);
    const hashes = identifiers.map(([type, value]) => [type, erasedValueHash(salt, type, value)]);
    const items = [hashes, { salt: salt.toString('base64') }];
    const { seq } = await this.append(tenant, ENTRY.ERASE, items.map((body) => ({ body })), () => items);
    await this.scrubLog(tenant);
    const snapshot = await this.snapshot();
    if (snapshot) await this.context.snapshots.dropOlder(this.partition, snapshot.seq);
    return seq;
  }

  private async scrubLog(tenant: string): Promise<void> {
    for (let after = 0; ;) {
      const page = await this.log.readTenant(tenant, after, CATCH_UP_PAGE);
      if (page.length === 0) return;
      for (const entry of page) {
        after = entry.seq;
        if (entry.kind !== ENTRY.EVENTS) continue;
        const events = entry.items as LoggedEvent[];
        const scrubbed = this.withoutErased(tenant, events);
        if (scrubbed.some((event, i) => event !== events[i])) await this.log.rewrite(entry.seq, scrubbed);
      }
    }
  }

  /** Events with erased values removed (and their traits: they belonged to the erased person), as ShardWriter does. */
  private withoutErased(tenant: string, events: LoggedEvent[]): LoggedEvent[] {
    return withoutErasedValues(this.state.erasure, tenant, events);
  }

  /** Applies every log entry after the applied one, through `through`. */
  private async catchUp(through: number): Promise<void> {
    const lastConfig = new Map<string, TenantConfig>();
    for (let more = true; more && this.applied < through; ) {
      const page = await this.log.read(this.applied, CATCH_UP_PAGE);
      more = page.length === CATCH_UP_PAGE;
      for (const entry of page) {
        if (entry.seq > through) {
          more = false;
          break;
        }
        this.apply(entry);
        if (entry.kind === ENTRY.CONFIG) lastConfig.set(entry.tenant, entry.items[0] as TenantConfig);
      }
    }
    // A config entry whose bucket write was lost (the owner died in between) is stored again.
    if (!this.context.owns()) return;
    for (const [tenant, config] of lastConfig) {
      if (JSON.stringify(this.context.shared.configs.getTenantConfig(tenant)) !== JSON.stringify(config)) await this.context.shared.configs.save(tenant, config);
    }
  }

  private apply(entry: LogEntry): void {
    if (entry.seq <= this.applied) return;
    if (entry.kind === CLAIM_ENTRY) {
      const { campaign, keys } = entry.items[0] as { campaign: string; keys: string[] };
      this.state.claims.record(entry.tenant, campaign, keys);
    } else {
      if (entry.kind === ENTRY.ERASE) this.learnErasure(entry);
      this.writer.apply(entry);
    }
    this.applied = entry.seq;
  }

  /** Before the writer erases by hash: the salt and hashes go to the erasure list, so later events drop the values too. */
  private learnErasure(entry: LogEntry): void {
    const [hashes, extra] = entry.items as [[IdentifierType, string][], { salt?: string } | undefined];
    if (extra?.salt) this.state.erasure.adoptSalt(entry.tenant, Buffer.from(extra.salt, 'base64'));
    for (const [type, hash] of hashes) this.state.erasure.recordErased(entry.tenant, type, [hash]);
    // ShardWriter caches "this tenant has no erasures" per tenant; an erasure learned here must reset it.
    (this.writer as unknown as { tenantsWithErasures: Map<string, boolean> }).tenantsWithErasures.set(entry.tenant, true);
  }

  private async eventIds(tenant: string, refs: [number, number][]): Promise<(string | null)[]> {
    const entries = new Map<number, LogEntry | undefined>();
    for (const [seq] of refs) {
      if (entries.has(seq)) continue;
      const [entry] = await this.log.read(seq - 1, 1);
      entries.set(seq, entry?.seq === seq && entry.tenant === tenant ? entry : undefined);
    }
    return refs.map(([seq, item]) => ((entries.get(seq)?.items[item] as { id?: string } | undefined)?.id ?? null));
  }

  /**
   * Stores a snapshot (engine + side tables) when anything was applied since the last one, then
   * purges the log through the oldest snapshot kept (not the newest: a damaged newest one falls back to it).
   */
  async snapshot(): Promise<{ seq: number; bytes: number } | null> {
    if (this.applied === this.snapshotted) return null;
    const seq = this.applied;
    const chunks = encodeSnapshot(this.writer.shard.snapshot(), this.state);
    await this.context.snapshots.save(this.partition, seq, chunks);
    this.snapshotted = seq;
    const kept = await this.context.snapshots.list(this.partition);
    const floor = kept.length === 0 ? 0 : kept[kept.length - 1].seq;
    if (floor > 0) await this.log.purgeThrough(floor);
    return { seq, bytes: chunks.reduce((sum, c) => sum + c.length, 0) };
  }

  /** Waits for the writes in flight (new ones are refused once the node stopped owning). */
  async drain(): Promise<void> {
    await this.tail;
  }

  /** Waits for the writes in flight, then stops taking new ones. The connection stays open. */
  async close(): Promise<void> {
    await this.tail;
    await this.log.close();
  }

  private requireOwner(): void {
    if (!this.context.owns()) throw new NotOwnerError(this.partition);
  }

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
