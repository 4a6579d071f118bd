// npx tsx bench/service/reads.bench.ts [--events 40000] [--rounds 5] — facade read costs on this
// thread (what HTTP's GET /resolve and POST /resolve spend beneath the routing): µs per personaOf
// and lookups/s of resolve with 10,000 identifiers, beside a Map lookup of the same values (the
// floor any read path pays). Medians of interleaved rounds, in CPU time of this thread
// (process.cpuUsage; reads run on the calling thread): the machine is shared and wall time swings.
import { parseArgs } from 'node:util';
import { PersonaGraph } from '../../host/index.js';
import type { Identifier } from '../../host/types.js';
import { mulberry32 } from '../seeded-random.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '40000' }, rounds: { type: 'string', default: '5' } } });
const events = Number(values.events);
const rounds = Number(values.rounds);
const LOOKUPS = 10_000;
const TENANT = 'shop-a';

const random = mulberry32(7);
const people = Math.max(1, Math.floor(events / 4));
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const eventOf = (i: number) => {
  const person = Math.floor(random() * people);
  return {
    id: `ev-${i}`, type: i % 3 === 0 ? 'login' : 'page', timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    identifiers: { device: `${hex(person, 8)}-0000-4000-8000-${hex(i % 2, 12)}`, customer: `c-${person}`, email: `Person.${person}@Example.bg` },
  };
};

const graph = await PersonaGraph.open({ shards: 1 });
const BATCH = 5_000;
for (let i = 0; i < events; i += BATCH) await graph.ingest(TENANT, Array.from({ length: Math.min(BATCH, events - i) }, (_, k) => eventOf(i + k)));

const lookups: Identifier[] = Array.from({ length: LOOKUPS }, (_, i) => {
  const person = Math.floor(random() * people);
  return i % 2 === 0 ? { type: 'email', value: `person.${person}@example.bg` } : { type: 'customer', value: `c-${person}` };
});
// each round reads freshly parsed lookups, as from an HTTP body: V8 caches a string's hash in the
// string, so re-using the same string objects would make every hash-based cache look free
const lookupsJson = JSON.stringify(lookups);
const reference = new Map(lookups.map((l) => [`${l.type}:${l.value}`, 'psn_0000000000000000']));

const cpuNow = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const personaOfMicros: number[] = [];
const resolveRates: number[] = [];
const mapMicros: number[] = [];
for (let r = 0; r < rounds; r++) {
  const fresh = () => JSON.parse(lookupsJson) as Identifier[];
  let round = fresh();
  let t = cpuNow();
  let hits = 0;
  for (const l of round) hits += reference.get(`${l.type}:${l.value}`) ? 1 : 0;
  mapMicros.push(((cpuNow() - t) * 1000) / lookups.length);
  round = fresh();

  t = cpuNow();
  let found = 0;
  for (const l of round) found += (await graph.personaOf(TENANT, l)) ? 1 : 0;
  personaOfMicros.push(((cpuNow() - t) * 1000) / lookups.length);
  round = fresh();
  if (found === 0 || hits === 0) throw new Error('lookups found nothing');

  t = cpuNow();
  const ids = await graph.resolve(TENANT, round);
  resolveRates.push(lookups.length / ((cpuNow() - t) / 1000));
  if (ids.every((id) => id === null)) throw new Error('resolve found nothing');
}
await graph.close();

console.log(`graph: ${events.toLocaleString('en-US')} events, ${people.toLocaleString('en-US')} people; ${rounds} rounds of ${LOOKUPS.toLocaleString('en-US')} lookups (medians)`);
console.log(`personaOf (GET /resolve beneath HTTP): ${median(personaOfMicros).toFixed(2)} µs per call`);
console.log(`resolve, 10,000 identifiers (POST /resolve beneath HTTP): ${(median(resolveRates) / 1e6).toFixed(3)} M lookups/s`);
console.log(`reference: Map lookup of the same keys: ${median(mapMicros).toFixed(3)} µs per key`);
