// A fingerprint of every merge decision the engine takes on a seeded quality simulation: every
// identifier's persona id, and every persona in full (members, aliases, latest email and phone,
// counts, times). A change to the core's memory layout must leave it identical.
//   tsx bench/core/decision-digest.ts [--people 5000] [--seeds 1] [--noise low,high]
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PersonaGraph, type IncomingEvent } from '../../host/index.js';
import type { Identifier, IdentifierType } from '../../host/types.js';
import { simulateShops, toIncomingEvent } from '../quality/simulator.js';
import type { NoiseLevel } from '../quality/rates.js';
import type { Simulation } from '../quality/types.js';

const INGEST_BATCH = 1_000;
const LOOKUPS_PER_CALL = 1_000;

async function digestOf(sim: Simulation, guardrails: boolean): Promise<{ digest: string; identifiers: number; personas: number }> {
  const graph = await PersonaGraph.open({ shards: 2 });
  try {
    for (const tenant of sim.tenants) await graph.configure(tenant, { guardrails });
    const events = sim.events.map((event): { tenant: string; event: IncomingEvent } => {
      if (event.type !== 'link_click' || !event.recipient) return { tenant: event.tenant, event: toIncomingEvent(event) };
      const { token } = graph.createLink(event.tenant, {
        url: 'https://shop.example/campaign', recipient: { [event.recipient.type]: event.recipient.value }, campaign: 'sim', channel: 'email',
      });
      return { tenant: event.tenant, event: toIncomingEvent(event, token) };
    });
    for (const tenant of sim.tenants) {
      const mine = events.filter((e) => e.tenant === tenant).map((e) => e.event);
      for (let i = 0; i < mine.length; i += INGEST_BATCH) await graph.ingest(tenant, mine.slice(i, i + INGEST_BATCH));
    }
    const hash = createHash('sha256');
    let identifiers = 0;
    let personas = 0;
    for (const tenant of sim.tenants) {
      const seen = new Map<string, Identifier>();
      for (const event of sim.events) {
        if (event.tenant !== tenant) continue;
        for (const [type, value] of Object.entries(event.identifiers)) {
          if (value !== undefined) seen.set(`${type}\0${value}`, { type: type as IdentifierType, value });
        }
      }
      const ids = [...seen.keys()].sort();
      const ownPersonas = new Set<string>();
      for (let i = 0; i < ids.length; i += LOOKUPS_PER_CALL) {
        const chunk = ids.slice(i, i + LOOKUPS_PER_CALL);
        const resolved = await graph.resolve(tenant, chunk.map((k) => seen.get(k)!));
        chunk.forEach((k, j) => {
          hash.update(`${tenant}\0${k}\0${resolved[j]}\n`);
          if (resolved[j]) ownPersonas.add(resolved[j]!);
        });
      }
      identifiers += ids.length;
      for (const id of [...ownPersonas].sort()) {
        hash.update(JSON.stringify(await graph.persona(tenant, id)));
        personas++;
      }
    }
    return { digest: hash.digest('hex'), identifiers, personas };
  } finally {
    await graph.close();
  }
}

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '5000' },
    seeds: { type: 'string', default: '1' },
    noise: { type: 'string', default: 'low,high' },
  },
});
for (const noise of values.noise.split(',') as NoiseLevel[]) {
  for (const seed of values.seeds.split(',').map(Number)) {
    const sim = simulateShops({ seed, people: Number(values.people), noise });
    for (const guardrails of [true, false]) {
      const { digest, identifiers, personas } = await digestOf(sim, guardrails);
      console.log(`seed ${seed}, ${noise} noise, guardrails ${guardrails ? 'on ' : 'off'}: ${identifiers} identifiers, ${personas} personas, digest ${digest}`);
    }
  }
}
