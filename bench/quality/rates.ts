// The simulator's rates: how the simulated population behaves (the same at every noise level)
// and how much noise it produces (one documented set per noise level). A simulation reports the
// set it used in its `rates` field, so every benchmark table can say what it was measured on.

export type NoiseLevel = 'low' | 'high';
export const NOISE_LEVELS: readonly NoiseLevel[] = ['low', 'high'];

export interface PopulationRates {
  /** Person-tenants that register an account (the others only check out as guests). */
  registered: number;
  /** People with a mobile phone. */
  phone: number;
  /** Of the phones: non-Bulgarian numbers. */
  foreignPhone: number;
  /** People with no email address at all (they check out with a phone only). */
  noEmail: number;
  /** People with a work address besides their private one. */
  workEmail: number;
  /** Visits on which a person checks out. */
  checkout: number;
  /** Visits of a registered person that start with a login. */
  login: number;
  /** Person-tenants that subscribe to email campaigns. */
  emailSubscription: number;
  /** Of the email subscribers: a second subscription made with another of their addresses. */
  secondEmailSubscription: number;
  /** Person-tenants with a phone that subscribe to SMS campaigns. */
  smsSubscription: number;
  /** Subscriptions that carry marketing consent (the rest unsubscribed or never confirmed). */
  consent: number;
  /** Campaign messages whose link gets clicked. */
  campaignClick: number;
  /** Visits of a family-tablet user that happen on the tablet. */
  tabletVisit: number;
}

export interface NoiseRates {
  /** Typed emails in another case or with surrounding spaces. */
  emailCaseOrSpaces: number;
  /** Typed gmail.com addresses with moved/removed dots or a `+tag` (only gmail gets these). */
  gmailVariant: number;
  /** Typed phones in a national or spaced form instead of E.164. */
  phoneFormat: number;
  /** People whose private address changes during the period (the old one stops being used). */
  emailChange: number;
  /** Households of 2+ people that share a family tablet (used by 2-4 of them). */
  familyTablet: number;
  /** Person-tenants that also buy in a store, on a kiosk shared by dozens of shoppers. */
  kioskShopper: number;
  /** Checkouts where a junk email (`test@test.com`, ...) is typed instead of a real one. */
  junkEmail: number;
  /** Checkouts where a junk phone (`0000000000`, ...) is typed. */
  junkPhone: number;
  /**
   * Subscriptions that arrive without the device id: made through a channel the site's tracker
   * does not see (an ESP-hosted form, a server-side webhook when the tracker is blocked, a sign-up
   * sheet in the store). A subscription made on the site carries the device, as every event the
   * tracker sends does.
   */
  subscribeWithoutDevice: number;
  /**
   * Registered accounts whose sign-up the site's tracker never saw (opened before the tracked
   * period, in the shop's app or in a store): no identify event, signed in from the first visit, so
   * the account's first event may be a bare login on a device (a family tablet) that already
   * belongs to someone. 0 at both levels (the published figures); a what-if rate, drawn only when set.
   */
  untrackedSignUp: number;
  /** Campaign link clicks that happen on another person's device (forwarded message). */
  forwardedClick: number;
  /** People who shop in a second tenant (their identifiers recur there; graphs stay separate). */
  secondTenant: number;
  /** Events delivered late: after events with later timestamps. */
  outOfOrder: number;
  /** Longest delivery delay of a late event, in days (each late event: 1..this). */
  maxDelayDays: number;
}

export interface SimulationRates {
  population: PopulationRates;
  noise: NoiseRates;
}

export const POPULATION_RATES: PopulationRates = {
  registered: 0.55,
  phone: 0.75,
  foreignPhone: 0.08,
  noEmail: 0.04,
  workEmail: 0.3,
  checkout: 0.35,
  login: 0.4,
  emailSubscription: 0.55,
  secondEmailSubscription: 0.12,
  smsSubscription: 0.25,
  consent: 0.9,
  campaignClick: 0.15,
  tabletVisit: 0.3,
};

export const NOISE_RATES: Record<NoiseLevel, NoiseRates> = {
  low: {
    emailCaseOrSpaces: 0.05,
    gmailVariant: 0.03,
    phoneFormat: 0.3,
    emailChange: 0.05,
    familyTablet: 0.1,
    kioskShopper: 0.01,
    junkEmail: 0.005,
    junkPhone: 0.005,
    subscribeWithoutDevice: 0.05,
    untrackedSignUp: 0,
    forwardedClick: 0.02,
    secondTenant: 0.05,
    outOfOrder: 0.01,
    maxDelayDays: 3,
  },
  high: {
    emailCaseOrSpaces: 0.2,
    gmailVariant: 0.15,
    phoneFormat: 0.8,
    emailChange: 0.15,
    familyTablet: 0.35,
    kioskShopper: 0.05,
    junkEmail: 0.03,
    junkPhone: 0.03,
    subscribeWithoutDevice: 0.2,
    untrackedSignUp: 0,
    forwardedClick: 0.08,
    secondTenant: 0.15,
    outOfOrder: 0.05,
    maxDelayDays: 7,
  },
};

/** The rates of a noise level, with `overrides` in place of the level's (each a known noise rate, a number ≥ 0). */
export function simulationRates(noise: NoiseLevel, overrides: Partial<NoiseRates> = {}): SimulationRates {
  if (!NOISE_LEVELS.includes(noise)) {
    throw new RangeError(`unknown noise level ${JSON.stringify(noise)}: use ${NOISE_LEVELS.join(' or ')}`);
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in NOISE_RATES[noise])) throw new RangeError(`unknown noise rate ${JSON.stringify(name)}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`noise rate ${name} must be a number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return { population: { ...POPULATION_RATES }, noise: { ...NOISE_RATES[noise], ...overrides } };
}
