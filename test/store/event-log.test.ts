import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../host/store/index.js';
import { makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
let store: Store;

beforeEach(() => {
  temp = makeTempDir();
  store = openStore(temp.dir);
});
afterEach(() => {
  store.close();
  temp.remove();
});

describe('append and read', () => {
  it('assigns increasing seqs and reads entries back in order with their bodies', () => {
    const before = Date.now();
    const a = store.log.append('shop-a', 'events', [{ id: 'e1', body: { n: 1 } }, { body: { n: 2 } }]);
    const b = store.log.append('shop-b', 'split', [{ body: ['x', null, 3.5] }]);
    const c = store.log.append('shop-a', 'events', [{ id: 'e3', body: 'text' }]);
    expect(a).toEqual({ seq: 1, duplicate: [false, false] });
    expect(b.seq).toBe(2);
    expect(c.seq).toBe(3);

    const entries = store.log.read(0, 10);
    expect(entries.map((e) => [e.seq, e.tenant, e.kind, e.items])).toEqual([
      [1, 'shop-a', 'events', [{ n: 1 }, { n: 2 }]],
      [2, 'shop-b', 'split', [['x', null, 3.5]]],
      [3, 'shop-a', 'events', ['text']],
    ]);
    for (const e of entries) expect(e.at).toBeGreaterThanOrEqual(before);
    expect(store.log.lastSeq()).toBe(3);
  });

  it('reads after a position, honours the limit, and filters by tenant', () => {
    for (let i = 0; i < 6; i++) store.log.append(i % 2 === 0 ? 'shop-a' : 'shop-b', 'events', [{ body: i }]);
    expect(store.log.read(2, 2).map((e) => e.seq)).toEqual([3, 4]);
    expect(store.log.read(6, 10)).toEqual([]);
    expect(store.log.readTenant('shop-b', 0, 10).map((e) => e.items[0])).toEqual([1, 3, 5]);
    expect(store.log.readTenant('shop-a', 3, 1).map((e) => e.seq)).toEqual([5]);
  });

  it('reports 0 as lastSeq of an empty log and appends nothing for an empty item list', () => {
    expect(store.log.lastSeq()).toBe(0);
    expect(store.log.append('shop-a', 'events', [])).toEqual({ seq: null, duplicate: [] });
    expect(store.log.lastSeq()).toBe(0);
  });
});

describe('idempotency', () => {
  it('flags ids repeated within one call and keeps only the first', () => {
    const result = store.log.append('shop-a', 'events', [
      { id: 'a', body: 1 },
      { id: 'a', body: 2 },
      { id: 'b', body: 3 },
      { body: 4 },
      { body: 5 },
    ]);
    expect(result.duplicate).toEqual([false, true, false, false, false]);
    expect(store.log.read(0, 1)[0].items).toEqual([1, 3, 4, 5]);
  });

  it('flags ids accepted by an earlier call, per tenant only', () => {
    store.log.append('shop-a', 'events', [{ id: 'a', body: 1 }]);
    const again = store.log.append('shop-a', 'events', [{ id: 'a', body: 'retry' }, { id: 'c', body: 2 }]);
    const otherTenant = store.log.append('shop-b', 'events', [{ id: 'a', body: 3 }]);
    expect(again.duplicate).toEqual([true, false]);
    expect(otherTenant.duplicate).toEqual([false]);
    expect(store.log.read(0, 10).map((e) => e.items)).toEqual([[1], [2], [3]]);
  });

  it('appends nothing when every item is a duplicate', () => {
    store.log.append('shop-a', 'events', [{ id: 'a', body: 1 }, { id: 'b', body: 2 }]);
    const result = store.log.append('shop-a', 'events', [{ id: 'b', body: 2 }, { id: 'a', body: 1 }]);
    expect(result).toEqual({ seq: null, duplicate: [true, true] });
    expect(store.log.lastSeq()).toBe(1);
    expect(store.log.read(0, 10)).toHaveLength(1);
  });

  it('writes nothing, ids included, when one body cannot be serialized', () => {
    expect(() =>
      store.log.append('shop-a', 'events', [{ id: 'ok', body: 1 }, { id: 'bad', body: { n: 1n } }]),
    ).toThrow(/items\[1\]\.body is not JSON-serializable/);
    expect(store.log.lastSeq()).toBe(0);
    expect(store.log.append('shop-a', 'events', [{ id: 'ok', body: 1 }]).duplicate).toEqual([false]);
  });
});

describe('rewrite and prune', () => {
  it('replaces the items of one entry and leaves the others alone', () => {
    store.log.append('shop-a', 'events', [{ body: { email: 'x@y.bg' } }]);
    store.log.append('shop-a', 'events', [{ body: { email: 'z@y.bg' } }]);
    store.log.rewrite(1, [{ email: null }]);
    expect(store.log.read(0, 10).map((e) => e.items)).toEqual([[{ email: null }], [{ email: 'z@y.bg' }]]);
    expect(() => store.log.rewrite(9, [])).toThrow(/no log entry with seq 9/);
  });

  it('prunes through a seq, keeps seqs growing, and keeps pruned ids duplicate', () => {
    for (let i = 1; i <= 4; i++) store.log.append('shop-a', 'events', [{ id: `e${i}`, body: i }]);
    expect(store.log.pruneThrough(3)).toBe(3);
    expect(store.log.pruneThrough(3)).toBe(0);
    expect(store.log.read(0, 10).map((e) => e.seq)).toEqual([4]);
    expect(() => store.log.rewrite(2, [])).toThrow(/pruned/);

    expect(store.log.pruneThrough(4)).toBe(1);
    expect(store.log.lastSeq()).toBe(4);
    expect(store.log.append('shop-a', 'events', [{ id: 'e2', body: 'retry' }])).toEqual({
      seq: null,
      duplicate: [true],
    });
    expect(store.log.append('shop-a', 'events', [{ id: 'e5', body: 5 }]).seq).toBe(5);
  });
});

describe('persistence', () => {
  it('keeps entries, seqs and idempotency across close and reopen', () => {
    store.log.append('shop-a', 'events', [{ id: 'a', body: { n: 1 } }]);
    store.log.append('shop-a', 'events', [{ id: 'b', body: { n: 2 } }]);
    store.log.pruneThrough(1);
    store.close();

    store = openStore(temp.dir);
    expect(store.log.lastSeq()).toBe(2);
    expect(store.log.read(0, 10).map((e) => e.items)).toEqual([[{ n: 2 }]]);
    expect(store.log.append('shop-a', 'events', [{ id: 'a', body: 0 }, { id: 'c', body: 3 }])).toEqual({
      seq: 3,
      duplicate: [true, false],
    });
  });

  it('serves an in-memory store that forgets everything on close', () => {
    const memory = openStore(null);
    memory.log.append('shop-a', 'events', [{ id: 'a', body: 1 }]);
    expect(memory.log.read(0, 10)).toHaveLength(1);
    memory.close();
    const fresh = openStore(null);
    expect(fresh.log.lastSeq()).toBe(0);
    fresh.close();
  });

  it("accepts durability 'normal' and rejects unknown settings", () => {
    store.close();
    store = openStore(temp.dir, { durability: 'normal' });
    expect(store.log.append('shop-a', 'events', [{ body: 1 }]).seq).toBe(1);
    expect(() => openStore(temp.dir, { durability: 'fast' as never })).toThrow(/durability must be/);
  });
});

describe('bad arguments', () => {
  it('names the problem and writes nothing', () => {
    expect(() => store.log.append('Shop A', 'events', [{ body: 1 }])).toThrow(/tenant must match/);
    expect(() => store.log.append('shop-a', '', [{ body: 1 }])).toThrow(/kind must be a non-empty string/);
    expect(() => store.log.append('shop-a', 'events', {} as never)).toThrow(/items must be an array/);
    expect(() => store.log.append('shop-a', 'events', [null as never])).toThrow(/items\[0\] must be an object/);
    expect(() => store.log.append('shop-a', 'events', [{ id: 7 as never, body: 1 }])).toThrow(/items\[0\]\.id/);
    expect(() => store.log.append('shop-a', 'events', [{ id: 'a' } as never])).toThrow(/items\[0\]\.body is missing/);
    expect(() => store.log.append('shop-a', 'events', [{ body: 1 }, { body: () => 1 }])).toThrow(
      /items\[1\]\.body is not JSON-serializable/,
    );
    expect(() => store.log.read(-1, 10)).toThrow(/afterSeq must be an integer >= 0/);
    expect(() => store.log.read(0, 0)).toThrow(/limit must be an integer >= 1/);
    expect(() => store.log.pruneThrough(1.5)).toThrow(/seq must be an integer/);
    expect(() => store.log.rewrite(1, 'x' as never)).toThrow(/items must be an array/);
    expect(store.log.lastSeq()).toBe(0);
  });
});
