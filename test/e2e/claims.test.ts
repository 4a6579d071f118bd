// Campaign claims over the real HTTP API: a persona is handed out at most once per campaign,
// whatever the concurrency, whichever identifier it is reached through (also one that merged in
// after the claim), and across a restart of the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identifier } from '../../host/types.js';
import { startLiveApi, tempDir, type LiveApi } from './support/live-api.js';

const TENANT = 'shop-claims';
const PEOPLE = 40;
const UNKNOWN_EMAILS = 6;
const PARALLEL_REQUESTS = 20;
/** each request names about this share of everyone, so requests overlap heavily */
const REQUEST_SHARE = 0.4;

interface Claimed {
  recipients: { persona: string | null; address: string; inputs: number[] }[];
  unreachable: number[];
  stats: { input: number; recipients: number; alreadyClaimed: number };
}

const emailOf = (i: number) => `client.${i}@abv.bg`;
/** Distinct Bulgarian mobile numbers, as a shopper would type them. */
const phoneOf = (i: number) => `0888 ${String(104_729 + i * 7_919).padStart(6, '0')}`;

/** A seeded pseudo-random generator (mulberry32), so a failing run can be replayed exactly. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function claim(api: LiveApi, campaign: string, channel: string, recipients: Identifier[]): Promise<Claimed> {
  const answer = await api.secret('POST', `/v1/tenants/${api.tenant}/campaigns/${campaign}/claims`, { channel, recipients });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Claimed;
}

/** What makes a claimed recipient unique: its persona, or its address when the graph does not know it. */
const claimKey = (r: Claimed['recipients'][number]) => r.persona ?? `address:${r.address}`;

async function seedPeople(api: LiveApi): Promise<void> {
  const events = Array.from({ length: PEOPLE }, (_, i) => ({
    type: 'identify', timestamp: '2026-02-01T10:00:00.000Z', identifiers: { email: emailOf(i), phone: phoneOf(i) },
  }));
  const answer = await api.ingest({ events });
  expect(answer.body).toMatchObject({ accepted: PEOPLE, errors: [] });
}

describe('concurrent claims', () => {
  let api: LiveApi;
  beforeAll(async () => {
    api = await startLiveApi({ tenant: TENANT });
    await seedPeople(api);
  });
  afterAll(async () => {
    await api.close();
  });

  it('never hand out a persona twice, reached by email or by phone, and hand out every one once', async () => {
    const next = random(20260301);
    const requests = Array.from({ length: PARALLEL_REQUESTS }, (_, r): Identifier[] => {
      const recipients: Identifier[] = [];
      for (let i = 0; i < PEOPLE; i++) {
        if (next() >= REQUEST_SHARE) continue;
        // the same persona through different identifiers in different requests
        recipients.push(next() < 0.5 ? { type: 'email', value: emailOf(i) } : { type: 'phone', value: phoneOf(i) });
      }
      for (let u = 0; u < UNKNOWN_EMAILS; u++) if (next() < REQUEST_SHARE) recipients.push({ type: 'email', value: `walk.in.${u}@mail.bg` });
      return recipients.length > 0 ? recipients : [{ type: 'email', value: emailOf(r) }];
    });
    const expectedPersonas = new Set((await api.resolveMany(requests.flat())).filter((p): p is string => p !== null));
    const expectedAddresses = new Set(requests.flat().filter((r) => r.value.startsWith('walk.in.')).map((r) => `address:${r.value}`));

    const answers = await Promise.all(requests.map((recipients) => claim(api, 'flash-sale', 'email', recipients)));

    const handedOut = answers.flatMap((a) => a.recipients.map(claimKey));
    expect(handedOut.length - new Set(handedOut).size, 'recipients handed out twice').toBe(0);
    expect(new Set(handedOut)).toEqual(new Set([...expectedPersonas, ...expectedAddresses]));
    // each answer accounts for every recipient it covered: handed out now, or claimed before
    for (const answer of answers) {
      expect(answer.stats.recipients).toBe(answer.recipients.length);
      expect(answer.stats.recipients + answer.stats.alreadyClaimed).toBeGreaterThan(0);
    }

    const again = await claim(api, 'flash-sale', 'email', requests.flat());
    expect(again.recipients).toEqual([]);
    expect(again.stats.alreadyClaimed).toBe(expectedPersonas.size + expectedAddresses.size);
  });

  it('keeps campaigns apart', async () => {
    const everyone = Array.from({ length: PEOPLE }, (_, i): Identifier => ({ type: 'phone', value: phoneOf(i) }));
    const first = await claim(api, 'other-campaign', 'sms', everyone);
    expect(first.recipients).toHaveLength(PEOPLE);
    expect(new Set(first.recipients.map((r) => r.address)).size).toBe(PEOPLE);
    expect((await claim(api, 'other-campaign', 'sms', everyone)).recipients).toEqual([]);
  });
});

