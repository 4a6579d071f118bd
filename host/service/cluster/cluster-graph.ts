// ClusterGraph: persona-graph as one node of a cluster over a NATS JetStream log. Same public
// methods and answers as PersonaGraph; any node takes any request.
//
//  - Tenants map to a fixed number of partitions (one JetStream stream each, see host/store).
//  - Each tick a node announces itself, computes by rendezvous hashing over the live nodes which
//    partitions it should own, and takes, renews or gives up their leases in a KV bucket.
//  - For an owned partition it recovers a replica (newest snapshot + log after it) and runs the
//    PersonaGraph facade over it; writes are acknowledged after JetStream acknowledged them.
//  - A request for a partition owned elsewhere is forwarded to the lease holder over NATS.
//  - Hand-over without a pause (a node joining): the new owner first recovers the partition as a
//    follower (snapshot + log) while the old owner keeps serving and renewing; once caught up it
//    asks the old owner to hand over, which stops taking calls, finishes those in flight and
//    releases the lease; the new owner takes it, applies the few entries since, and serves. The
//    gap is one lease write and one short catch-up, far below a lease period.
//  - Snapshots (engine + claims, changes, erasures) go to the object store periodically and when
//    a node leaves; the log is purged through the oldest snapshot kept.
//  - Shared by every node through KV buckets: tenant settings, API keys, link secrets.
import type { QualitySummary } from '../quality.js';
import { randomBytes } from 'node:crypto';
import type { Subscription } from '@nats-io/transport-node';
import { RequestError, type AudienceRequest, type AudienceResult, type Identifier, type IngestResult, type Persona } from '../../types.js';
import { composeDeviceId, mapToDeviceId, validateDeviceComponents } from '../../identity/index.js';
import type { Logger } from '../../store/index.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, JetStreamConnection } from '../../store/jetstream-connection.js';
import { DEFAULT_PARTITIONS, partitionOf } from '../../store/jetstream-partitions.js';
import { JetStreamSnapshotStore } from '../../store/jetstream-snapshots.js';
import type { TenantStats } from '../../engine/shard.js';
import { checkTenant, type ChangesPage, type PersonaGraph } from '../persona-graph.js';
import { completeConfig, type TenantConfig } from '../config.js';
import type { PersonaGraphView } from '../views.js';
import { callSubject, decodeReply, decodeRequest, encodeReply, handoverSubject, isRetriable, type CallRequest, type ForwardedMethod } from './forwarding.js';
import { Leases } from './leases.js';
import { graphOverReplica, statelessGraph, type SharedTables } from './local-graph.js';
import { ClusterKeyStore } from './cluster-keys.js';
import { ClusterLinkSecrets } from './cluster-links.js';
import type { ReadOptions } from '../graph-api.js';
import { Membership } from './membership.js';
import { NotOwnerError, PartitionReplica } from './partition-replica.js';
import { ownerOf } from './rendezvous.js';
import { TenantConfigs } from './tenant-configs.js';

export const DEFAULT_LEASE_MS = 3_000;
export const DEFAULT_CLUSTER_SNAPSHOT_INTERVAL_MS = 60_000;
/** Ticks (heartbeat, lease renewal, ownership) per lease period: several renewals before one lapses. */
const TICKS_PER_LEASE = 6;
/** A node unheard for this share of a lease period is taken as gone. */
const NODE_TTL_SHARE = 0.75;
/** Ticks a starting node listens to heartbeats before it claims partitions (so it knows its peers). */
const STARTUP_TICKS = 2;
const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface ClusterGraphOptions {
  /** NATS server URL(s) of the JetStream cluster. */
  servers: string | string[];
  /** Replicas of every stream and bucket: 3 in production, 1 on a single server. */
  replicas?: number;
  /** Partitions of the cluster (default 64); must be the same on every node, for ever. */
  partitions?: number;
  /** This node's id (letters, digits, _ and -); default a random one. */
  nodeId?: string;
  /** Lease period: how long a dead owner keeps its partitions at most (default 3 s). */
  leaseMs?: number;
  /** Snapshot owned partitions this often when they changed; 0 disables (default 60 s). */
  snapshotIntervalMs?: number;
  /** How long a JetStream publish or API call waits for its answer (default 5 s). */
  requestTimeoutMs?: number;
  /** How long a forwarded call waits for the owner's answer (default: two JetStream timeouts). */
  forwardTimeoutMs?: number;
  /** How long a request may wait for its partition to get an owner (default 4 lease periods). */
  routeTimeoutMs?: number;
  /** Object store bucket of the snapshots. */
  snapshotBucket?: string;
  logger?: Logger;
}

