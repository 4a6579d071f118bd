// `npm run bench:cluster`: ingest and resolve throughput of cluster mode with 1, 2 and 3 nodes on
// one local nats-server (replicas 1), against the embedded mode measured in the same run, plus
// the time one node takes to recover every partition from snapshots + log, and a capacity model.
//
// All nodes run in this one process (the machine has 2 cores): the figures measure what the log,
// the leases and forwarding cost, not how a cluster of machines scales. The model below scales
// the per-node figures to production machines.
import { PersonaGraph } from '../host/service/persona-graph.js';
import { ClusterGraph } from '../host/service/cluster/cluster-graph.js';
import { partitionOf } from '../host/store/jetstream-partitions.js';
import { startSingleServer, stopAll } from '../test/cluster-store/nats-servers.js';
import { personEvents } from '../test/cluster/workload.js';
import { formatNumber, report, type Figure } from './figures.js';

const PARTITIONS = 64;
const TENANTS = Array.from({ length: 16 }, (_, i) => `bench-${i}`);
const PEOPLE_PER_BATCH = 100; // 300 events per request
const BATCHES_PER_TENANT = 8;
const LOOKUPS_PER_REQUEST = 100;
const RESOLVE_REQUESTS = 400;
const CONCURRENCY = 8;
const LEASE_MS = 3_000;
/** How long the join is watched: enough for the joining node to take its partitions over. */
const JOIN_OBSERVE_MS = 10_000;
/** Production assumptions of the capacity model. */
const PROD_GRAPH_MEMORY_BYTES = 16 * 2 ** 30;
const PROD_NODES = 3;

type Graph = Pick<PersonaGraph, 'ingest' | 'resolve'>;

async function runLanes(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  }));
}

/** Events/s and lookups/s with requests spread over `graphs` in turn. */
async function measure(graphs: Graph[]): Promise<{ eventsPerSecond: number; lookupsPerSecond: number; identifiers: number }> {
  const requests = TENANTS.flatMap((tenant) => Array.from({ length: BATCHES_PER_TENANT }, (_, b) => ({ tenant, events: personEvents(tenant, PEOPLE_PER_BATCH, b * PEOPLE_PER_BATCH) })));
  let events = 0;
  let started = performance.now();
  await runLanes(requests.length, async (i) => {
    const result = await graphs[i % graphs.length].ingest(requests[i].tenant, { events: requests[i].events });
    events += result.accepted;
  });
  const eventsPerSecond = events / ((performance.now() - started) / 1000);
  started = performance.now();
  await runLanes(RESOLVE_REQUESTS, async (i) => {
    const tenant = TENANTS[i % TENANTS.length];
    const identifiers = Array.from({ length: LOOKUPS_PER_REQUEST }, (_, k) => ({ type: 'customer' as const, value: `c-${(i * 7 + k) % (PEOPLE_PER_BATCH * BATCHES_PER_TENANT)}` }));
    const ids = await graphs[i % graphs.length].resolve(tenant, identifiers);
    if (ids.some((id) => id === null)) throw new Error(`an ingested customer of ${tenant} did not resolve`);
  });
  const lookupsPerSecond = (RESOLVE_REQUESTS * LOOKUPS_PER_REQUEST) / ((performance.now() - started) / 1000);
  return { eventsPerSecond, lookupsPerSecond, identifiers: events / 3 * 4 };
}