describe('claims and later merges', () => {
  let api: LiveApi;
  beforeAll(async () => {
    api = await startLiveApi({ tenant: TENANT });
  });
  afterAll(async () => {
    await api.close();
  });

  // Which side exists first decides which persona survives the merge; which side is claimed first
  // decides whether the later claim arrives through the survivor or through the merged-in alias.
  const cases = [
    { olderSide: 'email', claimedSide: 'email' },
    { olderSide: 'email', claimedSide: 'phone' },
    { olderSide: 'phone', claimedSide: 'email' },
    { olderSide: 'phone', claimedSide: 'phone' },
  ] as const;
  it.each(cases)('a persona claimed through its $claimedSide is not claimed again after a merge ($olderSide side older)', async ({ olderSide, claimedSide }) => {
    const n = cases.findIndex((c) => c.olderSide === olderSide && c.claimedSide === claimedSide);
    const campaign = `merge-${n}`;
    const email: Identifier = { type: 'email', value: `merge.case.${n}@abv.bg` };
    const phone: Identifier = { type: 'phone', value: `+359 89 ${String(3_141_592 + n * 101).padStart(7, '0')}` };
    const [older, younger] = olderSide === 'email' ? [email, phone] : [phone, email];
    await api.ingest({ type: 'identify', timestamp: '2026-03-01T08:00:00.000Z', identifiers: { [older.type]: older.value } });
    await api.ingest({ type: 'identify', timestamp: '2026-03-02T08:00:00.000Z', identifiers: { [younger.type]: younger.value } });
    const [claimed, later] = claimedSide === 'email' ? [email, phone] : [phone, email];
    const channelOf = (id: Identifier) => (id.type === 'email' ? 'email' : 'sms');

    const first = await claim(api, campaign, channelOf(claimed), [claimed]);
    expect(first.recipients).toHaveLength(1);
    expect(first.recipients[0].persona).toBe((await api.resolveMany([claimed]))[0]);

    // one checkout names both: the two personas merge
    const merged = await api.ingest({ type: 'checkout', timestamp: '2026-03-03T08:00:00.000Z',
      identifiers: { email: email.value, phone: phone.value } });
    expect(merged.body).toMatchObject({ accepted: 1, errors: [] });
    const [viaEmail, viaPhone] = await api.resolveMany([email, phone]);
    expect(viaEmail).not.toBeNull();
    expect(viaEmail).toBe(viaPhone);

    const second = await claim(api, campaign, channelOf(later), [later]);
    expect(second.recipients).toEqual([]);
    expect(second.stats.alreadyClaimed).toBe(1);
  });

  it('an address claimed while unknown is not claimed again once it belongs to a persona', async () => {
    const email = 'first.seen.in.list@abv.bg';
    const phone = '0899 271 828';
    const first = await claim(api, 'unknown-then-known', 'email', [{ type: 'email', value: email }]);
    expect(first.recipients).toEqual([{ persona: null, address: email, inputs: [0] }]);
    await api.ingest({ type: 'checkout', identifiers: { email, phone } });
    const second = await claim(api, 'unknown-then-known', 'sms', [{ type: 'phone', value: phone }]);
    expect(second.recipients).toEqual([]);
  });
});

describe('durability', () => {
  it('keeps claims across a restart of the server', async () => {
    const dir = tempDir('pg-claims-');
    let api = await startLiveApi({ tenant: TENANT, dataDir: dir.path });
    try {
      await seedPeople(api);
      const half = Array.from({ length: PEOPLE / 2 }, (_, i): Identifier => ({ type: 'email', value: emailOf(i) }));
      const everyone = Array.from({ length: PEOPLE }, (_, i): Identifier => ({ type: 'phone', value: phoneOf(i) }));
      const before = await claim(api, 'durable', 'email', half);
      expect(before.recipients).toHaveLength(PEOPLE / 2);

      api = await api.restart();

      const after = await claim(api, 'durable', 'sms', everyone);
      expect(after.stats.alreadyClaimed).toBe(PEOPLE / 2);
      expect(after.recipients).toHaveLength(PEOPLE / 2);
      const claimedBefore = new Set(before.recipients.map((r) => r.persona));
      expect(after.recipients.filter((r) => claimedBefore.has(r.persona))).toEqual([]);
      expect((await claim(api, 'another-campaign', 'email', half)).recipients).toHaveLength(PEOPLE / 2);
    } finally {
      await api.close();
      dir.remove();
    }
  });
});
