// The main thread's side of the shards: one single-thread Piscina pool per shard (its writer), and
// a reader over each shard's shared memory for lock-free reads on this thread.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Shard } from '../engine/shard.js';
import { RequestError } from '../types.js';
import { shardOf } from '../store/tenant-hash.js';
import type { WorkerOptions, WorkerTask, WriterTask } from './writer-worker.js';
import { encodeBatch, type GroupOutcome, type IngestBatch } from './writer.js';
import type { Durability } from '../store/index.js';
import { traceStartup } from '../util/startup-trace.js';
import { TIMED_STEPS, WriterTimings, type StepTally, type TimedStep } from './writer-timings.js';

/** What operators watch of one shard (exported as metrics). */
export interface ShardOperations {
  shard: number;
  /** Size of the shard's WebAssembly memory. */
  memoryBytes: number;
  steps: Record<TimedStep, StepTally>;
}

export interface ShardSetOptions {
  dataDir: string | null;
  shards: number;
  durability: Durability;
  /** Write tasks waiting per shard before new writes are refused with 503 (back-pressure). */
  maxQueue: number;
  /** Tests only: faults the writer injects (see writer-worker.ts). */
  faults?: WorkerOptions['faults'];
}

/**
 * Ingest batches waiting behind a running write are sent to the writer together, up to this many
 * events: one transaction and one sync of the log for all of them (group commit).
 */
const GROUP_MAX_EVENTS = 50_000;

interface PendingWrite {
  task: WorkerTask;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Running from TypeScript sources (tests, tsx): the worker needs tsx's loader to import .ts files.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(`./writer-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url));
const workerExecArgv = fromSource ? ['--import', 'tsx'] : [];

export class ShardSet {
  private readonly tails: Promise<unknown>[];
  private readonly queued: number[];
  private readonly recovering: Promise<void>[];
  /** Moves of the shard's reader to a restarted writer's memory under way (reads wait for them). */
  private readonly reattaching: number[];
  /** Writes not yet handed to the shard's writer, in order; at most one task runs per writer. */
  private readonly waiting: PendingWrite[][];
  private readonly running: boolean[];
  private closed = false;
  /** Writer threads that died and were replaced. */
  restarts = 0;

  private constructor(
    private readonly pools: Piscina[],
    readonly readers: Shard[],
    /** Each shard writer's step timings, read here while the writer tallies them. */
    readonly timings: WriterTimings[],
    private readonly options: ShardSetOptions,
  ) {
    this.tails = pools.map(() => Promise.resolve());
    this.queued = pools.map(() => 0);
    this.recovering = pools.map(() => Promise.resolve());
    this.reattaching = pools.map(() => 0);
    this.waiting = pools.map(() => []);
    this.running = pools.map(() => false);
  }

  /** Starts every shard's writer, which recovers its shard, and attaches readers to their memories. */
  static async open(options: ShardSetOptions): Promise<ShardSet> {
    // one block per shard, kept by a replacement writer too: its tallies continue the dead one's
    const timings = Array.from({ length: options.shards }, () => new WriterTimings());
    const pools = Array.from({ length: options.shards }, (_, shard) => new Piscina({
      filename: workerFile,
      execArgv: workerExecArgv,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: { dataDir: options.dataDir, shard, shards: options.shards, durability: options.durability, timings: timings[shard].buffer, faults: options.faults } satisfies WorkerOptions,
    }));
    try {
      const opened = await Promise.all(pools.map((pool) => pool.run({ op: 'open' } satisfies WorkerTask) as Promise<{ memory: WebAssembly.Memory }>));
      traceStartup('every shard recovered');
      return new ShardSet(pools, opened.map(({ memory }) => Shard.attach(memory)), timings, options);
    } catch (error) {
      await Promise.all(pools.map((pool) => pool.destroy()));
      throw error;
    }
  }

  get count(): number {
    return this.pools.length;
  }

  shardOf(tenant: string): number {
    return shardOf(tenant, this.pools.length);
  }

