import { describe, expect, it } from 'vitest';
import { scoreResolution } from '../../bench/quality/metrics.js';
import { ceiling, plainComponents } from '../../bench/quality/reference.js';
import { simulateShops } from '../../bench/quality/simulator.js';
import type { SimulatedEvent } from '../../bench/quality/types.js';
import { handMadeSimulation } from './hand-made.js';

const U1 = '00000000-0000-4000-8000-000000000001';
const U2 = '00000000-0000-4000-8000-000000000002';
const U3 = '00000000-0000-4000-8000-000000000003';
const at = (hour: number) => `2026-01-05T${String(hour).padStart(2, '0')}:00:00.000Z`;

// Person 0 (Ann) and person 1 (Bob) both typed the junk test@test.com once; Bob clicked a link
// Ann forwarded. Events are listed in arrival order: the latest one by time (ann.new) came first,
// the earliest (the subscription) came last.
const events: Omit<SimulatedEvent, 'id'>[] = [
  { tenant: 'shop-a', type: 'checkout', timestamp: at(15), identifiers: { device: U1, email: 'ann.new@x.bg', customer: 'g-4' } },
  { tenant: 'shop-a', type: 'checkout', timestamp: at(10), identifiers: { device: U1, email: 'ann@x.bg', customer: 'g-1' } },
  { tenant: 'shop-a', type: 'checkout', timestamp: at(11), identifiers: { device: U2, email: 'Test@test.com', customer: 'g-2' } },
  { tenant: 'shop-a', type: 'checkout', timestamp: at(12), identifiers: { device: U3, email: 'test@test.com ', customer: 'g-3', phone: '0888 123 456' } },
  { tenant: 'shop-a', type: 'identify', timestamp: at(13), identifiers: { device: U2, customer: 'c-1', email: 'bob@abv.bg' } },
  { tenant: 'shop-a', type: 'link_click', timestamp: at(14), identifiers: { device: U2 }, recipient: { type: 'subscriber', value: 's-1' } },
  { tenant: 'shop-a', type: 'page', timestamp: at(16), identifiers: { device: U1 } },
  { tenant: 'shop-a', type: 'subscribe', timestamp: at(9), identifiers: { email: 'Ann@X.bg', subscriber: 's-1' } },
  { tenant: 'shop-b', type: 'page', timestamp: at(9), identifiers: { device: U3 } },
];
const sim = handMadeSimulation(
  [
    {
      tenant: 'shop-a',
      profiles: {
        [`device:${U1}`]: 0, [`device:${U2}`]: 1, [`device:${U3}`]: 0,
        'customer:g-1': 0, 'customer:g-2': 1, 'customer:g-3': 0, 'customer:g-4': 0, 'customer:c-1': 1, 'subscriber:s-1': 0,
      },
      people: [
        { person: 0, latestEmail: 'ann.new@x.bg', phone: '+359888123456', anchor: 'subscriber:s-1' },
        { person: 1, latestEmail: 'bob@abv.bg', phone: null, anchor: 'customer:c-1' },
      ],
      emailSubscriptions: [{ subscriber: 's-1', person: 0, address: 'ann@x.bg', consent: true }],
      trueLinks: [
        [`device:${U1}`, 'email:ann.new@x.bg'], ['email:ann.new@x.bg', 'customer:g-4'],
        [`device:${U1}`, 'email:ann@x.bg'], ['email:ann@x.bg', 'customer:g-1'],
        [`device:${U2}`, 'customer:g-2'],
        [`device:${U3}`, 'customer:g-3'], ['customer:g-3', 'phone:+359888123456'],
        [`device:${U2}`, 'customer:c-1'], ['customer:c-1', 'email:bob@abv.bg'],
        ['email:ann@x.bg', 'subscriber:s-1'],
      ],
    },
    { tenant: 'shop-b', profiles: { [`device:${U3}`]: 0 } },
  ],
  events,
  { 'email:ann@x.bg': 0, 'email:ann.new@x.bg': 0, 'email:bob@abv.bg': 1, 'phone:+359888123456': 0 },
);

