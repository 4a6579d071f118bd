// normalizeEvents' traits size limit: judged without serializing when a bound proves the traits small,
// so it must reject exactly the traits whose JSON text is over the limit, whatever they hold.
import { describe, expect, it } from 'vitest';
import { normalizeEvents } from '../../host/service/events.js';
import { completeConfig } from '../../host/service/config.js';
import { mulberry32 } from '../../bench/seeded-random.js';

const MAX_TRAITS_BYTES = 16_384;
const config = completeConfig(null);

function rejectedForSize(traits: unknown): boolean {
  const { errors } = normalizeEvents([{ identifiers: { customer: 'c-1' }, traits }], config, null);
  return errors.some((e) => e.error.code === 'traits_too_large');
}

/** Random JSON-like data whose serialized size lands on both sides of the limit. */
function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
  switch (kind) {
    case 0: return Math.floor(next() * 1e6) / (next() < 0.5 ? 1 : 7e9);
    case 1: {
      // escapes (quotes, control characters, lone surrogates) make the text longer than the string
      const alphabet = ['a', 'ж', '"', '\\', '\n', '\u0001', '\ud800', '€'];
      const length = Math.floor(next() ** 3 * 6000);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * (next() < 0.9 ? 1 : alphabet.length))];
      return text;
    }
    case 2: return next() < 0.5;
    case 3: return null;
    case 4: return Array.from({ length: Math.floor(next() * 8) }, () => randomValue(next, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(next() * 8) }, (_, i) => [`k${i}${'x'.repeat(Math.floor(next() * 40))}`, randomValue(next, depth + 1)]));
  }
}

describe('normalizeEvents: traits size limit', () => {
  it('rejects exactly the traits whose JSON is over the limit (random traits on both sides of it)', () => {
    const next = mulberry32(7);
    let over = 0;
    for (let i = 0; i < 400; i++) {
      const traits = Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 6) }, (_, k) => [`t${k}`, randomValue(next, 0)]));
      const expected = JSON.stringify(traits).length > MAX_TRAITS_BYTES;
      if (expected) over++;
      expect(rejectedForSize(traits), `traits of ${JSON.stringify(traits).length} characters`).toBe(expected);
    }
    expect(over).toBeGreaterThan(20);
    expect(over).toBeLessThan(380);
  });

  it('measures at the limit exactly, escapes included', () => {
    const fill = (length: number) => ({ s: 'a'.repeat(length) }); // {"s":"…"} is length + 8 characters
    expect(rejectedForSize(fill(MAX_TRAITS_BYTES - 8))).toBe(false);
    expect(rejectedForSize(fill(MAX_TRAITS_BYTES - 7))).toBe(true);
    const quotes = (count: number) => ({ s: '"'.repeat(count) }); // each quote is 2 characters escaped
    expect(rejectedForSize(quotes((MAX_TRAITS_BYTES - 8) / 2))).toBe(false);
    expect(rejectedForSize(quotes((MAX_TRAITS_BYTES - 8) / 2 + 1))).toBe(true);
  });

  it('judges values that are not plain JSON data as JSON.stringify serializes them', () => {
    const big = 'b'.repeat(MAX_TRAITS_BYTES);
    expect(rejectedForSize({ when: new Date(0), skipped: undefined, n: Number.NaN })).toBe(false);
    expect(rejectedForSize({ custom: { toJSON: () => big } })).toBe(true);
    expect(rejectedForSize({ custom: { toJSON: () => 'small' }, pad: 'p'.repeat(MAX_TRAITS_BYTES - 40) })).toBe(false);
  });
});
