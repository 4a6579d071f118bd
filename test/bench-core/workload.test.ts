import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentStats } from '../../bench/core/workload-stats.js';
import {
  decodeWorkload,
  encodeWorkload,
  idCount,
  makeWorkload,
  readWorkload,
  unionCount,
  writeWorkload,
  type Workload,
} from '../../bench/core/workload.js';

const SPEC = { ids: 10_000, unions: 15_000, finds: 25_000, seed: 42 };

function keyAt(w: Workload, i: number): string {
  return Buffer.from(w.keys.subarray(w.keyOffsets[i], w.keyOffsets[i + 1])).toString('latin1');
}

describe('makeWorkload', () => {
  const w = makeWorkload(SPEC);

  it('has the requested sizes', () => {
    expect(idCount(w)).toBe(SPEC.ids);
    expect(unionCount(w)).toBe(SPEC.unions);
    expect(w.findIds.length).toBe(SPEC.finds);
    expect(w.keyOffsets[SPEC.ids]).toBe(w.keys.length);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = makeWorkload(SPEC);
    expect(Buffer.from(encodeWorkload(again)).equals(Buffer.from(encodeWorkload(w)))).toBe(true);
    const other = makeWorkload({ ...SPEC, seed: SPEC.seed + 1 });
    expect(Buffer.from(other.unionPairs.buffer).equals(Buffer.from(w.unionPairs.buffer))).toBe(false);
    expect(Buffer.from(other.keys).equals(Buffer.from(w.keys))).toBe(false);
  });

  it('makes unique, email-like keys of 20..28 bytes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < SPEC.ids; i++) {
      const key = keyAt(w, i);
      expect(key.length).toBeGreaterThanOrEqual(20);
      expect(key.length).toBeLessThanOrEqual(28);
      expect(key).toMatch(/^[a-z]+\.[0-9a-z]+@[a-z]+\.[a-z]+$/);
      seen.add(key);
    }
    expect(seen.size).toBe(SPEC.ids);
  });

  it('references only known ids and never pairs an id with itself', () => {
    for (let k = 0; k < SPEC.unions; k++) {
      expect(w.unionPairs[2 * k]).not.toBe(w.unionPairs[2 * k + 1]);
    }
    expect(Math.max(...w.unionPairs, ...w.findIds)).toBeLessThan(SPEC.ids);
  });

  it('gives mostly small components and a few large ones', () => {
    const stats = componentStats(w);
    expect(stats.small / stats.components).toBeGreaterThan(0.7);
    expect(stats.large).toBeGreaterThan(0);
    expect(stats.large / stats.components).toBeLessThan(0.05);
    expect(stats.largest).toBeGreaterThan(10);
    expect(stats.largest).toBeLessThan(SPEC.ids / 4);
  });

  it('rejects a bad spec with a message naming the field', () => {
    expect(() => makeWorkload({ ...SPEC, ids: 1 })).toThrow(/ids must be at least 2/);
    expect(() => makeWorkload({ ...SPEC, unions: -1 })).toThrow(/unions must be a non-negative integer/);
    expect(() => makeWorkload({ ...SPEC, finds: 0 })).toThrow(/unions and finds must be at least 1/);
    expect(() => makeWorkload({ ...SPEC, seed: 0.5 })).toThrow(/seed must be an integer/);
  });
});

describe('workload file', () => {
  const w = makeWorkload({ ...SPEC, ids: 500, unions: 700, finds: 900 });

  it('round-trips through writeWorkload/readWorkload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-wl-test-'));
    try {
      const path = join(dir, 'w.bin');
      await writeWorkload(w, path);
      const back = await readWorkload(path);
      expect(back.keys).toEqual(w.keys);
      expect(back.keyOffsets).toEqual(w.keyOffsets);
      expect(back.unionPairs).toEqual(w.unionPairs);
      expect(back.findIds).toEqual(w.findIds);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad magic, a truncated file and out-of-range ids', async () => {
    const bytes = encodeWorkload(w);
    const badMagic = bytes.slice();
    badMagic[0] = 0x58;
    expect(() => decodeWorkload(badMagic)).toThrow(/bad magic/);
    expect(() => decodeWorkload(bytes.subarray(0, bytes.length - 1))).toThrow(/header says/);
    expect(() => decodeWorkload(bytes.subarray(0, 10))).toThrow(/shorter than the header/);
    const badFind = { ...w, findIds: Uint32Array.of(0, 500) };
    expect(() => encodeWorkload(badFind)).toThrow(/findIds\[1\] = 500 is not an id/);
    const dir = await mkdtemp(join(tmpdir(), 'pg-wl-test-'));
    try {
      await writeFile(join(dir, 'bad.bin'), badMagic);
      await expect(readWorkload(join(dir, 'bad.bin'))).rejects.toThrow(/bad magic/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
