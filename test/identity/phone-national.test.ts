// normalizePhone hands the placeholder check the national number of its own parse instead of letting
// it re-parse the E.164 result. libphonenumber could in principle strip a national prefix again on
// that second parse, so this compares the two paths, verdict by verdict, over every country's numbers
// in many spellings: a fresh copy of the modules that never normalized judges each E.164 by re-parsing.
import { describe, expect, it, vi } from 'vitest';
import { getCountries, getCountryCallingCode, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import metadata from 'libphonenumber-js/metadata.max.json';
import { mulberry32 } from '../../bench/seeded-random.js';

type Identity = typeof import('../../host/identity/index.js');
type Builtin = typeof import('../../host/identity/builtin-blocked.js');

async function freshModules(): Promise<{ identity: Identity; builtin: Builtin }> {
  vi.resetModules();
  return {
    identity: await import('../../host/identity/index.js'),
    builtin: await import('../../host/identity/builtin-blocked.js'),
  };
}

const RANDOM_PER_LENGTH = 25;
const BG_SPELLINGS = [
  '0888 123 456', '+359 88 812 3456', '00359888123456', '359888123456', '(088) 812-3456', '0888/123 456',
  '(+359) 888 123 456', '０８８８ １２３ ４５６', '02 123 4567', '032 123 456', '0888 888 888', '0888 000 000',
  '+359 000 000 000', '0000000000', '0888 123456', '0899 876 543', '0700 12 345', '0800 12 345',
];

/** National significant numbers to spell: the example, random digits of each possible length, runs. */
function nationalNumbers(country: CountryCode, random: () => number): string[] {
  const lengths: number[] = (metadata.countries[country] as unknown[])[3] as number[] ?? [7, 8, 9, 10];
  const numbers = [getExampleNumber(country, examples)?.nationalNumber as string];
  for (const length of lengths) {
    for (let k = 0; k < RANDOM_PER_LENGTH; k++) {
      numbers.push(Array.from({ length }, () => Math.floor(random() * 10)).join(''));
    }
    for (let digit = 0; digit < 10; digit++) numbers.push(String(digit).repeat(length));
    numbers.push('1234567890'.repeat(2).slice(0, length), '9876543210'.repeat(2).slice(0, length));
  }
  return numbers.filter(Boolean);
}

/** The ways people write one number: national with and without prefixes, international, separated. */
function spellings(country: CountryCode, national: string): string[] {
  const code = getCountryCallingCode(country);
  const prefix = ((metadata.countries[country] as unknown[])[5] as string | 0) || '';
  return [
    national, `${prefix}${national}`, `0${national}`, `8${national}`, `1${national}`,
    `+${code}${national}`, `00${code}${national}`, `${code}${national}`, `+${code}${prefix}${national}`,
    `+${code} ${national.slice(0, 3)} ${national.slice(3)}`, `(${prefix}${national.slice(0, 2)}) ${national.slice(2)}`,
  ];
}

describe('placeholder check on a normalized phone: first parse vs re-parse', () => {
  it('agrees with re-parsing the E.164 number on every country\'s numbers in every spelling', async () => {
    const random = mulberry32(3);
    const inputs: [string, CountryCode][] = BG_SPELLINGS.map((raw) => [raw, 'BG']);
    for (const country of getCountries()) {
      for (const national of nationalNumbers(country, random)) {
        for (const raw of spellings(country, national)) inputs.push([raw, country]);
      }
    }
    for (let k = 0; k < 5_000; k++) {
      const length = 6 + Math.floor(random() * 10);
      inputs.push([Array.from({ length }, () => Math.floor(random() * 10)).join(''), 'BG']);
    }

    const reparsing = await freshModules();
    const seeded = await freshModules();
    let valid = 0;
    let placeholders = 0;
    const disagreements: string[] = [];
    for (const [raw, country] of inputs) {
      const e164 = seeded.identity.normalizePhone(raw, country);
      if (e164 === null) continue;
      valid++;
      const fromFirstParse = seeded.builtin.builtinBlockReason('phone', e164, raw);
      const fromReparse = reparsing.builtin.builtinBlockReason('phone', e164, raw);
      const nationalSeeded = seeded.identity.nationalNumberOf(e164);
      const nationalReparsed = reparsing.identity.nationalNumberOf(e164);
      if (fromFirstParse !== null) placeholders++;
      if (fromFirstParse !== fromReparse || nationalSeeded !== nationalReparsed) {
        disagreements.push(`${country} ${raw} → ${e164}: ${nationalSeeded} ${fromFirstParse} vs ${nationalReparsed} ${fromReparse}`);
      }
    }
    expect(disagreements).toEqual([]);
    // the set must reach well past the example numbers, and include placeholders
    expect(valid).toBeGreaterThan(40_000);
    expect(inputs.length).toBeGreaterThan(250_000);
    expect(placeholders).toBeGreaterThan(5_000);
  }, 120_000);
});
