import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../host/store/index.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir } from './helpers.js';

/** A second, read-only connection to the store's database: the oracle's own view of the rows. */
const openDatabaseOf = (dir: string) => new Database(join(dir, 'store.db'), { readonly: true });

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

describe('tenant config', () => {
  it('stores, replaces and lists tenant configs', () => {
    expect(store.tenants.getTenantConfig('shop-a')).toBeNull();
    store.tenants.putTenantConfig('shop-b', { defaultCountry: 'RO' });
    store.tenants.putTenantConfig('shop-a', { defaultCountry: 'BG', limits: { devices: 5 } });
    store.tenants.putTenantConfig('shop-a', { defaultCountry: 'GR' });
    expect(store.tenants.getTenantConfig('shop-a')).toEqual({ defaultCountry: 'GR' });
    expect(store.tenants.listTenants()).toEqual(['shop-a', 'shop-b']);
  });

  it('rejects configs that are not plain objects', () => {
    expect(() => store.tenants.putTenantConfig('shop-a', [] as never)).toThrow(/plain JSON object/);
    expect(() => store.tenants.putTenantConfig('shop-a', null as never)).toThrow(/plain JSON object/);
    expect(() => store.tenants.putTenantConfig('shop-a', { n: 1n })).toThrow(/not JSON-serializable/);
    expect(store.tenants.listTenants()).toEqual([]);
  });
});

describe('link secrets', () => {
  it('creates one secret on first use and returns the same one afterwards', () => {
    const [first, ...rest] = store.links.linkSecrets('shop-a');
    expect(rest).toEqual([]);
    expect(first.key.length).toBeGreaterThanOrEqual(32);
    expect(store.links.linkSecrets('shop-a')).toEqual([first]);
    expect(store.links.linkSecrets('shop-b')[0].key.equals(first.key)).toBe(false);
  });

  it('rotates to a new current secret and keeps the old ones', () => {
    const [original] = store.links.linkSecrets('shop-a');
    const rotated = store.links.rotateLinkSecret('shop-a');
    expect(rotated.id).not.toBe(original.id);
    expect(rotated.key.equals(original.key)).toBe(false);
    expect(store.links.linkSecrets('shop-a')).toEqual([rotated, original]);
    store.close();
    store = openStore(temp.dir);
    expect(store.links.linkSecrets('shop-a')).toEqual([rotated, original]);
  });
});

