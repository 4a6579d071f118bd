// Plumbing shared by the cluster tests: opening in-process nodes and waiting for ownership.
import { ClusterGraph, type ClusterGraphOptions } from '../../host/service/cluster/cluster-graph.js';
import type { NatsServer } from '../cluster-store/nats-servers.js';

/** Short leases keep failover and rebalance within the tests' time bounds. */
export const TEST_LEASE_MS = 1_500;
export const TEST_PARTITIONS = 8;

export function openNode(servers: readonly NatsServer[], nodeId: string, extra: Partial<ClusterGraphOptions> = {}): Promise<ClusterGraph> {
  return ClusterGraph.open({
    servers: servers.map((s) => s.url),
    nodeId,
    partitions: TEST_PARTITIONS,
    leaseMs: TEST_LEASE_MS,
    snapshotIntervalMs: 0,
    logger: () => undefined,
    ...extra,
  });
}

/** Waits until the nodes own every partition between them, each exactly once; returns the owner per partition. */
export async function settled(nodes: readonly ClusterGraph[], partitions = TEST_PARTITIONS, timeoutMs = 15_000): Promise<Map<number, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = new Map<number, string>();
    let overlap = false;
    for (const node of nodes) {
      for (const p of node.ownedPartitions()) {
        if (owners.has(p)) overlap = true;
        owners.set(p, node.nodeId);
      }
    }
    if (!overlap && owners.size === partitions && nodes.every((n) => n.ownedPartitions().length > 0)) return owners;
    if (Date.now() > deadline) throw new Error(`partitions not settled after ${timeoutMs} ms: ${JSON.stringify([...owners])}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
