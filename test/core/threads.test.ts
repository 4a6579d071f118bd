// Readers in worker threads resolve continuously over the writer's shared memory while it ingests,
// splits and grows the memory; every read they validate with the seqlock must show a state the
// writer actually had between two writes (see threads/stress-workload.ts for what that means).
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Shard } from '../../host/engine/shard.js';
import { ROUNDS, HALF, groupKeys, roundEvents } from './threads/stress-workload.js';

const READERS = 2;
const TENANT = 'stress';

interface ReaderReport {
  validated: number;
  retried: number;
  grewSeen: number;
  violations: string[];
  finalBytes: number;
}

function startReader(memory: WebAssembly.Memory, slot: number, control: Int32Array): Worker {
  return new Worker(new URL('./threads/reader-entry.mjs', import.meta.url), {
    workerData: { memory, slot, control, tenantName: TENANT },
  });
}

/** Cuts group `group` between its halves: the one edge joining identifier HALF-1 to HALF. */
function cutGroup(shard: Shard, tenant: number, group: number): void {
  const keys = groupKeys(group);
  const a = shard.lookupNode(tenant, keys[HALF - 1]);
  const b = shard.lookupNode(tenant, keys[HALF]);
  const root = shard.rootOf(a);
  const edge = shard.edges(root).find((e) => (e.a === a && e.b === b) || (e.a === b && e.b === a));
  if (!edge) throw new Error(`group ${group} has no edge between its halves`);
  shard.split(root, [], [edge.edge]);
}

describe('threads', () => {
  it('readers never see a torn or impossible state while the writer ingests, splits and grows memory', async () => {
    const shard = Shard.create();
    const tenant = shard.registerTenant(TENANT);
    const control = new Int32Array(new SharedArrayBuffer(4));
    const readers = Array.from({ length: READERS }, (_, i) => startReader(shard.memory, i + 1, control));
    const reports = readers.map((w) => once(w, 'message').then(([report]) => report as ReaderReport));
    const errors = readers.map((w) => once(w, 'error').then(([error]) => { throw error; }));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the readers start reading
    const bytesBefore = shard.memory.buffer.byteLength;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        shard.applyEvents(roundEvents(tenant, round), round);
        if (round >= 2) cutGroup(shard, tenant, round - 1);
        if (round % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      Atomics.store(control, 0, 1);
    }
    const results = await Promise.race([Promise.all(reports), ...errors]);
    await Promise.all(readers.map((w) => w.terminate()));

    expect(shard.memory.buffer.byteLength).toBeGreaterThan(bytesBefore);
    for (const report of results) {
      expect(report.violations).toEqual([]);
      expect(report.validated).toBeGreaterThan(100);
      expect(report.finalBytes).toBe(shard.memory.buffer.byteLength);
    }
    // the readers really raced the writer: some reads overlapped a write and were retried
    expect(results.reduce((n, r) => n + r.retried, 0)).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + r.grewSeen, 0)).toBeGreaterThan(0);
    console.log('thread stress:', JSON.stringify(results.map(({ violations, ...rest }) => rest)));
  });
});
