// The simulation's mutable state while events are generated: tenants, their kiosks and id
// counters, who owns each id, the subscriptions made, and the events drafted so far.
import type { IdentifierType } from '../../host/types.js';
import type { Person } from './people.js';
import type { Random } from './random.js';
import type { SimulationRates } from './rates.js';
import type { SimulatedEventType } from './types.js';

/** An event before it gets its id, ISO timestamp and place in arrival order. */
export interface EventDraft {
  tenant: number;
  /** The person who acted (for a forwarded link click: who clicked, not the recipient). */
  actor: number;
  type: SimulatedEventType;
  /** Event time, ms since the epoch. */
  time: number;
  identifiers: Partial<Record<IdentifierType, string>>;
  /** link_click: the subscriber whose link was clicked. */
  recipient?: string;
}

export interface Subscription {
  tenant: number;
  subscriber: string;
  person: number;
  channel: 'email' | 'sms';
  /** As typed (email trimmed and lower-cased; phone as E.164). */
  address: string;
  consent: boolean;
  time: number;
}

// Kiosks are sized so that each one serves about this many shoppers ("dozens").
const SHOPPERS_PER_KIOSK = 30;
const FIRST_ID_NUMBER = 1000;

export class World {
  readonly drafts: EventDraft[] = [];
  readonly subscriptions: Subscription[] = [];
  /** Per tenant: the people who shop there. */
  readonly members: number[][];
  /** Per tenant: the in-store kiosk devices. */
  readonly kiosks: string[][];
  /** Per tenant: customer and subscriber keys → owner. Ids restart in every tenant, so `c-1000` recurs. */
  readonly idOwners: Map<string, number>[];
  /** Family tablets and kiosks: devices that belong to no single person. */
  readonly sharedDevices = new Set<string>();
  private readonly nextId: { customer: number; guest: number; subscriber: number }[];

  constructor(
    readonly random: Random,
    readonly people: Person[],
    readonly rates: SimulationRates,
    readonly tenantCount: number,
    readonly start: number,
  ) {
    this.members = Array.from({ length: tenantCount }, () => []);
    for (const person of people) for (const tenant of person.tenants) this.members[tenant].push(person.index);
    this.kiosks = this.members.map((members) => {
      const expectedShoppers = members.length * rates.noise.kioskShopper;
      return Array.from({ length: Math.max(1, Math.round(expectedShoppers / SHOPPERS_PER_KIOSK)) }, () => random.uuid());
    });
    for (const kiosks of this.kiosks) for (const kiosk of kiosks) this.sharedDevices.add(kiosk);
    for (const person of people) if (person.tablet) this.sharedDevices.add(person.tablet);
    this.idOwners = Array.from({ length: tenantCount }, () => new Map());
    this.nextId = Array.from({ length: tenantCount }, () => ({
      customer: FIRST_ID_NUMBER,
      guest: FIRST_ID_NUMBER,
      subscriber: FIRST_ID_NUMBER,
    }));
  }

  /** A registered customer account id (`c-…`) or a per-order guest customer id (`g-…`). */
  newCustomer(tenant: number, person: number, guest: boolean): string {
    const counters = this.nextId[tenant];
    const id = guest ? `g-${counters.guest++}` : `c-${counters.customer++}`;
    this.idOwners[tenant].set(`customer:${id}`, person);
    return id;
  }

  newSubscriber(tenant: number, person: number): string {
    const id = `s-${this.nextId[tenant].subscriber++}`;
    this.idOwners[tenant].set(`subscriber:${id}`, person);
    return id;
  }

  emit(draft: EventDraft): void {
    this.drafts.push(draft);
  }
}
