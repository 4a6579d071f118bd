import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../host/util/bounded-cache.js';

describe('BoundedCache', () => {
  it('never holds more than maxSize entries and keeps the most recent half', () => {
    const cache = new BoundedCache<number, number>(4);
    for (let i = 0; i < 10; i++) {
      cache.set(i, i * i);
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    expect([8, 9].map((key) => cache.get(key))).toEqual([64, 81]);
    expect(cache.has(5)).toBe(false);
  });

  it('evicts entries not used recently, counting reads as use', () => {
    const cache = new BoundedCache<string, number>(4);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3); // a and b age
    expect(cache.get('a')).toBe(1); // a is used again
    cache.set('d', 4); // c and a age, b is dropped
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.get('c')).toBe(3);
  });

  it('updates an existing key without evicting another', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(10);
    expect(cache.get('b')).toBe(2);
  });

  it('stores null as a value distinct from a miss', () => {
    const cache = new BoundedCache<string, string | null>(2);
    cache.set('bad', null);
    expect(cache.has('bad')).toBe(true);
    expect(cache.get('bad')).toBeNull();
    expect(cache.get('unknown')).toBeUndefined();
  });

  it('clears', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxSize %s', (size) => {
    expect(() => new BoundedCache(size)).toThrow(RangeError);
  });
});
