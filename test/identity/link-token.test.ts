import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addTokenToUrl,
  signLinkToken,
  verifyLinkToken,
  type LinkTokenClaims,
  type LinkTokenPayload,
} from '../../host/identity/index.js';
import { RequestError } from '../../host/types.js';

const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const NOW_SECONDS = NOW / 1000;
const DAY = 86_400;
const current = { id: 'k2', key: randomBytes(32) };
const retired = { id: 'k1', key: randomBytes(32) };
const secrets = new Map([
  [current.id, current.key],
  [retired.id, retired.key],
]);
const claims: LinkTokenClaims = {
  t: 'shop-a',
  r: { type: 'subscriber', value: 's-1' },
  c: 'spring-sale',
  ch: 'email',
  exp: NOW_SECONDS + 30 * DAY,
};

function decodePayload(token: string): LinkTokenPayload {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

function withPayload(token: string, payload: unknown): string {
  const signature = token.split('.')[1];
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

function rejection(fn: () => unknown): RequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_token' });
    return error as RequestError;
  }
  throw new Error('expected the token to be rejected');
}

describe('signLinkToken / verifyLinkToken', () => {
  it('round-trips the payload with the signing key id', () => {
    const token = signLinkToken(claims, current);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLinkToken(token, 'shop-a', secrets, NOW)).toEqual({ ...claims, kid: 'k2' });
  });

  it('takes kid from the secret, not from the claims', () => {
    const token = signLinkToken({ ...claims, kid: 'someone-else' }, current);
    expect(decodePayload(token).kid).toBe('k2');
  });

  it('accepts a lookup function as well as a map', () => {
    const token = signLinkToken(claims, current);
    expect(verifyLinkToken(token, 'shop-a', (kid) => secrets.get(kid), NOW).c).toBe('spring-sale');
  });

  it('round-trips unicode recipient values', () => {
    const token = signLinkToken({ ...claims, r: { type: 'email', value: 'иван@поща.бг' } }, current);
    expect(verifyLinkToken(token, 'shop-a', secrets, NOW).r.value).toBe('иван@поща.бг');
  });

  const tampered: [string, (p: LinkTokenPayload) => unknown][] = [
    ['tenant', (p) => ({ ...p, t: 'shop-b' })],
    ['recipient type', (p) => ({ ...p, r: { ...p.r, type: 'customer' } })],
    ['recipient value', (p) => ({ ...p, r: { ...p.r, value: 's-2' } })],
    ['campaign', (p) => ({ ...p, c: 'other' })],
    ['channel', (p) => ({ ...p, ch: 'sms' })],
    ['expiry', (p) => ({ ...p, exp: p.exp + DAY })],
    ['key id', (p) => ({ ...p, kid: 'k1' })],
    ['key order', (p) => ({ kid: p.kid, exp: p.exp, ch: p.ch, c: p.c, r: p.r, t: p.t })],
    ['added field', (p) => ({ ...p, admin: true })],
  ];
  it.each(tampered)('rejects a token whose %s was altered', (_field, alter) => {
    const token = signLinkToken(claims, current);
    const forged = withPayload(token, alter(decodePayload(token)));
    expect(forged).not.toBe(token);
    rejection(() => verifyLinkToken(forged, 'shop-a', secrets, NOW));
  });

  it('names the reason for an altered payload or signature', () => {
    const token = signLinkToken(claims, current);
    const payload = decodePayload(token);
    expect(rejection(() => verifyLinkToken(withPayload(token, { ...payload, c: 'x' }), 'shop-a', secrets, NOW)).message).toMatch(
      /signature does not match/,
    );
    expect(rejection(() => verifyLinkToken(withPayload(token, { ...payload, kid: 'k9' }), 'shop-a', secrets, NOW)).message).toMatch(
      /unknown or retired key/,
    );
  });

  it('rejects a token with any one signature character changed', () => {
    const token = signLinkToken(claims, current);
    const [encoded, signature] = token.split('.');
    for (let i = 0; i < signature.length; i++) {
      const changed = signature[i] === 'A' ? 'B' : 'A';
      const forged = `${encoded}.${signature.slice(0, i)}${changed}${signature.slice(i + 1)}`;
      rejection(() => verifyLinkToken(forged, 'shop-a', secrets, NOW));
    }
  });

  it('rejects a token signed with a key it does not claim', () => {
    const forged = signLinkToken(claims, { id: 'k2', key: randomBytes(32) });
    expect(rejection(() => verifyLinkToken(forged, 'shop-a', secrets, NOW)).message).toMatch(/signature/);
  });

  it('rejects a token issued for another tenant, even with the same keys', () => {
    const token = signLinkToken({ ...claims, t: 'shop-b' }, current);
    expect(rejection(() => verifyLinkToken(token, 'shop-a', secrets, NOW)).message).toMatch(/another tenant/);
    expect(verifyLinkToken(token, 'shop-b', secrets, NOW).t).toBe('shop-b');
  });

  it('signs the tenant together with the encoded payload', () => {
    // Documented format: HMAC-SHA-256(key, `${tenant.length}:${tenant}:${encodedPayload}`), base64url.
    const token = signLinkToken(claims, current);
    const [encoded, signature] = token.split('.');
    const over = (message: string) => createHmac('sha256', current.key).update(message).digest('base64url');
    expect(signature).toBe(over(`6:shop-a:${encoded}`));
    expect(signature).not.toBe(over(encoded));
  });

  it('rejects a token relabelled for another tenant', () => {
    const token = signLinkToken({ ...claims, t: 'shop-b' }, current);
    const relabelled = withPayload(token, { ...decodePayload(token), t: 'shop-a' });
    expect(rejection(() => verifyLinkToken(relabelled, 'shop-a', secrets, NOW)).message).toMatch(/signature/);
  });

  it('expires at exp (unix seconds), not before', () => {
    const token = signLinkToken({ ...claims, exp: NOW_SECONDS + 60 }, current);
    expect(verifyLinkToken(token, 'shop-a', secrets, NOW + 59_999).exp).toBe(NOW_SECONDS + 60);
    expect(rejection(() => verifyLinkToken(token, 'shop-a', secrets, NOW + 60_000)).message).toMatch(/expired/);
    expect(rejection(() => verifyLinkToken(token, 'shop-a', secrets, NOW + 365 * DAY * 1000)).message).toMatch(/expired/);
  });

  it('uses the current time by default', () => {
    const past = signLinkToken({ ...claims, exp: Math.floor(Date.now() / 1000) - 1 }, current);
    const future = signLinkToken({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }, current);
    rejection(() => verifyLinkToken(past, 'shop-a', secrets));
    expect(verifyLinkToken(future, 'shop-a', secrets).c).toBe('spring-sale');
  });

  it('supports key rotation: an old key verifies while present, not after removal', () => {
    const old = signLinkToken(claims, retired);
    const fresh = signLinkToken(claims, current);
    expect(verifyLinkToken(old, 'shop-a', secrets, NOW).kid).toBe('k1');
    expect(verifyLinkToken(fresh, 'shop-a', secrets, NOW).kid).toBe('k2');
    const afterRotation = new Map([[current.id, current.key]]);
    expect(rejection(() => verifyLinkToken(old, 'shop-a', afterRotation, NOW)).message).toMatch(/unknown or retired key/);
    expect(verifyLinkToken(fresh, 'shop-a', afterRotation, NOW).kid).toBe('k2');
  });

  const valid = signLinkToken(claims, current);
  const [validPayload, validSignature] = valid.split('.');
  it.each<[string, unknown]>([
    ['empty', ''],
    ['no dot', validPayload],
    ['three parts', `${valid}.x`],
    ['empty payload', `.${validSignature}`],
    ['empty signature', `${validPayload}.`],
    ['padding characters', `${validPayload}=.${validSignature}`],
    ['standard base64 characters', `${validPayload}+/.${validSignature}`],
    ['payload not JSON', `${Buffer.from('not json').toString('base64url')}.${validSignature}`],
    ['payload JSON array', `${Buffer.from('[1,2]').toString('base64url')}.${validSignature}`],
    ['payload JSON null', `${Buffer.from('null').toString('base64url')}.${validSignature}`],
    ['very long', `${'A'.repeat(100_000)}.${validSignature}`],
    ['non-string (array)', [valid]],
    ['non-string (number)', 42],
    ['non-string (null)', null],
  ])('rejects a malformed token: %s', (_name, token) => {
    expect(rejection(() => verifyLinkToken(token as string, 'shop-a', secrets, NOW)).message).toMatch(/malformed/);
  });

  it.each<[string, (p: LinkTokenPayload) => unknown]>([
    ['missing tenant', ({ t: _t, ...rest }) => rest],
    ['recipient not an object', (p) => ({ ...p, r: 's-1' })],
    ['unknown recipient type', (p) => ({ ...p, r: { type: 'fax', value: '1' } })],
    ['empty recipient value', (p) => ({ ...p, r: { type: 'email', value: '' } })],
    ['unknown channel', (p) => ({ ...p, ch: 'pigeon' })],
    ['string expiry', (p) => ({ ...p, exp: String(p.exp) })],
    ['fractional expiry', (p) => ({ ...p, exp: p.exp + 0.5 })],
    ['missing key id', ({ kid: _kid, ...rest }) => rest],
  ])('rejects a payload of the wrong shape: %s', (_name, alter) => {
    const forged = withPayload(valid, alter(decodePayload(valid)));
    expect(rejection(() => verifyLinkToken(forged, 'shop-a', secrets, NOW)).message).toMatch(/malformed/);
  });

  it.each<[string, LinkTokenClaims]>([
    ['unknown channel', { ...claims, ch: 'fax' as 'sms' }],
    ['empty campaign', { ...claims, c: '' }],
    ['campaign too long', { ...claims, c: 'c'.repeat(257) }],
    ['unknown recipient type', { ...claims, r: { type: 'fax' as 'email', value: 'x' } }],
    ['fractional expiry', { ...claims, exp: 1.5 }],
    ['negative expiry', { ...claims, exp: -1 }],
    ['empty tenant', { ...claims, t: '' }],
  ])('refuses to sign bad claims: %s', (_name, bad) => {
    expect(() => signLinkToken(bad, current)).toThrowError(expect.objectContaining({ status: 400, code: 'invalid_link' }));
  });

  it.each([
    ['short key', { id: 'k', key: randomBytes(16) }],
    ['string key', { id: 'k', key: 'secret' as unknown as Buffer }],
    ['empty id', { id: '', key: randomBytes(32) }],
  ])('refuses to sign with a weak or malformed secret: %s', (_name, secret) => {
    expect(() => signLinkToken(claims, secret)).toThrow(TypeError);
  });
});