describe('campaign claims', () => {
  it('claims a persona once, through any of its ids', () => {
    expect(store.claims.claim('shop-a', 'spring', [['p1'], ['p2', 'p2-alias']])).toEqual([true, true]);
    // p3 merged with p1 since: claiming it through the merged id list finds p1 already claimed.
    expect(store.claims.claim('shop-a', 'spring', [['p1', 'p3'], ['p4']])).toEqual([false, true]);
    // The not-yet-recorded id p3 was recorded too, so a later claim through it alone is refused.
    expect(store.claims.claim('shop-a', 'spring', [['p3'], ['p2-alias']])).toEqual([false, false]);
    // Other campaigns and tenants are separate.
    expect(store.claims.claim('shop-a', 'summer', [['p1']])).toEqual([true]);
    expect(store.claims.claim('shop-b', 'spring', [['p1']])).toEqual([true]);
  });

  it('gives a persona to only the first of two personas in one call that share an id', () => {
    expect(store.claims.claim('shop-a', 'spring', [['p1', 'x'], ['p2', 'x'], ['p3', 'p3']])).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('sees claims made through another connection to the same file', () => {
    const other = openStore(temp.dir);
    try {
      expect(store.claims.claim('shop-a', 'spring', [['p1'], ['p2']])).toEqual([true, true]);
      expect(other.claims.claim('shop-a', 'spring', [['p2', 'p5'], ['p3']])).toEqual([false, true]);
      expect(store.claims.claim('shop-a', 'spring', [['p5'], ['p3']])).toEqual([false, false]);
    } finally {
      other.close();
    }
  });

  it('rejects a persona without ids and writes nothing', () => {
    expect(() => store.claims.claim('shop-a', 'spring', [['p1'], []])).toThrow(/personaKeys\[1\] must list/);
    expect(() => store.claims.claim('shop-a', 'spring', [['p1', 5 as never]])).toThrow(/personaKeys\[0\]\[1\]/);
    expect(() => store.claims.claim('shop-a', '', [['p1']])).toThrow(/campaign/);
    expect(store.claims.claim('shop-a', 'spring', [['p1']])).toEqual([true]);
  });
});

describe('erasure', () => {
  it('records erased value hashes per tenant and type', () => {
    store.erasure.recordErased('shop-a', 'email', ['h1', 'h2']);
    store.erasure.recordErased('shop-a', 'email', ['h2']);
    expect(store.erasure.isErased('shop-a', 'email', 'h1')).toBe(true);
    expect(store.erasure.isErased('shop-a', 'email', 'h3')).toBe(false);
    expect(store.erasure.isErased('shop-a', 'phone', 'h1')).toBe(false);
    expect(store.erasure.isErased('shop-b', 'email', 'h1')).toBe(false);
  });

  it('tells whether anything was ever erased for a tenant', () => {
    expect(store.erasure.hasErased('shop-a')).toBe(false);
    store.erasure.recordErased('shop-a', 'phone', ['h1']);
    expect(store.erasure.hasErased('shop-a')).toBe(true);
    expect(store.erasure.hasErased('shop-b')).toBe(false);
  });

  it('creates one random salt per tenant and keeps it', () => {
    const salt = store.erasure.erasedSalt('shop-a');
    expect(salt.length).toBeGreaterThanOrEqual(16);
    expect(store.erasure.erasedSalt('shop-a').equals(salt)).toBe(true);
    expect(store.erasure.erasedSalt('shop-b').equals(salt)).toBe(false);
    const other = openStore(temp.dir);
    try {
      expect(other.erasure.erasedSalt('shop-a').equals(salt)).toBe(true);
    } finally {
      other.close();
    }
  });

  it('rejects bad hashes without recording any', () => {
    expect(() => store.erasure.recordErased('shop-a', 'email', ['h1', ''])).toThrow(/valueHashes\[1\]/);
    expect(store.erasure.isErased('shop-a', 'email', 'h1')).toBe(false);
  });
});

describe('changes feed', () => {
  it('keeps every JSON value of a change as recorded', () => {
    const values = [{ kind: 'merge', personas: ['psn_1', 'psn_2'], at: 'x' }, ['a', 1], 'text', 42, 1.5, true, false, null, { nested: { 'é': '"quoted"' } }];
    store.changes.record('shop-c', 3, values);
    expect(store.changes.since('shop-c', 0, 100).map((r) => r.change)).toEqual(values);
  });

  it('returns recorded changes per tenant in log order, after a cursor, once per entry', () => {
    store.changes.record('shop-a', 5, [{ kind: 'merge', n: 1 }, { kind: 'split', n: 2 }]);
    store.changes.record('shop-b', 6, [{ kind: 'merge', n: 3 }]);
    store.changes.record('shop-a', 7, [{ kind: 'erase', n: 4 }]);
    // Replaying entry 5 during recovery records nothing twice.
    store.changes.record('shop-a', 5, [{ kind: 'merge', n: 1 }, { kind: 'split', n: 2 }]);

    const all = store.changes.since('shop-a', 0, 10);
    expect(all.map((c) => (c.change as { n: number }).n)).toEqual([1, 2, 4]);
    const [first, second] = store.changes.since('shop-a', 0, 2);
    expect(store.changes.since('shop-a', first.cursor, 10).map((c) => c.cursor)).toEqual([second.cursor, all[2].cursor]);
    expect(store.changes.since('shop-a', all[2].cursor, 10)).toEqual([]);
  });

  it('finds the highest recorded seq of every tenant, as a full GROUP BY over every change does', () => {
    expect(store.changes.lastSeqs()).toEqual(new Map());
    // tenants whose names sort around each other, seqs recorded out of order, several changes per entry
    const tenants = ['a', 'a-1', 'a_2', 'b', 'shop-z', 'z9'];
    for (let i = 0; i < 300; i++) {
      const changes = Array.from({ length: 1 + (i % 3) }, (_, n) => ({ kind: 'merge', n }));
      store.changes.record(tenants[(i * 5) % tenants.length], 1 + ((i * 7919) % 10_007), changes);
    }
    const db = openDatabaseOf(temp.dir);
    const oracle = db.prepare('SELECT tenant, MAX(seq) AS seq FROM changes GROUP BY tenant').all() as { tenant: string; seq: number }[];
    db.close();
    expect(oracle.length).toBe(tenants.length);
    expect(store.changes.lastSeqs()).toEqual(new Map(oracle.map((row) => [row.tenant, row.seq])));
  });
});
