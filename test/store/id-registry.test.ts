// Idempotency across connections, reopenings and stores written before schema 3.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStore, type Store } from '../../host/store/index.js';
import { openDatabase } from '../../host/store/sqlite-database.js';
import { makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
const opened: Store[] = [];
const open = () => {
  const store = openStore(temp.dir);
  opened.push(store);
  return store;
};

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  temp.remove();
});

const items = (ids: string[]) => ids.map((id) => ({ id, body: id }));

describe('accepted ids', () => {
  it('are duplicates for another connection to the same file, both ways', () => {
    const a = open();
    const b = open();
    expect(a.log.append('shop-a', 'events', items(['x', 'y'])).duplicate).toEqual([false, false]);
    // b loads its table now, after a's append
    expect(b.log.append('shop-a', 'events', items(['y', 'z'])).duplicate).toEqual([true, false]);
    // a's table was loaded before b's append: it must catch up with b's row
    expect(a.log.append('shop-a', 'events', items(['z', 'w', 'x'])).duplicate).toEqual([true, false, true]);
    expect(b.log.append('shop-a', 'events', items(['w'])).duplicate).toEqual([true]);
  });

  it('stay duplicates after reopening, for many appends and many ids', () => {
    let store = open();
    const ids = Array.from({ length: 12_000 }, (_, i) => `ev-${i}`);
    for (let i = 0; i < ids.length; i += 3_000) store.log.append('shop-a', 'events', items(ids.slice(i, i + 3_000)));
    store.close();
    opened.pop();
    store = open();
    const retry = store.log.append('shop-a', 'events', items([...ids.filter((_, i) => i % 7 === 0), 'fresh']));
    expect(retry.duplicate.slice(0, -1).every(Boolean)).toBe(true);
    expect(retry.duplicate.at(-1)).toBe(false);
    expect(store.log.append('shop-b', 'events', items(['ev-1'])).duplicate).toEqual([false]);
  });

  it('include ids registered by a store written before schema 3', () => {
    open().close();
    opened.pop();
    const db = new Database(join(temp.dir, DATABASE_FILE));
    db.prepare('INSERT INTO idempotency (tenant, id) VALUES (?, ?)').run('shop-a', 'old-1');
    db.close();
    const store = open();
    expect(store.log.append('shop-a', 'events', items(['old-1', 'new-1'])).duplicate).toEqual([true, false]);
    expect(store.log.append('shop-b', 'events', items(['old-1'])).duplicate).toEqual([false]);
  });

  it('get the large page cache only while such a store still holds ids in its per-id index', () => {
    const file = join(temp.dir, DATABASE_FILE);
    const cacheKib = () => {
      const db = openDatabase(file);
      try {
        return -(db.pragma('cache_size', { simple: true }) as number);
      } finally {
        db.close();
      }
    };
    const fresh = cacheKib();
    const db = new Database(file);
    db.prepare('INSERT INTO idempotency (tenant, id) VALUES (?, ?)').run('shop-a', 'old-1');
    db.close();
    expect(fresh).toBe(16 * 1024);
    expect(cacheKib()).toBe(64 * 1024);
  });
});

describe('appendGroup', () => {
  it('appends each entry in one transaction, sees ids of earlier entries of the group, and isolates a failing one', () => {
    const store = open();
    const results = store.log.appendGroup!([
      { tenant: 'shop-a', kind: 'events', items: items(['a', 'b']) },
      { tenant: 'shop-a', kind: 'events', items: [{ id: 'c', body: 1 }, { id: 'bad', body: { n: 1n } }] },
      { tenant: 'shop-a', kind: 'events', items: items(['b', 'c', 'd']) },
      { tenant: 'BAD TENANT', kind: 'events', items: items(['x']) },
      { tenant: 'shop-b', kind: 'events', items: items(['a']) },
    ]);
    expect(results[0]).toEqual({ seq: 1, duplicate: [false, false] });
    expect(results[1]).toBeInstanceOf(TypeError);
    expect(results[2]).toEqual({ seq: 2, duplicate: [true, false, false] });
    expect(results[3]).toBeInstanceOf(RangeError);
    expect(results[4]).toEqual({ seq: 3, duplicate: [false] });
    expect(store.log.read(0, 10).map((e) => [e.tenant, e.items])).toEqual([['shop-a', ['a', 'b']], ['shop-a', ['c', 'd']], ['shop-b', ['a']]]);
    expect(store.log.append('shop-a', 'events', items(['d', 'e'])).duplicate).toEqual([true, false]);
  });
});

describe('appendGroup with serialized items', () => {
  const serialized = (bodies: { id?: string; v: string }[]) => ({
    ids: bodies.map((b) => b.id), bodies: () => bodies, json: new TextEncoder().encode(JSON.stringify(bodies)),
  });

  it('stores the given bytes as the entry text, and drops duplicates from them like object items', () => {
    const store = open();
    const first = [{ id: 'a', v: 'é ✓ 𝄞' }, { v: 'no id' }];
    const again = [{ id: 'a', v: 'dup' }, { id: 'b', v: 'b' }];
    const results = store.log.appendGroup!([
      { tenant: 'shop-a', kind: 'events', items: serialized(first) },
      { tenant: 'shop-a', kind: 'events', items: serialized(again) },
      { tenant: 'shop-a', kind: 'events', items: { ids: ['x'], bodies: [] as unknown as () => unknown[], json: new Uint8Array() } },
    ]);
    expect(results[0]).toEqual({ seq: 1, duplicate: [false, false] });
    expect(results[1]).toEqual({ seq: 2, duplicate: [true, false] });
    expect(results[2]).toBeInstanceOf(TypeError);
    expect(store.log.read(0, 10).map((e) => e.items)).toEqual([first, [{ id: 'b', v: 'b' }]]);
    // stored as text, not as a blob: other readers of the table see the JSON
    const db = new Database(join(temp.dir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT typeof(items) AS type, items FROM log WHERE seq = 1').get()).toEqual({ type: 'text', items: JSON.stringify(first) });
    } finally {
      db.close();
    }
    expect(store.log.append('shop-a', 'events', items(['a', 'b', 'c'])).duplicate).toEqual([true, true, false]);
  });
});
