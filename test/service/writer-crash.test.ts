import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PersonaGraph, RequestError } from '../../host/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pg-writer-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({
  id: `${prefix}-${i}`, type: 'login', identifiers: { customer: `${prefix}-c${i}`, email: `${prefix}${i}@x.bg` },
}));

describe('a shard writer that dies mid-batch', () => {
  it('is replaced; acknowledged events survive and no reader sees the torn batch', async () => {
    // one shard, so the crashing tenant and the healthy one share the writer and its memory
    const graph = await PersonaGraph.open({ dataDir, shards: 1, faults: { dieWhileApplyingTenant: 'crash-shop' } });
    try {
      const acked = await graph.ingest('shop-a', people('a', 200));
      expect(acked.accepted).toBe(200);
      const failed = graph.ingest('crash-shop', people('z', 100));
      // readers racing the crash must see either nothing of the batch or all of it
      const reads = Array.from({ length: 20 }, () => graph.resolve('crash-shop', people('z', 100).map((e) => ({ type: 'customer' as const, value: e.identifiers.customer }))));
      await expect(failed).rejects.toBeInstanceOf(RequestError);
      for (const read of await Promise.all(reads)) {
        const known = read.filter((p) => p !== null).length;
        expect([0, 100]).toContain(known);
      }
      expect(graph.writerRestarts).toBe(1);
      const ids = await graph.resolve('shop-a', people('a', 200).map((e) => ({ type: 'customer' as const, value: e.identifiers.customer })));
      expect(ids.every((id) => id !== null)).toBe(true);
      // the crashed batch was durable before the crash: recovery applied it whole, once
      const after = await graph.resolve('crash-shop', people('z', 100).map((e) => ({ type: 'email' as const, value: e.identifiers.email })));
      expect(after.every((id) => id !== null)).toBe(true);
      expect((await graph.stats('crash-shop'))!.identifiers).toBe(200);
      // and the writer keeps working
      expect((await graph.ingest('shop-a', people('b', 10))).accepted).toBe(10);
    } finally {
      await graph.close();
    }
  });
});
