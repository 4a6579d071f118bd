// Concurrent ingests to one shard are written as groups (one transaction each): every caller still
// gets its own result, duplicates are caught across the batches of a group, and all of it survives
// a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pg-group-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({
  id: `ev-${from + i}`, type: 'login', timestamp: '2026-03-01T10:00:00Z', identifiers: { customer: `c-${from + i}`, email: `p${from + i}@shop.bg` },
}));

describe('group commit', () => {
  it('answers every concurrent batch on its own and keeps ids unique across a group', async () => {
    let graph = await PersonaGraph.open({ dataDir: dir, shards: 1, snapshotIntervalMs: 0 });
    const calls = Array.from({ length: 12 }, (_, k) => graph.ingest('shop-a', batch(k * 100, 100)));
    calls.push(graph.ingest('shop-a', batch(50, 100))); // overlaps batches 0 and 1
    calls.push(graph.ingest('shop-a', [{ identifiers: { phone: 'not a phone' } }]));
    const results = await Promise.all(calls);
    expect(results.slice(0, 12).every((r) => r.accepted === 100 && r.duplicates === 0)).toBe(true);
    expect(results[12]).toMatchObject({ accepted: 0, duplicates: 100 });
    expect(results[13]).toMatchObject({ accepted: 0, errors: [{ index: 0, field: 'identifiers.phone' }, { index: 0, field: 'identifiers' }] });
    const seqs = new Set(results.slice(0, 12).map((r) => r.seq));
    expect(seqs.size).toBe(12);
    await graph.close();

    graph = await PersonaGraph.open({ dataDir: dir, shards: 1, snapshotIntervalMs: 0, snapshotOnClose: false });
    const personas = await graph.resolve('shop-a', [{ type: 'customer', value: 'c-0' }, { type: 'email', value: 'p1199@shop.bg' }, { type: 'customer', value: 'c-1200' }]);
    expect(personas[0]).toMatch(/^psn_/);
    expect(personas[1]).toMatch(/^psn_/);
    expect(personas[2]).toBeNull();
    expect(await graph.ingest('shop-a', batch(1100, 101))).toMatchObject({ accepted: 1, duplicates: 100 });
    await graph.close();
  });

  it('records the changes of every batch of a group in the feed, once, and they stay after a restart', async () => {
    const groupDir = join(dir, 'changes');
    let graph = await PersonaGraph.open({ dataDir: groupDir, shards: 1, snapshotIntervalMs: 0 });
    const PEOPLE = 40;
    const BATCHES = 8;
    const alone = Array.from({ length: PEOPLE * BATCHES }, (_, i) => [{ identifiers: { customer: `c-${i}` } }, { identifiers: { email: `p${i}@shop.bg` } }]).flat();
    await graph.ingest('shop-a', alone);
    // concurrent batches, each joining its own people's two personas: one merge per person
    const results = await Promise.all(Array.from({ length: BATCHES }, (_, k) => graph.ingest('shop-a', batch(k * PEOPLE, PEOPLE))));
    const merges = async () => {
      const found: string[] = [];
      for (let since = ''; ;) {
        const page = await graph.changes('shop-a', since);
        if (page.changes.length === 0) return found;
        found.push(...page.changes.map((c) => `${c.kind}:${c.cursor.slice(0, -6)}`));
        since = page.cursor;
      }
    };
    const expected = results.flatMap((r) => Array.from({ length: PEOPLE }, () => `merge:${r.seq}`)).sort();
    expect((await merges()).sort()).toEqual(expected);
    await graph.close();
    graph = await PersonaGraph.open({ dataDir: groupDir, shards: 1, snapshotIntervalMs: 0, snapshotOnClose: false });
    expect((await merges()).sort()).toEqual(expected);
    await graph.close();
  });
});