describe('addTokenToUrl', () => {
  const token = 'eyJ0IjoiYSJ9.abc-_';
  it.each([
    ['no query', 'https://shop.bg/x', `https://shop.bg/x?pg_t=${token}`],
    ['root without path', 'https://shop.bg', `https://shop.bg/?pg_t=${token}`],
    ['keeps other parameters as written', 'https://shop.bg/x?utm_source=mail&q=a%20b&p=a+b', `https://shop.bg/x?utm_source=mail&q=a%20b&p=a+b&pg_t=${token}`],
    ['keeps the fragment', 'https://shop.bg/x?a=1#reviews', `https://shop.bg/x?a=1&pg_t=${token}#reviews`],
    ['replaces an existing token', 'https://shop.bg/x?pg_t=old&a=1', `https://shop.bg/x?a=1&pg_t=${token}`],
    ['replaces an encoded token name', 'https://shop.bg/x?pg%5Ft=old', `https://shop.bg/x?pg_t=${token}`],
    ['keeps a similar name', 'https://shop.bg/x?pg_t2=1', `https://shop.bg/x?pg_t2=1&pg_t=${token}`],
    ['drops an empty query', 'https://shop.bg/x?', `https://shop.bg/x?pg_t=${token}`],
    ['http with port', 'http://localhost:8080/p', `http://localhost:8080/p?pg_t=${token}`],
    ['unicode path', 'https://магазин.бг/обувки', `https://xn--80aairftm.xn--90ae/%D0%BE%D0%B1%D1%83%D0%B2%D0%BA%D0%B8?pg_t=${token}`],
  ])('%s', (_name, url, expected) => {
    expect(addTokenToUrl(url, token)).toBe(expected);
  });

  it('produces a URL whose pg_t parameter is the token', () => {
    const real = signLinkToken(claims, current);
    const url = new URL(addTokenToUrl('https://shop.bg/x?a=1', real));
    expect(url.searchParams.get('pg_t')).toBe(real);
    expect(url.searchParams.get('a')).toBe('1');
  });

  it.each<[string, unknown]>([
    ['javascript:', 'javascript:alert(1)'],
    ['mailto:', 'mailto:a@b.bg'],
    ['ftp:', 'ftp://shop.bg/x'],
    ['data:', 'data:text/html,hi'],
    ['relative', '/x?a=1'],
    ['not a URL', 'shop dot bg'],
    ['empty', ''],
    ['very long', `https://shop.bg/${'x'.repeat(10_000)}`],
    ['array', ['https://shop.bg']],
  ])('rejects %s', (_name, url) => {
    expect(() => addTokenToUrl(url as string, token)).toThrowError(expect.objectContaining({ status: 400, code: 'invalid_url' }));
  });
});