async function waitSettled(nodes: ClusterGraph[]): Promise<void> {
  for (;;) {
    const owned = new Set(nodes.flatMap((n) => n.ownedPartitions()));
    if (owned.size === PARTITIONS && nodes.every((n) => n.ownedPartitions().length > 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A node joins one loaded node: the longest wait of any write or read (retries included) while
 * the joining node takes its half of the partitions over (hand-over: warm up as a follower, then
 * the old owner releases). Both nodes share this process, so the joining node's recovery work
 * also delays the old node's answers: an upper bound of what separate machines would see.
 */
async function joinPause(): Promise<{ pauseMs: number; requests: number; takeovers: number }> {
  const server = await startSingleServer('bench-join');
  const nodes: ClusterGraph[] = [];
  let takeovers = 0;
  const logger = (message: string) => {
    if (message.includes('taken over')) takeovers++;
  };
  try {
    const open = (id: string) => ClusterGraph.open({ servers: server.url, nodeId: id, partitions: PARTITIONS, leaseMs: LEASE_MS, snapshotIntervalMs: 0, logger });
    nodes.push(await open('join-n1'));
    await waitSettled(nodes);
    for (const tenant of TENANTS) await nodes[0].ingest(tenant, { events: personEvents(tenant, PEOPLE_PER_BATCH) });
    let stop = false;
    let longest = 0;
    let requests = 0;
    const lane = async (lane: number) => {
      for (let n = 0; !stop; n++) {
        const tenant = TENANTS[(lane + n) % TENANTS.length];
        const started = performance.now();
        const graph = nodes[n % nodes.length];
        if (n % 2 === 0) await graph.ingest(tenant, { events: personEvents(tenant, 2, PEOPLE_PER_BATCH + lane * 100_000 + n * 2) });
        else await graph.resolve(tenant, [{ type: 'customer', value: 'c-0' }]);
        longest = Math.max(longest, performance.now() - started);
        requests++;
      }
    };
    const lanes = Array.from({ length: CONCURRENCY }, (_, i) => lane(i));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    longest = 0;
    nodes.push(await open('join-n2'));
    await new Promise((resolve) => setTimeout(resolve, JOIN_OBSERVE_MS));
    stop = true;
    await Promise.all(lanes);
    return { pauseMs: longest, requests, takeovers };
  } finally {
    await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
    await stopAll([server]);
  }
}

async function clusterRun(nodeCount: number): Promise<{ eventsPerSecond: number; lookupsPerSecond: number; recoveryMs?: number; snapshotBytes?: number; identifiers: number }> {
  const server = await startSingleServer(`bench-${nodeCount}`);
  let nodes: ClusterGraph[] = [];
  try {
    const open = (id: string) => ClusterGraph.open({ servers: server.url, nodeId: id, partitions: PARTITIONS, leaseMs: LEASE_MS, snapshotIntervalMs: 0, logger: () => undefined });
    nodes = await Promise.all(Array.from({ length: nodeCount }, (_, i) => open(`bench-n${i + 1}`)));
    await waitSettled(nodes);
    const result = await measure(nodes);
    if (nodeCount > 1) return result;
    // recovery: one fresh node takes every partition from snapshots + the log after them
    await nodes[0].snapshot();
    await Promise.all(nodes.map((n) => n.close()));
    const started = performance.now();
    nodes = [await open('bench-recover')];
    await waitSettled(nodes);
    await Promise.all(TENANTS.map((t) => nodes[0].stats(t)));
    const recoveryMs = performance.now() - started;
    const snapshotBytes = await snapshotSize(server.url);
    return { ...result, recoveryMs, snapshotBytes };
  } finally {
    await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
    await stopAll([server]);
  }
}

/** Bytes of the newest snapshot of every partition that holds a bench tenant. */
async function snapshotSize(url: string): Promise<number> {
  const { JetStreamConnection } = await import('../host/store/jetstream-connection.js');
  const { JetStreamSnapshotStore } = await import('../host/store/jetstream-snapshots.js');
  const conn = await JetStreamConnection.connect({ servers: url });
  try {
    const store = await JetStreamSnapshotStore.open(conn);
    const partitions = [...new Set(TENANTS.map((t) => partitionOf(t, PARTITIONS)))];
    const sizes = await Promise.all(partitions.map(async (p) => (await store.list(p))[0]?.size ?? 0));
    return sizes.reduce((a, b) => a + b, 0);
  } finally {
    await conn.close();
  }
}

async function main(): Promise<void> {
  const embedded = await PersonaGraph.open({ shards: 2 });
  const reference = await measure([embedded]);
  await embedded.close();
  const runs = [];
  for (const n of [1, 2, 3]) runs.push({ n, ...(await clusterRun(n)) });
  const join = await joinPause();
  const one = runs[0];
  const figures: Figure[] = runs.flatMap((r): Figure[] => [
    { name: `cluster ingest, ${r.n} node(s)`, value: r.eventsPerSecond, unit: 'events/s', reference: { name: 'embedded (memory)', value: reference.eventsPerSecond }, ratio: r.eventsPerSecond / reference.eventsPerSecond },
    { name: `cluster resolve, ${r.n} node(s)`, value: r.lookupsPerSecond, unit: 'lookups/s', reference: { name: 'embedded (memory)', value: reference.lookupsPerSecond }, ratio: r.lookupsPerSecond / reference.lookupsPerSecond },
  ]);
  figures.push({ name: `recovery of ${PARTITIONS} partitions on one node`, value: one.recoveryMs!, unit: 'ms', note: `${formatNumber(one.identifiers)} identifiers` });
  figures.push({
    name: 'longest answer wait while a node joins', value: join.pauseMs, unit: 'ms',
    reference: { name: 'lease period', value: LEASE_MS }, ratio: join.pauseMs / LEASE_MS,
    target: '< 1 × lease period', met: join.pauseMs < LEASE_MS,
    note: `${join.takeovers} partitions handed over, ${formatNumber(join.requests)} requests`,
  });
  const bytesPerIdentifier = one.snapshotBytes! / one.identifiers;
  const idsPerNode = PROD_GRAPH_MEMORY_BYTES / bytesPerIdentifier;
  const failoverMs = LEASE_MS + one.recoveryMs! / PROD_NODES;
  const details = [
    '#### Capacity model (production: 3 nodes, 3 JetStream replicas, 64 partitions)',
    '',
    '| quantity | value | from |',
    '|---|---:|---|',
    `| ingest per node | ${formatNumber(one.eventsPerSecond)} events/s | 1-node figure above (one core applies, one serves the log) |`,
    `| graph memory per identifier | ${formatNumber(bytesPerIdentifier)} B | snapshot bytes / identifiers in this run |`,
    `| identifiers per node | ${formatNumber(idsPerNode)} | ${PROD_GRAPH_MEMORY_BYTES / 2 ** 30} GiB of graph memory per node |`,
    `| partitions per node | ${Math.ceil(PARTITIONS / PROD_NODES)} (${Math.ceil(PARTITIONS / (PROD_NODES - 1))} after a node fails) | 64 / nodes |`,
    `| failover time | ≈ ${formatNumber(failoverMs)} ms | lease ${LEASE_MS} ms + recovery of a third of the partitions (measured ${formatNumber(one.recoveryMs!)} ms for all) |`,
    `| pause when a node joins | ${formatNumber(join.pauseMs)} ms | hand-over measured above; bound: one lease (${LEASE_MS} ms) |`,
    '',
    'Ingest scales with nodes only while the partitions\' applies are the bottleneck; every node here shares one',
    'process and one nats-server, so the 2- and 3-node figures show the cost of forwarding, not added capacity.',
  ].join('\n');
  report({ bench: 'cluster', command: 'npm run bench:cluster', figures, details });
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
