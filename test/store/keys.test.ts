import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../host/store/index.js';
import { makeTempDir } from './helpers.js';

const KEY_FORMAT = /^[A-Za-z0-9_-]{24,}$/;

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

describe('keys', () => {
  it('creates keys that are found by their secret, with tenant and role', () => {
    const write = store.keys.createKey('shop-a', 'write');
    const admin = store.keys.createKey('*', 'admin');
    expect(write.key).toMatch(KEY_FORMAT);
    expect(write.id).toMatch(/^key_[A-Za-z0-9_-]{8}$/);
    expect(write.key).not.toBe(admin.key);
    expect(store.keys.findKey(write.key)).toEqual({ id: write.id, tenant: 'shop-a', role: 'write' });
    expect(store.keys.findKey(admin.key)).toEqual({ id: admin.id, tenant: '*', role: 'admin' });
    expect(store.keys.findKey(`${write.key}x`)).toBeNull();
    expect(store.keys.findKey('')).toBeNull();
    expect(store.keys.keyCount()).toBe(2);
  });

  it('lists keys without their secrets and never stores a secret in the clear', () => {
    const { id, key } = store.keys.createKey('shop-a', 'secret');
    const listed = store.keys.listKeys();
    expect(listed).toEqual([{ id, tenant: 'shop-a', role: 'secret', createdAt: expect.any(Number), revokedAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(key);
    store.close();
    // The secret appears nowhere in the database file or its write-ahead log.
    for (const name of readdirSync(temp.dir).filter((n) => n.startsWith('store.db'))) {
      expect(readFileSync(join(temp.dir, name)).includes(key)).toBe(false);
    }
    store = openStore(temp.dir);
    expect(store.keys.findKey(key)?.id).toBe(id);
  });

  it('revokes a key once; a revoked key is no longer found or counted', () => {
    const { id, key } = store.keys.createKey('shop-a', 'write');
    expect(store.keys.revokeKey(id)).toBe(true);
    expect(store.keys.revokeKey(id)).toBe(false);
    expect(store.keys.revokeKey('key_unknown')).toBe(false);
    expect(store.keys.findKey(key)).toBeNull();
    expect(store.keys.keyCount()).toBe(0);
    expect(store.keys.listKeys()[0].revokedAt).toEqual(expect.any(Number));
  });

  it('moves keysVersion on every change, also as seen from another connection', () => {
    const other = openStore(temp.dir);
    try {
      const v0 = other.keys.keysVersion();
      const { id } = store.keys.createKey('shop-a', 'write');
      const v1 = other.keys.keysVersion();
      expect(v1).not.toBe(v0);
      expect(other.keys.keysVersion()).toBe(v1);
      store.keys.revokeKey('key_unknown');
      expect(other.keys.keysVersion()).toBe(v1);
      store.keys.revokeKey(id);
      expect(other.keys.keysVersion()).not.toBe(v1);
    } finally {
      other.close();
    }
  });

  it('rejects bad roles and tenants', () => {
    expect(() => store.keys.createKey('shop-a', 'owner' as never)).toThrow(/role must be one of/);
    expect(() => store.keys.createKey('*', 'write')).toThrow(/tenant must match/);
    expect(() => store.keys.createKey('Shop', 'secret')).toThrow(/tenant must match/);
    expect(store.keys.keyCount()).toBe(0);
  });
});