export type { ReadOptions } from '../graph-api.js';
/** Pause between attempts to route a call whose partition is changing hands. */
const ROUTE_RETRY_MS = 25;
/** Writes whose (object) answer gets a `seq` in cluster mode; ingest has its own, exact one. */
const WRITES_WITH_SEQ: ReadonlySet<string> = new Set(['erase', 'deletePersona']);

interface OwnedPartition {
  partition: number;
  /** Until when (ms since the epoch) the lease lets this node act as owner. */
  validUntil: number;
  /** Resolves when the replica has recovered. */
  opened: Promise<{ replica: PartitionReplica; graph: PersonaGraph }>;
  releasing: boolean;
}

/** A partition this node should own while another live node still serves it: recovered as a follower. */
interface WarmPartition {
  opened: Promise<PartitionReplica>;
  /** A hand-over request is in flight. */
  asking: boolean;
}

export class ClusterGraph {
  readonly nodeId: string;
  readonly partitions: number;
  private readonly owned = new Map<number, OwnedPartition>();
  private readonly warm = new Map<number, WarmPartition>();
  private readonly leasePolls = new Map<number, { at: number; done: Promise<void> }>();
  private readonly tickMs: number;
  private readonly startedAt = Date.now();
  private readonly shared: SharedTables;
  private readonly signer: PersonaGraph;
  private tickTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private subscriptions: Subscription[] = [];
  private closed = false;

  private constructor(
    private readonly conn: JetStreamConnection,
    private readonly snapshots: JetStreamSnapshotStore,
    private readonly configs: TenantConfigs,
    private readonly links: ClusterLinkSecrets,
    private readonly clusterKeys: ClusterKeyStore,
    private readonly leases: Leases,
    private readonly membership: Membership,
    private readonly options: Required<Pick<ClusterGraphOptions, 'leaseMs' | 'forwardTimeoutMs' | 'routeTimeoutMs'>> & { logger: Logger },
    nodeId: string,
    partitions: number,
  ) {
    this.nodeId = nodeId;
    this.partitions = partitions;
    this.tickMs = Math.max(1, Math.floor(options.leaseMs / TICKS_PER_LEASE));
    this.shared = { configs, links };
    this.signer = statelessGraph(this.shared);
  }

