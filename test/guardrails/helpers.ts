// Shared fixtures for the merge-rule tests: a memory-only PersonaGraph, readable device ids,
// event builders and "who is with whom" helpers. Every test uses its own tenant, so one graph
// per file is enough.
import { PersonaGraph, type IdentifierType, type IncomingEvent } from '../../host/index.js';

export type Ids = Partial<Record<IdentifierType, string>>;

export async function openGraph(): Promise<PersonaGraph> {
  return PersonaGraph.open({ shards: 1 });
}

/** A valid device UUID numbered `n` (the engine only takes UUIDs). */
export function device(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const DAY_MS = 86_400_000;
const PERIOD_START = Date.UTC(2026, 2, 1);

/** ISO timestamp `days` (fractional) after a fixed day. */
export function at(days: number): string {
  return new Date(PERIOD_START + days * DAY_MS).toISOString();
}

export function minutes(n: number): number {
  return n / (24 * 60);
}

export function ev(type: string, days: number, identifiers: Ids, extra: Partial<IncomingEvent> = {}): IncomingEvent {
  return { type, timestamp: at(days), identifiers, ...extra };
}

/** Ingests and fails the test on any rejected event or dropped value the test did not expect. */
export async function ingest(graph: PersonaGraph, tenant: string, events: IncomingEvent[]): Promise<void> {
  const result = await graph.ingest(tenant, events);
  if (result.accepted !== events.length) throw new Error(`ingest accepted ${result.accepted} of ${events.length}: ${JSON.stringify(result.errors)}`);
}

/** The persona id of each identifier (null when unknown). */
export async function personasOf(graph: PersonaGraph, tenant: string, ids: Ids[]): Promise<(string | null)[]> {
  return graph.resolve(tenant, ids.map((id) => {
    const [type, value] = Object.entries(id)[0] as [IdentifierType, string];
    return { type, value };
  }));
}

/** Whether all the identifiers resolve to one persona. */
export async function together(graph: PersonaGraph, tenant: string, ...ids: Ids[]): Promise<boolean> {
  const personas = await personasOf(graph, tenant, ids);
  return personas[0] !== null && personas.every((p) => p === personas[0]);
}

/** A signed campaign link token for a subscriber, as a shop's sender would put in a message. */
export function linkToken(graph: PersonaGraph, tenant: string, subscriber: string): string {
  return graph.createLink(tenant, { url: 'https://shop.example/sale', recipient: { subscriber }, campaign: 'spring', channel: 'email' }).token;
}
