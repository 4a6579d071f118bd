import { describe, expect, it } from 'vitest';
import { canonicalEmail, identifierKey, parseKey, typedEmail } from '../../bench/quality/normalize.js';
import { NOISE_RATES } from '../../bench/quality/rates.js';
import { simulateShops, toIncomingEvent } from '../../bench/quality/simulator.js';
import type { SimulatedEvent, Simulation, TenantTruth } from '../../bench/quality/types.js';
import { JUNK_EMAILS } from '../../bench/quality/variants.js';

const small = simulateShops({ seed: 1, people: 600, noise: 'high' });
// Big enough that observed rates settle near the configured ones.
const large = simulateShops({ seed: 2, people: 4000, noise: 'high' });
const low = simulateShops({ seed: 2, people: 2000, noise: 'low' });

function ownerOf(sim: Simulation, truth: TenantTruth, key: string): number | null | undefined {
  const { type } = parseKey(key);
  return type === 'email' || type === 'phone' ? sim.truth.addressOwners.get(key) : truth.profiles.get(key);
}

function tenantTruth(sim: Simulation, tenant: string): TenantTruth {
  return sim.truth.tenants.find((t) => t.tenant === tenant)!;
}

/** Share of events that arrive after an event with a later timestamp. */
function lateShare(events: SimulatedEvent[]): number {
  let latest = '';
  let late = 0;
  for (const event of events) {
    if (event.timestamp < latest) late++;
    else latest = event.timestamp;
  }
  return late / events.length;
}

describe('simulateShops: determinism', () => {
  it('the same options give identical events and truth', () => {
    const again = simulateShops({ seed: 1, people: 600, noise: 'high' });
    expect(again.events).toEqual(small.events);
    expect(again.truth).toEqual(small.truth);
  });

  it('another seed or noise level gives other events', () => {
    const otherSeed = simulateShops({ seed: 3, people: 600, noise: 'high' });
    const otherNoise = simulateShops({ seed: 1, people: 600, noise: 'low' });
    expect(otherSeed.events).not.toEqual(small.events);
    expect(otherNoise.events).not.toEqual(small.events);
  });
});

describe('simulateShops: options', () => {
  it.each([
    [{ seed: 1.5, people: 10, noise: 'low' }, /seed must be an integer/],
    [{ seed: 1, people: 0, noise: 'low' }, /people must be an integer/],
    [{ seed: 1, people: 10, noise: 'medium' }, /unknown noise level "medium"/],
    [{ seed: 1, people: 10, noise: 'low', tenants: 9 }, /tenants must be an integer in 1\.\.5/],
    [{ seed: 1, people: 10, noise: 'low', noiseOverrides: { tabletRate: 0.1 } }, /unknown noise rate "tabletRate"/],
    [{ seed: 1, people: 10, noise: 'low', noiseOverrides: { forwardedClick: -1 } }, /forwardedClick must be a number/],
  ] as const)('rejects %j', (options, message) => {
    expect(() => simulateShops(options as never)).toThrow(message);
  });

  it('reports the rates it used and defaults to three tenants', () => {
    expect(small.rates.noise).toEqual(NOISE_RATES.high);
    expect(small.tenants).toEqual(['shop-a', 'shop-b', 'shop-c']);
    expect(small.options).toEqual({ seed: 1, people: 600, noise: 'high', tenants: 3, noiseOverrides: {} });
  });

  it('uses overridden noise rates, and one drawn for every subscription changes only what it decides', () => {
    const fewer = simulateShops({ seed: 1, people: 600, noise: 'high', noiseOverrides: { subscribeWithoutDevice: 0.05 } });
    expect(fewer.rates.noise).toEqual({ ...NOISE_RATES.high, subscribeWithoutDevice: 0.05 });
    const subscriptions = (sim: typeof small) => sim.events.filter((e) => e.type === 'subscribe');
    const withoutDevice = (sim: typeof small) => subscriptions(sim).filter((e) => e.identifiers.device === undefined).length;
    expect(withoutDevice(fewer)).toBeLessThan(withoutDevice(small) / 2);
    expect(subscriptions(fewer).map((e) => e.identifiers.subscriber)).toEqual(subscriptions(small).map((e) => e.identifiers.subscriber));
  });
});

