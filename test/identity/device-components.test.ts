import { describe, expect, it } from 'vitest';
import {
  canonicalComponents,
  MAX_COMPONENT_STRING_LENGTH,
  MAX_EXTRA_ENTRIES,
  validateDeviceComponents,
} from '../../host/identity/index.js';
import { RequestError } from '../../host/types.js';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < depth; level++) value = { child: value };
  return value;
}

describe('validateDeviceComponents: accepted bodies', () => {
  it.each<[string, unknown]>([
    ['all fields', { browser: 'Chrome', cpu: 'arm64', manufacturer: 'Apple', model: 'iPhone15,2', extra: { tz: 'Europe/Sofia' } }],
    ['one field', { browser: 'Firefox' }],
    ['only extra', { extra: { screen: [1920, 1080], dpr: 1.5, touch: false, gpu: null } }],
    ['unicode', { model: 'Редми Нот 12 📱' }],
    ['string at the length limit', { model: 'm'.repeat(MAX_COMPONENT_STRING_LENGTH) }],
    ['extra nested 4 levels', { browser: 'x', extra: nested(4) }],
    ['64 entries in extra', { extra: Object.fromEntries(Array.from({ length: MAX_EXTRA_ENTRIES }, (_, i) => [`k${i}`, i])) }],
    ['null fields are skipped', { browser: 'Chrome', cpu: null }],
    ['object without prototype', Object.assign(Object.create(null), { browser: 'Chrome' })],
  ])('%s', (_name, body) => {
    expect(() => validateDeviceComponents(body)).not.toThrow();
  });

  it('returns a copy that does not alias the input', () => {
    const body = { browser: 'Chrome', extra: { screen: { w: 1 }, fonts: ['a'] } };
    const components = validateDeviceComponents(body);
    expect(components).toEqual(body);
    body.extra.screen.w = 2;
    body.extra.fonts.push('b');
    expect(components.extra).toEqual({ screen: { w: 1 }, fonts: ['a'] });
  });

  it('keeps a "__proto__" key in extra as plain data without touching prototypes', () => {
    const body = JSON.parse('{"browser":"x","extra":{"__proto__":{"polluted":"yes"}}}');
    const components = validateDeviceComponents(body);
    expect(Object.getPrototypeOf(components.extra)).toBe(Object.prototype);
    expect(Object.keys(components.extra ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(canonicalComponents(components)).toContain('"__proto__"');
  });
});

describe('validateDeviceComponents: rejected bodies', () => {
  const tooDeep = { extra: nested(5) };
  const tooDeepArray = { extra: { a: { b: { c: [[1]] } } } };
  it.each<[string, unknown, RegExp]>([
    ['null', null, /must be a JSON object/],
    ['string', 'Chrome', /must be a JSON object/],
    ['array', [{ browser: 'Chrome' }], /must be a JSON object/],
    ['number', 7, /must be a JSON object/],
    ['class instance', new Date(), /must be a JSON object/],
    ['number field', { browser: 131 }, /browser must be a string/],
    ['array field', { model: ['a', 'b'] }, /model must be a string/],
    ['object field', { cpu: { arch: 'arm' } }, /cpu must be a string/],
    ['boolean field', { manufacturer: true }, /manufacturer must be a string/],
    ['string over the limit', { model: 'm'.repeat(MAX_COMPONENT_STRING_LENGTH + 1) }, /model is longer than 512/],
    ['extra string over the limit', { extra: { ua: 'u'.repeat(MAX_COMPONENT_STRING_LENGTH + 1) } }, /extra\.ua is longer/],
    ['extra as array', { extra: ['a'] }, /"extra" must be a JSON object/],
    ['extra as string', { extra: 'a' }, /"extra" must be a JSON object/],
    ['extra nested 5 levels', tooDeep, /nested deeper than 4/],
    ['array nested 5 levels', tooDeepArray, /extra\.a\.b\.c\[0\] is nested deeper/],
    ['65 entries in extra', { extra: Object.fromEntries(Array.from({ length: MAX_EXTRA_ENTRIES + 1 }, (_, i) => [`k${i}`, i])) }, /more than 64 entries/],
    ['array items count as entries', { extra: { list: Array.from({ length: MAX_EXTRA_ENTRIES }, (_, i) => i) } }, /more than 64 entries/],
    ['non-finite number', { extra: { x: Number.POSITIVE_INFINITY } }, /extra\.x must be a finite number/],
    ['function in extra', { extra: { f: () => 1 } }, /extra\.f must be a string, number/],
    ['unknown field', { browser: 'x', screen: '1080' }, /unknown field "screen"/],
    ['empty object', {}, /all empty/],
    ['only empty strings', { browser: ' ', model: '', extra: { a: '' } }, /all empty/],
  ])('%s', (_name, body, message) => {
    let thrown: unknown;
    try {
      validateDeviceComponents(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RequestError);
    expect(thrown).toMatchObject({ status: 400, code: 'invalid_device' });
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('canonicalComponents', () => {
  it.each([
    [{ browser: ' Chrome ', model: 'X' }, '{"browser":"chrome","model":"x"}'],
    [{ extra: { b: 1, a: [' A ', null, ''] } }, '{"extra":{"a":["a",null,null],"b":1}}'],
    [{ extra: { '10': 1, '9': 2, a: 3 } }, '{"extra":{"10":1,"9":2,"a":3}}'],
    [{ browser: 'a"b\\c' }, '{"browser":"a\\"b\\\\c"}'],
    [{}, '{}'],
  ])('%j → %s', (components, expected) => {
    expect(canonicalComponents(components)).toBe(expected);
  });
});
