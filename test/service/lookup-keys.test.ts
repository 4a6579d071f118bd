// engineKeyOf and engineKeysOf (batch reads) build only the engine key; it must be exactly the engine key of the
// full lookup key (what single reads, audiences and erasure use), for every kind of input.
import { describe, expect, it } from 'vitest';
import { completeConfig } from '../../host/service/config.js';
import { engineKeyOf, engineKeysOf, lookupKeyOf } from '../../host/service/lookup-keys.js';
import { mulberry32 } from '../../bench/seeded-random.js';

const TYPES = ['email', 'phone', 'device', 'customer', 'subscriber', 'fax', '', 'EMAIL'];
const VALUES = [
  'Ana.Petrova+promo@Gmail.com', ' ana@shop.bg ', 'not-an-email', '0888 123 456', '+359 88 1234567', '12', 'abc',
  '6F1C2B7E-2D8A-4D53-9C0E-1B2A3C4D5E6F', '6f1c2b7e-2d8a-4d53-9c0e-1b2a3c4d5e6', 'c-42', '', 'x'.repeat(300), 'x'.repeat(2000),
  'bad\uD800surrogate', 'емейл@поща.бг', 'ok\uD83D\uDE00pair',
];

function generated(count: number): unknown[] {
  const next = mulberry32(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const inputs: unknown[] = [null, 'email', 42, { type: 'email' }, { value: 'a@b.bg' }, { type: 'email', value: 7 }, { type: 7, value: 'x' }];
  for (let i = 0; i < count; i++) inputs.push({ type: pick(TYPES), value: pick(VALUES) + (next() < 0.3 ? String(i % 5) : '') });
  return inputs;
}

describe('engineKeyOf', () => {
  it('equals the engine key of lookupKeyOf on generated lookups, cached or not', () => {
    for (const config of [completeConfig(null), completeConfig({ emailCanonical: false, defaultCountry: 'RO' })]) {
      for (let pass = 0; pass < 2; pass++) {
        for (const input of generated(2000)) {
          expect(engineKeyOf(input, config), JSON.stringify(input)).toEqual(lookupKeyOf(input, config)?.engine ?? null);
        }
      }
    }
  });

  it('engineKeysOf answers engineKeyOf of each lookup, in order', () => {
    const config = completeConfig({ emailCanonical: false });
    const inputs = generated(3000);
    for (let pass = 0; pass < 2; pass++) expect(engineKeysOf(inputs, config)).toEqual(inputs.map((input) => engineKeyOf(input, config)));
  });
});
