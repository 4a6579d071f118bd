// Bad input to the engine is refused with an error naming the problem, before the core sees it,
// and leaves the shard as it was.
import { describe, expect, it } from 'vitest';
import { Shard, ShardError } from '../../host/engine/shard.js';
import { createShardMemory } from '../../host/engine/core.js';
import { EMAIL, DEVICE, newShard, ingest, event, nodeOf, type Fixture } from './helpers.js';

function seeded(): Fixture {
  const f = newShard();
  ingest(f, [{ ids: [[EMAIL, 'a@x.bg'], [DEVICE, 'd1']], time: 1000 }, { ids: [[EMAIL, 'b@x.bg']], time: 1000 }]);
  return f;
}

describe('engine input checks', () => {
  it('refuses malformed events naming the problem, and applies none of the batch', () => {
    const f = seeded();
    const before = f.shard.snapshot();
    const good = event(f.tenant, { ids: [[EMAIL, 'c@x.bg']], time: 5 });
    const cases: [unknown, RegExp][] = [
      [{ ...good, tenant: 0 }, /unknown tenant index 0/],
      [{ ...good, tenant: 99 }, /unknown tenant index 99/],
      [{ ...good, time: Number.NaN }, /time must be a finite number/],
      [{ ...good, item: -1 }, /item must be a u32/],
      [{ ...good, item: 2 ** 24 }, /item must be a u32 below 2\^24/],
      [{ ...good, identifiers: [{ type: 9, value: 'x' }] }, /unknown identifier type code 9/],
      [{ ...good, identifiers: Array.from({ length: 65 }, (_, i) => ({ type: EMAIL, value: `v${i}` })) }, /at most 64 identifiers/],
      [{ ...good, identifiers: [{ type: EMAIL, value: 'x'.repeat(1025) }] }, /over 1024 bytes/],
    ];
    for (const [bad, message] of cases) {
      expect(() => f.shard.applyEvents([good, bad as typeof good], 7)).toThrow(message);
    }
    for (const seq of [-1, 1.5, 2 ** 40]) {
      expect(() => f.shard.applyEvents([good], seq)).toThrow(/seq must be an integer in 0..2\^40-1/);
    }
    expect(f.shard.snapshot().equals(before)).toBe(true);
  });

  it('an edge keeps the largest seq and item it can hold exactly, beside its strength, decision and cut flag', () => {
    const f = newShard();
    f.shard.applyEvents([event(f.tenant, { ids: [[EMAIL, 'a@x.bg'], [DEVICE, 'd1']], time: 5, item: 2 ** 24 - 1 })], 2 ** 40 - 1);
    const a = nodeOf(f, [EMAIL, 'a@x.bg']);
    const d = nodeOf(f, [DEVICE, 'd1']);
    const [edge] = f.shard.edges(f.shard.rootOf(a));
    expect(edge).toMatchObject({ a: Math.min(a, d), b: Math.max(a, d), seq: 2 ** 40 - 1, item: 2 ** 24 - 1, time: 5, lastTime: 5 });
    expect(edge).toMatchObject({ strength: 2, decision: 1, cut: false }); // medium (a device in a login), merged
    f.shard.split(a, [a], []);
    expect(f.shard.edge(edge.edge)).toMatchObject({ seq: 2 ** 40 - 1, item: 2 ** 24 - 1, strength: 2, decision: 6, cut: true });
    expect(f.shard.rootOf(a)).not.toBe(f.shard.rootOf(d));
  });

  it('refuses bad tenant settings, splits and erasures', () => {
    const f = seeded();
    const other = newShard('x').shard;
    expect(() => f.shard.configureTenant(5, { guardrails: true, limits: [], sharedAt: [] })).toThrow(/unknown tenant index 5/);
    expect(() => f.shard.configureTenant(f.tenant, { guardrails: true, limits: [70000], sharedAt: [] })).toThrow(/limits values must be integers in 0..65535/);
    expect(() => f.shard.configureTenant(f.tenant, { guardrails: true, limits: [1, 2, 3, 4, 5, 6], sharedAt: [] })).toThrow(/at most 5/);
    const a = nodeOf(f, [EMAIL, 'a@x.bg']);
    const b = nodeOf(f, [EMAIL, 'b@x.bg']);
    expect(() => f.shard.split(a, [b], [])).toThrow(/node \d+ is not in the persona/);
    expect(() => f.shard.split(a, [12345], [])).toThrow(/unknown identifier node 12345/);
    expect(() => f.shard.split(a, [], [77])).toThrow(/unknown evidence edge 77/);
    expect(() => f.shard.erase(0)).toThrow(/unknown identifier node 0/);
    expect(f.shard.rootOf(a)).toBe(f.shard.rootOf(nodeOf(f, [DEVICE, 'd1'])));
    expect(() => other.erase(1)).toThrow(/unknown identifier node 1/);
  });

  it('a memory cap outside 1..65536 pages is refused', () => {
    expect(() => createShardMemory(0)).toThrow(/maximumPages/);
    expect(() => Shard.create({ maximumPages: 70000 })).toThrow(/maximumPages/);
    expect(ShardError).toBeDefined();
  });

  it('readConsistent returns the read once no write overlapped it, and rethrows a read error that was not a race', () => {
    const f = seeded();
    expect(f.shard.readConsistent(() => f.shard.tenantStats(f.tenant).identifiers)).toBe(3);
    expect(() => f.shard.readConsistent(() => { throw new Error('reader bug'); })).toThrow('reader bug');
  });
});
