// Seeded simulator of shops with known ground truth, for judging resolution quality
// (see shared/docs/quality-benchmark.md). Same options → the same events and truth, always.
import type { IncomingEvent } from '../../host/types.js';
import { DAY_MS, simulatePersonInTenant } from './activity.js';
import { simulateCampaignClicks } from './campaigns.js';
import { generatePopulation } from './people.js';
import { Random } from './random.js';
import { simulationRates } from './rates.js';
import { KeyTable } from './keys.js';
import { buildGroundTruth } from './truth.js';
import type { SimulatedEvent, Simulation, SimulationOptions } from './types.js';
import { World, type EventDraft } from './world.js';

export const DEFAULT_TENANTS = 3;
export const MAX_TENANTS = 5;
const TENANT_NAMES = ['shop-a', 'shop-b', 'shop-c', 'shop-d', 'shop-e'];
/** Day 0 of the simulated period (fixed, so results never depend on the clock). */
export const PERIOD_START = Date.UTC(2026, 0, 5);
const MAX_PEOPLE = 10_000_000;

export function simulateShops(options: SimulationOptions): Simulation {
  const resolved = validateOptions(options);
  const random = new Random(resolved.seed);
  const rates = simulationRates(resolved.noise, resolved.noiseOverrides);
  const tenantNames = TENANT_NAMES.slice(0, resolved.tenants);

  const population = generatePopulation(random, resolved.people, resolved.tenants, rates);
  const world = new World(random, population.people, rates, resolved.tenants, PERIOD_START);
  for (const person of population.people) {
    for (const tenant of person.tenants) simulatePersonInTenant(world, person, tenant);
  }
  simulateCampaignClicks(world);

  const keyTable = new KeyTable();
  const truth = buildGroundTruth(world, tenantNames, keyTable);
  const events = inArrivalOrder(world, tenantNames);
  return { options: resolved, rates, tenants: tenantNames, events, keys: keyTable.keys, truth };
}

/** The contract's event body for a simulated event; pass the signed token for a link click. */
export function toIncomingEvent(event: SimulatedEvent, token?: string): IncomingEvent {
  const incoming: IncomingEvent = { id: event.id, type: event.type, timestamp: event.timestamp, identifiers: { ...event.identifiers } };
  if (token !== undefined) incoming.token = token;
  return incoming;
}

function validateOptions(options: SimulationOptions): Required<SimulationOptions> {
  const { seed, people, noise } = options;
  const tenants = options.tenants ?? DEFAULT_TENANTS;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`simulateShops: seed must be an integer, got ${String(seed)}`);
  if (!Number.isInteger(people) || people < 1 || people > MAX_PEOPLE) {
    throw new RangeError(`simulateShops: people must be an integer in 1..${MAX_PEOPLE}, got ${String(people)}`);
  }
  if (!Number.isInteger(tenants) || tenants < 1 || tenants > MAX_TENANTS) {
    throw new RangeError(`simulateShops: tenants must be an integer in 1..${MAX_TENANTS}, got ${String(tenants)}`);
  }
  const noiseOverrides = options.noiseOverrides ?? {};
  simulationRates(noise, noiseOverrides); // throws a clear error for an unknown level or rate
  return { seed, people, noise, tenants, noiseOverrides };
}

/**
 * Ids follow generation order; a share of events (`outOfOrder`) is delivered 1..maxDelayDays
 * days late, so the array (arrival order) differs from timestamp order for them.
 */
function inArrivalOrder(world: World, tenantNames: string[]): SimulatedEvent[] {
  const { random, rates } = world;
  const drafts = world.drafts;
  const arrival = new Float64Array(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    const late = random.chance(rates.noise.outOfOrder);
    arrival[i] = drafts[i].time + (late ? random.int(1, rates.noise.maxDelayDays) * DAY_MS + Math.floor(random.next() * DAY_MS) : 0);
  }
  const order = Array.from(drafts.keys()).sort((a, b) => arrival[a] - arrival[b] || drafts[a].time - drafts[b].time || a - b);
  return order.map((i) => toSimulatedEvent(drafts[i], i, tenantNames));
}

function toSimulatedEvent(draft: EventDraft, index: number, tenantNames: string[]): SimulatedEvent {
  const event: SimulatedEvent = {
    tenant: tenantNames[draft.tenant],
    id: `ev-${index}`,
    type: draft.type,
    timestamp: new Date(draft.time).toISOString(),
    identifiers: draft.identifiers,
  };
  if (draft.recipient !== undefined) event.recipient = { type: 'subscriber', value: draft.recipient };
  return event;
}
