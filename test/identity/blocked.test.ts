import { describe, expect, it } from 'vitest';
import { createBlockList, normalizeEmail, normalizePhone, type TenantBlockConfig } from '../../host/identity/index.js';
import type { IdentifierType } from '../../host/types.js';
import { completeConfig } from '../../host/service/config.js';

const builtin = createBlockList();

describe('built-in block list: null-like values (every type)', () => {
  const nullLike = [
    'null', 'NULL', ' undefined ', 'anonymous', 'Guest', '[object Object]', 'NaN', 'none', 'n/a', 'N/A', 'na',
    '0', '000', '-', '--', '.', '?', 'unknown', 'test', 'user', 'admin', 'noemail', 'nil', 'false',
  ];
  const types: IdentifierType[] = ['customer', 'subscriber', 'email', 'phone', 'device'];
  it.each(types.flatMap((type) => nullLike.map((value) => [type, value] as const)))('%s %j is null-like', (type, value) => {
    expect(builtin.isBlocked(type, value)).toBe('builtin:null_like');
  });

  it.each(['', '   ', '\t\n', '\u00a0'])('%j is empty', (value) => {
    expect(builtin.isBlocked('customer', value)).toBe('builtin:empty');
  });

  it.each(['c-1', '42', 'testuser', 'nullable', 'Иван', 'user-17', '0x1'])('customer %j is fine', (value) => {
    expect(builtin.isBlocked('customer', value)).toBeNull();
  });
});

describe('built-in block list: placeholder emails', () => {
  it.each([
    'test@test.com', 'a@a.com', 'aaa@aaa.com', 'zz@z.bg', 'noemail@shop.bg', 'no-email@shop.bg', 'no-reply@shop.bg',
    'noreply@shop.bg', 'no_reply@shop.bg', 'donotreply@shop.bg', 'do-not-reply@shop.bg', 'none@gmail.com',
    'null@gmail.com', 'undefined@shop.bg', 'email@email.com', 'example@example.com', 'test@gmail.com', 'test123@abv.bg',
    'test+promo@gmail.com', 'asdf@asdf.com', 'qwerty@gmail.com', 'user@domain.com',
    'ivan@shop.invalid', 'ivan@localhost.localhost',
  ])('%s', (email) => {
    const normalized = normalizeEmail(email);
    expect(normalized).not.toBeNull();
    expect(builtin.isBlocked('email', normalized?.address ?? null, email)).toBe('builtin:placeholder_email');
    expect(builtin.isBlocked('email', normalized?.canonical ?? null)).toBe('builtin:placeholder_email');
  });

  it('catches placeholders hidden by gmail dots through the canonical form', () => {
    const normalized = normalizeEmail('t.e.s.t@gmail.com');
    expect(builtin.isBlocked('email', normalized?.canonical ?? null)).toBe('builtin:placeholder_email');
  });

  it.each([
    'ivan.petrov@gmail.com', 'a@gmail.com', 'info@shop.bg', 'testa@shop.bg', 'tester@shop.bg', 'contest@shop.bg',
    'ivan@test-shop.bg', 'ivan@examples.com', 'user1@shop.bg', 'x@xy.com', 'иван@поща.бг',
    // the contract's own example, and the documentation domains integrations test with
    'x@y.bg', 'aaa@bbb.com', 'alice@example.com', 'ivan@example.org', 'ivan@mail.example.net', 'ivan@shop.test', 'ivan@shop.example',
  ])('%s is a real address', (email) => {
    const normalized = normalizeEmail(email);
    expect(builtin.isBlocked('email', normalized?.address ?? null, email)).toBeNull();
    expect(builtin.isBlocked('email', normalized?.canonical ?? null, email)).toBeNull();
  });

  it.each([
    ['x@x.x', 'builtin:placeholder_email'],
    ['test@test', 'builtin:placeholder_email'],
    ['noemail', 'builtin:null_like'],
    [' NULL ', 'builtin:null_like'],
  ])('judges the raw value of an email that failed normalization: %s', (raw, reason) => {
    expect(normalizeEmail(raw)).toBeNull();
    expect(builtin.isBlocked('email', null, raw)).toBe(reason);
  });
});

