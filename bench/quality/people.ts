// The simulated population: who each person is, what they own (devices, addresses, a phone),
// which households share a family tablet, and which tenants (shops) each person buys in.
import { canonicalEmail, canonicalPhone } from './normalize.js';
import type { Random } from './random.js';
import type { SimulationRates } from './rates.js';
import { JUNK_EMAILS, JUNK_PHONES, type MobilePhone } from './variants.js';

export interface Person {
  index: number;
  household: number;
  /** Tenant indices the person shops in (one or two). */
  tenants: number[];
  /** Personal devices (lower-case UUIDs), 1-4. */
  devices: string[];
  /** The household's family tablet when this person uses it. */
  tablet: string | null;
  /** Current private address (null for the few people without email). */
  privateEmail: string | null;
  /** A private address given up during the period, and the day it stopped being used. */
  oldEmail: { address: string; retiredOnDay: number } | null;
  workEmail: string | null;
  phone: MobilePhone | null;
}

export interface Population {
  people: Person[];
  /** Every family tablet with the people who use it. */
  tablets: { device: string; users: number[] }[];
}

const HOUSEHOLD_SIZES: readonly (readonly [number, number])[] = [[1, 45], [2, 25], [3, 20], [4, 10]];
const DEVICE_COUNTS: readonly (readonly [number, number])[] = [[1, 35], [2, 35], [3, 20], [4, 10]];
const MIN_TABLET_USERS = 2;
// Household members mostly buy in the same shop.
const SAME_SHOP_AS_HOUSEHOLD = 0.85;
// The tenant share of new households: the first shop is the biggest.
const TENANT_WEIGHTS = [5, 3, 2, 2, 1];
// Earliest and latest day of the period on which an address change can happen.
const EMAIL_CHANGE_DAYS = [20, 70] as const;
// Share of addresses with a number after the name (ivan.petrov87@...), and the largest number.
const NUMBERED_LOCAL_PART = 0.6;
const MAX_LOCAL_PART_NUMBER = 999;

const FIRST_NAMES = [
  'ivan', 'georgi', 'dimitar', 'petar', 'nikolay', 'hristo', 'stoyan', 'todor', 'aleksandar', 'martin',
  'maria', 'elena', 'ivanka', 'yordanka', 'desislava', 'gergana', 'milena', 'teodora', 'viktoria', 'nadezhda',
];
const LAST_NAMES = [
  'ivanov', 'georgiev', 'dimitrov', 'petrov', 'nikolov', 'hristov', 'stoyanov', 'todorov', 'angelov', 'kolev',
  'popov', 'marinov', 'atanasov', 'vasilev', 'iliev', 'stefanov', 'mihaylov', 'yordanov', 'kostov', 'zhelev',
];
const PRIVATE_DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 45], ['abv.bg', 30], ['mail.bg', 10], ['yahoo.com', 8], ['outlook.com', 7],
];
const WORK_DOMAINS = [
  'telelink.bg', 'sirma.bg', 'musala.com', 'vivacom.bg', 'dskbank.bg', 'kaufland.bg', 'softuni.bg', 'econt.com',
];
const BULGARIAN_MOBILE_PREFIXES = ['87', '88', '89'];
const BULGARIAN_MOBILE_REST_DIGITS = 7;
/** Foreign mobile ranges: country code, prefix of the national number, digits after the prefix. */
const FOREIGN_MOBILE_RANGES = [
  { countryCode: '40', prefix: '72', rest: 7 }, // Romania
  { countryCode: '40', prefix: '75', rest: 7 },
  { countryCode: '30', prefix: '697', rest: 7 }, // Greece
  { countryCode: '44', prefix: '77', rest: 8 }, // United Kingdom
  { countryCode: '49', prefix: '151', rest: 8 }, // Germany
];

