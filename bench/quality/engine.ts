// Runs a simulation through persona-graph's library facade and exposes it as a Resolver, so the
// engine is scored exactly like the reference lines.
import { PersonaGraph } from '../../host/index.js';
import { toIncomingEvent } from './simulator.js';
import type { Resolver, Simulation } from './types.js';

const INGEST_BATCH = 1_000;

export interface EngineRun {
  resolver: Resolver;
  /** Events per second through `ingest` (normalization, log append, graph), excluding token signing. */
  eventsPerSecond: number;
  close(): Promise<void>;
}

/** Ingests the simulation's events in arrival order (per tenant), with guardrails on or off. */
export async function runEngine(sim: Simulation, options: { guardrails: boolean }): Promise<EngineRun> {
  const graph = await PersonaGraph.open({ shards: 2 });
  const tenants = [...new Set(sim.events.map((e) => e.tenant))];
  for (const tenant of tenants) await graph.configure(tenant, { guardrails: options.guardrails });
  // link clicks carry a recipient: sign a real campaign link for it, as a shop's sender would
  const prepared = sim.events.map((event) => {
    if (event.type !== 'link_click' || !event.recipient) return { tenant: event.tenant, event: toIncomingEvent(event) };
    const { token } = graph.createLink(event.tenant, {
      url: 'https://shop.example/campaign', recipient: { [event.recipient.type]: event.recipient.value }, campaign: 'sim', channel: 'email',
    });
    return { tenant: event.tenant, event: toIncomingEvent(event, token) };
  });
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (const tenant of tenants) {
    const events = prepared.filter((p) => p.tenant === tenant).map((p) => p.event);
    pending.push((async () => {
      for (let i = 0; i < events.length; i += INGEST_BATCH) await graph.ingest(tenant, events.slice(i, i + INGEST_BATCH));
    })());
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  return {
    eventsPerSecond: prepared.length / seconds,
    resolver: {
      resolve: (tenant, identifiers) => graph.resolve(tenant, identifiers),
      persona: async (tenant, id) => ({ email: (await graph.persona(tenant, id))?.email ?? null }),
      audience: (tenant, recipients) => graph.dedupe(tenant, { channel: 'email', recipients }),
    },
    close: () => graph.close(),
  };
}
