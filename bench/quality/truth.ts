// Ground truth of a simulation, derived from what was generated: who owns every profile and
// address, each person's latest email per tenant, the email subscriptions, and the true links
// (identifiers that one event carried and that belong to the same person).
import type { IdentifierType } from '../../host/types.js';
import { identifierKey, typedEmail } from './normalize.js';
import type { Person } from './people.js';
import type { GroundTruth, PersonTruth, TenantTruth } from './types.js';
import { eventIdentifierKeys, type KeyTable } from './keys.js';
import type { World } from './world.js';

const PROFILE_TYPES: ReadonlySet<IdentifierType> = new Set(['device', 'customer', 'subscriber']);
const REGISTERED_CUSTOMER_PREFIX = 'customer:c-';
const GUEST_CUSTOMER_PREFIX = 'customer:g-';
// A pair of key numbers is packed into one safe integer: low * 2^26 + high.
const MAX_KEYS_PER_TENANT = 2 ** 26;

interface PersonAccumulator {
  latestEmail: { time: number; typed: string } | null;
  account: string | null;
  firstEmailSubscriber: { time: number; key: string } | null;
  firstGuestOrder: { time: number; key: string } | null;
}

export function buildGroundTruth(world: World, tenantNames: string[], keyTable: KeyTable): GroundTruth {
  const addressOwners = ownedAddresses(world.people);
  const deviceOwners = new Map<string, number>();
  for (const person of world.people) for (const device of person.devices) deviceOwners.set(`device:${device}`, person.index);
  const sharedDevices = new Set([...world.sharedDevices].map((device) => `device:${device}`));
  const emailSubscribers = world.idOwners.map(() => new Set<string>());
  for (const s of world.subscriptions) if (s.channel === 'email') emailSubscribers[s.tenant].add(`subscriber:${s.subscriber}`);

  const ownerOf = (tenant: number, type: IdentifierType, key: string): number | null => {
    switch (type) {
      case 'device':
        return sharedDevices.has(key) ? null : deviceOwners.get(key) ?? null;
      case 'email':
      case 'phone':
        return addressOwners.get(key) ?? null;
      default:
        return world.idOwners[tenant].get(key) ?? null;
    }
  };

  const profiles = tenantNames.map(() => new Map<string, number | null>());
  const links = tenantNames.map(() => new LinkSet());
  const people = tenantNames.map(() => new Map<number, PersonAccumulator>());

  for (const draft of world.drafts) {
    const { tenant, time } = draft;
    personAccumulator(people[tenant], draft.actor); // the actor is active in this tenant
    const identifiers = eventIdentifierKeys(keyTable.keyOf, draft.identifiers, draft.recipient);
    const owners = identifiers.map(({ type, key }) => ownerOf(tenant, type, key));
    for (let i = 0; i < identifiers.length; i++) {
      const { type, key } = identifiers[i];
      const owner = owners[i];
      if (PROFILE_TYPES.has(type)) profiles[tenant].set(key, owner);
      if (owner === null) continue;
      const accumulator = personAccumulator(people[tenant], owner);
      if (type === 'email') noteEmail(accumulator, time, draft.identifiers.email!);
      else if (type === 'customer' || type === 'subscriber') noteAnchor(accumulator, key, time, emailSubscribers[tenant].has(key));
      // Link to the previous identifier of the same owner in this event: a chain per owner suffices.
      for (let j = i - 1; j >= 0; j--) {
        if (owners[j] === owner) {
          links[tenant].add(key, identifiers[j].key);
          break;
        }
      }
    }
  }

  const tenants: TenantTruth[] = tenantNames.map((tenant, t) => ({
    tenant,
    profiles: profiles[t],
    people: [...people[t]].sort(([a], [b]) => a - b).map(([person, acc]) => personTruth(world.people[person], acc)),
    emailSubscriptions: world.subscriptions
      .filter((s) => s.tenant === t && s.channel === 'email')
      .map(({ subscriber, person, address, consent }) => ({ subscriber, person, address, consent })),
    trueLinks: links[t].pairs(),
  }));
  return { people: world.people.length, tenants, addressOwners };
}

/** Deduplicated undirected key pairs; keys are numbered so that a pair is one number. */
class LinkSet {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly codes = new Set<number>();

  add(a: string, b: string): void {
    const [low, high] = [this.idOf(a), this.idOf(b)].sort((x, y) => x - y);
    this.codes.add(low * MAX_KEYS_PER_TENANT + high);
  }

  pairs(): [string, string][] {
    return [...this.codes].map((code) => [this.names[Math.floor(code / MAX_KEYS_PER_TENANT)], this.names[code % MAX_KEYS_PER_TENANT]]);
  }

  private idOf(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.names.length === MAX_KEYS_PER_TENANT) throw new RangeError(`more than ${MAX_KEYS_PER_TENANT} linked keys in one tenant`);
      id = this.names.length;
      this.ids.set(key, id);
      this.names.push(key);
    }
    return id;
  }
}

function personAccumulator(people: Map<number, PersonAccumulator>, person: number): PersonAccumulator {
  let accumulator = people.get(person);
  if (!accumulator) {
    accumulator = { latestEmail: null, account: null, firstEmailSubscriber: null, firstGuestOrder: null };
    people.set(person, accumulator);
  }
  return accumulator;
}

function noteEmail(acc: PersonAccumulator, time: number, raw: string): void {
  // On equal times the later-generated event wins.
  if (acc.latestEmail === null || time >= acc.latestEmail.time) acc.latestEmail = { time, typed: typedEmail(raw) };
}

function noteAnchor(acc: PersonAccumulator, key: string, time: number, isEmailSubscriber: boolean): void {
  if (key.startsWith(REGISTERED_CUSTOMER_PREFIX)) {
    acc.account = key;
  } else if (isEmailSubscriber) {
    if (acc.firstEmailSubscriber === null || time < acc.firstEmailSubscriber.time) acc.firstEmailSubscriber = { time, key };
  } else if (key.startsWith(GUEST_CUSTOMER_PREFIX)) {
    if (acc.firstGuestOrder === null || time < acc.firstGuestOrder.time) acc.firstGuestOrder = { time, key };
  }
}

function personTruth(person: Person, acc: PersonAccumulator): PersonTruth {
  return {
    person: person.index,
    latestEmail: acc.latestEmail?.typed ?? null,
    phone: person.phone?.e164 ?? null,
    anchor: acc.account ?? acc.firstEmailSubscriber?.key ?? acc.firstGuestOrder?.key ?? null,
  };
}

function ownedAddresses(people: Person[]): Map<string, number> {
  const owners = new Map<string, number>();
  for (const person of people) {
    const addresses = [person.privateEmail, person.oldEmail?.address ?? null, person.workEmail];
    for (const address of addresses) if (address !== null) owners.set(identifierKey('email', address)!, person.index);
    if (person.phone !== null) owners.set(identifierKey('phone', person.phone.e164)!, person.index);
  }
  return owners;
}