describe('built-in block list: placeholder phones', () => {
  it.each([
    ['0000000000'],
    ['1111111111'],
    ['1234567890'],
    ['0123456789'],
    ['9876543210'],
    ['0987654321'],
    ['+359 000 000 000'],
    ['00 1 111 111 1111'],
    ['0 111 111 111'],
    ['(012) 345-6789'],
  ])('raw %s', (raw) => {
    expect(builtin.isBlocked('phone', normalizePhone(raw, 'BG'), raw)).toBe('builtin:placeholder_phone');
    expect(builtin.isBlocked('phone', null, raw)).toBe('builtin:placeholder_phone');
  });

  it.each([
    ['one repeated digit', '0888 888 888'],
    ['ascending run', '02 345 6789'],
    ['ascending run with wrap-around', '+1 234 567 8901'],
  ])('valid numbers whose national part is junk: %s', (_name, raw) => {
    const e164 = normalizePhone(raw, 'BG');
    expect(e164).not.toBeNull();
    expect(builtin.isBlocked('phone', e164)).toBe('builtin:placeholder_phone');
  });

  it.each([
    ['BG mobile', '0888 123 456'],
    ['BG landline', '02 123 4567'],
    ['number with a run inside', '0888 234 567'],
    ['RU mobile whose digits after the country code start with a run', '+7 911 111 1111'],
    ['US number', '+1 212 555 0123'],
  ])('%s is a real number', (_name, raw) => {
    const e164 = normalizePhone(raw, 'BG');
    expect(e164).not.toBeNull();
    expect(builtin.isBlocked('phone', e164, raw)).toBeNull();
  });

  it('does not treat short digit strings as placeholders', () => {
    expect(builtin.isBlocked('phone', null, '12345')).toBeNull();
    expect(builtin.isBlocked('phone', null, '11111')).toBeNull();
  });
});

describe('built-in block list: placeholder devices', () => {
  it.each([
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '11111111-1111-1111-1111-111111111111',
  ])('%s', (uuid) => {
    expect(builtin.isBlocked('device', uuid.toLowerCase(), uuid)).toBe('builtin:placeholder_device');
  });

  it.each(['2ed6657d-e927-568b-95e1-2665a8aea6a2', '00000000-0000-0000-0000-000000000001'])('%s is a real device', (uuid) => {
    expect(builtin.isBlocked('device', uuid)).toBeNull();
  });

  it('judges raw foreign device ids (before mapping to a UUID)', () => {
    expect(builtin.isBlocked('device', '0f0b3c2e-5c1e-5b8a-9d1e-0a1b2c3d4e5f', 'undefined')).toBe('builtin:null_like');
  });
});

describe('tenant block list', () => {
  const config: TenantBlockConfig = {
    values: { email: ['Shared@Shop.bg'], phone: ['+359888123456'], customer: ['C-GUEST'] },
    patterns: { email: ['@mailinator\\.com$'], customer: ['^tmp-\\d+$'], device: ['^00000000-'] },
  };
  const list = createBlockList(config);

  it.each<[IdentifierType, string | null, string | undefined, string | null]>([
    ['email', 'shared@shop.bg', undefined, 'tenant:value'],
    ['email', null, ' SHARED@shop.bg ', 'tenant:value'],
    ['phone', '+359888123456', '0888 123 456', 'tenant:value'],
    ['customer', 'C-GUEST', undefined, 'tenant:value'],
    ['customer', 'c-guest', undefined, null],
    ['subscriber', 'C-GUEST', undefined, null],
    ['email', 'ivan@mailinator.com', undefined, 'tenant:pattern'],
    ['email', 'ivan@mailinator.com.bg', undefined, null],
    ['customer', 'tmp-123', undefined, 'tenant:pattern'],
    ['customer', 'tmp-abc', undefined, null],
    ['device', '00000000-1234-5678-9abc-def012345678', undefined, 'tenant:pattern'],
    ['email', 'ivan@shop.bg', undefined, null],
    ['email', 'test@test.com', undefined, 'builtin:placeholder_email'],
  ])('%s %j (raw %j) → %s', (type, normalized, raw, reason) => {
    expect(list.isBlocked(type, normalized, raw)).toBe(reason);
  });

  it('reports built-in reasons before tenant ones', () => {
    const overlapping = createBlockList({ values: { customer: ['null'] } });
    expect(overlapping.isBlocked('customer', 'null')).toBe('builtin:null_like');
  });

  it('does not share state between tenants', () => {
    expect(createBlockList().isBlocked('email', 'shared@shop.bg')).toBeNull();
  });

  it('runs patterns over raw values of at most 1024 characters only (bounding regex work)', () => {
    const tenant = createBlockList({ patterns: { customer: ['^junk'] } });
    expect(tenant.isBlocked('customer', null, `junk${'x'.repeat(1020)}`)).toBe('tenant:pattern');
    expect(tenant.isBlocked('customer', null, `junk${'x'.repeat(1021)}`)).toBeNull();
    expect(tenant.isBlocked('customer', 'junk-1', `junk${'x'.repeat(100_000)}`)).toBe('tenant:pattern');
  });
});

