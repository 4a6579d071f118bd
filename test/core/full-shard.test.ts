// A shard whose memory is full fails with a clear ShardError and changes nothing: batches reserve
// everything before applying, splits and erasures reserve their re-cluster before cutting. The
// memory's maximum is set low here instead of allocating 4 GiB; the path is the same.
import { describe, expect, it } from 'vitest';
import { ShardError } from '../../host/engine/shard.js';
import { DEVICE, EMAIL, newShard, event, recordOf, nodeOf, describePersona, checkPersonaInvariants, type Fixture, type Id } from './helpers.js';

const MAXIMUM_PAGES = 200; // ~13 MB: an empty shard takes ~5 MB
const BIG_PERSONA = 20_000;
const LONG = 'x'.repeat(300);

function state(f: Fixture, ids: Id[]): unknown {
  const records = f.shard.resolveRecords(f.tenant, ids.map(([type, value]) => ({ type, value })));
  return {
    counts: f.shard.counts(),
    stats: f.shard.tenantStats(f.tenant),
    records: Array.from(records),
    personas: [...new Set(records)].filter((r) => r !== 0).slice(0, 50).map((r) => describePersona(f.shard, r)),
  };
}

describe('a full shard', () => {
  it('fails with a clear error, and a failed batch, split or erase changes nothing', () => {
    const f = newShard('shop', undefined, { maximumPages: MAXIMUM_PAGES });
    // one big persona of short values, built while there is room
    const chain: Id[] = Array.from({ length: BIG_PERSONA }, (_, i): Id => [DEVICE, `c${i}`]);
    for (let start = 0; start < BIG_PERSONA; start += 5000) {
      f.shard.applyEvents(chain.slice(start, start + 5000).map((id, i) => event(f.tenant, { ids: [id, chain[Math.max(0, start + i - 1)]], item: i, time: start + i })), start + 1);
    }
    expect(f.shard.persona(recordOf(f, chain[0])).members).toBe(BIG_PERSONA);

    // fill the rest with long values until a batch does not fit
    const applied: Id[] = [];
    let failure: unknown;
    let seq = 100;
    for (let round = 0; round < 1000 && failure === undefined; round++) {
      const batch: Id[] = Array.from({ length: 1000 }, (_, i): Id => [EMAIL, `${round}-${i}-${LONG}`]);
      const before = state(f, [...chain.slice(0, 100), ...applied.slice(-500)]);
      const used = f.shard.usedBytes();
      try {
        f.shard.applyEvents(batch.map((id, i) => event(f.tenant, { ids: [id, applied[applied.length - 1 - i] ?? chain[i]], item: i, time: 1e6 + seq })), seq++);
        applied.push(...batch);
      } catch (error) {
        failure = error;
        expect(state(f, [...chain.slice(0, 100), ...applied.slice(-500)])).toEqual(before);
        expect(batch.every((id) => nodeOf(f, id) === 0)).toBe(true);
        expect(f.shard.usedBytes()).toBeGreaterThanOrEqual(used);
      }
    }
    expect(failure).toBeInstanceOf(ShardError);
    expect((failure as ShardError).code).toBe(-1);
    expect((failure as Error).message).toMatch(/cannot apply events: the shard memory is full .*nothing was changed/);
    expect(applied.length).toBeGreaterThan(0);

    // the shard still works for what fits: evidence between known identifiers allocates nothing
    f.shard.applyEvents([event(f.tenant, { ids: [applied[0], applied[1]], time: 2e6 })], seq++);
    expect(recordOf(f, applied[0])).toBe(recordOf(f, applied[1]));

    // re-clustering the big persona needs more work memory than is left: refused before any cut
    const big = recordOf(f, chain[0]);
    const bigBefore = describePersona(f.shard, big);
    const root = f.shard.persona(big).root;
    const someEdges = f.shard.edges(root).slice(0, 3).map((e) => e.edge);
    expect(() => f.shard.split(root, [], someEdges)).toThrow(/cannot split: the shard memory is full/);
    expect(f.shard.edges(root).filter((e) => e.cut)).toHaveLength(0);
    expect(describePersona(f.shard, recordOf(f, chain[0]))).toEqual(bigBefore);
    expect(() => f.shard.erase(nodeOf(f, chain[5]))).toThrow(/cannot erase: the shard memory is full/);
    expect(nodeOf(f, chain[5])).not.toBe(0);
    expect(recordOf(f, chain[5])).toBe(big);
    checkPersonaInvariants(f.shard, big);
  });
});
