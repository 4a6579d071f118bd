import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AudienceResult, Identifier } from '../../host/types.js';
import { RESOLVE_BATCH_SIZE, clusterCounts, scoreResolution } from '../../bench/quality/metrics.js';
import type { Resolver } from '../../bench/quality/types.js';
import { handMadeSimulation } from './hand-made.js';

// shop-a: person 0 owns d1, d2, d4, c1, s2; person 1 owns d3, c2, s1; the kiosk is shared.
// shop-b reuses the raw values d1/d2 for person 5: tenants must be scored separately.
const sim = handMadeSimulation(
  [
    {
      tenant: 'shop-a',
      profiles: {
        'device:d1': 0, 'device:d2': 0, 'customer:c1': 0, 'device:d4': 0, 'subscriber:s2': 0,
        'device:d3': 1, 'customer:c2': 1, 'subscriber:s1': 1,
        'device:kiosk': null,
      },
      people: [
        { person: 0, latestEmail: 'ann@x.bg', phone: null, anchor: 'customer:c1' },
        { person: 1, latestEmail: 'bob@gmail.com', phone: null, anchor: 'subscriber:s1' },
        { person: 2, latestEmail: null, phone: null, anchor: null },
        { person: 3, latestEmail: 'dan@x.bg', phone: null, anchor: null },
      ],
      emailSubscriptions: [
        { subscriber: 's1', person: 1, address: 'bob@gmail.com', consent: true },
        { subscriber: 's2', person: 0, address: 'ann@x.bg', consent: true },
        { subscriber: 's3', person: 2, address: 'cid@x.bg', consent: false },
        { subscriber: 's4', person: 3, address: 'dan@x.bg', consent: true },
      ],
    },
    { tenant: 'shop-b', profiles: { 'device:d1': 5, 'device:d2': 5 } },
  ],
  [],
  { 'email:bob@gmail.com': 1, 'email:ann@x.bg': 0, 'email:cid@x.bg': 2, 'email:dan@x.bg': 3 },
);

const answers: Record<string, Record<string, string | null>> = {
  'shop-a': { d1: 'P', d2: 'P', c1: 'Q', d4: null, s2: 'R', d3: 'P', c2: 'Q', s1: 'Q', kiosk: 'P' },
  'shop-b': { d1: 'X', d2: 'X' },
};
const personaEmails: Record<string, string | null> = { P: 'ann@x.bg', Q: 'B.O.B+news@gmail.com', R: null, X: null };

function fixedResolver(audience: (recipients: Identifier[]) => AudienceResult): Resolver & { audienceInputs: Identifier[][] } {
  const audienceInputs: Identifier[][] = [];
  return {
    audienceInputs,
    async resolve(tenant, identifiers) {
      return identifiers.map(({ value }) => answers[tenant][value] ?? null);
    },
    async persona(_tenant, id) {
      return { email: personaEmails[id] };
    },
    async audience(_tenant, recipients) {
      audienceInputs.push(recipients);
      return audience(recipients);
    },
  };
}

const threeMessages = (recipients: Identifier[]): AudienceResult => {
  if (recipients.length === 0) return { recipients: [], unreachable: [], stats: { input: 0, recipients: 0, duplicatesRemoved: 0, unreachable: 0 } };
  return {
    recipients: [
      { persona: 'Q', address: 'bob@gmail.com', inputs: [0, 1] }, // person 1, behind s1 (1) and s2 (0): right
      { persona: 'R', address: 'b.ob@gmail.com', inputs: [1] }, // person 1 again, behind s2 only (0): wrong person
      { persona: null, address: 'test@test.com', inputs: [2] }, // nobody's address: wrong person
    ],
    unreachable: [],
    stats: { input: 3, recipients: 3, duplicatesRemoved: 0, unreachable: 0 },
  };
};