describe('tenant block list: invalid configuration', () => {
  it.each<[string, unknown, RegExp]>([
    ['config not an object', 'email', /blocked must be an object/],
    ['config an array', [], /blocked must be an object/],
    ['values not an object', { values: ['x'] }, /blocked\.values must be an object/],
    // a list straight under blocked (not under values/patterns) would otherwise be stored and block nothing
    ['a type instead of values/patterns', { email: ['spam@shop.bg'] }, /unknown section "email".*values.*patterns/],
    ['unknown type', { values: { fax: ['1'] } }, /unknown identifier type "fax"/],
    ['values not an array', { values: { email: 'x@y.bg' } }, /blocked\.values\.email must be an array/],
    ['value not a string', { values: { email: ['ok@x.bg', 5] } }, /blocked\.values\.email\[1\] must be a string/],
    ['value too long', { values: { customer: ['c'.repeat(1025)] } }, /blocked\.values\.customer\[0\]/],
    ['too many values', { values: { customer: Array.from({ length: 10_001 }, (_, i) => `c${i}`) } }, /more than 10000/],
    ['invalid regex', { patterns: { email: ['(unclosed'] } }, /blocked\.patterns\.email\[0\] is not a valid regular expression/],
    ['empty pattern', { patterns: { email: [''] } }, /must be a non-empty string/],
    ['pattern not a string', { patterns: { email: [/x/] } }, /must be a non-empty string/],
    ['pattern too long', { patterns: { email: ['a'.repeat(257)] } }, /longer than 256/],
    ['nested quantifier', { patterns: { customer: ['^(a+)+$'] } }, /exponential/],
    ['nested star in a named group', { patterns: { customer: ['(?<x>\\w*)*'] } }, /exponential/],
    ['nested quantifier two levels out', { patterns: { customer: ['((a+)b)*'] } }, /exponential/],
    ['repeat count on a repeating group', { patterns: { customer: ['(x+){2,}'] } }, /exponential/],
    ['backreference', { patterns: { customer: ['(a)\\1'] } }, /backreference/],
    ['too many patterns', { patterns: { customer: Array.from({ length: 101 }, () => 'x') } }, /more than 100/],
  ])('%s', (_name, config, message) => {
    expect(() => createBlockList(config as TenantBlockConfig)).toThrowError(
      expect.objectContaining({ status: 400, code: 'invalid_config', message: expect.stringMatching(message) }),
    );
  });

  it.each([
    '^tmp-\\d+$',
    '(?:ab)+',
    '(a+)?b',
    '[(a+)+]x',
    '\\(a+\\)+',
    '^[a-z]{2,8}@shop\\.bg$',
    '(?=x)x+',
    'a'.repeat(256),
  ])('accepts the safe pattern %j', (pattern) => {
    expect(() => createBlockList({ patterns: { customer: [pattern] } })).not.toThrow();
  });
});

describe('stored block lists', () => {
  it('a stored config with a section that never blocked anything still loads, with its real sections', () => {
    const config = completeConfig({ blocked: { email: ['spam@shop.bg'], values: { email: ['junk@shop.bg'] } } });
    expect(config.blocked).toEqual({ values: { email: ['junk@shop.bg'] } });
  });
});
