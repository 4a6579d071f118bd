// Tiny hand-made simulations with answers known by hand, for the metric and reference tests.
import { KeyTable, eventIdentifierKeys } from '../../bench/quality/keys.js';
import { simulationRates } from '../../bench/quality/rates.js';
import type { EmailSubscription, PersonTruth, SimulatedEvent, Simulation } from '../../bench/quality/types.js';

export interface HandMadeTenant {
  tenant: string;
  profiles: Record<string, number | null>;
  people?: PersonTruth[];
  emailSubscriptions?: EmailSubscription[];
  trueLinks?: [string, string][];
}

/** A simulation of the given events and truth; `sim.keys` is filled from the events. */
export function handMadeSimulation(
  tenants: HandMadeTenant[],
  events: Omit<SimulatedEvent, 'id'>[] = [],
  addressOwners: Record<string, number> = {},
): Simulation {
  const keyTable = new KeyTable();
  for (const event of events) eventIdentifierKeys(keyTable.keyOf, event.identifiers, event.recipient?.value);
  const people = new Set<number>();
  for (const t of tenants) for (const person of Object.values(t.profiles)) if (person !== null) people.add(person);
  return {
    options: { seed: 0, people: people.size, noise: 'low', tenants: tenants.length, noiseOverrides: {} },
    rates: simulationRates('low'),
    tenants: tenants.map((t) => t.tenant),
    events: events.map((event, i) => ({ id: `ev-${i}`, ...event })),
    keys: keyTable.keys,
    truth: {
      people: people.size,
      tenants: tenants.map((t) => ({
        tenant: t.tenant,
        profiles: new Map(Object.entries(t.profiles)),
        people: t.people ?? [],
        emailSubscriptions: t.emailSubscriptions ?? [],
        trueLinks: t.trueLinks ?? [],
      })),
      addressOwners: new Map(Object.entries(addressOwners)),
    },
  };
}
