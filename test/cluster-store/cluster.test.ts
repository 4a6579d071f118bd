// The partition log on a 3-server JetStream cluster with 3 replicas: the stream leader is killed
// (SIGKILL) while a writer appends in a loop, retrying each failed batch as a client would. Every
// acknowledged entry must then be in the log exactly once, in order, and nothing else twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { JetStreamPartitionLog } from '../../host/store/jetstream-log.js';
import { JetStreamSnapshotStore } from '../../host/store/jetstream-snapshots.js';
import { partitionStreamName } from '../../host/store/jetstream-partitions.js';
import type { LogItem } from '../../host/store/types.js';
import { startCluster, stopAll, stopServer, type NatsServer } from './nats-servers.js';
import { connectTo, tenantIn } from './helpers.js';

const REPLICAS = 3;
const PARTITION = 9;
const BATCHES = 80;
const ITEMS_PER_BATCH = 50;
/** The leader dies after this many acknowledged batches. */
const KILL_AFTER = 20;
const REQUEST_TIMEOUT_MS = 2_000;
const RETRY_PAUSE_MS = 200;
/** The whole loop must finish within this, failover included. */
const LOOP_DEADLINE_MS = 60_000;

let servers: NatsServer[] = [];
const connections: JetStreamConnection[] = [];

beforeAll(async () => {
  servers = await startCluster(3);
}, 30_000);

afterAll(async () => {
  for (const c of connections) await c.close();
  await stopAll(servers);
});

async function connect(): Promise<JetStreamConnection> {
  const c = await connectTo(servers, REPLICAS, REQUEST_TIMEOUT_MS);
  connections.push(c);
  return c;
}

function batch(n: number): LogItem[] {
  return Array.from({ length: ITEMS_PER_BATCH }, (_, i) => ({ id: `b${n}-i${i}`, body: { batch: n, item: i } }));
}

/** Runs `op` until it succeeds, pausing between failures; fails the test at the deadline. */
async function retryUntil(deadline: number, op: () => Promise<unknown>): Promise<void> {
  for (;;) {
    try {
      await op();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }
}

it('keeps every acknowledged entry exactly once and in order, and snapshots readable, when the stream leader is killed mid-append', async () => {
  const tenant = tenantIn(PARTITION, 'cluster');
  const conn = await connect();
  const log = await JetStreamPartitionLog.open(conn, { partition: PARTITION });
  const stream = partitionStreamName(PARTITION);
  const info = await conn.jsm.streams.info(stream);
  expect(info.config.num_replicas).toBe(REPLICAS);
  const leader = servers.find((s) => s.name === info.cluster?.leader);
  expect(leader).toBeDefined();
  const snapshots = await JetStreamSnapshotStore.open(conn, { bucket: 'pgtest' });
  const snapshotBytes = Buffer.from('shard memory before the failover');
  await snapshots.save(PARTITION, 1, snapshotBytes);

  const acked: { batch: number; seq: number | null; duplicate: boolean[] }[] = [];
  const failures = new Map<string, number>();
  // The kill lands while a publish is on its way: it may be lost, or stored without its ack arriving.
  let killed: Promise<void> | null = null;
  const publish = conn.js.publish.bind(conn.js);
  conn.js.publish = (...args) => {
    const pending = publish(...args);
    if (killed === null && acked.length === KILL_AFTER) killed = stopServer(leader!, 'SIGKILL');
    return pending;
  };
  const deadline = Date.now() + LOOP_DEADLINE_MS;
  for (let n = 0; n < BATCHES; n++) {
    for (;;) {
      expect(Date.now(), `batch ${n} not acknowledged before the deadline`).toBeLessThan(deadline);
      try {
        const result = await log.append(tenant, 'events', batch(n));
        acked.push({ batch: n, ...result });
        break;
      } catch (err) {
        const reason = (err as Error).message.split('\n')[0];
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
    }
  }
  await killed;
  const newLeader = (await conn.jsm.streams.info(stream)).cluster?.leader;
  console.log(
    `cluster: killed stream leader ${leader!.name}, new leader ${newLeader}; failed append attempts retried: ${JSON.stringify(Object.fromEntries(failures))}; ` +
      `${acked.filter((a) => a.seq === null).length} retries found their batch already stored`,
  );
  expect(newLeader).not.toBe(leader!.name);

  // Read back through a fresh connection and log: only what the cluster stored counts.
  const reader = await JetStreamPartitionLog.open(await connect(), { partition: PARTITION });
  const entries = [];
  for (let after = 0; ; ) {
    const page = await reader.read(after, 25);
    if (page.length === 0) break;
    entries.push(...page);
    after = page[page.length - 1].seq;
  }
  const seqs = entries.map((e) => e.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  const ids = entries.flatMap((e) => e.items.map((item) => {
    const { batch: b, item: i } = item as { batch: number; item: number };
    return `b${b}-i${i}`;
  }));
  // Every batch is stored, once, and batches appear in the order they were appended.
  expect(ids).toEqual(Array.from({ length: BATCHES }, (_, n) => batch(n).map((item) => item.id!)).flat());
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  for (const { batch: n, seq, duplicate } of acked) {
    if (seq === null) {
      // A retry whose earlier attempt was stored after all: all of its items are duplicates.
      expect(duplicate.every(Boolean)).toBe(true);
      continue;
    }
    expect(duplicate.some(Boolean)).toBe(false);
    expect(bySeq.get(seq)?.items).toEqual(batch(n).map((item) => item.body));
  }
  // The replicated snapshot bucket still serves what it stored before the failover, and takes new ones.
  const loaded = await snapshots.loadNewest(PARTITION);
  expect(loaded?.seq).toBe(1);
  expect(loaded?.bytes.equals(snapshotBytes)).toBe(true);
  await retryUntil(deadline, () => snapshots.save(PARTITION, seqs[seqs.length - 1], Buffer.from('after')));
  expect((await snapshots.loadNewest(PARTITION))?.bytes.toString()).toBe('after');

  // A restarted writer still treats every stored id as a duplicate.
  expect((await reader.append(tenant, 'events', batch(0))).duplicate.every(Boolean)).toBe(true);
  await Promise.all([log.close(), reader.close()]);
}, 120_000);
