// Tenant → partition mapping and the names derived from it.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARTITIONS,
  partitionOf,
  partitionStreamName,
  partitionSubjectPrefix,
} from '../../host/store/jetstream-partitions.js';
import { tenantHash } from '../../host/store/tenant-hash.js';

describe('partitionOf', () => {
  it('is FNV-1a of the tenant id mod the partition count, the same hash as the shard mapping', () => {
    // FNV-1a 32 of "a" is 0xe40c292c (published test vector).
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    for (const tenant of ['shop-1', 'acme', 'z9_q-x', 'a'.repeat(64)]) {
      expect(partitionOf(tenant)).toBe(tenantHash(tenant) % DEFAULT_PARTITIONS);
      expect(partitionOf(tenant, 7)).toBe(tenantHash(tenant) % 7);
    }
  });

  it('spreads tenants over every partition', () => {
    const counts = new Array(DEFAULT_PARTITIONS).fill(0);
    for (let i = 0; i < 64_00; i++) counts[partitionOf(`tenant-${i}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  it('names streams and subjects with a two-digit partition number', () => {
    expect(partitionStreamName(7)).toBe('PG_P07');
    expect(partitionSubjectPrefix(63)).toBe('pg.p63');
    expect(partitionStreamName(120)).toBe('PG_P120');
  });

  it('rejects a bad partition count or number', () => {
    expect(() => partitionOf('a', 0)).toThrow(/partitions must be an integer >= 1/);
    expect(() => partitionStreamName(-1)).toThrow(/partition must be an integer >= 0/);
  });
});
