// Seeded, realistic-looking traffic for one tenant: a fixed population of people, each with a
// customer id, an email, usually a phone, one or two devices and sometimes a newsletter
// subscription; events that show some of those together, out of time order, plus the odd
// family tablet shared by two people. Used by the crash loop and the soak run.
import { Random } from '../quality/random.js';
import type { Identifier, IdentifierType, IncomingEvent } from '../../host/types.js';

interface Person {
  customer: string;
  email: string;
  phone: string | null;
  devices: string[];
  subscriber: string | null;
}

const BASE_TIME_MS = Date.UTC(2026, 0, 1);
/** Events fall anywhere in 60 days and arrive in no particular time order. */
const TIME_SPREAD_MS = 60 * 24 * 3600 * 1000;
const PHONE_SHARE = 0.7;
const SECOND_DEVICE_SHARE = 0.4;
const SUBSCRIBER_SHARE = 0.3;
const SHARED_DEVICE_SHARE = 0.03;
const EVENT_KINDS = [['page', 5], ['login', 2], ['checkout', 1], ['subscribe', 1]] as const;

export class Traffic {
  private readonly random: Random;
  private readonly people: Person[];
  private readonly sharedDevices: string[];
  private sent = 0;

  constructor(
    seed: number,
    readonly tenant: string,
    population: number,
    /** Prefix of the idempotency keys, so that two runs on one data directory never collide. */
    private readonly idPrefix = 'ev',
  ) {
    this.random = new Random(seed);
    this.people = Array.from({ length: population }, (_, k) => this.person(k));
    this.sharedDevices = Array.from({ length: Math.max(1, Math.floor(population / 50)) }, () => this.random.uuid());
  }

  private person(k: number): Person {
    const r = this.random;
    return {
      customer: `c-${k}`,
      email: `person.${k}@${this.tenant}.example`,
      phone: r.chance(PHONE_SHARE) ? `+35988${String(1_000_000 + k).slice(-7)}` : null,
      devices: r.chance(SECOND_DEVICE_SHARE) ? [r.uuid(), r.uuid()] : [r.uuid()],
      subscriber: r.chance(SUBSCRIBER_SHARE) ? `s-${k}` : null,
    };
  }

  /** The next event, with a unique idempotency key and an explicit (out-of-order) timestamp. */
  event(): IncomingEvent & { id: string } {
    const r = this.random;
    const p = r.pick(this.people);
    const kind = r.weighted(EVENT_KINDS);
    const device = r.chance(SHARED_DEVICE_SHARE) ? r.pick(this.sharedDevices) : r.pick(p.devices);
    const identifiers: Partial<Record<IdentifierType, string>> = { device };
    if (kind === 'login' || kind === 'checkout') {
      identifiers.customer = p.customer;
      identifiers.email = p.email;
    }
    if (kind === 'checkout' && p.phone) identifiers.phone = p.phone;
    if (kind === 'subscribe') {
      identifiers.email = p.email;
      if (p.subscriber) identifiers.subscriber = p.subscriber;
    }
    if (kind === 'page' && r.chance(0.3)) identifiers.customer = p.customer;
    const n = this.sent++;
    return {
      id: `${this.idPrefix}-${n}`,
      type: kind,
      timestamp: new Date(BASE_TIME_MS + r.int(0, TIME_SPREAD_MS)).toISOString(),
      identifiers,
      ...(kind === 'checkout' ? { traits: { total: r.int(5, 500), currency: 'BGN' } } : {}),
    };
  }

  batch(size: number): (IncomingEvent & { id: string })[] {
    return Array.from({ length: size }, () => this.event());
  }

  /** `count` identifiers of random people (any type), for resolve requests. */
  lookups(count: number): Identifier[] {
    return Array.from({ length: count }, () => this.identifierOf(this.random.pick(this.people)));
  }

  /** An audience of `count` recipients (subscribers, emails, customers) for dedupe requests. */
  recipients(count: number): Identifier[] {
    return Array.from({ length: count }, () => {
      const p = this.random.pick(this.people);
      if (p.subscriber && this.random.chance(0.5)) return { type: 'subscriber', value: p.subscriber };
      return this.random.chance(0.5) ? { type: 'email', value: p.email } : { type: 'customer', value: p.customer };
    });
  }

  private identifierOf(p: Person): Identifier {
    const r = this.random;
    const choices: Identifier[] = [{ type: 'customer', value: p.customer }, { type: 'email', value: p.email }, { type: 'device', value: r.pick(p.devices) }];
    if (p.phone) choices.push({ type: 'phone', value: p.phone });
    return r.pick(choices);
  }
}

/** Every identifier the events mention, once each. */
export function identifiersOf(events: readonly IncomingEvent[]): Identifier[] {
  const seen = new Map<string, Identifier>();
  for (const event of events) {
    for (const [type, value] of Object.entries(event.identifiers ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) seen.set(`${type}\0${v}`, { type: type as IdentifierType, value: v });
    }
  }
  return [...seen.values()];
}
