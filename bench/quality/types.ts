// Shapes shared by the quality simulator, the reference lines and the scoring.
import type { AudienceResult, Identifier, IdentifierType } from '../../host/types.js';
import type { NoiseLevel, NoiseRates, SimulationRates } from './rates.js';

export type SimulatedEventType = 'page' | 'identify' | 'login' | 'checkout' | 'subscribe' | 'link_click';

/**
 * One simulated event in the contract's event shape plus two simulator-only fields: `tenant`
 * (which shop receives it) and, on `link_click`, `recipient` (whose campaign link was clicked).
 * A runner must turn `recipient` into a signed link token (POST /links with the subscriber as
 * recipient, then the token on the event) and drop both extra fields: see `toIncomingEvent`.
 */
export interface SimulatedEvent {
  tenant: string;
  id: string;
  type: SimulatedEventType;
  timestamp: string;
  identifiers: Partial<Record<IdentifierType, string>>;
  recipient?: { type: 'subscriber'; value: string };
}

export interface SimulationOptions {
  seed: number;
  people: number;
  noise: NoiseLevel;
  /** Number of tenants (shops), 1-5; default 3. */
  tenants?: number;
  /** Noise rates to use instead of the level's, for what-if runs (e.g. how much of the ceiling's gap one rate makes); default none. */
  noiseOverrides?: Partial<NoiseRates>;
}

/** One person as known to one tenant. */
export interface PersonTruth {
  person: number;
  /** Their latest email by event time in this tenant, as typed (trimmed, lower-cased); null: none. */
  latestEmail: string | null;
  /** Their own phone (E.164), or null. */
  phone: string | null;
  /**
   * The profile whose persona is asked for the latest email: the registered customer id, else
   * the earliest email subscriber id, else the earliest guest customer id, else null.
   */
  anchor: string | null;
}

export interface EmailSubscription {
  subscriber: string;
  person: number;
  /** The address the subscription was made with, as typed (trimmed, lower-cased). */
  address: string;
  consent: boolean;
}

export interface TenantTruth {
  tenant: string;
  /**
   * Every profile (device, customer, subscriber key seen in this tenant's events) → the person
   * it belongs to; null for a shared device (family tablet, kiosk), which belongs to no single
   * person and is left out of pairwise scoring.
   */
  profiles: Map<string, number | null>;
  /** The people with at least one event in this tenant, by person index. */
  people: PersonTruth[];
  emailSubscriptions: EmailSubscription[];
  /** Key pairs that one event carried and that truly belong to one person (the ceiling's links). */
  trueLinks: [string, string][];
}

export interface GroundTruth {
  people: number;
  tenants: TenantTruth[];
  /** Email and phone keys → the person who owns that address; junk values have no owner. */
  addressOwners: Map<string, number>;
}

/** Per identifier type: raw value as emitted → canonical key (`type:normalizedValue`), null when invalid. */
export type CanonicalKeys = Record<IdentifierType, Map<string, string | null>>;

export interface Simulation {
  options: Required<SimulationOptions>;
  rates: SimulationRates;
  tenants: string[];
  /** Every event of every tenant, in arrival order (not timestamp order for late events). */
  events: SimulatedEvent[];
  /** Every emitted raw value, per type → its canonical key `type:normalizedValue`, or null when invalid. */
  keys: CanonicalKeys;
  truth: GroundTruth;
}

/** What is scored: the engine (through its library or HTTP API) or a reference line. */
export interface Resolver {
  /** Persona id per identifier, in input order; null when unknown (POST /resolve). */
  resolve(tenant: string, identifiers: Identifier[]): Promise<(string | null)[]>;
  /** The persona's latest email (GET /personas/{id}). */
  persona(tenant: string, id: string): Promise<{ email: string | null }>;
  /** Email audience deduplication (POST /audiences/dedupe with channel email). */
  audience(tenant: string, recipients: Identifier[]): Promise<AudienceResult>;
}