describe('simulateShops: untrackedSignUp', () => {
  /** Accounts (`c-…` per tenant) whose first event is not an identify: their sign-up was never seen. */
  function untrackedAccounts(sim: Simulation): { accounts: number; untracked: number; firstLogins: number } {
    const first = new Map<string, SimulatedEvent>();
    for (const event of [...sim.events].sort((a, b) => a.timestamp.localeCompare(b.timestamp))) {
      const customer = event.identifiers.customer;
      const key = `${event.tenant} ${customer}`;
      if (typeof customer === 'string' && customer.startsWith('c-') && !first.has(key)) first.set(key, event);
    }
    const firsts = [...first.values()];
    return {
      accounts: firsts.length,
      untracked: firsts.filter((e) => e.type !== 'identify').length,
      firstLogins: firsts.filter((e) => e.type === 'login').length,
    };
  }

  it('is 0 at both levels, and leaves every event as it was when set to 0', () => {
    expect(NOISE_RATES.low.untrackedSignUp).toBe(0);
    expect(NOISE_RATES.high.untrackedSignUp).toBe(0);
    expect(simulateShops({ seed: 1, people: 600, noise: 'high', noiseOverrides: { untrackedSignUp: 0 } }).events).toEqual(small.events);
    expect(untrackedAccounts(small).untracked).toBe(0);
  });

  it('at 0.5 about half the accounts first show up without their sign-up, some of them in a bare login', () => {
    const sim = simulateShops({ seed: 2, people: 2000, noise: 'high', noiseOverrides: { untrackedSignUp: 0.5 } });
    const { accounts, untracked, firstLogins } = untrackedAccounts(sim);
    expect(untracked / accounts).toBeGreaterThan(0.4);
    expect(untracked / accounts).toBeLessThan(0.6);
    expect(firstLogins).toBeGreaterThan(0);
  });
});

