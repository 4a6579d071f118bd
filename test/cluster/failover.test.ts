// Three nodes (child processes) over a 3-server JetStream cluster with 3 replicas, under a write
// load: SIGKILL the owner of a loaded partition, add a node, kill one nats-server. Afterwards every
// batch ever sent is in the graph exactly once: the cluster's counts equal an embedded graph fed
// each batch once, and sending everything again finds only duplicates.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/service/persona-graph.js';
import type { ClusterGraph } from '../../host/service/cluster/cluster-graph.js';
import { ownerOf } from '../../host/service/cluster/rendezvous.js';
import { partitionOf } from '../../host/store/jetstream-partitions.js';
import { startCluster, stopAll, stopServer, type NatsServer } from '../cluster-store/nats-servers.js';
import { openNode, sleep, TEST_LEASE_MS, TEST_PARTITIONS } from './helpers.js';
import { WriteLoad, type AckedBatch } from './load.js';
import { startNode, stopNode, type NodeProcess } from './node-processes.js';

const REPLICAS = 3;
const NODE_IDS = ['n1', 'n2', 'n3'];
const TENANTS = ['fo-a', 'fo-b', 'fo-c', 'fo-d', 'fo-e', 'fo-f'];
const PEOPLE_PER_BATCH = 4;
const LANES = 3;
/** Load before and after each disruption. */
const PHASE_MS = 3_000;
/** The killed owner's partitions must answer again within this. */
const FAILOVER_BOUND_MS = 10_000;
/** The slowest write while a joining node takes its partitions over: at most a lease period (the bound). */
const REBALANCE_BOUND_MS = TEST_LEASE_MS;
/** Load after a nats-server dies: its stream leaderships move (a few seconds on 2.9) and writes go on. */
const SERVER_KILL_PHASE_MS = 15_000;
const REQUEST_TIMEOUT_MS = 2_000;
/** Load after the SIGKILL, before the join: the killed owner's partitions must have moved by then. */
const FAILOVER_PHASE_MS = 6_000;

let servers: NatsServer[] = [];
let nodes: NodeProcess[] = [];
let joined: ClusterGraph | undefined;

beforeAll(async () => {
  servers = await startCluster(3, 'pgfail');
  nodes = await Promise.all(NODE_IDS.map((id) => startNode(id, servers, { replicas: REPLICAS, partitions: TEST_PARTITIONS, leaseMs: TEST_LEASE_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS })));
}, 60_000);

afterAll(async () => {
  await joined?.close().catch(() => undefined);
  await Promise.all(nodes.map((n) => stopNode(n)));
  await stopAll(servers);
});

const alive = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null).map((n) => n.url);

it('survives an owner SIGKILL, a node joining and a nats-server dying, losing and doubling nothing', async () => {
  const load = new WriteLoad(alive, TENANTS, PEOPLE_PER_BATCH);
  load.start(LANES);
  await sleep(PHASE_MS);

  // 1. SIGKILL the node that owns the first tenant's partition
  const victimId = ownerOf(partitionOf(TENANTS[0], TEST_PARTITIONS), NODE_IDS)!;
  const victimPartitions = new Set(Array.from({ length: TEST_PARTITIONS }, (_, p) => p).filter((p) => ownerOf(p, NODE_IDS) === victimId));
  const killedAt = Date.now();
  await stopNode(nodes.find((n) => n.id === victimId)!);
  await sleep(FAILOVER_PHASE_MS);

  // 2. a node joins: partitions rebalance while the load goes on (hand-over, see rebalance.test.ts)
  const joinedAt = Date.now();
  const joining = await startNode('n4', servers, { replicas: REPLICAS, partitions: TEST_PARTITIONS, leaseMs: TEST_LEASE_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  nodes.push(joining);
  await sleep(2 * PHASE_MS);
  expect(joining.log()).toMatch(/taken over from/);

  // 3. one nats-server of three dies
  const serverKilledAt = Date.now();
  await stopServer(servers[0]);
  await sleep(SERVER_KILL_PHASE_MS);
  const acksAfterServerKill = load.acked.filter((b) => b.ackedAt > serverKilledAt);
  const serverKillStallMs = Math.max(...acksAfterServerKill.map((b) => b.ms));
  await load.stop();

  // the longest any write to the killed owner's partitions waited after the kill is the failover time
  const victimBatches = load.acked.filter((b) => victimPartitions.has(partitionOf(b.tenant, TEST_PARTITIONS)));
  const failoverMs = longestWait(victimBatches, killedAt, serverKilledAt);
  const duringJoin = load.acked.filter((b) => b.ackedAt > joinedAt && b.ackedAt - b.ms < serverKilledAt);
  const slowestDuringJoin = longestWait(load.acked, joinedAt, serverKilledAt);
  console.log(JSON.stringify({ failoverMs, slowestDuringJoinMs: slowestDuringJoin, serverKillStallMs, acked: load.acked.length, failedAttempts: load.failures }));
  expect(failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
  expect(duringJoin.length).toBeGreaterThan(0);
  expect(slowestDuringJoin).toBeLessThan(REBALANCE_BOUND_MS);
  expect(acksAfterServerKill.length).toBeGreaterThan(0);
  expect(serverKillStallMs).toBeLessThan(SERVER_KILL_PHASE_MS);
  expect(load.acked.length).toBe(load.sent.length);

  // an in-process node to check the outcome through the facade (joins after the load: a hand-over too)
  joined = await openNode(servers, 'check', { replicas: REPLICAS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  // every batch once: the cluster's counts equal an embedded graph's fed each batch once
  const embedded = await PersonaGraph.open({ shards: 1 });
  try {
    for (const batch of load.sent) await embedded.ingest(batch.tenant, { events: batch.events });
    for (const tenant of TENANTS) expect(await joined.stats(tenant)).toEqual(await embedded.stats(tenant));
  } finally {
    await embedded.close();
  }
  // ...and every acknowledged event is in the log: sending it again is a duplicate
  for (const batch of load.acked) {
    const again = await joined.ingest(batch.tenant, { events: batch.events });
    expect(again).toMatchObject({ accepted: 0, duplicates: batch.events.length });
  }
}, 120_000);

/**
 * The longest time any batch spent waiting inside [from, to): a batch sent before `from` counts
 * from `from`, one answered after `to` counts until `to`, so each phase is charged only its own waits.
 */
function longestWait(batches: readonly AckedBatch[], from: number, to: number): number {
  let longest = 0;
  for (const b of batches) {
    const start = Math.max(b.ackedAt - b.ms, from);
    const end = Math.min(b.ackedAt, to);
    if (end > start) longest = Math.max(longest, end - start);
  }
  return longest;
}
