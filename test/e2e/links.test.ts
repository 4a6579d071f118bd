// Campaign links over the real HTTP API: POST /links signs a token into the URL, a link_click
// carrying it ties the clicking device to the recipient, and any token that was altered, forged,
// expired or issued for another tenant is refused per item and links nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SECRET_BYTES, signLinkToken } from '../../host/identity/index.js';
import { call, expectError } from '../http/helpers.js';
import { startLiveApi, type LiveApi } from './support/live-api.js';
import { decodeToken, encodeToken, withPayload, type TokenPayload } from './support/link-token.js';
import { waitFor } from './support/poll.js';

const TENANT = 'shop-links';
const OTHER_TENANT = 'shop-links-other';
const SHOP_URL = 'https://shop.example/p/42?utm_source=news&q=a%20b#reviews';
const RECIPIENT = { subscriber: 'sub-1001' };
const RECIPIENT_EMAIL = 'maria.petrova@abv.bg';
const SHORT_TTL_SECONDS = 1;
const MS_PER_SECOND = 1000;
/** The longest a 1-second token can take to expire (it expires at a whole second), plus slack. */
const EXPIRY_WAIT_MS = 2500;
const HOUR_S = 3600;

let api: LiveApi;
let otherSecretKey = '';

beforeAll(async () => {
  api = await startLiveApi({ tenant: TENANT });
  otherSecretKey = api.server.graph.keys.createKey(OTHER_TENANT, 'secret').key;
  // the recipient is a known subscriber with an email, as a shop's newsletter list would have them
  const seeded = await api.ingest({ type: 'subscribe', timestamp: '2026-01-10T09:00:00.000Z',
    identifiers: { subscriber: RECIPIENT.subscriber, email: RECIPIENT_EMAIL } });
  expect(seeded.body).toMatchObject({ accepted: 1, errors: [] });
});
afterAll(async () => {
  await api.close();
});

async function createLink(body: Record<string, unknown> = {}, key = api.secretKey, tenant = TENANT) {
  return call(api.server, 'POST', `/v1/tenants/${tenant}/links`, {
    key, body: { url: SHOP_URL, recipient: RECIPIENT, campaign: 'spring-sale', channel: 'email', ...body },
  });
}

async function newToken(body: Record<string, unknown> = {}): Promise<string> {
  const answer = await createLink(body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.token as string;
}

const click = (device: string, token: string) => ({ type: 'link_click', identifiers: { device }, token });

/** Sends a click with `token` from a fresh device; asserts it was refused and linked nothing. */
async function expectRefusedClick(token: string): Promise<void> {
  const device = randomUUID();
  const before = await api.personaOf('subscriber', RECIPIENT.subscriber);
  const answer = await api.ingest(click(device, token));
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body).toMatchObject({ accepted: 0, duplicates: 0 });
  expect(answer.body.errors).toEqual([{ index: 0, field: 'token', error: expect.objectContaining({ code: 'invalid_token' }) }]);
  expect(await api.personaOf('device', device)).toBeNull();
  expect(await api.personaOf('subscriber', RECIPIENT.subscriber)).toEqual(before);
}

describe('POST /links', () => {
  it('returns the shop URL with the token in pg_t, other parameters and the fragment untouched', async () => {
    const answer = await createLink();
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { url, token } = answer.body as { url: string; token: string };
    const parsed = new URL(url);
    expect(parsed.searchParams.get('pg_t')).toBe(token);
    expect(url.startsWith('https://shop.example/p/42?utm_source=news&q=a%20b&pg_t=')).toBe(true);
    expect(parsed.hash).toBe('#reviews');
    const { payload } = decodeToken(token);
    expect(payload).toMatchObject({ t: TENANT, r: { type: 'subscriber', value: RECIPIENT.subscriber }, c: 'spring-sale', ch: 'email' });
  });

  it('needs the tenant\'s secret key: a write key may not mint links', async () => {
    expectError(await createLink({}, api.writeKey), 403, 'forbidden');
    expectError(await createLink({}, otherSecretKey), 403, 'forbidden');
  });

  it('refuses a bad request naming the field', async () => {
    const ttl = await createLink({ ttlSeconds: 0 });
    expectError(ttl, 400);
    expect(ttl.body.error.message).toContain('ttlSeconds');
    expectError(await createLink({ recipient: { phone: 'not a phone' } }), 400, 'invalid_recipient');
    expectError(await createLink({ url: 'javascript:alert(1)' }), 400, 'invalid_url');
  });
});

