// The owner runs the unchanged PersonaGraph facade over one partition replica: normalization,
// read views, audiences, claims and splits are the embedded mode's own code, so both modes answer
// alike. Its store is the replica's: tenant settings and link secrets shared by the cluster (KV
// buckets), claims, changes and erasures kept by the replica (log + snapshots).
import { openStore, type Store } from '../../store/index.js';
import { RequestError } from '../../types.js';
import { PersonaGraph } from '../persona-graph.js';
import type { ClusterLinkSecrets } from './cluster-links.js';
import type { PartitionReplica } from './partition-replica.js';
import { ReplicaState } from './replica-state.js';
import type { TenantConfigs } from './tenant-configs.js';

export interface SharedTables {
  configs: TenantConfigs;
  links: ClusterLinkSecrets;
}

/** Side tables for one replica's writer. */
export function replicaStore(shared: SharedTables, state: ReplicaState): Store {
  const store = openStore(null);
  return { ...store, tenants: shared.configs, links: shared.links, claims: state.claims, changes: state.changes, erasure: state.erasure };
}

/**
 * A facade over `replica`. PersonaGraph's constructor is private (its only public way in opens
 * worker threads over a local database), so it is reached through Reflect.construct with the
 * constructor's parameters: (store, shards, dataDir, unlock, snapshotOnClose). A public factory
 * taking a ShardSet-like object in persona-graph.ts would make this a plain call.
 */
export function graphOverReplica(store: Store, replica: Pick<PartitionReplica, 'read' | 'write' | 'close'>): PersonaGraph {
  const dataDir = null; // memory only: the replica persists through JetStream, not files
  const unlock = () => undefined;
  const snapshotOnClose = false;
  return Reflect.construct(PersonaGraph, [store, replica, dataDir, unlock, snapshotOnClose]) as PersonaGraph;
}

/** A facade with no partition, for the calls any node answers itself (signing links). */
export function statelessGraph(shared: SharedTables): PersonaGraph {
  const noData = () => Promise.reject(new RequestError(500, 'internal', 'this call needs the partition owner'));
  return graphOverReplica(replicaStore(shared, new ReplicaState()), { read: noData, write: noData, close: async () => undefined });
}
