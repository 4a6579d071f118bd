import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { canonicalEmail, canonicalPhone, identifierKey, parseKey } from '../../bench/quality/normalize.js';
import { simulateShops } from '../../bench/quality/simulator.js';
import { JUNK_PHONES } from '../../bench/quality/variants.js';

describe('simulator normalization', () => {
  it.each([
    ['  Ivan.Petrov@ABV.bg ', 'ivan.petrov@abv.bg'],
    ['Ivan.Petrov@Gmail.com', 'ivanpetrov@gmail.com'],
    ['ivan.petrov+shop@gmail.com', 'ivanpetrov@gmail.com'],
    ['ivanpetrov@googlemail.com', 'ivanpetrov@gmail.com'],
    ['ivan.petrov+shop@abv.bg', 'ivan.petrov+shop@abv.bg'],
  ])('email %j → %j', (raw, canonical) => {
    expect(canonicalEmail(raw)).toBe(canonical);
  });

  it.each(['null', 'n/a', 'a@', '@b.bg', 'a b@c.bg', 'a@b'])('email %j is invalid', (raw) => {
    expect(canonicalEmail(raw)).toBeNull();
  });

  it.each(['0888 123 456', '+359 88 812 3456', '00359888123456', '(088) 812-3456', '0888123456', '+359888123456'])(
    'phone %j → +359888123456',
    (raw) => {
      expect(canonicalPhone(raw)).toBe('+359888123456');
    },
  );

  it.each(['0000000000', '1234567890', '12', 'abc'])('phone %j is invalid', (raw) => {
    expect(canonicalPhone(raw)).toBeNull();
  });

  it('keys carry the type and round-trip through parseKey', () => {
    const key = identifierKey('device', 'A6EEC740-98CE-4308-A9FB-1E11A9D3EDCC')!;
    expect(key).toBe('device:a6eec740-98ce-4308-a9fb-1e11a9d3edcc');
    expect(parseKey(key)).toEqual({ type: 'device', value: 'a6eec740-98ce-4308-a9fb-1e11a9d3edcc' });
    expect(identifierKey('device', 'not-a-uuid')).toBeNull();
    expect(identifierKey('customer', 'c-1000')).toBe('customer:c-1000');
    expect(() => parseKey('nonsense')).toThrow(/not an identifier key/);
  });

  it('agrees with libphonenumber (BG default) on every phone form the simulator emits', () => {
    const sim = simulateShops({ seed: 11, people: 600, noise: 'high' });
    const emitted = [...sim.keys.phone.keys(), ...JUNK_PHONES.map(([junk]) => junk)];
    expect(emitted.length).toBeGreaterThan(500);
    for (const raw of emitted) {
      const parsed = parsePhoneNumberFromString(raw.replace(/[\s\-()]/g, '').replace(/^00/, '+'), 'BG');
      const expected = parsed?.isValid() ? parsed.number : null;
      expect({ raw, e164: canonicalPhone(raw) }).toEqual({ raw, e164: expected });
    }
  });
});
