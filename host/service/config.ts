// Tenant settings: defaults, validation of a partial update, and what the engine needs from them.
import { IDENTIFIER_TYPES, RequestError, type IdentifierType } from '../types.js';
import { BLOCK_SECTIONS, createBlockList, isValidDefaultCountry, type BlockList, type TenantBlockConfig } from '../identity/index.js';
import { TYPE_CODES } from '../engine/layout.js';
import type { TenantSettings } from '../engine/shard.js';

export type PerType = Record<IdentifierType, number>;

export interface TenantConfig {
  /** ISO 3166 country for phone numbers written without a country code. */
  defaultCountry: string;
  /** Match gmail/googlemail dots and +tags, outlook/hotmail +tags, as one address. */
  emailCanonical: boolean;
  /** false: plain connected components, every merge guardrail off. */
  guardrails: boolean;
  /** Most identifiers of each type one persona may hold; a union beyond is refused (both personas stay as they were). 0 = no limit. */
  limits: PerType;
  /**
   * Most distinct identities an identifier of each type may be seen with before it is marked
   * shared: it stops linking and what it glued is re-clustered. An identity is a group of the
   * identifiers around it (within two links) that holds an email, a phone or an account and that
   * nothing but the identifier connects. 0 = never marked shared.
   */
  sharedThresholds: PerType;
  /** The tenant's own junk values and patterns, on top of the built-in list. */
  blocked: TenantBlockConfig;
}

// Limits: a person has a private and maybe a work phone, a few addresses, a handful of devices;
// customer ids include a new guest id per guest order, so their limit only stops a runaway glue.
// Shared thresholds: an address or an account stands for one person (a second and third identity
// around it can still be one person's: an old address, a work address); a device may be a
// couple's; a subscriber is never marked shared, since it would lose the address it was made with.
export const DEFAULT_CONFIG: TenantConfig = {
  defaultCountry: 'BG',
  emailCanonical: true,
  guardrails: true,
  limits: { email: 5, phone: 2, device: 15, customer: 50, subscriber: 10 },
  sharedThresholds: { email: 2, phone: 3, device: 3, customer: 3, subscriber: 0 },
  blocked: {},
};

const MAX_PER_TYPE_SETTING = 65535; // stored as u16 in the core
const CONFIG_KEYS = new Set(['defaultCountry', 'emailCanonical', 'guardrails', 'limits', 'sharedThresholds', 'blocked']);

function invalid(message: string): RequestError {
  return new RequestError(400, 'invalid_config', message);
}

function perType(value: unknown, name: string, base: PerType): PerType {
  if (value === undefined) return base;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${name} must be an object keyed by identifier type`);
  const result = { ...base };
  for (const [key, v] of Object.entries(value)) {
    if (!(IDENTIFIER_TYPES as readonly string[]).includes(key)) throw invalid(`${name}.${key}: unknown identifier type`);
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_PER_TYPE_SETTING) {
      throw invalid(`${name}.${key} must be an integer from 0 to ${MAX_PER_TYPE_SETTING}`);
    }
    result[key as IdentifierType] = v as number;
  }
  return result;
}

/** Applies a partial update (the contract's PUT body) to a config; throws RequestError naming the bad field. */
export function updateConfig(current: TenantConfig, update: unknown): TenantConfig {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) throw invalid('config must be a JSON object');
  const body = update as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!CONFIG_KEYS.has(key)) throw invalid(`unknown setting "${key}"`);
  }
  const next: TenantConfig = { ...current };
  if (body.defaultCountry !== undefined) {
    if (typeof body.defaultCountry !== 'string' || !isValidDefaultCountry(body.defaultCountry.toUpperCase())) {
      throw invalid('defaultCountry must be a two-letter country code known to libphonenumber');
    }
    next.defaultCountry = body.defaultCountry.toUpperCase();
  }
  for (const flag of ['emailCanonical', 'guardrails'] as const) {
    if (body[flag] !== undefined) {
      if (typeof body[flag] !== 'boolean') throw invalid(`${flag} must be true or false`);
      next[flag] = body[flag] as boolean;
    }
  }
  next.limits = perType(body.limits, 'limits', current.limits);
  next.sharedThresholds = perType(body.sharedThresholds, 'sharedThresholds', current.sharedThresholds);
  if (body.blocked !== undefined) {
    createBlockList(body.blocked as TenantBlockConfig); // validates, throwing invalid_config
    next.blocked = body.blocked as TenantBlockConfig;
  }
  return next;
}

/** A stored config (possibly from an older version) completed with today's defaults. */
export function completeConfig(stored: Record<string, unknown> | null): TenantConfig {
  if (!stored) return DEFAULT_CONFIG;
  const known = Object.fromEntries(Object.entries(stored).filter(([k]) => CONFIG_KEYS.has(k)));
  // older versions stored blocked sections they never used: drop them rather than refuse the tenant
  if (known.blocked && typeof known.blocked === 'object') {
    known.blocked = Object.fromEntries(Object.entries(known.blocked).filter(([section]) => BLOCK_SECTIONS.has(section)));
  }
  return updateConfig(DEFAULT_CONFIG, known);
}

export function engineSettings(config: TenantConfig): TenantSettings {
  const byCode = (values: PerType) => {
    const out: number[] = [];
    for (const type of IDENTIFIER_TYPES) out[TYPE_CODES[type]] = values[type];
    return out;
  };
  return { guardrails: config.guardrails, limits: byCode(config.limits), sharedAt: byCode(config.sharedThresholds) };
}

const blockLists = new WeakMap<TenantConfig, BlockList>();

/** The block list of a config, built once per config object. */
export function blockListOf(config: TenantConfig): BlockList {
  let list = blockLists.get(config);
  if (!list) {
    list = createBlockList(config.blocked);
    blockLists.set(config, list);
  }
  return list;
}