describe('scoreResolution on a hand-made case', () => {
  it('computes pairwise precision, recall and the largest persona per tenant', async () => {
    const score = await scoreResolution(sim, fixedResolver(threeMessages));
    const [a, b] = score.tenants;
    // shop-a clusters (shared kiosk left out): P = {d1, d2 | d3}, Q = {c1 | c2, s1}, R = {s2}, d4 unknown.
    // Same-person pairs within a persona: (d1,d2) and (c2,s1) = 2. Pairs in personas: 3 + 3 + 0 = 6.
    // True pairs: person 0 has 5 profiles (10 pairs), person 1 has 3 (3 pairs) = 13.
    expect(a).toMatchObject({ tenant: 'shop-a', profiles: 8, pairs: { truePositive: 2, predicted: 6, actual: 13 } });
    expect(a.precision).toBeCloseTo(2 / 6, 12);
    expect(a.recall).toBeCloseTo(2 / 13, 12);
    expect(a.largestPersona).toBe(4); // P with the kiosk
    expect(b).toMatchObject({ tenant: 'shop-b', profiles: 2, pairs: { truePositive: 1, predicted: 1, actual: 1 }, precision: 1, recall: 1 });
    expect(score.overall.pairs).toEqual({ truePositive: 3, predicted: 7, actual: 14 });
    expect(score.overall.precision).toBeCloseTo(3 / 7, 12);
    expect(score.overall.recall).toBeCloseTo(3 / 14, 12);
    expect(score.overall.largestPersona).toBe(4);
  });

  it("checks the persona of each person's anchor for their latest email, as a mailbox", async () => {
    const score = await scoreResolution(sim, fixedResolver(threeMessages));
    // Person 0: anchor c1 → Q (bob's address): wrong. Person 1: anchor s1 → Q, B.O.B+news@gmail.com
    // is bob@gmail.com's mailbox: right. Person 2 has no email: not counted. Person 3 has no anchor: wrong.
    expect(score.tenants[0].latestEmail).toEqual({ correct: 1, total: 3, accuracy: 1 / 3 });
    expect(score.tenants[1].latestEmail).toEqual({ correct: 0, total: 0, accuracy: 1 });
    expect(score.overall.latestEmail).toEqual({ correct: 1, total: 3, accuracy: 1 / 3 });
  });

  it('sends the campaign to consenting email subscribers and judges every message', async () => {
    const resolver = fixedResolver(threeMessages);
    const score = await scoreResolution(sim, resolver);
    expect(resolver.audienceInputs[0]).toEqual([
      { type: 'subscriber', value: 's1' },
      { type: 'subscriber', value: 's2' },
      { type: 'subscriber', value: 's4' },
    ]);
    expect(score.tenants[0].campaign).toEqual({
      subscribers: 3,
      people: 3,
      messages: 3,
      reachedTwice: 1, // person 1 (bob@gmail.com and b.ob@gmail.com)
      notReached: 2, // persons 0 and 3
      wrongPerson: 2,
      unreachable: 0,
    });
    expect(score.overall.campaign.messages).toBe(3);
  });

  it('counts a profile the resolver does not know as a persona of its own', () => {
    const counts = clusterCounts(['A', null, null, 'A'], [0, 0, 0, 0]);
    expect(counts.pairs).toEqual({ truePositive: 1, predicted: 1, actual: 6 });
    expect(counts.largestPersona).toBe(2);
  });

  it('has precision and recall 1 when there is nothing to merge', () => {
    expect(clusterCounts([null, null], [0, 1])).toMatchObject({ precision: 1, recall: 1, pairs: { truePositive: 0, predicted: 0, actual: 0 } });
  });
});

describe('clusterCounts', () => {
  it('matches counting every pair by brute force', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ persona: fc.option(fc.constantFrom('A', 'B', 'C', 'D'), { nil: null }), owner: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }) }), { maxLength: 40 }),
        (profiles) => {
          const personas = profiles.map((p) => p.persona);
          const owners = profiles.map((p) => p.owner);
          let truePositive = 0;
          let predicted = 0;
          let actual = 0;
          for (let i = 0; i < profiles.length; i++) {
            for (let j = i + 1; j < profiles.length; j++) {
              if (owners[i] === null || owners[j] === null) continue;
              const samePersona = personas[i] !== null && personas[i] === personas[j];
              const samePerson = owners[i] === owners[j];
              if (samePersona) predicted++;
              if (samePerson) actual++;
              if (samePersona && samePerson) truePositive++;
            }
          }
          expect(clusterCounts(personas, owners).pairs).toEqual({ truePositive, predicted, actual });
        },
      ),
    );
  });
});

describe('scoreResolution: batching and bad answers', () => {
  it(`resolves at most ${RESOLVE_BATCH_SIZE} identifiers per call`, async () => {
    const profiles: Record<string, number> = {};
    for (let i = 0; i < 25_000; i++) profiles[`device:d${i}`] = i % 1000;
    const big = handMadeSimulation([{ tenant: 'shop-a', profiles }]);
    const batches: number[] = [];
    const resolver: Resolver = {
      async resolve(_tenant, identifiers) {
        batches.push(identifiers.length);
        return identifiers.map(({ value }) => `p${Number(value.slice(1)) % 1000}`);
      },
      async persona() {
        return { email: null };
      },
      async audience() {
        return { recipients: [], unreachable: [], stats: { input: 0, recipients: 0, duplicatesRemoved: 0, unreachable: 0 } };
      },
    };
    const score = await scoreResolution(big, resolver);
    expect(batches).toEqual([10_000, 10_000, 5_000]);
    expect(score.overall).toMatchObject({ precision: 1, recall: 1, largestPersona: 25 });
  });

  it('rejects a resolve answer of the wrong length with a clear error', async () => {
    const resolver = { ...fixedResolver(threeMessages), resolve: async () => ['P'] };
    await expect(scoreResolution(sim, resolver)).rejects.toThrow(/resolve\(shop-a\) answered 1 ids for 9 identifiers/);
  });

  it('rejects an audience that points at inputs it was not given', async () => {
    const resolver = fixedResolver(() => ({
      recipients: [{ persona: 'Q', address: 'bob@gmail.com', inputs: [5] }],
      unreachable: [],
      stats: { input: 3, recipients: 1, duplicatesRemoved: 0, unreachable: 0 },
    }));
    await expect(scoreResolution(sim, resolver)).rejects.toThrow(/input index 5 is outside 0\.\.2/);
  });
});
