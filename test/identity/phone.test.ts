import { describe, expect, it } from 'vitest';
import { isValidDefaultCountry, nationalNumberOf, normalizePhone } from '../../host/identity/index.js';
import { RequestError } from '../../host/types.js';

describe('normalizePhone: Bulgarian numbers, default BG', () => {
  const mobile = '+359888123456';
  it.each([
    ['national with spaces', '0888 123 456'],
    ['national compact', '0888123456'],
    ['international with spaces', '+359 88 812 3456'],
    ['international compact', '+359888123456'],
    ['00 prefix', '00359888123456'],
    ['00 prefix with spaces', '00 359 888 123 456'],
    ['country code without +', '359888123456'],
    ['parentheses and dash', '(088) 812-3456'],
    ['dots', '0888.123.456'],
    ['slash', '0888/123 456'],
    ['plus inside parentheses', '(+359) 888 123 456'],
    ['surrounding whitespace', '  0888 123 456\n'],
    ['no-break spaces', '0888\u00a0123\u00a0456'],
    ['full-width digits', '０８８８ １２３ ４５６'],
  ])('%s', (_name, raw) => {
    expect(normalizePhone(raw, 'BG')).toBe(mobile);
  });

  it.each([
    ['Sofia landline', '02 123 4567', '+35921234567'],
    ['Sofia landline, international', '+359 2 123 4567', '+35921234567'],
    ['Plovdiv landline', '032 123 456', '+35932123456'],
    ['another mobile operator', '0899 123 456', '+359899123456'],
  ])('%s', (_name, raw, e164) => {
    expect(normalizePhone(raw, 'BG')).toBe(e164);
  });
});

describe('normalizePhone: foreign numbers with an explicit +', () => {
  it.each([
    ['DE', '+49 30 1234567', '+49301234567'],
    ['DE with 00', '0049 30 1234567', '+49301234567'],
    ['US', '+1 (212) 555-0123', '+12125550123'],
    ['GB', '+44 20 7946 0958', '+442079460958'],
    ['RO', '+40 721 234 567', '+40721234567'],
    ['GR', '+30 691 234 5678', '+306912345678'],
  ])('%s', (_name, raw, e164) => {
    expect(normalizePhone(raw, 'BG')).toBe(e164);
  });
});

describe('normalizePhone: default country', () => {
  it.each([
    ['RO national', '0721 234 567', 'RO', '+40721234567'],
    ['DE national', '030 1234567', 'DE', '+49301234567'],
    ['US national', '(212) 555-0123', 'US', '+12125550123'],
    ['lower-case country code', '0721 234 567', 'ro', '+40721234567'],
    ['explicit + ignores the default', '+359 888 123 456', 'RO', '+359888123456'],
  ])('%s', (_name, raw, country, e164) => {
    expect(normalizePhone(raw, country)).toBe(e164);
  });

  it('reads the same digits differently per default country', () => {
    expect(normalizePhone('0888 123 456', 'BG')).toBe('+359888123456');
    expect(normalizePhone('0888 123 456', 'RO')).toBeNull();
  });

  it.each(['XX', '', 'Bulgaria', 'B'])('throws invalid_config for an unknown default country %j', (country) => {
    expect(() => normalizePhone('0888 123 456', country)).toThrowError(
      expect.objectContaining({ status: 400, code: 'invalid_config' }),
    );
    expect(() => normalizePhone('0888 123 456', country)).toThrow(RequestError);
    expect(isValidDefaultCountry(country)).toBe(false);
  });

  it.each(['BG', 'bg', 'DE', 'US'])('accepts %s as a default country', (country) => {
    expect(isValidDefaultCountry(country)).toBe(true);
  });
});

describe('normalizePhone: invalid input', () => {
  it.each([
    ['too short', '123'],
    ['all zeros', '0000000000'],
    ['letters', 'abcdefgh'],
    ['digits with trailing letter', '0888123456x'],
    ['extension', '0888 123 456 ext 5'],
    ['tel: URI', 'tel:+359888123456'],
    ['two plus signs', '++359888123456'],
    ['plus in the middle', '0888+123456'],
    ['empty', ''],
    ['only separators', ' - ( ) . '],
    ['too long for any number', '0888 123 456 789 012 345'],
    ['impossible BG number', '0888 12'],
    ['unassigned country code', '+999 123 456 789'],
    ['very long input', '1'.repeat(10_000)],
    ['emoji', '0888 123 456 📞'],
  ])('%s → null', (_name, raw) => {
    expect(normalizePhone(raw, 'BG')).toBeNull();
  });

  it.each([
    ['array', ['0888123456']],
    ['number', 888123456],
    ['null', null],
    ['object', { phone: '0888123456' }],
  ])('returns null for a non-string (%s)', (_name, raw) => {
    expect(normalizePhone(raw as unknown as string, 'BG')).toBeNull();
  });
});

describe('normalizePhone: cache', () => {
  it('gives the same answer from the cache as from a fresh parse, valid and invalid', () => {
    for (let round = 0; round < 3; round++) {
      expect(normalizePhone('0888 123 456', 'BG')).toBe('+359888123456');
      expect(normalizePhone('0888 123 456', 'RO')).toBeNull();
      expect(normalizePhone('123', 'BG')).toBeNull();
    }
  });

  it('keeps the country in the cache key', () => {
    expect(normalizePhone('030 1234567', 'DE')).toBe('+49301234567');
    expect(normalizePhone('030 1234567', 'BG')).not.toBe('+49301234567');
  });

  it('is idempotent on its output', () => {
    for (const raw of ['0888 123 456', '02 123 4567', '+1 212 555 0123']) {
      const e164 = normalizePhone(raw, 'BG') as string;
      expect(normalizePhone(e164, 'BG')).toBe(e164);
      expect(normalizePhone(e164, 'US')).toBe(e164);
    }
  });
});

describe('nationalNumberOf', () => {
  it.each([
    ['+359888123456', '888123456'],
    ['+35921234567', '21234567'],
    ['+12125550123', '2125550123'],
    ['00359 888 123 456', '888123456'],
    ['+359 (0) 888-123-456', '888123456'],
    ['+359000000000', '00000000'],
    ['0888123456', null],
    ['+999 1111111', null],
    ['+', null],
    ['+359888123456 ext 1', null],
    ['not a number', null],
  ])('%s → %s (validity not required)', (international, national) => {
    expect(nationalNumberOf(international)).toBe(national);
  });
});
