// The owner runs the unchanged PersonaGraph facade over one partition replica: normalization,
// read views, audiences and splits are the embedded mode's own code, so both modes answer alike.
import { openStore, type Store } from '../../store/index.js';
import { PersonaGraph } from '../persona-graph.js';
import type { PartitionReplica } from './partition-replica.js';
import type { TenantConfigs } from './tenant-configs.js';

/** Side tables for one replica's writer: in memory, with tenant settings from the cluster bucket. */
export function replicaStore(configs: TenantConfigs): Store {
  const store = openStore(null);
  return { ...store, tenants: configs };
}

/**
 * A facade over `replica`. PersonaGraph's constructor is private (its only public way in opens
 * worker threads over a local database), so it is reached through Reflect.construct with the
 * constructor's parameters: (store, shards, dataDir, unlock, snapshotOnClose). A public factory
 * taking a ShardSet-like object in persona-graph.ts would make this a plain call.
 */
export function graphOverReplica(store: Store, replica: PartitionReplica): PersonaGraph {
  const dataDir = null; // memory only: the replica persists through JetStream, not files
  const unlock = () => undefined;
  const snapshotOnClose = false;
  return Reflect.construct(PersonaGraph, [store, replica, dataDir, unlock, snapshotOnClose]) as PersonaGraph;
}