  static async open(options: ClusterGraphOptions): Promise<ClusterGraph> {
    const nodeId = options.nodeId ?? `node-${randomBytes(4).toString('hex')}`;
    if (!NODE_ID_PATTERN.test(nodeId)) throw new RangeError(`nodeId must match ${NODE_ID_PATTERN}, got ${JSON.stringify(nodeId)}`);
    const partitions = options.partitions ?? DEFAULT_PARTITIONS;
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
    if (!Number.isInteger(leaseMs) || leaseMs < 100) throw new RangeError(`leaseMs must be an integer of at least 100, got ${leaseMs}`);
    const logger = options.logger ?? ((message: string) => process.stderr.write(`${message}\n`));
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const conn = await JetStreamConnection.connect({ servers: options.servers, replicas: options.replicas ?? 1, name: `persona-graph ${nodeId}`, requestTimeoutMs });
    try {
      const snapshots = await JetStreamSnapshotStore.open(conn, { bucket: options.snapshotBucket, logger });
      const configs = await TenantConfigs.open(conn);
      const links = await ClusterLinkSecrets.open(conn);
      const keys = await ClusterKeyStore.open(conn);
      const tickMs = Math.floor(leaseMs / TICKS_PER_LEASE);
      const leases = await Leases.open(conn, nodeId, leaseMs, tickMs);
      const membership = new Membership(conn.nc, nodeId, Math.ceil(leaseMs * NODE_TTL_SHARE));
      const graph = new ClusterGraph(conn, snapshots, configs, links, keys, leases, membership, {
        leaseMs,
        forwardTimeoutMs: options.forwardTimeoutMs ?? 2 * requestTimeoutMs,
        routeTimeoutMs: options.routeTimeoutMs ?? 4 * leaseMs,
        logger,
      }, nodeId, partitions);
      graph.start(options.snapshotIntervalMs ?? DEFAULT_CLUSTER_SNAPSHOT_INTERVAL_MS);
      return graph;
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  // ---- the facade ----

  /** API keys of the cluster (a KV bucket every node mirrors); created and revoked with the CLI. */
  get keys(): ClusterKeyStore {
    return this.clusterKeys;
  }

  config(tenant: string): TenantConfig {
    checkTenant(tenant);
    return completeConfig(this.configs.getTenantConfig(tenant) as Record<string, unknown> | null);
  }

  configure(tenant: string, update: unknown): Promise<TenantConfig> {
    return this.route(tenant, 'configure', [update]) as Promise<TenantConfig>;
  }

  /** Like PersonaGraph.ingest; `seq` is the partition log position to pass back as `minSeq`. */
  ingest(tenant: string, input: unknown): Promise<IngestResult & { seq: number | null }> {
    return this.route(tenant, 'ingest', [input]) as Promise<IngestResult & { seq: number | null }>;
  }

  resolve(tenant: string, identifiers: Identifier[], options?: ReadOptions): Promise<(string | null)[]> {
    return this.route(tenant, 'resolve', [identifiers], options?.minSeq) as Promise<(string | null)[]>;
  }

  personaOf(tenant: string, identifier: Identifier, options?: ReadOptions): Promise<Persona | null> {
    return this.route(tenant, 'personaOf', [identifier], options?.minSeq) as Promise<Persona | null>;
  }

  persona(tenant: string, id: string, options?: ReadOptions): Promise<Persona | null> {
    return this.route(tenant, 'persona', [id], options?.minSeq) as Promise<Persona | null>;
  }

  dedupe(tenant: string, request: AudienceRequest | unknown, options?: ReadOptions): Promise<AudienceResult> {
    return this.route(tenant, 'dedupe', [request], options?.minSeq) as Promise<AudienceResult>;
  }

  graph(tenant: string, id: string, options?: ReadOptions): Promise<PersonaGraphView | null> {
    return this.route(tenant, 'graph', [id], options?.minSeq) as Promise<PersonaGraphView | null>;
  }

  split(tenant: string, id: string, request: unknown): Promise<Persona[] | null> {
    return this.route(tenant, 'split', [id, request]) as Promise<Persona[] | null>;
  }

  stats(tenant: string, options?: ReadOptions): Promise<TenantStats | null> {
    return this.route(tenant, 'stats', [], options?.minSeq) as Promise<TenantStats | null>;
  }

  composeDevice(tenant: string, components: unknown): string {
    checkTenant(tenant);
    return composeDeviceId(tenant, validateDeviceComponents(components));
  }

  deviceIdFor(tenant: string, anyId: string): string {
    return mapToDeviceId(tenant, anyId);
  }

  /** Like PersonaGraph.claim; durable through the partition log before it answers; `seq` as ingest's. */
  claim(tenant: string, campaign: string, request: unknown): Promise<AudienceResult & { stats: { alreadyClaimed: number }; seq: number }> {
    return this.route(tenant, 'claim', [campaign, request]) as Promise<AudienceResult & { stats: { alreadyClaimed: number }; seq: number }>;
  }

  /** Signs on this node with the tenant's cluster-wide secret (created once, by whichever node first needs it). */
  async createLink(tenant: string, request: unknown): Promise<{ url: string; token: string }> {
    checkTenant(tenant);
    await this.links.ensure(tenant);
    return this.signer.createLink(tenant, request);
  }

  async rotateLinkSecret(tenant: string): Promise<void> {
    checkTenant(tenant);
    await this.links.rotate(tenant);
  }

  changes(tenant: string, since?: string, limit?: number): Promise<ChangesPage> {
    // forwarded as JSON: an undefined argument would arrive as null, so leave it out
    const args = limit === undefined ? [since ?? ''] : [since ?? '', limit];
    return this.route(tenant, 'changes', args) as Promise<ChangesPage>;
  }

  erase(tenant: string, identifiers: Identifier[]): Promise<{ erased: number; seq: number }> {
    return this.route(tenant, 'erase', [identifiers]) as Promise<{ erased: number; seq: number }>;
  }

  deletePersona(tenant: string, id: string): Promise<{ erased: number; seq: number } | null> {
    return this.route(tenant, 'deletePersona', [id]) as Promise<{ erased: number; seq: number } | null>;
  }

  /** Ownership decides where writes go; a node's own back-pressure is the owner replica's concern. */
  admitWrite(tenant: string): void {
    checkTenant(tenant);
  }

  overloaded(): boolean {
    return false;
  }

  quality(tenant: string, options?: ReadOptions): Promise<QualitySummary> {
    return this.route(tenant, 'quality', [], options?.minSeq) as Promise<QualitySummary>;
  }

  get writerRestarts(): number {
    return 0;
  }

  /** Snapshots every owned partition that changed (also done periodically and when the node leaves). */
  async snapshot(): Promise<void> {
    for (const owned of this.owned.values()) {
      if (owned.releasing) continue;
      const { replica } = await owned.opened;
      await replica.snapshot();
    }
  }

  /** Partitions this node serves now, ascending. */
  ownedPartitions(): number[] {
    return [...this.owned.values()].filter((o) => !o.releasing && Date.now() < o.validUntil).map((o) => o.partition).sort((a, b) => a - b);
  }

  /** Hands every partition over (snapshot, lease released), leaves the cluster and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.tickTimer);
    clearInterval(this.snapshotTimer);
    await this.ticking;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await Promise.all([...this.owned.keys()].map((p) => this.release(p)));
    await Promise.all([...this.warm.keys()].map((p) => this.dropWarm(p)));
    this.membership.leave();
    this.configs.close();
    this.links.close();
    this.clusterKeys.close();
    await this.conn.close();
  }

  // ---- routing ----

  /** Runs the call on this node when it owns the tenant's partition, else on the owner. */
  private async route(tenant: string, method: ForwardedMethod, args: unknown[], minSeq?: number): Promise<unknown> {
    checkTenant(tenant);
    if (minSeq !== undefined && (!Number.isSafeInteger(minSeq) || minSeq < 0)) {
      throw new RequestError(400, 'invalid_min_seq', 'minSeq must be a sequence returned by a write');
    }
    const partition = partitionOf(tenant, this.partitions);
    const deadline = Date.now() + this.options.routeTimeoutMs;
    for (;;) {
      try {
        const owned = this.owned.get(partition);
        if (owned && !owned.releasing) return await this.runLocal(owned, { tenant, method, args, minSeq });
        const holder = this.leases.holder(partition);
        if (holder !== null && holder !== this.nodeId && this.membership.isLive(holder)) return await this.forward(holder, { tenant, method, args, minSeq });
      } catch (err) {
        if (!isRetriable(err, method) || Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) {
        throw new RequestError(503, 'partition_unavailable', `no node serves partition ${partition} yet; retry`, { retryAfterSeconds: 1 });
      }
      // The partition is changing hands (or has no owner yet): look at its lease again shortly
      // rather than at the next tick, so a hand-over costs callers milliseconds.
      await sleep(ROUTE_RETRY_MS);
      if (!this.owned.has(partition)) await this.pollLease(partition);
    }
  }

  /** Re-reads one lease; calls waiting for the same partition share one read per retry pause. */
  private pollLease(partition: number): Promise<void> {
    const recent = this.leasePolls.get(partition);
    if (recent && performance.now() - recent.at < ROUTE_RETRY_MS) return recent.done;
    const done = this.leases.poll([partition]).catch(() => undefined);
    this.leasePolls.set(partition, { at: performance.now(), done });
    return done;
  }

  private async runLocal(owned: OwnedPartition, call: CallRequest): Promise<unknown> {
    const { replica, graph } = await owned.opened;
    if (owned.releasing || Date.now() >= owned.validUntil) throw new NotOwnerError(owned.partition);
    if (call.minSeq !== undefined) await replica.waitFor(call.minSeq);
    if (call.method === 'claim') {
      const [campaign, request] = call.args;
      const claimed = await replica.claimed(call.tenant, campaign as string, () => graph.claim(call.tenant, campaign as string, request));
      return { ...claimed, seq: replica.appliedSeq };
    }
    const method = graph[call.method] as (...args: unknown[]) => Promise<unknown>;
    const result = await method.call(graph, call.tenant, ...call.args);
    // Writes whose answer is an object also say where they are in the log (read-your-writes):
    // the replica has applied through this seq, their own entry included.
    if (WRITES_WITH_SEQ.has(call.method) && result !== null && typeof result === 'object') return { ...result, seq: replica.appliedSeq };
    return result;
  }

  /**
   * Sends the call to its owner. Should the owner die meanwhile (no heartbeat within the node ttl),
   * the call stops waiting at once: a read is routed again, a write answers 503 (its outcome is
   * unknown; the client's retry with the same event ids is safe), instead of waiting out the timeout.
   */
  private async forward(node: string, call: CallRequest): Promise<unknown> {
    let watch: NodeJS.Timeout | undefined;
    const ownerLost = new Promise<never>((_, reject) => {
      watch = setInterval(() => {
        if (!this.membership.isLive(node)) reject(new RequestError(503, 'owner_lost', `node ${node} stopped answering for partition of ${call.tenant}; retry`, { retryAfterSeconds: 1 }));
      }, this.tickMs);
    });
    try {
      const reply = await Promise.race([this.conn.nc.request(callSubject(node), JSON.stringify(call), { timeout: this.options.forwardTimeoutMs }), ownerLost]);
      return decodeReply(reply.data);
    } finally {
      clearInterval(watch);
    }
  }

  /** Answers calls forwarded by other nodes; never forwards them again (no loops), says not_owner instead. */
  private serveForwarded(): void {
    this.subscriptions.push(this.conn.nc.subscribe(callSubject(this.nodeId), {
      callback: (err, msg) => {
        if (err) return;
        void (async () => {
          try {
            const call = decodeRequest(msg.data);
            checkTenant(call.tenant);
            const owned = this.owned.get(partitionOf(call.tenant, this.partitions));
            if (!owned || owned.releasing) throw new NotOwnerError(partitionOf(call.tenant, this.partitions));
            msg.respond(encodeReply({ result: await this.runLocal(owned, call) }));
          } catch (error) {
            msg.respond(encodeReply({ error }));
          }
        })();
      },
    }));
    this.subscriptions.push(this.conn.nc.subscribe(handoverSubject(this.nodeId), {
      callback: (err, msg) => {
        if (err) return;
        void this.handOver(msg.data).then(
          (ok) => msg.respond(JSON.stringify({ ok })),
          () => msg.respond(JSON.stringify({ ok: false })),
        );
      },
    }));
  }

  // ---- ownership ----

  private start(snapshotIntervalMs: number): void {
    this.serveForwarded();
    const loop = () => {
      this.ticking = this.tick().catch((err: unknown) => this.options.logger(`cluster tick failed: ${(err as Error).message}`));
      void this.ticking.then(() => {
        if (!this.closed) this.tickTimer = setTimeout(loop, this.tickMs);
      });
    };
    loop();
    if (snapshotIntervalMs > 0) {
      this.snapshotTimer = setInterval(() => {
        this.snapshot().catch((err: unknown) => this.options.logger(`snapshot failed: ${(err as Error).message}`));
      }, snapshotIntervalMs);
      this.snapshotTimer.unref();
    }
  }

  /** Heartbeat, then per partition: renew, keep serving until asked to hand over, warm up, or take its lease. */
  private async tick(): Promise<void> {
    this.membership.beat();
    const all = Array.from({ length: this.partitions }, (_, p) => p);
    await this.leases.poll(all);
    if (this.closed) return;
    const live = this.membership.live();
    const settled = Date.now() - this.startedAt >= STARTUP_TICKS * this.tickMs;
    await Promise.all(all.map(async (partition) => {
      const wanted = ownerOf(partition, live) === this.nodeId;
      const owned = this.owned.get(partition);
      if (owned?.releasing) return;
      if (!owned) {
        if (!wanted) {
          if (this.warm.has(partition)) await this.dropWarm(partition);
          return;
        }
        if (!settled) return;
        const holder = this.leases.holder(partition);
        if (holder !== null && holder !== this.nodeId && this.membership.isLive(holder)) {
          this.takeOver(partition, holder);
          return;
        }
      }
      // An owner no longer wanted keeps its lease and serves until the new owner, caught up, asks for it.
      const validUntil = await this.leases.acquire(partition);
      if (validUntil === null) {
        if (owned) this.drop(partition, 'its lease was taken');
      } else if (owned) owned.validUntil = validUntil;
      else if (!this.owned.has(partition)) {
        // a follower copy warmed up for a hand-over that timed out is still the quickest start
        const warm = this.warm.get(partition);
        this.warm.delete(partition);
        this.take(partition, validUntil, warm?.opened);
      }
    }));
  }

  /** Whether this node serves the partition now. */
  private serves(partition: number): boolean {
    const owned = this.owned.get(partition);
    return owned !== undefined && !owned.releasing && Date.now() < owned.validUntil;
  }

  private openReplica(partition: number): Promise<PartitionReplica> {
    return PartitionReplica.open(partition, {
      conn: this.conn, snapshots: this.snapshots, shared: this.shared, partitions: this.partitions,
      owns: () => this.serves(partition),
    });
  }

  /** Starts owning: with the follower replica already warm (a hand-over), or recovering one now. */
  private take(partition: number, validUntil: number, warm?: Promise<PartitionReplica>): void {
    const owned: OwnedPartition = {
      partition,
      validUntil,
      releasing: false,
      opened: (warm ?? this.openReplica(partition))
        .then(async (replica) => {
          await replica.promote();
          return { replica, graph: graphOverReplica(replica.store, replica) };
        }),
    };
    owned.opened.catch((err: unknown) => {
      this.options.logger(`partition ${partition}: recovery failed: ${(err as Error).message}`);
      if (this.owned.get(partition) === owned) this.owned.delete(partition);
      void this.leases.release(partition).catch(() => undefined);
    });
    this.owned.set(partition, owned);
  }

  /**
   * The partition should be ours but `holder` (live) serves it: recover it as a follower, then
   * ask the holder to hand it over, and take the lease it releases.
   */
  private takeOver(partition: number, holder: string): void {
    let warm = this.warm.get(partition);
    if (!warm) {
      const opened = this.openReplica(partition);
      warm = { opened, asking: false };
      this.warm.set(partition, warm);
      opened.catch((err: unknown) => {
        this.options.logger(`partition ${partition}: warm-up failed: ${(err as Error).message}`);
        if (this.warm.get(partition)?.opened === opened) this.warm.delete(partition);
      });
    }
    if (warm.asking) return;
    const entry = warm;
    entry.asking = true;
    void (async () => {
      try {
        const replica = await entry.opened;
        await replica.follow();
        const asked = Date.now();
        const reply = await this.conn.nc.request(handoverSubject(holder), JSON.stringify({ partition, to: this.nodeId }), { timeout: this.options.forwardTimeoutMs });
        const { ok } = JSON.parse(Buffer.from(reply.data).toString('utf8')) as { ok: boolean };
        if (!ok || this.closed || this.warm.get(partition) !== entry) return;
        await this.leases.poll([partition]);
        const validUntil = await this.leases.acquire(partition);
        if (validUntil === null || this.owned.has(partition)) return;
        this.warm.delete(partition);
        this.take(partition, validUntil, entry.opened);
        await this.owned.get(partition)?.opened;
        this.options.logger(`partition ${partition}: taken over from ${holder}, serving ${Date.now() - asked} ms after asking`);
      } catch (err) {
        this.options.logger(`partition ${partition}: hand-over from ${holder} failed: ${(err as Error).message}`);
      } finally {
        entry.asking = false;
      }
    })();
  }

  /**
   * Another node, now the partition's rightful owner and caught up as a follower, asks for it:
   * stop taking calls, let the tick and the writes in flight finish, release the lease. Answers
   * whether the lease is free for it now.
   */
  private async handOver(data: Uint8Array): Promise<boolean> {
    const { partition, to } = JSON.parse(Buffer.from(data).toString('utf8')) as { partition: number; to: string };
    if (ownerOf(partition, this.membership.live()) !== to) return false;
    const owned = this.owned.get(partition);
    if (!owned) return this.leases.holder(partition) !== this.nodeId;
    if (owned.releasing) return false;
    owned.releasing = true;
    await this.ticking; // a renewal in flight must not land after the release
    try {
      const { replica, graph } = await owned.opened;
      await replica.drain();
      this.owned.delete(partition);
      await this.leases.release(partition);
      void graph.close().catch(() => undefined);
      return true;
    } catch (err) {
      this.owned.delete(partition);
      throw err;
    }
  }

  private async dropWarm(partition: number): Promise<void> {
    const warm = this.warm.get(partition);
    if (!warm) return;
    this.warm.delete(partition);
    try {
      const replica = await warm.opened;
      await replica.close();
      replica.store.close();
    } catch {
      // it never opened: nothing to close
    }
  }

  /** Graceful hand-over: stop serving, snapshot (so the next owner replays little), give the lease up. */
  private async release(partition: number): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned || owned.releasing) return;
    owned.releasing = true;
    try {
      const { replica, graph } = await owned.opened;
      if (Date.now() < owned.validUntil) await replica.snapshot();
      await graph.close();
    } catch (err) {
      this.options.logger(`partition ${partition}: hand-over snapshot failed: ${(err as Error).message}`);
    } finally {
      this.owned.delete(partition);
      await this.leases.release(partition).catch(() => undefined);
    }
  }

  /** The lease is gone: stop serving at once (no snapshot: another node may already own it). */
  private drop(partition: number, why: string): void {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.options.logger(`partition ${partition}: no longer owned (${why})`);
    owned.releasing = true;
    this.owned.delete(partition);
    owned.opened.then(({ graph }) => graph.close()).catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
