import { describe, expect, it } from 'vitest';
import { FingerprintTable, fingerprint } from '../../host/util/fingerprint-table.js';

describe('FingerprintTable', () => {
  it('returns the values stored under a string, all of them, and nothing for unknown strings', () => {
    const table = new FingerprintTable();
    table.add('ev-1', 7);
    table.add('ev-2', 0);
    table.add('ev-1', 9);
    expect(table.candidates('ev-1').sort()).toEqual([7, 9]);
    expect(table.candidates('ev-2')).toEqual([0]);
    expect(table.candidates('ev-3')).toEqual([]);
    expect(table.size).toBe(3);
  });

  it('keeps every entry across growth', () => {
    const table = new FingerprintTable();
    const n = 50_000;
    for (let i = 0; i < n; i++) table.add(`id-${i}`, i);
    for (let i = 0; i < n; i += 997) expect(table.candidates(`id-${i}`)).toContain(i);
    let misses = 0;
    for (let i = n; i < 2 * n; i++) misses += table.candidates(`id-${i}`).length === 0 ? 1 : 0;
    expect(misses).toBe(n);
    expect(table.byteLength).toBeLessThan(n * 12 * 4);
  });

  it('fingerprints strings that differ in one unit, or only in length, differently', () => {
    const seen = new Set<string>();
    for (const text of ['', 'a', 'b', 'ab', 'ba', 'a\0', '\0a', 'é', 'e\u0301', 'ev-1-10', 'ev-1-01']) seen.add(fingerprint(text).join(':'));
    expect(seen.size).toBe(11);
  });

  it('refuses values it cannot store', () => {
    const table = new FingerprintTable();
    expect(() => table.add('x', -1)).toThrow(RangeError);
    expect(() => table.add('x', 2 ** 32)).toThrow(RangeError);
  });
});
