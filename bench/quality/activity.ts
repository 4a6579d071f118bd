// One person's activity in one tenant over the period: visits (page views on one device),
// sign-up and logins of registered customers, guest and registered checkouts, subscriptions.
//
// Event structure (what each type carries):
//   page       device
//   identify   device + customer + email           (sign-up, and after an address change; none at a
//              sign-up the tracker did not see: the `untrackedSignUp` rate)
//   login      device + customer (+ email, half of the logins)
//   checkout   device + email and/or phone + customer: the account id when registered and signed
//              up, otherwise a new guest customer id for every guest order (`g-…`)
//   subscribe  email or phone + subscriber (+ device, unless it came through a channel the site's
//              tracker does not see: the `subscribeWithoutDevice` noise rate; + the account id when
//              made on the site by a signed-up customer, who is signed in like at checkout)
import type { IdentifierType } from '../../host/types.js';
import type { Person } from './people.js';
import { typedEmail } from './normalize.js';
import { JUNK_EMAILS, JUNK_PHONES, typedEmailVariant, typedPhoneVariant } from './variants.js';
import type { Subscription, World } from './world.js';

export const DAY_MS = 86_400_000;
export const PERIOD_DAYS = 90;
const SECOND_MS = 1000;
// Visits per person-tenant: 1 + an exponential tail with this mean, capped.
const MEAN_EXTRA_VISITS = 3;
const MAX_VISITS = 30;
const PAGES_PER_VISIT = [1, 3] as const;
// Visits happen between 07:00 and 23:00; events of one visit are 20 s - 5 min apart.
const VISIT_START_SECONDS = [7 * 3600, 23 * 3600] as const;
const EVENT_GAP_SECONDS = [20, 300] as const;
const KIOSK_VISITS = [1, 3] as const;
const EMAIL_AT_LOGIN = 0.5;
const WORK_EMAIL_AT_CHECKOUT = 0.2;
const PHONE_AT_CHECKOUT = 0.85;

interface Visit {
  time: number;
  device: string;
  atKiosk: boolean;
}

export function simulatePersonInTenant(world: World, person: Person, tenant: number): void {
  const { random, rates } = world;
  const visits = planVisits(world, person, tenant);
  const registered = person.privateEmail !== null && random.chance(rates.population.registered);
  let signUpVisit = registered ? random.int(0, visits.length - 1) : -1;
  const account = registered ? world.newCustomer(tenant, person.index, false) : null;
  // drawn only when the rate is set, so that at 0 every other draw, and so every event, stays as it was
  const untrackedSignUp = registered && rates.noise.untrackedSignUp > 0 && random.chance(rates.noise.untrackedSignUp);
  if (untrackedSignUp) signUpVisit = 0;
  const emailSubscribeVisit = person.privateEmail !== null && random.chance(rates.population.emailSubscription)
    ? random.int(0, visits.length - 1)
    : -1;
  const secondEmailSubscribeVisit = emailSubscribeVisit >= 0 && random.chance(rates.population.secondEmailSubscription)
    ? random.int(emailSubscribeVisit, visits.length - 1)
    : -1;
  const smsSubscribeVisit = person.phone !== null && random.chance(rates.population.smsSubscription)
    ? random.int(0, visits.length - 1)
    : -1;
  // an account opened where the tracker did not see it is signed in from the first visit, with no identify
  let identifiedEmail: string | null = untrackedSignUp ? currentPrivateEmail(person, visits[0].time, world.start) : null;
  let firstSubscribedEmail: string | null = null;

  visits.forEach((visit, v) => {
    let time = visit.time;
    const next = (): number => (time += random.int(EVENT_GAP_SECONDS[0], EVENT_GAP_SECONDS[1]) * SECOND_MS);
    const emit = (type: 'page' | 'identify' | 'login' | 'checkout' | 'subscribe', identifiers: Identifiers) =>
      world.emit({ tenant, actor: person.index, type, time: next(), identifiers });

    const pages = random.int(PAGES_PER_VISIT[0], PAGES_PER_VISIT[1]);
    for (let p = 0; p < pages; p++) emit('page', { device: visit.device });

    const signedUp = account !== null && v >= signUpVisit;
    if (signedUp) {
      const current = currentPrivateEmail(person, visit.time, world.start);
      if (current !== identifiedEmail) {
        identifiedEmail = current;
        emit('identify', { device: visit.device, customer: account, email: typedEmailVariant(random, current, rates.noise) });
      } else if (random.chance(rates.population.login)) {
        const email = random.chance(EMAIL_AT_LOGIN) ? typedEmailVariant(random, current, rates.noise) : undefined;
        emit('login', withDefined({ device: visit.device, customer: account, email }));
      }
    }

    if (v === emailSubscribeVisit) {
      firstSubscribedEmail = currentPrivateEmail(person, visit.time, world.start);
      subscribeEmail(world, person, tenant, visit, next(), firstSubscribedEmail, signedUp ? account : null);
    }
    if (v === secondEmailSubscribeVisit) {
      // Made with another address in use: the work one, or the new private one after a change.
      const other = activeEmails(person, visit.time, world.start).find((address) => address !== firstSubscribedEmail);
      if (other !== undefined) subscribeEmail(world, person, tenant, visit, next(), other, signedUp ? account : null);
    }
    if (v === smsSubscribeVisit) subscribeSms(world, person, tenant, visit, next(), signedUp ? account : null);

    if (visit.atKiosk || random.chance(rates.population.checkout)) {
      const customer = signedUp ? account! : world.newCustomer(tenant, person.index, true);
      emit('checkout', checkoutIdentifiers(world, person, visit, customer));
    }
  });
}