  /** Each shard's memory size and its writer's step timings, read without a round trip to the writer. */
  operations(): ShardOperations[] {
    return this.readers.map((reader, shard) => ({
      shard,
      memoryBytes: reader.memory.buffer.byteLength,
      steps: Object.fromEntries(TIMED_STEPS.map((step) => [step, this.timings[shard].tally(step)])) as Record<TimedStep, StepTally>,
    }));
  }

  queueDepth(shard: number): number {
    return this.queued[shard];
  }

  /** Runs a write task on the tenant's shard writer, after every write queued before it. */
  write<T>(tenant: string, task: WriterTask): Promise<T> {
    return this.writeShard(this.shardOf(tenant), task);
  }

  /** Throws 503 when the shard's write queue is full. */
  admit(shard: number): void {
    this.checkOpen();
    if (this.queued[shard] >= this.options.maxQueue) {
      throw new RequestError(503, 'overloaded', 'too many writes are waiting; retry shortly', { retryAfterSeconds: 1 });
    }
  }

  overloaded(): boolean {
    return this.queued.some((depth) => depth >= this.options.maxQueue);
  }

  writeShard<T>(shard: number, task: WriterTask): Promise<T> {
    let message: WorkerTask;
    try {
      this.admit(shard);
      // encoded now, not when dispatched: a waiting batch holds one buffer instead of its event objects
      message = task.op === 'ingest' ? { op: 'ingest', batch: encodeBatch(task.tenant, task.events) } : task;
    } catch (error) {
      return Promise.reject(error);
    }
    this.queued[shard]++;
    const result = new Promise<T>((resolve, reject) => {
      this.waiting[shard].push({ task: message, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch(shard);
    }).finally(() => { this.queued[shard]--; });
    this.tails[shard] = result.catch(() => undefined);
    return result;
  }

  /** Hands the next waiting write(s) to an idle writer: consecutive ingests go as one group. */
  private dispatch(shard: number): void {
    const waiting = this.waiting[shard];
    if (this.running[shard] || waiting.length === 0) return;
    let take = 1;
    if (waiting[0].task.op === 'ingest') {
      let events = waiting[0].task.batch.count;
      while (take < waiting.length) {
        const next = waiting[take].task;
        if (next.op !== 'ingest' || events + next.batch.count > GROUP_MAX_EVENTS) break;
        events += next.batch.count;
        take++;
      }
    }
    const writes = waiting.splice(0, take);
    this.running[shard] = true;
    const done = take === 1 ? this.runSingle(shard, writes[0]) : this.runGroup(shard, writes);
    void done.finally(() => {
      this.running[shard] = false;
      this.dispatch(shard);
    });
  }

  private async runSingle(shard: number, write: PendingWrite): Promise<void> {
    try {
      write.resolve(await this.runOnWriter(shard, write.task));
    } catch (error) {
      write.reject(error);
    }
  }

  private async runGroup(shard: number, writes: PendingWrite[]): Promise<void> {
    const batches = writes.map(({ task }) => (task as Extract<WorkerTask, { op: 'ingest' }>).batch);
    let outcomes: GroupOutcome[];
    try {
      outcomes = await this.runOnWriter<GroupOutcome[]>(shard, { op: 'ingestGroup', batches });
    } catch (error) {
      for (const write of writes) write.reject(error);
      return;
    }
    writes.forEach((write, i) => {
      const { outcome, error } = outcomes[i];
      if (error) write.reject(Object.assign(new Error(error.message), { name: error.name }));
      else write.resolve(outcome);
    });
  }

  /**
   * Runs a task on the shard's writer. If the writer thread died (its memory may hold half a batch),
   * Piscina starts a new one, which recovers the shard from snapshot and log into fresh memory; the
   * reader is moved to that memory before anything else runs, so no read sees the torn state.
   */
  private async runOnWriter<T>(shard: number, task: WorkerTask): Promise<T> {
    await this.recovering[shard];
    try {
      return (await this.pools[shard].run(task, { transferList: transfersOf(task) })) as T;
    } catch (error) {
      if (!isWorkerDeath(error)) throw error;
      await this.recover(shard);
      throw new RequestError(503, 'writer_restarted', 'the shard writer restarted; retry the request (acknowledged data is safe)', { retryAfterSeconds: 1 });
    }
  }

  private async reattach(shard: number): Promise<void> {
    const { memory } = (await this.pools[shard].run({ op: 'open' } satisfies WorkerTask)) as { memory: WebAssembly.Memory };
    this.readers[shard] = Shard.attach(memory);
    this.restarts++;
  }

  /** Moves the shard's reader to a restarted writer's memory; reads wait until that is done. */
  private async recover(shard: number): Promise<void> {
    this.reattaching[shard]++;
    // a failed move stays counted: reads keep waiting on (and failing with) it, never reading the old memory
    this.recovering[shard] = this.reattach(shard).then(() => { this.reattaching[shard]--; });
    await this.recovering[shard];
  }

  /**
   * Runs `read` against the tenant's shard on this thread. The shard's seqlock tells whether the
   * read overlapped a write; if so it waits for the writes in flight and reads again, so a read
   * never sees half of a batch. With no reader move under way the first attempt runs at once: a
   * GET /resolve then costs no await of an already settled recovery.
   */
  read<T>(tenant: string, read: (shard: Shard, tenantIndex: number) => T): Promise<T> {
    let index: number;
    try {
      this.checkOpen();
      index = this.shardOf(tenant);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.reattaching[index] === 0) {
      const attempt = consistentRead(this.readers[index], tenant, read);
      if (attempt !== TORN) return 'error' in attempt ? Promise.reject(attempt.error) : Promise.resolve(attempt.value);
    }
    return this.readAfterWrites(index, tenant, read);
  }

  private async readAfterWrites<T>(index: number, tenant: string, read: (shard: Shard, tenantIndex: number) => T): Promise<T> {
    for (;;) {
      await this.recovering[index];
      const attempt = consistentRead(this.readers[index], tenant, read);
      if (attempt !== TORN) {
        if ('error' in attempt) throw attempt.error;
        return attempt.value;
      }
      await this.tails[index];
    }
  }

  /** Tests only: kills the shard's writer thread now (as a crash would). */
  async killWriter(shard: number): Promise<void> {
    await this.pools[shard].run({ op: 'crash' } satisfies WorkerTask).catch(() => undefined);
    await this.recover(shard);
  }

  /** After close the writers and the store are gone: a call fails clearly instead of answering from what is left. */
  private checkOpen(): void {
    if (this.closed) throw graphClosed();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.tails);
    await Promise.all(this.pools.map(async (pool) => {
      await pool.run({ op: 'close' } satisfies WorkerTask);
      await pool.destroy();
    }));
  }
}

/** What a call on a closed graph fails with. */
export function graphClosed(): RequestError {
  return new RequestError(503, 'closed', 'the graph is closed');
}

/** The buffers of a task's encoded batches: moved to the writer thread, not copied. */
function transfersOf(task: WorkerTask): ArrayBuffer[] | undefined {
  if (task.op === 'ingest') return [bufferOf(task.batch)];
  if (task.op === 'ingestGroup') return task.batches.map(bufferOf);
  return undefined;
}

function bufferOf(batch: IngestBatch): ArrayBuffer {
  return batch.json.buffer as ArrayBuffer;
}

/** Piscina rejects a task whose worker thread exited with this kind of error. */
function isWorkerDeath(error: unknown): boolean {
  return error instanceof Error && /worker (exited|terminated)|terminated/i.test(error.message);
}

/** A read that overlapped a write (or began during one): to be done again once writes settle. */
const TORN = Symbol('torn');

/** `read` on the shard if no write overlapped it: its value, what it threw, or TORN. */
function consistentRead<T>(shard: Shard, tenant: string, read: (shard: Shard, tenantIndex: number) => T): { value: T } | { error: unknown } | typeof TORN {
  const before = shard.readVersion();
  if ((before & 1) === 1) return TORN;
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: read(shard, shard.tenant(tenant)) };
  } catch (error) {
    outcome = { error };
  }
  return shard.readVersion() === before ? outcome : TORN;
}
