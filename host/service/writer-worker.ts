// Piscina worker owning one shard's writes. Each task runs to completion before the next (one
// thread, one task at a time), so the shard sees its log entries in order.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { workerData } from 'piscina';
import { openStore, type Durability, type Store } from '../store/index.js';
import { shardOf } from '../store/tenant-hash.js';
import { ShardWriter, type IdentifierPair, type IngestBatch, type SplitSpec } from './writer.js';
import { WriterTimings } from './writer-timings.js';
import type { TenantConfig } from './config.js';
import type { LoggedEvent } from './events.js';
import { traceStartup } from '../util/startup-trace.js';

export interface WorkerOptions {
  dataDir: string | null;
  shard: number;
  shards: number;
  durability: Durability;
  /** Shared with the main thread: where this writer tallies its step timings (WriterTimings). */
  timings: SharedArrayBuffer;
  /** Tests only: make the writer thread die half-way through applying events of this tenant. */
  faults?: { dieWhileApplyingTenant?: string };
}

export type WriterTask =
  | { op: 'open' }
  | { op: 'ingest'; tenant: string; events: LoggedEvent[] }
  | { op: 'configure'; tenant: string; config: TenantConfig }
  | { op: 'split'; tenant: string; spec: SplitSpec }
  | { op: 'erase'; tenant: string; identifiers: IdentifierPair[] }
  | { op: 'snapshot' }
  | { op: 'oldestSnapshot' }
  | { op: 'prune'; through: number }
  | { op: 'changes'; tenant: string; since: number; limit: number }
  | { op: 'events'; tenant: string; refs: [number, number][] }
  | { op: 'crash' }
  | { op: 'close' };

/** What the writer thread receives: a write task, its ingests' events encoded (IngestBatch), several as one group. */
export type WorkerTask =
  | Exclude<WriterTask, { op: 'ingest' }>
  | { op: 'ingest'; batch: IngestBatch }
  | { op: 'ingestGroup'; batches: IngestBatch[] };

const options = workerData as WorkerOptions;
traceStartup(`shard ${options.shard}: writer modules loaded`);

// Diagnostics: Piscina workers write no --cpu-prof profiles, so PG_WRITER_CPU_PROFILE=DIR profiles
// each writer thread from its start to its store's close, into DIR/writer-<shard>-<time>.cpuprofile.
const profileDir = process.env.PG_WRITER_CPU_PROFILE;
const profiler = profileDir ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  profiler.post('Profiler.enable');
  profiler.post('Profiler.start');
}

/** CPU seconds this thread has used (Linux), from /proc/thread-self/stat: user + system ticks. */
function threadCpuSeconds(): number {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  const CLOCK_TICKS_PER_SECOND = 100;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function writeProfile(): void {
  if (!profiler || !profileDir) return;
  console.error(`writer ${options.shard} (${options.dataDir ? 'durable' : 'memory'}): ${threadCpuSeconds().toFixed(2)} s CPU in this thread`);
  profiler.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(join(profileDir, `writer-${options.shard}-${Date.now()}.cpuprofile`), JSON.stringify(result.profile));
  });
}
let store: Store | undefined;
let writer: ShardWriter | undefined;

function open(): ShardWriter {
  if (!writer) {
    store = openStore(options.dataDir, { durability: options.durability });
    traceStartup(`shard ${options.shard}: store opened`);
    writer = ShardWriter.recover(store, options.shard, (tenant) => shardOf(tenant, options.shards), new WriterTimings(options.timings));
  }
  return writer;
}

export default function run(task: WorkerTask): unknown {
  const w = open();
  switch (task.op) {
    case 'open':
      return { memory: w.shard.memory, appliedSeq: w.shard.appliedSeq() };
    case 'ingest':
      if (options.faults?.dieWhileApplyingTenant === task.batch.tenant) w.onApplied = () => process.exit(1);
      return w.ingestEncoded(task.batch);
    case 'ingestGroup':
      if (options.faults?.dieWhileApplyingTenant) {
        w.faultTenant = options.faults.dieWhileApplyingTenant;
        w.onApplied = () => process.exit(1);
      }
      return w.ingestGroup(task.batches);
    case 'configure':
      return w.configure(task.tenant, task.config);
    case 'split':
      return w.split(task.tenant, task.spec);
    case 'erase':
      return w.erase(task.tenant, task.identifiers);
    case 'snapshot':
      return w.snapshot();
    case 'oldestSnapshot':
      return w.oldestSnapshotSeq();
    case 'prune':
      return store!.log.pruneThrough(task.through);
    case 'changes':
      return store!.changes.since(task.tenant, task.since, task.limit);
    case 'events':
      return w.eventIds(task.tenant, task.refs);
    case 'crash':
      process.exit(1);
    // falls through: exit never returns
    case 'close':
      store!.close();
      writeProfile();
      store = undefined;
      writer = undefined;
      return null;
  }
}