type Identifiers = Partial<Record<IdentifierType, string>>;

function planVisits(world: World, person: Person, tenant: number): Visit[] {
  const { random, rates } = world;
  const extra = Math.min(MAX_VISITS - 1, Math.floor(-Math.log(1 - random.next()) * MEAN_EXTRA_VISITS));
  const visits: Visit[] = [];
  for (let i = 0; i <= extra; i++) {
    const day = random.int(0, PERIOD_DAYS - 1);
    const second = random.int(VISIT_START_SECONDS[0], VISIT_START_SECONDS[1]);
    const onTablet = person.tablet !== null && random.chance(rates.population.tabletVisit);
    const device = onTablet ? person.tablet! : random.pick(person.devices);
    visits.push({ time: world.start + day * DAY_MS + second * SECOND_MS, device, atKiosk: false });
  }
  if (random.chance(rates.noise.kioskShopper)) {
    const kioskVisits = Math.min(visits.length, random.int(KIOSK_VISITS[0], KIOSK_VISITS[1]));
    for (const visit of random.shuffle([...visits]).slice(0, kioskVisits)) {
      visit.device = random.pick(world.kiosks[tenant]);
      visit.atKiosk = true;
    }
  }
  return visits.sort((a, b) => a.time - b.time);
}

function checkoutIdentifiers(world: World, person: Person, visit: Visit, customer: string): Identifiers {
  const { random, rates } = world;
  let email: string | undefined;
  if (random.chance(rates.noise.junkEmail)) email = random.weighted(JUNK_EMAILS);
  else if (person.privateEmail !== null) {
    const address = person.workEmail !== null && random.chance(WORK_EMAIL_AT_CHECKOUT)
      ? person.workEmail
      : currentPrivateEmail(person, visit.time, world.start);
    email = typedEmailVariant(random, address, rates.noise);
  }
  let phone: string | undefined;
  if (random.chance(rates.noise.junkPhone)) phone = random.weighted(JUNK_PHONES);
  else if (person.phone !== null && random.chance(PHONE_AT_CHECKOUT)) {
    phone = typedPhoneVariant(random, person.phone, rates.noise.phoneFormat);
  }
  return withDefined({ device: visit.device, email, phone, customer });
}

function subscribeEmail(world: World, person: Person, tenant: number, visit: Visit, time: number, address: string, account: string | null): void {
  const { random, rates } = world;
  const typed = typedEmailVariant(random, address, rates.noise);
  const subscription = addSubscription(world, person, tenant, 'email', typedEmail(typed), time);
  const onSite = withDevice(world);
  world.emit({ tenant, actor: person.index, type: 'subscribe', time, identifiers: withDefined({ email: typed, subscriber: subscription.subscriber, ...onSiteIdentifiers(onSite, visit, account) }) });
}

function subscribeSms(world: World, person: Person, tenant: number, visit: Visit, time: number, account: string | null): void {
  const { random, rates } = world;
  const phone = person.phone!;
  const subscription = addSubscription(world, person, tenant, 'sms', phone.e164, time);
  const onSite = withDevice(world);
  const typed = typedPhoneVariant(random, phone, rates.noise.phoneFormat);
  world.emit({ tenant, actor: person.index, type: 'subscribe', time, identifiers: withDefined({ phone: typed, subscriber: subscription.subscriber, ...onSiteIdentifiers(onSite, visit, account) }) });
}

/**
 * What a subscription made on the site carries besides the address: the device, and the account
 * of a signed-up customer, who is signed in on every visit (their checkouts carry it too). One
 * made through another channel carries neither.
 */
function onSiteIdentifiers(onSite: boolean, visit: Visit, account: string | null): { device?: string; customer?: string } {
  if (!onSite) return {};
  return account === null ? { device: visit.device } : { device: visit.device, customer: account };
}

/**
 * Whether a subscription carries the device id. Drawn as "with device" so that at high noise
 * (0.2 without) the stream of draws, and so every event, is what it was when this was a fixed 0.8.
 */
function withDevice(world: World): boolean {
  return world.random.chance(1 - world.rates.noise.subscribeWithoutDevice);
}

function addSubscription(world: World, person: Person, tenant: number, channel: Subscription['channel'], address: string, time: number): Subscription {
  const subscription: Subscription = {
    tenant,
    subscriber: world.newSubscriber(tenant, person.index),
    person: person.index,
    channel,
    address,
    consent: world.random.chance(world.rates.population.consent),
    time,
  };
  world.subscriptions.push(subscription);
  return subscription;
}

/** The private address in use at `time`: the old one until the day it was given up. */
export function currentPrivateEmail(person: Person, time: number, start: number): string {
  const old = person.oldEmail;
  if (old !== null && time < start + old.retiredOnDay * DAY_MS) return old.address;
  return person.privateEmail!;
}

function activeEmails(person: Person, time: number, start: number): string[] {
  const active = [currentPrivateEmail(person, time, start)];
  if (person.workEmail !== null) active.push(person.workEmail);
  return active;
}

function withDefined(identifiers: Record<string, string | undefined>): Identifiers {
  const out: Identifiers = {};
  for (const [type, value] of Object.entries(identifiers)) {
    if (value !== undefined) out[type as IdentifierType] = value;
  }
  return out;
}
