// The workload of the thread stress test, shared by the writer (the test) and its reader workers:
// round r adds group r (a chain of identifiers: one persona) plus filler values that make the
// memory grow, then cuts group r-1 in two halves. What a reader may see is a function of the
// applied round alone, so readers can check every consistent read against it.
import type { EncodedEvent, EncodedKey } from '../../../host/engine/shard.js';

export const ROUNDS = 250;
export const GROUP_SIZE = 6;
export const HALF = GROUP_SIZE / 2;
const FILLER_PER_ROUND = 250;
const FILLER_VALUE_BYTES = 600;
const TYPES = [0, 2, 3, 0, 2, 4]; // email, device, customer, email, device, subscriber

export function groupKeys(group: number): EncodedKey[] {
  return TYPES.map((type, k) => ({ type, value: `g${group}-k${k}-${type}` }));
}

export function roundEvents(tenant: number, round: number): EncodedEvent[] {
  const keys = groupKeys(round);
  const chain = keys.slice(1).map((key, k) => ({
    tenant, evidence: 'authenticated' as const, item: k, time: round * 1000 + k, identifiers: [keys[k], key],
  }));
  const filler = Array.from({ length: FILLER_PER_ROUND }, (_, i) => ({
    tenant, evidence: 'click' as const, item: chain.length + i, time: round * 1000,
    identifiers: [{ type: 1, value: `r${round}-f${i}-`.padEnd(FILLER_VALUE_BYTES, '#') }],
  }));
  return [...chain, ...filler];
}

export type Expectation = 'joined' | 'split' | 'either' | 'unknown';

/** What group `group` must look like once round `applied` was applied (its split follows round group+1). */
export function expectedShape(group: number, applied: number): Expectation {
  if (applied < group) return 'unknown';
  if (applied === group) return 'joined';
  if (applied === group + 1) return 'either';
  return 'split';
}