/** Generates `count` people spread over `tenantCount` tenants; every address and phone has one owner. */
export function generatePopulation(random: Random, count: number, tenantCount: number, rates: SimulationRates): Population {
  const usedEmails = new Set<string>(JUNK_EMAILS.map(([junk]) => canonicalEmail(junk) ?? junk));
  const usedPhones = new Set<string>(JUNK_PHONES.map(([junk]) => canonicalPhone(junk) ?? junk));
  const tenantWeights = TENANT_WEIGHTS.slice(0, tenantCount).map((w, i) => [i, w] as const);
  while (tenantWeights.length < tenantCount) tenantWeights.push([tenantWeights.length, 1] as const);

  const people: Person[] = [];
  const tablets: Population['tablets'] = [];
  let household = 0;
  while (people.length < count) {
    const size = Math.min(random.weighted(HOUSEHOLD_SIZES), count - people.length);
    const homeTenant = random.weighted(tenantWeights);
    const members: Person[] = [];
    for (let m = 0; m < size; m++) {
      const tenant = random.chance(SAME_SHOP_AS_HOUSEHOLD) ? homeTenant : random.weighted(tenantWeights);
      const person = generatePerson(random, people.length, household, tenant, tenantCount, rates, usedEmails, usedPhones);
      people.push(person);
      members.push(person);
    }
    if (members.length >= MIN_TABLET_USERS && random.chance(rates.noise.familyTablet)) {
      const device = random.uuid();
      const users = random.shuffle([...members]).slice(0, random.int(MIN_TABLET_USERS, members.length));
      for (const user of users) user.tablet = device;
      tablets.push({ device, users: users.map((user) => user.index).sort((a, b) => a - b) });
    }
    household++;
  }
  return { people, tablets };
}

function generatePerson(
  random: Random,
  index: number,
  household: number,
  homeTenant: number,
  tenantCount: number,
  rates: SimulationRates,
  usedEmails: Set<string>,
  usedPhones: Set<string>,
): Person {
  const tenants = [homeTenant];
  if (tenantCount > 1 && random.chance(rates.noise.secondTenant)) {
    tenants.push((homeTenant + random.int(1, tenantCount - 1)) % tenantCount);
  }
  const devices = Array.from({ length: random.weighted(DEVICE_COUNTS) }, () => random.uuid());
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);

  let privateEmail: string | null = null;
  let oldEmail: Person['oldEmail'] = null;
  let workEmail: string | null = null;
  if (!random.chance(rates.population.noEmail)) {
    privateEmail = uniqueEmail(random, first, last, random.weighted(PRIVATE_DOMAINS), usedEmails);
    if (random.chance(rates.noise.emailChange)) {
      const address = uniqueEmail(random, first, last, random.weighted(PRIVATE_DOMAINS), usedEmails);
      oldEmail = { address, retiredOnDay: random.int(EMAIL_CHANGE_DAYS[0], EMAIL_CHANGE_DAYS[1]) };
    }
    if (random.chance(rates.population.workEmail)) {
      workEmail = uniqueEmail(random, first, last, random.pick(WORK_DOMAINS), usedEmails);
    }
  }
  const phone = random.chance(rates.population.phone)
    ? uniquePhone(random, random.chance(rates.population.foreignPhone), usedPhones)
    : null;
  return { index, household, tenants, devices, tablet: null, privateEmail, oldEmail, workEmail, phone };
}

function uniqueEmail(random: Random, first: string, last: string, domain: string, used: Set<string>): string {
  const patterns = [`${first}.${last}`, `${first}${last}`, `${first}_${last}`, `${first[0]}.${last}`, `${first}`];
  for (;;) {
    const suffix = random.chance(NUMBERED_LOCAL_PART) ? String(random.int(1, MAX_LOCAL_PART_NUMBER)) : '';
    const local = `${random.pick(patterns)}${suffix}`;
    const address = `${local}@${domain}`;
    const mailbox = canonicalEmail(address) ?? address;
    if (!used.has(mailbox)) {
      used.add(mailbox);
      return address;
    }
  }
}

function uniquePhone(random: Random, foreign: boolean, used: Set<string>): MobilePhone {
  for (;;) {
    const range = foreign
      ? random.pick(FOREIGN_MOBILE_RANGES)
      : { countryCode: '359', prefix: random.pick(BULGARIAN_MOBILE_PREFIXES), rest: BULGARIAN_MOBILE_REST_DIGITS };
    const national = `${range.prefix}${random.digits(range.rest)}`;
    const e164 = `+${range.countryCode}${national}`;
    if (!used.has(e164)) {
      used.add(e164);
      return { e164, countryCode: range.countryCode, national };
    }
  }
}
