// KeyAuthenticator's cache over a real (in-memory) key store: lookups are remembered, and key
// changes are noticed on the first check at least KEYS_VERSION_CHECK_MS after the previous one.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../host/store/index.js';
import { authorize, bearerKey, KeyAuthenticator, KEYS_VERSION_CHECK_MS } from '../../host/http/auth.js';

let store: Store;
afterEach(() => store?.close());

function setup(openWhenNoKeys = true) {
  store = openStore(null);
  let now = 0;
  const auth = new KeyAuthenticator(store.keys, { openWhenNoKeys, now: () => now });
  return { auth, advance: (ms: number) => { now += ms; } };
}

describe('KeyAuthenticator', () => {
  it('runs open with no keys, and closes once a key exists and the next check sees it', () => {
    const { auth, advance } = setup();
    expect(auth.identify(undefined)).toEqual({ open: true });
    const { key } = store.keys.createKey('shop-a', 'secret');
    advance(KEYS_VERSION_CHECK_MS - 1);
    expect(auth.identify(undefined)).toEqual({ open: true });
    advance(1);
    expect(() => auth.identify(undefined)).toThrow(expect.objectContaining({ status: 401, code: 'unauthorized' }));
    expect(auth.identify(key)).toMatchObject({ open: false, key: { tenant: 'shop-a', role: 'secret' } });
  });

  it('looks each presented key up once until the keys change', () => {
    const { auth, advance } = setup();
    const { key, id } = store.keys.createKey('shop-a', 'write');
    const findKey = vi.spyOn(store.keys, 'findKey');
    for (let i = 0; i < 5; i++) {
      auth.identify(key);
      expect(() => auth.identify('unknown-key-000000000000000')).toThrow(expect.objectContaining({ status: 401 }));
      advance(KEYS_VERSION_CHECK_MS);
    }
    expect(findKey).toHaveBeenCalledTimes(2);
    store.keys.revokeKey(id);
    store.keys.createKey('shop-b', 'write'); // keeps the server closed
    advance(KEYS_VERSION_CHECK_MS);
    expect(() => auth.identify(key)).toThrow(expect.objectContaining({ status: 401 }));
    expect(findKey).toHaveBeenCalledTimes(3);
  });

  it('refuses everything with no keys when open mode is not allowed', () => {
    const { auth } = setup(false);
    expect(() => auth.identify('anything')).toThrow(expect.objectContaining({ status: 401, message: expect.stringContaining('no API keys') }));
  });

  it('authorizes by tenant and role; admin keys reach every tenant', () => {
    const key = (tenant: string, role: 'write' | 'secret' | 'admin') => ({ open: false as const, key: { id: 'k', tenant, role } });
    expect(() => authorize(key('shop-a', 'secret'), 'secret', 'shop-a')).not.toThrow();
    expect(() => authorize(key('shop-a', 'write'), 'write', 'shop-a')).not.toThrow();
    expect(() => authorize(key('shop-a', 'write'), 'secret', 'shop-a')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize(key('shop-a', 'secret'), 'write', 'shop-b')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize(key('*', 'admin'), 'secret', 'shop-z')).not.toThrow();
    expect(() => authorize({ open: true }, 'secret', 'shop-z')).not.toThrow();
  });
});

describe('bearerKey', () => {
  it('reads the key of each header, the same header again or another one after it', () => {
    const headers: [string | undefined, string | undefined][] = [
      ['Bearer pg_abc', 'pg_abc'], ['Bearer pg_abc', 'pg_abc'], ['bearer  pg_def  ', 'pg_def'], ['Basic dXNlcjpwYXNz', undefined],
      ['Basic dXNlcjpwYXNz', undefined], [undefined, undefined], ['Bearer pg_abc', 'pg_abc'], ['Bearer', undefined], ['Bearer a b', undefined],
    ];
    for (const [header, key] of headers) expect(bearerKey(header), String(header)).toBe(key);
  });
});
