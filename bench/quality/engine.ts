// Runs a simulation through persona-graph's library facade and exposes it as a Resolver, so the
// engine is scored exactly like the reference lines.
import { PersonaGraph, type IncomingEvent } from '../../host/index.js';
import { toIncomingEvent } from './simulator.js';
import type { Resolver, Simulation } from './types.js';

const INGEST_BATCH = 1_000;

/**
 * Throughput is the better of two passes, each into a fresh graph (the second one is kept), after
 * one untimed pass in the process: the first run pays for warming up the main thread (JIT, normalization
 * caches), and on a shared machine one pass can lose half its speed to other work. Measured once,
 * cold, whichever line ran first looked twice as slow, and the guardrails on/off ratio compared
 * nothing.
 */
const TIMED_PASSES = 2;
let warmedUp = false;

export interface EngineRun {
  resolver: Resolver;
  /** Events per second through `ingest` (normalization, log append, graph), excluding token signing: the better of two passes. */
  eventsPerSecond: number;
  close(): Promise<void>;
}

/** Ingests the simulation's events in arrival order (per tenant), with guardrails on or off. */
export async function runEngine(sim: Simulation, options: { guardrails: boolean }): Promise<EngineRun> {
  const tenants = [...new Set(sim.events.map((e) => e.tenant))];
  let seconds = Infinity;
  let graph: PersonaGraph | undefined;
  for (let pass = warmedUp ? 1 : 0; pass <= TIMED_PASSES; pass++) {
    if (graph) await graph.close();
    graph = await PersonaGraph.open({ shards: 2 });
    for (const tenant of tenants) await graph.configure(tenant, { guardrails: options.guardrails });
    const prepared = signedEvents(sim, graph);
    const started = performance.now();
    await ingestAll(graph, tenants, prepared);
    if (pass > 0) seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  warmedUp = true;
  const kept = graph!;
  return {
    eventsPerSecond: sim.events.length / seconds,
    resolver: {
      resolve: (tenant, identifiers) => kept.resolve(tenant, identifiers),
      persona: async (tenant, id) => ({ email: (await kept.persona(tenant, id))?.email ?? null }),
      audience: (tenant, recipients) => kept.dedupe(tenant, { channel: 'email', recipients }),
    },
    close: () => kept.close(),
  };
}

/** The events as a runner sends them: a link click's recipient becomes a campaign link token signed by this graph, as a shop's sender would make it. */
function signedEvents(sim: Simulation, graph: PersonaGraph): { tenant: string; event: IncomingEvent }[] {
  return sim.events.map((event) => {
    if (event.type !== 'link_click' || !event.recipient) return { tenant: event.tenant, event: toIncomingEvent(event) };
    const { token } = graph.createLink(event.tenant, {
      url: 'https://shop.example/campaign', recipient: { [event.recipient.type]: event.recipient.value }, campaign: 'sim', channel: 'email',
    });
    return { tenant: event.tenant, event: toIncomingEvent(event, token) };
  });
}

/** Ingests every tenant's events in order, tenants concurrently (each tenant's batches in sequence). */
async function ingestAll(graph: PersonaGraph, tenants: string[], prepared: { tenant: string; event: IncomingEvent }[]): Promise<void> {
  await Promise.all(tenants.map(async (tenant) => {
    const events = prepared.filter((p) => p.tenant === tenant).map((p) => p.event);
    for (let i = 0; i < events.length; i += INGEST_BATCH) await graph.ingest(tenant, events.slice(i, i + INGEST_BATCH));
  }));
}