describe('link_click', () => {
  it('links the clicking device to the recipient\'s persona', async () => {
    const token = await newToken();
    const device = randomUUID();
    const answer = await api.ingest(click(device, token));
    expect(answer.body).toMatchObject({ accepted: 1, errors: [] });
    const recipient = await api.personaOf('subscriber', RECIPIENT.subscriber);
    expect(recipient).not.toBeNull();
    expect((await api.personaOf('device', device))?.id).toBe(recipient?.id);
    expect(recipient?.email).toBe(RECIPIENT_EMAIL);
  });

  // Every field of the payload is covered by the signature.
  const payloadEdits: [string, (p: TokenPayload) => void][] = [
    ['tenant (t)', (p) => { p.t = OTHER_TENANT; }],
    ['recipient type', (p) => { p.r.type = 'customer'; }],
    ['recipient value', (p) => { p.r.value = 'sub-2002'; }],
    ['campaign (c)', (p) => { p.c = 'other-campaign'; }],
    ['channel (ch)', (p) => { p.ch = 'sms'; }],
    ['expiry (exp), extended', (p) => { p.exp += HOUR_S; }],
    ['key id (kid)', (p) => { p.kid = `${p.kid}x`; }],
    ['field list (one added)', (p) => { p.admin = true; }],
  ];
  it.each(payloadEdits)('refuses a token altered in its %s', async (_name, edit) => {
    await expectRefusedClick(withPayload(await newToken(), edit));
  });

  it('refuses altered, swapped, truncated and missing signatures', async () => {
    const token = await newToken();
    const { payload, signature } = decodeToken(token);
    const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');
    const otherSignature = decodeToken(await newToken({ campaign: 'another' })).signature;
    for (const bad of [
      encodeToken(payload, flipped),
      encodeToken(payload, otherSignature),
      encodeToken(payload, signature.slice(0, -2)),
      encodeToken(payload, ''),
      `${token}.${signature}`,
      token.split('.')[0],
      '',
    ]) {
      await expectRefusedClick(bad);
    }
  });

  it('refuses a token forged with another secret under the tenant\'s key id', async () => {
    const { payload } = decodeToken(await newToken());
    const claims = { t: TENANT, r: { type: 'subscriber', value: RECIPIENT.subscriber }, c: 'spring-sale', ch: 'email', exp: payload.exp } as const;
    const forged = signLinkToken(claims, { id: payload.kid, key: randomBytes(MIN_SECRET_BYTES) });
    await expectRefusedClick(forged);
  });

  it('refuses another tenant\'s genuine token', async () => {
    const answer = await createLink({}, otherSecretKey, OTHER_TENANT);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    await expectRefusedClick(answer.body.token as string);
  });

  it('refuses an expired token', async () => {
    const token = await newToken({ ttlSeconds: SHORT_TTL_SECONDS });
    const { exp } = decodeToken(token).payload;
    await waitFor('the token to expire', () => Date.now() >= exp * MS_PER_SECOND, EXPIRY_WAIT_MS);
    await expectRefusedClick(token);
  });

  it('keeps the valid events of a batch that also holds a bad token', async () => {
    const token = await newToken();
    const [good, bad] = [randomUUID(), randomUUID()];
    const answer = await api.ingest({ events: [click(good, token), click(bad, withPayload(token, (p) => { p.c = 'x'; }))] });
    expect(answer.body).toMatchObject({ accepted: 1, errors: [{ index: 1, field: 'token', error: { code: 'invalid_token' } }] });
    const recipient = await api.personaOf('subscriber', RECIPIENT.subscriber);
    expect((await api.personaOf('device', good))?.id).toBe(recipient?.id);
    expect(await api.personaOf('device', bad)).toBeNull();
  });
});

describe('secret rotation', () => {
  it('signs new links with the new secret and keeps old links valid', async () => {
    const before = await newToken();
    api.server.graph.rotateLinkSecret(TENANT);
    const after = await newToken();
    expect(decodeToken(after).payload.kid).not.toBe(decodeToken(before).payload.kid);
    const recipient = await api.personaOf('subscriber', RECIPIENT.subscriber);
    for (const token of [before, after]) {
      const device = randomUUID();
      expect((await api.ingest(click(device, token))).body).toMatchObject({ accepted: 1, errors: [] });
      expect((await api.personaOf('device', device))?.id).toBe(recipient?.id);
    }
  });
});
