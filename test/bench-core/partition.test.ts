import { describe, expect, it } from 'vitest';
import { verifySameResult } from '../../bench/core/partition.js';

describe('verifySameResult', () => {
  it('accepts the same partition under different root labels and label types', () => {
    expect(verifySameResult([5, 5, 9, 2, 9], [1, 1, 0, 7, 0])).toEqual({ same: true });
    expect(verifySameResult(Uint32Array.of(3, 4, 3), ['a@x', 'b@x', 'a@x'])).toEqual({ same: true });
  });

  it('rejects a merge the other result does not have', () => {
    const check = verifySameResult([1, 1, 2], [1, 1, 1]);
    expect(check.same).toBe(false);
    if (!check.same) expect(check.reason).toMatch(/find #2/);
  });

  it('rejects a split the other result does not have', () => {
    expect(verifySameResult([1, 1, 1], [1, 1, 2]).same).toBe(false);
  });

  it('rejects results of different lengths', () => {
    const check = verifySameResult([1, 2], [1]);
    expect(check).toEqual({ same: false, reason: 'lengths differ: 2 vs 1' });
  });
});
