// Log compaction keeps disk use bounded: under sustained ingest with periodic snapshots and
// compaction, the log holds only what the oldest kept snapshot does not cover, the snapshot files
// do not pile up, and the database and snapshots stop growing once the graph itself stops growing.
// (Events carry no idempotency key here: every accepted key is kept for good, by design, so
// keyed traffic grows the store by one small row per event; see the soak's disk figures.)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

const ROUNDS = 10;
const BATCHES_PER_ROUND = 10;
const EVENTS_PER_BATCH = 300;
/** The same people again and again: the graph stops growing after the first round. */
const PEOPLE = 3000;
/** Once the graph is complete (round 2), the files may still settle (free pages) by this much. */
const MAX_LATE_GROWTH = 1.25;
/**
 * Counted apart: the WAL grows until a checkpoint (every 10,000 pages, ~40 MB, see
 * host/store/sqlite-database.ts; more than this test writes) and is then reused from its start.
 */
const WAL_FILES = /-(wal|shm)$/;

const dataDir = mkdtempSync(join(tmpdir(), 'pg-disk-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Bytes of the files under `dir` whose names pass `include`. */
function bytesOf(dir: string, include: (name: string) => boolean): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sum + bytesOf(path, include);
    return sum + (include(entry.name) ? statSync(path).size : 0);
  }, 0);
}

function logRows(): number {
  const db = new Database(join(dataDir, 'store.db'), { readonly: true });
  try {
    return db.prepare<[], number>('SELECT count(*) FROM log').pluck().get()!;
  } finally {
    db.close();
  }
}

describe('disk use under sustained ingest with snapshots and compaction', () => {
  it('stays bounded: the log keeps only what the snapshots do not cover, and the files stop growing', async () => {
    const graph = await PersonaGraph.open({ dataDir, shards: 1, snapshotIntervalMs: 0 });
    const sizes: number[] = [];
    const walSizes: number[] = [];
    const rows: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (let b = 0; b < BATCHES_PER_ROUND; b++) {
          const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
            const person = (round * 7 + b * EVENTS_PER_BATCH + i) % PEOPLE;
            return { type: 'login', identifiers: { customer: `c-${person}`, email: `p${person}@disk.example` } };
          });
          expect((await graph.ingest('shop-d', events)).accepted).toBe(EVENTS_PER_BATCH);
        }
        await graph.snapshot();
        await graph.compact();
        sizes.push(bytesOf(dataDir, (name) => !WAL_FILES.test(name)));
        walSizes.push(bytesOf(dataDir, (name) => WAL_FILES.test(name)));
        rows.push(logRows());
      }
    } finally {
      await graph.close();
    }
    const mb = sizes.map((s) => (s / 2 ** 20).toFixed(1));
    console.info(`disk after each round: ${mb.join(' ')} MB, and WAL ${walSizes.map((s) => (s / 2 ** 20).toFixed(1)).join(' ')} MB; log rows kept: ${rows.join(' ')}`);
    // two snapshots are kept, and the log is pruned up to the older one: one round of entries is left
    for (const kept of rows) expect(kept).toBeLessThanOrEqual(BATCHES_PER_ROUND);
    expect(readdirSync(join(dataDir, 'snapshots')).length).toBeLessThanOrEqual(2);
    expect(sizes[ROUNDS - 1], `database and snapshots after each round (MB): ${mb.join(' ')}`).toBeLessThanOrEqual(sizes[2] * MAX_LATE_GROWTH);
  });
});
