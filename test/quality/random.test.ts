import { describe, expect, it } from 'vitest';
import { Random } from '../../bench/quality/random.js';

const SAMPLES = 20_000;

function sequence(seed: number, n = 50): number[] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => random.uint32());
}

describe('Random', () => {
  it('gives the same sequence for the same seed and different ones for neighbouring seeds', () => {
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
    expect(sequence(0)).not.toEqual(sequence(1));
  });

  it('keeps a fixed sequence across runs and platforms (pinned first outputs)', () => {
    // Pinned so that a change to the generator, which would silently change every simulation, is noticed.
    expect(sequence(1, 3)).toEqual([1828152527, 3394835397, 2967886022]);
  });

  it('int stays within its inclusive bounds and reaches both ends', () => {
    const random = new Random(3);
    const seen = new Set<number>();
    for (let i = 0; i < SAMPLES; i++) seen.add(random.int(-2, 3));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it('chance(p) comes true about p of the time', () => {
    const random = new Random(4);
    let hits = 0;
    for (let i = 0; i < SAMPLES; i++) if (random.chance(0.3)) hits++;
    expect(hits / SAMPLES).toBeGreaterThan(0.28);
    expect(hits / SAMPLES).toBeLessThan(0.32);
  });

  it('weighted follows the weights', () => {
    const random = new Random(5);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < SAMPLES; i++) counts[random.weighted([['a', 1], ['b', 3]] as const)]++;
    expect(counts.b / SAMPLES).toBeGreaterThan(0.72);
    expect(counts.b / SAMPLES).toBeLessThan(0.78);
  });

  it('shuffle permutes in place without losing items', () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    const shuffled = new Random(6).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });

  it('normal has about the asked mean and spread', () => {
    const random = new Random(9);
    const values = Array.from({ length: SAMPLES }, () => random.normal(10, 2));
    const mean = values.reduce((a, b) => a + b, 0) / SAMPLES;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / SAMPLES);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('makes version 4 UUIDs in lower case, all distinct', () => {
    const random = new Random(10);
    const uuids = Array.from({ length: 1000 }, () => random.uuid());
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('rejects bad arguments with errors that name the problem', () => {
    expect(() => new Random(1.5)).toThrow(/seed must be a safe integer/);
    expect(() => new Random(1).int(3, 1)).toThrow(/min <= max/);
    expect(() => new Random(1).pick([])).toThrow(/non-empty/);
    expect(() => new Random(1).weighted([['a', 0]])).toThrow(/positive weight/);
  });
});
