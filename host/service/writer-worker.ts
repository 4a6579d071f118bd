// Piscina worker owning one shard's writes. Each task runs to completion before the next (one
// thread, one task at a time), so the shard sees its log entries in order.
import { workerData } from 'piscina';
import { openStore, type Durability, type Store } from '../store/index.js';
import { shardOf } from '../store/tenant-hash.js';
import { ShardWriter, type IdentifierPair, type IngestBatch, type SplitSpec } from './writer.js';
import type { TenantConfig } from './config.js';
import type { LoggedEvent } from './events.js';

export interface WorkerOptions {
  dataDir: string | null;
  shard: number;
  shards: number;
  durability: Durability;
  /** Tests only: make the writer thread die half-way through applying events of this tenant. */
  faults?: { dieWhileApplyingTenant?: string };
}

export type WriterTask =
  | { op: 'open' }
  | { op: 'ingest'; tenant: string; events: LoggedEvent[] }
  | { op: 'ingestGroup'; batches: IngestBatch[] }
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

const options = workerData as WorkerOptions;
let store: Store | undefined;
let writer: ShardWriter | undefined;

function open(): ShardWriter {
  if (!writer) {
    store = openStore(options.dataDir, { durability: options.durability });
    writer = ShardWriter.recover(store, options.shard, (tenant) => shardOf(tenant, options.shards));
  }
  return writer;
}

export default function run(task: WriterTask): unknown {
  const w = open();
  switch (task.op) {
    case 'open':
      return { memory: w.shard.memory, appliedSeq: w.shard.appliedSeq() };
    case 'ingest':
      if (options.faults?.dieWhileApplyingTenant === task.tenant) w.onApplied = () => process.exit(1);
      return w.ingest(task.tenant, task.events);
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
      store = undefined;
      writer = undefined;
      return null;
  }
}