describe('plain connected components', () => {
  it('links every identifier of every event, junk values and forwarded clicks included', async () => {
    const plain = plainComponents(sim);
    const ids = await plain.resolve('shop-a', [
      { type: 'device', value: U1 },
      { type: 'device', value: U2.toUpperCase() },
      { type: 'customer', value: 'g-3' },
      { type: 'email', value: ' ANN@x.bg' },
      { type: 'email', value: 'nobody@x.bg' },
      { type: 'device', value: 'not-a-uuid' },
    ]);
    expect(new Set(ids.slice(0, 4)).size).toBe(1);
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids.slice(4)).toEqual([null, null]);
    const score = await scoreResolution(sim, plain);
    expect(score.tenants[0].largestPersona).toBe(9);
    expect(score.tenants[0].precision).toBeLessThan(1);
  });

  it("takes a component's email from the latest event by timestamp, not by arrival", async () => {
    const plain = plainComponents(sim);
    const [id] = await plain.resolve('shop-a', [{ type: 'subscriber', value: 's-1' }]);
    expect(await plain.persona('shop-a', id!)).toEqual({ email: 'ann.new@x.bg' });
  });

  it('keeps tenants apart', async () => {
    const plain = plainComponents(sim);
    expect(await plain.resolve('shop-b', [{ type: 'device', value: U1 }, { type: 'device', value: U3 }])).toEqual([null, expect.any(String)]);
    await expect(plain.resolve('shop-z', [])).rejects.toThrow(/unknown tenant "shop-z"/);
    for (const id of ['psn_nope', 'cc_', 'cc_99999', 'cc_1.5']) {
      await expect(plain.persona('shop-a', id)).rejects.toThrow(`unknown persona ${JSON.stringify(id)}`);
    }
  });
});

describe('ceiling', () => {
  it('joins only truly linked identifiers', async () => {
    const top = ceiling(sim);
    const [u1, u2, u3, s1, annNew] = await top.resolve('shop-a', [
      { type: 'device', value: U1 },
      { type: 'device', value: U2 },
      { type: 'device', value: U3 },
      { type: 'subscriber', value: 's-1' },
      { type: 'email', value: 'ann.new@x.bg' },
    ]);
    expect(new Set([u1, s1, annNew]).size).toBe(1);
    expect(new Set([u1, u2, u3]).size).toBe(3);
    expect(await top.persona('shop-a', s1!)).toEqual({ email: 'ann.new@x.bg' });
    const score = await scoreResolution(sim, top);
    expect(score.overall).toMatchObject({ precision: 1, largestPersona: 4, latestEmail: { correct: 2, total: 2 } });
    // Components: {U1, g-1, g-4, s-1} (6 pairs), {U3, g-3} (1), {U2, g-2, c-1} (3). Person 0 has 6
    // profiles in shop-a (15 pairs), person 1 has 3 (3 pairs); shop-b's lone U3 adds none.
    expect(score.overall.pairs).toEqual({ truePositive: 6 + 1 + 3, predicted: 10, actual: 15 + 3 });
  });

  it('dedupes an audience to one message per component at its latest email, keeping unknown addresses', async () => {
    const result = await ceiling(sim).audience('shop-a', [
      { type: 'subscriber', value: 's-1' },
      { type: 'email', value: 'ann@x.bg' },
      { type: 'customer', value: 'c-1' },
      { type: 'email', value: 'New@Y.bg' },
      { type: 'email', value: 'new@y.bg ' },
      { type: 'subscriber', value: 's-999' },
      { type: 'customer', value: 'g-3' }, // its component has no email
    ]);
    expect(result.recipients).toEqual([
      { persona: expect.any(String), address: 'ann.new@x.bg', inputs: [0, 1] },
      { persona: expect.any(String), address: 'bob@abv.bg', inputs: [2] },
      { persona: null, address: 'new@y.bg', inputs: [3, 4] },
    ]);
    expect(result.unreachable).toEqual([5, 6]);
    expect(result.stats).toEqual({ input: 7, recipients: 3, duplicatesRemoved: 2, unreachable: 2 });
  });
});

describe('reference lines on a simulation', () => {
  it('the ceiling is exact (precision 1) and plain CC collapses below it when junk values are present', async () => {
    const small = simulateShops({ seed: 4, people: 1500, noise: 'high' });
    const top = await scoreResolution(small, ceiling(small));
    const plain = await scoreResolution(small, plainComponents(small));
    expect(top.overall.precision).toBe(1);
    expect(top.overall.campaign.wrongPerson).toBe(0);
    expect(top.overall.latestEmail.accuracy).toBeGreaterThan(0.95);
    expect(top.overall.recall).toBeGreaterThan(0.7);
    expect(plain.overall.precision).toBeLessThan(top.overall.precision / 2);
    expect(plain.overall.largestPersona).toBeGreaterThan(10 * top.overall.largestPersona);
    expect(plain.overall.recall).toBeGreaterThanOrEqual(top.overall.recall);
  });
});
