// The owner's copy of one partition: its JetStream log, its shard (one WASM memory per partition)
// and the embedded mode's ShardWriter, whose `apply` turns log entries into graph changes — the
// same code for both modes, so the same log gives the same graph. It stands in for the facade's
// ShardSet (read / write / close), so the unchanged PersonaGraph facade runs over it.
//
// Order: writes and catch-ups run one at a time. A write appends to the log (acknowledged by
// JetStream), then applies the entry; entries that reached the log some other way (an append whose
// ack was lost, a former owner) are found by the gap they leave in the sequence and applied first.
// An entry is applied only when its seq is above the last applied one, so never twice.
import { Shard } from '../../engine/shard.js';
import { RequestError } from '../../types.js';
import type { LogEntry, Store } from '../../store/index.js';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import { JetStreamPartitionLog } from '../../store/jetstream-log.js';
import type { JetStreamSnapshotStore } from '../../store/jetstream-snapshots.js';
import { ENTRY, ShardWriter, type IngestOutcome } from '../writer.js';
import type { WriterTask } from '../writer-worker.js';
import type { TenantConfig } from '../config.js';
import type { TenantConfigs } from './tenant-configs.js';

/** Log entries read per request while catching up. */
const CATCH_UP_PAGE = 500;

export interface ReplicaContext {
  conn: JetStreamConnection;
  snapshots: JetStreamSnapshotStore;
  configs: TenantConfigs;
  partitions: number;
  /** Side tables of the embedded writer (changes, erasure) private to this replica. */
  store: Store;
  /** Whether this node may still act as the partition's owner (its lease is valid). */
  owns: () => boolean;
}

/** Thrown when this node does not (or no longer) own the partition: the caller routes again. */
export class NotOwnerError extends RequestError {
  constructor(partition: number) {
    super(503, 'not_owner', `this node does not own partition ${partition}; retry`, { retryAfterSeconds: 1 });
  }
}

export class PartitionReplica {
  /** Mirrors ShardSet: one shard, no worker restarts. */
  readonly count = 1;
  readonly restarts = 0;
  private applied: number;
  private snapshotted: number;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly partition: number,
    private readonly log: JetStreamPartitionLog,
    private readonly writer: ShardWriter,
    private readonly context: ReplicaContext,
    snapshotSeq: number,
  ) {
    this.applied = snapshotSeq;
    this.snapshotted = snapshotSeq;
  }

  /** Recovery: the newest snapshot, then every log entry after it. */
  static async open(partition: number, context: ReplicaContext): Promise<PartitionReplica> {
    const log = await JetStreamPartitionLog.open(context.conn, { partition, partitions: context.partitions });
    const snapshot = await context.snapshots.loadNewest(partition);
    const shard = snapshot ? Shard.restore(snapshot.bytes) : Shard.create();
    const replica = new PartitionReplica(partition, log, new ShardWriter(shard, context.store, partition), context, snapshot?.seq ?? 0);
    await replica.catchUp(Number.POSITIVE_INFINITY);
    return replica;
  }

  /** Seq of the last log entry applied. */
  get appliedSeq(): number {
    return this.applied;
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
        return { seq: outcome.seq, duplicate: outcome.duplicate } satisfies IngestOutcome;
      }
      case 'configure':
        return (await this.append(tenant, ENTRY.CONFIG, [{ body: task.config }], () => [task.config], () => this.context.configs.save(tenant, task.config))).seq;
      case 'split':
        return (await this.append(tenant, ENTRY.SPLIT, [{ body: task.spec }], () => [task.spec])).seq;
      case 'events':
        return this.eventIds(tenant, task.refs);
      default:
        throw new RequestError(501, 'not_supported_in_cluster', `${task.op} is not available in cluster mode yet`);
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
    for (const [tenant, config] of lastConfig) {
      if (JSON.stringify(this.context.configs.getTenantConfig(tenant)) !== JSON.stringify(config)) await this.context.configs.save(tenant, config);
    }
  }

  private apply(entry: LogEntry): void {
    if (entry.seq <= this.applied) return;
    this.writer.apply(entry);
    this.applied = entry.seq;
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
   * Stores a snapshot when anything was applied since the last one, then purges the log through
   * the oldest snapshot kept (not the newest: a damaged newest one falls back to it).
   */
  async snapshot(): Promise<{ seq: number; bytes: number } | null> {
    if (this.applied === this.snapshotted) return null;
    const seq = this.applied;
    const bytes = this.writer.shard.snapshot();
    await this.context.snapshots.save(this.partition, seq, bytes);
    this.snapshotted = seq;
    const kept = await this.context.snapshots.list(this.partition);
    const floor = kept.length === 0 ? 0 : kept[kept.length - 1].seq;
    if (floor > 0) await this.log.purgeThrough(floor);
    return { seq, bytes: bytes.length };
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