describe('simulateShops: events', () => {
  it('follow the contract shape and the documented structure per type', () => {
    const allowed: Record<SimulatedEvent['type'], string[]> = {
      page: ['device'],
      identify: ['customer,device,email'],
      login: ['customer,device', 'customer,device,email'],
      checkout: ['customer,device', 'customer,device,email', 'customer,device,phone', 'customer,device,email,phone'],
      subscribe: [
        'email,subscriber', 'device,email,subscriber', 'customer,device,email,subscriber',
        'phone,subscriber', 'device,phone,subscriber', 'customer,device,phone,subscriber',
      ],
      link_click: ['device'],
    };
    const problems: string[] = [];
    for (const event of large.events) {
      const shape = Object.keys(event.identifiers).sort().join(',');
      if (!allowed[event.type].includes(shape)) problems.push(`${event.id} ${event.type}: ${shape}`);
      if (new Date(event.timestamp).toISOString() !== event.timestamp) problems.push(`${event.id} timestamp ${event.timestamp}`);
      if ((event.type === 'link_click') !== (event.recipient !== undefined)) problems.push(`${event.id} recipient`);
      if (event.recipient && !/^s-\d+$/.test(event.recipient.value)) problems.push(`${event.id} recipient ${event.recipient.value}`);
      const { customer, subscriber } = event.identifiers;
      if (customer !== undefined && !/^[cg]-\d+$/.test(customer)) problems.push(`${event.id} customer ${customer}`);
      if (subscriber !== undefined && !/^s-\d+$/.test(subscriber)) problems.push(`${event.id} subscriber ${subscriber}`);
    }
    expect(problems).toEqual([]);
    expect(new Set(large.events.map((e) => e.id)).size).toBe(large.events.length);
    expect(new Set(large.events.map((e) => e.type))).toEqual(new Set(Object.keys(allowed)));
  });

  it('toIncomingEvent drops the simulator-only fields and adds the token', () => {
    const click = large.events.find((e) => e.type === 'link_click')!;
    const incoming = toIncomingEvent(click, 'signed-token');
    expect(incoming).toEqual({ id: click.id, type: 'link_click', timestamp: click.timestamp, identifiers: click.identifiers, token: 'signed-token' });
    expect(incoming).not.toHaveProperty('tenant');
    expect(incoming).not.toHaveProperty('recipient');
  });

  it('every emitted raw value has its canonical key in sim.keys', () => {
    const problems: string[] = [];
    for (const event of small.events) {
      for (const [type, raw] of Object.entries(event.identifiers) as [keyof typeof small.keys, string][]) {
        if (small.keys[type].get(raw) !== identifierKey(type, raw)) problems.push(`${type} ${raw}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('simulateShops: noise rates', () => {
  it('delivers about the configured share of events late, so arrival order differs from time order', () => {
    expect(lateShare(large.events)).toBeGreaterThan(NOISE_RATES.high.outOfOrder * 0.7);
    expect(lateShare(large.events)).toBeLessThan(NOISE_RATES.high.outOfOrder * 1.2);
    expect(lateShare(low.events)).toBeLessThan(lateShare(large.events));
  });

  it('types junk emails at about the configured share of checkouts', () => {
    const junk = new Set(JUNK_EMAILS.map(([value]) => value));
    const checkouts = large.events.filter((e) => e.type === 'checkout');
    const share = checkouts.filter((e) => junk.has(e.identifiers.email ?? '')).length / checkouts.length;
    expect(share).toBeGreaterThan(NOISE_RATES.high.junkEmail * 0.7);
    expect(share).toBeLessThan(NOISE_RATES.high.junkEmail * 1.3);
  });

  it('varies email case/spaces at about the configured rate, and dots/+tags only on gmail', () => {
    let real = 0;
    let caseOrSpaces = 0;
    for (const event of large.events) {
      const raw = event.identifiers.email;
      if (raw === undefined || !large.truth.addressOwners.has(identifierKey('email', raw) ?? '')) continue;
      real++;
      if (raw !== typedEmail(raw)) caseOrSpaces++;
      if (typedEmail(raw) !== canonicalEmail(raw)) expect(typedEmail(raw)).toMatch(/@gmail\.com$/);
    }
    expect(caseOrSpaces / real).toBeGreaterThan(NOISE_RATES.high.emailCaseOrSpaces * 0.8);
    expect(caseOrSpaces / real).toBeLessThan(NOISE_RATES.high.emailCaseOrSpaces * 1.2);
  });

  it('has about the configured share of people in two tenants', () => {
    const tenantsPerPerson = new Map<number, number>();
    for (const truth of large.truth.tenants) {
      for (const { person } of truth.people) tenantsPerPerson.set(person, (tenantsPerPerson.get(person) ?? 0) + 1);
    }
    const share = [...tenantsPerPerson.values()].filter((n) => n === 2).length / large.truth.people;
    expect(share).toBeGreaterThan(NOISE_RATES.high.secondTenant * 0.8);
    expect(share).toBeLessThan(NOISE_RATES.high.secondTenant * 1.2);
  });

  it('sends subscriptions without the device id only at about the configured rate, fewer at low noise', () => {
    const withoutDevice = (sim: Simulation) => {
      const subscriptions = sim.events.filter((e) => e.type === 'subscribe');
      return subscriptions.filter((e) => e.identifiers.device === undefined).length / subscriptions.length;
    };
    expect(withoutDevice(large)).toBeGreaterThan(NOISE_RATES.high.subscribeWithoutDevice * 0.8);
    expect(withoutDevice(large)).toBeLessThan(NOISE_RATES.high.subscribeWithoutDevice * 1.2);
    expect(withoutDevice(low)).toBeGreaterThan(NOISE_RATES.low.subscribeWithoutDevice * 0.5);
    expect(withoutDevice(low)).toBeLessThan(NOISE_RATES.low.subscribeWithoutDevice * 1.5);
  });

  it('a subscription carries an account only when made on the site, and then the account the person checks out with', () => {
    let withAccount = 0;
    for (const event of large.events) {
      if (event.type !== 'subscribe' || event.identifiers.customer === undefined) continue;
      withAccount++;
      expect(event.identifiers.device).toBeDefined();
      expect(event.identifiers.customer).toMatch(/^c-/);
      const truth = tenantTruth(large, event.tenant);
      expect(truth.profiles.get(`customer:${event.identifiers.customer}`)).toBe(truth.profiles.get(`subscriber:${event.identifiers.subscriber}`));
    }
    expect(withAccount).toBeGreaterThan(100);
  });

  it('forwards about the configured share of link clicks to another person', () => {
    let clicks = 0;
    let forwarded = 0;
    for (const event of large.events) {
      if (event.type !== 'link_click') continue;
      const truth = tenantTruth(large, event.tenant);
      const clicker = truth.profiles.get(`device:${event.identifiers.device}`);
      if (clicker === null) continue; // clicked on a shared tablet: whose it was is unknown
      clicks++;
      if (clicker !== truth.profiles.get(`subscriber:${event.recipient!.value}`)) forwarded++;
    }
    expect(clicks).toBeGreaterThan(500);
    expect(forwarded / clicks).toBeGreaterThan(NOISE_RATES.high.forwardedClick * 0.7);
    expect(forwarded / clicks).toBeLessThan(NOISE_RATES.high.forwardedClick * 1.3);
  });

  it('has family tablets used by 2-4 people and kiosks used by dozens', () => {
    const usersPerSharedDevice = new Map<string, Set<number>>();
    const truth = tenantTruth(large, 'shop-a');
    // Who used a shared device: the owners of the other profiles of its checkouts and logins.
    for (const event of large.events) {
      if (event.tenant !== 'shop-a' || !event.identifiers.customer) continue;
      const device = `device:${event.identifiers.device}`;
      if (truth.profiles.get(device) !== null) continue;
      const users = usersPerSharedDevice.get(device) ?? new Set<number>();
      users.add(truth.profiles.get(`customer:${event.identifiers.customer}`)!);
      usersPerSharedDevice.set(device, users);
    }
    const sizes = [...usersPerSharedDevice.values()].map((users) => users.size);
    expect(sizes.filter((n) => n >= 2 && n <= 4).length).toBeGreaterThan(20); // tablets
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(12); // kiosks
    expect(Math.max(...sizes)).toBeLessThan(100);
  });
});

describe('simulateShops: ground truth', () => {
  it('maps every profile to an existing person, or to nobody only for a shared device', () => {
    const problems: string[] = [];
    for (const truth of large.truth.tenants) {
      for (const [key, person] of truth.profiles) {
        const { type } = parseKey(key);
        if (!['device', 'customer', 'subscriber'].includes(type)) problems.push(`${key}: not a profile type`);
        if (person === null ? type !== 'device' : !(person >= 0 && person < large.truth.people)) problems.push(`${key} → ${person}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('true links join only identifiers of one person', () => {
    const problems: string[] = [];
    for (const truth of large.truth.tenants) {
      expect(truth.trueLinks.length).toBeGreaterThan(1000);
      for (const [a, b] of truth.trueLinks) {
        const owner = ownerOf(large, truth, a);
        if (typeof owner !== 'number' || ownerOf(large, truth, b) !== owner) problems.push(`${a} — ${b}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps tenants apart: the same customer id belongs to different people in different shops', () => {
    const [a, b] = large.truth.tenants;
    const shared = [...a.profiles.keys()].filter((key) => key.startsWith('customer:c-') && b.profiles.has(key));
    expect(shared.length).toBeGreaterThan(100);
    expect(shared.filter((key) => a.profiles.get(key) !== b.profiles.get(key)).length).toBeGreaterThan(shared.length * 0.9);
  });

  it("gives each person's latest email as the address of their latest email event by timestamp", () => {
    const truth = tenantTruth(large, 'shop-b');
    const latest = new Map<number, { timestamp: string; email: string }>();
    for (const event of large.events) {
      const raw = event.identifiers.email;
      if (event.tenant !== 'shop-b' || raw === undefined) continue;
      const owner = large.truth.addressOwners.get(identifierKey('email', raw) ?? '');
      if (owner === undefined) continue;
      const seen = latest.get(owner);
      if (!seen || event.timestamp > seen.timestamp) latest.set(owner, { timestamp: event.timestamp, email: typedEmail(raw) });
    }
    expect(truth.people.map((p) => p.latestEmail)).toEqual(truth.people.map((p) => latest.get(p.person)?.email ?? null));
    expect(truth.people.filter((p) => p.latestEmail !== null).length).toBeGreaterThan(1000);
  });

  it('lists email subscriptions with their address, owner and consent', () => {
    const truth = tenantTruth(large, 'shop-a');
    const consenting = truth.emailSubscriptions.filter((s) => s.consent).length / truth.emailSubscriptions.length;
    expect(consenting).toBeGreaterThan(0.85);
    expect(consenting).toBeLessThan(0.95);
    const owners = truth.emailSubscriptions.map((s) => [
      truth.profiles.get(`subscriber:${s.subscriber}`),
      large.truth.addressOwners.get(identifierKey('email', s.address)!),
    ]);
    expect(owners).toEqual(truth.emailSubscriptions.map((s) => [s.person, s.person]));
  });

  it('anchors each person with an email to one of their own customer or subscriber ids', () => {
    const problems: string[] = [];
    for (const truth of large.truth.tenants) {
      for (const person of truth.people) {
        if (person.latestEmail === null) continue;
        const anchor = person.anchor ?? 'none';
        if (!/^(customer|subscriber):/.test(anchor) || truth.profiles.get(anchor) !== person.person) {
          problems.push(`${truth.tenant} person ${person.person}: ${anchor}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('simulateShops: size', () => {
  it('simulates thousands of people quickly with a realistic mix', () => {
    const started = performance.now();
    const sim = simulateShops({ seed: 5, people: 5000, noise: 'low' });
    expect(performance.now() - started).toBeLessThan(10_000);
    const perPerson = sim.events.length / sim.options.people;
    expect(perPerson).toBeGreaterThan(5);
    expect(perPerson).toBeLessThan(30);
  });
});
