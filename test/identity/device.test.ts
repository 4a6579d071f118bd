import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  composeDeviceId,
  mapToDeviceId,
  normalizeDeviceId,
  PROJECT_NAMESPACE,
  tenantNamespace,
  uuidV5,
  type DeviceComponents,
} from '../../host/identity/index.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  // The first vector is RFC 9562's published example; the others come from Python's uuid.uuid5.
  it.each([
    [DNS_NAMESPACE, 'www.example.com', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    [DNS_NAMESPACE, 'python.org', '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    [URL_NAMESPACE, 'https://example.com/ü', 'a17f7a1d-6bb5-51a9-9d32-f9d2fdeec8b6'],
    [DNS_NAMESPACE.toUpperCase(), 'www.example.com', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
  ])('%s + %j → %s', (namespace, name, expected) => {
    expect(uuidV5(namespace, name)).toBe(expected);
  });

  it('always sets version 5 and the RFC variant', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string({ unit: 'grapheme' }), (namespace, name) => {
        expect(uuidV5(namespace, name)).toMatch(UUID_V5);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(/namespace is not a UUID/);
  });
});

describe('normalizeDeviceId', () => {
  it.each([
    ['lower case', '2ed6657d-e927-568b-95e1-2665a8aea6a2', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['upper case', '2ED6657D-E927-568B-95E1-2665A8AEA6A2', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['mixed case', '2Ed6657d-E927-568b-95e1-2665A8aea6a2', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['surrounding whitespace', ' 2ed6657d-e927-568b-95e1-2665a8aea6a2\n', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['version 4', '9f1c1a4e-3b2d-4c5e-8f7a-1b2c3d4e5f60', '9f1c1a4e-3b2d-4c5e-8f7a-1b2c3d4e5f60'],
    ['version 7', '01890a5d-ac96-774b-bcce-b302099a8057', '01890a5d-ac96-774b-bcce-b302099a8057'],
    ['nil UUID (blocked elsewhere, still a UUID)', '00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
  ])('%s', (_name, raw, expected) => {
    expect(normalizeDeviceId(raw)).toBe(expected);
  });

  it.each([
    ['no hyphens', '2ed6657de927568b95e12665a8aea6a2'],
    ['braces', '{2ed6657d-e927-568b-95e1-2665a8aea6a2}'],
    ['urn prefix', 'urn:uuid:2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['one digit short', '2ed6657d-e927-568b-95e1-2665a8aea6a'],
    ['one digit long', '2ed6657d-e927-568b-95e1-2665a8aea6a22'],
    ['non-hex letter', '2ed6657g-e927-568b-95e1-2665a8aea6a2'],
    ['misplaced hyphen', '2ed6657-de927-568b-95e1-2665a8aea6a2'],
    ['full-width digits', '２ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['empty', ''],
    ['segment id', 'anon-507f1f77bcf86cd799439011'],
    ['very long', 'a'.repeat(100_000)],
  ])('rejects %s', (_name, raw) => {
    expect(normalizeDeviceId(raw)).toBeNull();
  });

  it.each([[['2ed6657d-e927-568b-95e1-2665a8aea6a2']], [42], [null], [{}]])('returns null for a non-string %j', (raw) => {
    expect(normalizeDeviceId(raw as unknown as string)).toBeNull();
  });
});

describe('composeDeviceId', () => {
  const phone: DeviceComponents = {
    browser: 'Chrome 131',
    cpu: 'arm64',
    manufacturer: 'Samsung',
    model: 'SM-S918B',
    extra: { screen: { w: 1080, h: 2340 }, tz: 'Europe/Sofia', touch: true },
  };

  it('is a version 5 UUID derived from the tenant namespace', () => {
    const id = composeDeviceId('shop-a', phone);
    expect(id).toMatch(UUID_V5);
    expect(tenantNamespace('shop-a')).toBe(uuidV5(PROJECT_NAMESPACE, 'shop-a'));
  });

  it('gives the same UUID for the same components, and for equivalent spellings', () => {
    const id = composeDeviceId('shop-a', phone);
    expect(composeDeviceId('shop-a', structuredClone(phone))).toBe(id);
    expect(
      composeDeviceId('shop-a', {
        extra: { touch: true, tz: ' europe/sofia ', screen: { h: 2340, w: 1080 } },
        model: 'sm-s918b',
        manufacturer: ' SAMSUNG ',
        cpu: 'ARM64',
        browser: 'chrome 131',
      }),
    ).toBe(id);
  });

  it('gives different UUIDs in different tenants', () => {
    expect(composeDeviceId('shop-a', phone)).not.toBe(composeDeviceId('shop-b', phone));
  });

  it.each<[string, DeviceComponents]>([
    ['browser', { ...phone, browser: 'Chrome 132' }],
    ['cpu', { ...phone, cpu: 'x86_64' }],
    ['manufacturer', { ...phone, manufacturer: 'Xiaomi' }],
    ['model', { ...phone, model: 'SM-S918C' }],
    ['extra value', { ...phone, extra: { ...phone.extra, tz: 'Europe/Athens' } }],
    ['nested extra value', { ...phone, extra: { ...phone.extra, screen: { w: 1080, h: 2400 } } }],
    ['extra key', { ...phone, extra: { ...phone.extra, dpr: 3 } }],
    ['number vs string', { ...phone, extra: { ...phone.extra, touch: 'true' } }],
    ['array order', { ...phone, extra: { fonts: ['b', 'a'] } }],
  ])('changes when %s changes', (_name, changed) => {
    expect(composeDeviceId('shop-a', changed)).not.toBe(composeDeviceId('shop-a', phone));
  });

  it('treats missing, null and empty alike', () => {
    const base = composeDeviceId('shop-a', { browser: 'firefox' });
    const spellings: DeviceComponents[] = [
      { browser: 'firefox', cpu: '' },
      { browser: 'firefox', cpu: '   ', model: undefined },
      { browser: 'firefox', extra: {} },
      { browser: 'firefox', extra: { a: '', b: null, c: [], d: {}, e: { f: '' } } },
    ];
    for (const components of spellings) expect(composeDeviceId('shop-a', components)).toBe(base);
  });

  it('sorts integer-like keys like any other key', () => {
    const a = composeDeviceId('shop-a', { extra: { '10': 'x', '9': 'y', b: 'z' } });
    const b = composeDeviceId('shop-a', { extra: { b: 'z', '9': 'y', '10': 'x' } });
    expect(a).toBe(b);
  });

  it('keeps the fields apart (a value cannot move to another field)', () => {
    expect(composeDeviceId('shop-a', { browser: 'x' })).not.toBe(composeDeviceId('shop-a', { cpu: 'x' }));
    expect(composeDeviceId('shop-a', { browser: 'x' })).not.toBe(composeDeviceId('shop-a', { extra: { browser: 'x' } }));
  });

  it('is deterministic for arbitrary components and independent of key order', () => {
    const text = fc.string({ maxLength: 20 });
    const components = fc.record(
      { browser: text, cpu: text, manufacturer: text, model: text, extra: fc.dictionary(text, fc.oneof(text, fc.integer())) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(components, (c) => {
        const reversed = Object.fromEntries(Object.entries(c).reverse()) as DeviceComponents;
        if (c.extra) reversed.extra = Object.fromEntries(Object.entries(c.extra).reverse());
        expect(composeDeviceId('t', reversed)).toBe(composeDeviceId('t', c));
      }),
      { numRuns: 200 },
    );
  });
});

describe('mapToDeviceId', () => {
  it.each([
    ['upper-case UUID', '2ED6657D-E927-568B-95E1-2665A8AEA6A2', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['UUID with spaces', ' 2ed6657d-e927-568b-95e1-2665a8aea6a2 ', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
  ])('returns a %s normalized', (_name, raw, expected) => {
    expect(mapToDeviceId('shop-a', raw)).toBe(expected);
  });

  it('maps a foreign id to a stable version 5 UUID per tenant', () => {
    const id = mapToDeviceId('shop-a', 'anon-507f1f77bcf86cd799439011');
    expect(id).toMatch(UUID_V5);
    expect(mapToDeviceId('shop-a', 'anon-507f1f77bcf86cd799439011')).toBe(id);
    expect(mapToDeviceId('shop-a', '  anon-507f1f77bcf86cd799439011\t')).toBe(id);
    expect(mapToDeviceId('shop-b', 'anon-507f1f77bcf86cd799439011')).not.toBe(id);
  });

  it('keeps case in foreign ids (they are opaque)', () => {
    expect(mapToDeviceId('shop-a', 'AbC')).not.toBe(mapToDeviceId('shop-a', 'abc'));
  });

  it('never collides with a fingerprint composition', () => {
    // A foreign id spelled exactly like a canonical fingerprint serialization.
    const components: DeviceComponents = { browser: 'x' };
    expect(mapToDeviceId('shop-a', '{"browser":"x"}')).not.toBe(composeDeviceId('shop-a', components));
  });

  it.each([
    ['empty', ''],
    ['whitespace only', ' \t\n'],
    ['too long', 'x'.repeat(513)],
    ['array', ['abc']],
    ['number', 12],
    ['null', null],
  ])('throws invalid_device for %s', (_name, raw) => {
    expect(() => mapToDeviceId('shop-a', raw as unknown as string)).toThrowError(
      expect.objectContaining({ status: 400, code: 'invalid_device' }),
    );
  });

  it('accepts a foreign id at the length limit', () => {
    expect(mapToDeviceId('shop-a', 'x'.repeat(512))).toMatch(UUID_V5);
  });
});
