// A node joining a loaded cluster takes its partitions over without a pause in answers longer
// than a lease period: it recovers each partition as a follower while the old owner keeps
// serving, then the old owner hands over (see ClusterGraph). Nodes are child processes (as in
// production, each with its own event loop); writes and reads go over HTTP, retried on the next
// node as a client would, and every request's time (retries included) is recorded.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSingleServer, stopAll, type NatsServer } from '../cluster-store/nats-servers.js';
import { sleep, TEST_PARTITIONS } from './helpers.js';
import { WriteLoad } from './load.js';
import { startNode, stopNode, type NodeProcess } from './node-processes.js';
import { personEvents } from './workload.js';

/** The production default lease period: the bound on the longest pause. */
const LEASE_MS = 3_000;
const TENANTS = ['rb-a', 'rb-b', 'rb-c', 'rb-d', 'rb-e', 'rb-f', 'rb-g', 'rb-h'];
const PEOPLE_PER_BATCH = 4;
const WRITE_LANES = 2;
const PHASE_MS = 3_000;
/** After the join: long enough for the new node to warm up and take every partition it should own. */
const JOIN_PHASE_MS = 8_000;
const REQUEST_TIMEOUT_MS = 2_000;
const READ_RETRY_PAUSE_MS = 50;

let server: NatsServer;
let nodes: NodeProcess[] = [];

beforeAll(async () => {
  server = await startSingleServer('cluster-rebalance');
  const options = { replicas: 1, partitions: TEST_PARTITIONS, leaseMs: LEASE_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS };
  nodes = await Promise.all(['rb1', 'rb2'].map((id) => startNode(id, [server], options)));
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => stopNode(n, 'SIGTERM')));
  await stopAll(server ? [server] : []);
});

/** Reads the first person of every tenant in turn from the live nodes, timing each answer (retries included). */
class ReadLoad {
  readonly answered: { at: number; ms: number }[] = [];
  private stopping = false;
  private running: Promise<void> = Promise.resolve();
  private next = 0;

  constructor(private readonly targets: () => string[]) {}

  start(): void {
    this.running = (async () => {
      for (let n = 0; !this.stopping; n++) {
        const tenant = TENANTS[n % TENANTS.length];
        const started = Date.now();
        while (!this.stopping && !(await this.readOnce(tenant))) await sleep(READ_RETRY_PAUSE_MS);
        this.answered.push({ at: Date.now(), ms: Date.now() - started });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async readOnce(tenant: string): Promise<boolean> {
    const targets = this.targets();
    try {
      const response = await fetch(`${targets[this.next++ % targets.length]}/v1/tenants/${tenant}/resolve?customer=c-0`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 2) });
      await response.text();
      return response.ok;
    } catch {
      return false;
    }
  }
}

it('rebalances onto a joining node with no pause longer than a lease period', async () => {
  const targets = () => nodes.map((n) => n.url);
  // every tenant has its first person before reads start
  const seed = new WriteLoad(targets, TENANTS, 1);
  for (const tenant of TENANTS) await seed.deliver({ tenant, events: personEvents(tenant, 1) });
  const writes = new WriteLoad(targets, TENANTS, PEOPLE_PER_BATCH);
  const reads = new ReadLoad(targets);
  writes.start(WRITE_LANES);
  reads.start();
  await sleep(PHASE_MS);

  const joinedAt = Date.now();
  const joining = await startNode('rb3', [server], { replicas: 1, partitions: TEST_PARTITIONS, leaseMs: LEASE_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  nodes.push(joining);
  await sleep(JOIN_PHASE_MS);
  await writes.stop();
  await reads.stop();

  const takeovers = (joining.log().match(/taken over from/g) ?? []).length;
  const slowestWrite = Math.max(...writes.acked.filter((b) => b.ackedAt > joinedAt).map((b) => b.ms));
  const slowestRead = Math.max(...reads.answered.filter((r) => r.at > joinedAt).map((r) => r.ms));
  console.log(JSON.stringify({ takeovers, slowestWriteMs: slowestWrite, slowestReadMs: slowestRead, writes: writes.acked.length, reads: reads.answered.length }));
  expect(takeovers).toBeGreaterThan(0);
  expect(slowestWrite).toBeLessThan(LEASE_MS);
  expect(slowestRead).toBeLessThan(LEASE_MS);
  expect(writes.acked.length).toBe(writes.sent.length);
}, 90_000);

it('reads your writes on any node: a read with ?minSeq= from a write includes it', async () => {
  const [writer, ...readers] = nodes;
  for (const [n, tenant] of TENANTS.entries()) {
    const written = await fetch(`${writer.url}/v1/tenants/${tenant}/events`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: `ryw-${n}`, type: 'checkout', identifiers: { customer: `ryw-${n}`, email: `ryw-${n}@shop.bg` } }),
    });
    const { seq } = await written.json() as { seq: number };
    expect(seq).toBeGreaterThan(0);
    const reader = readers[n % readers.length];
    const read = await fetch(`${reader.url}/v1/tenants/${tenant}/resolve?email=ryw-${n}@shop.bg&minSeq=${seq}`);
    expect(read.status).toBe(200);
    const { persona } = await read.json() as { persona: { identifiers: { type: string; value: string }[] } };
    expect(persona.identifiers.map((i) => i.value), JSON.stringify(persona)).toContain(`ryw-${n}`);
  }
  const ahead = await fetch(`${readers[0].url}/v1/tenants/${TENANTS[0]}/resolve?customer=ryw-0&minSeq=999999999`);
  expect(ahead.status).toBe(503);
  expect(((await ahead.json()) as { error: { code: string } }).error.code).toBe('seq_not_reached');
}, 60_000);
