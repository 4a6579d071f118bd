// npm run bench:scale — persona-graph at scale through the durable path: ingest throughput as the
// graph grows (with an SVG chart), RSS per identifier, restart time with a fresh snapshot and with a
// growing log tail, and resolve latency with and without concurrent ingest.
//   tsx bench/scale.bench.ts [--identifiers 10000000] [--quick]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PersonaGraph } from '../host/index.js';
import { report, type Figure } from './figures.js';
import { lineChart } from './chart.js';

const { values } = parseArgs({
  options: {
    identifiers: { type: 'string', default: '10000000' },
    shards: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const target = values.quick ? 1_000_000 : Number(values.identifiers);
const shards = Number(values.shards);
const TENANTS = 8;
const BATCH = 5_000;
/** Each person: a device + customer login, then a checkout with customer, email and phone: 4 identifiers, 2 events. */
const IDS_PER_PERSON = 4;
const CHECKPOINTS = 10;
const RESTART_TAILS = [0, 50_000, 100_000, 200_000];
const LATENCY_SAMPLES = 2_000;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function personEvents(person: number): object[] {
  const t = new Date(Date.UTC(2026, 0, 1) + (person % 7_776_000) * 1000).toISOString();
  const device = `${hex(person >>> 0, 8)}-0000-4000-8000-${hex(person % 4096, 12)}`;
  return [
    { id: `l-${person}`, type: 'login', timestamp: t, identifiers: { device, customer: `c-${person}` } },
    { id: `o-${person}`, type: 'checkout', timestamp: t, identifiers: { customer: `c-${person}`, email: `p${person}@mail${person % 97}.bg`, phone: `+35988${String(person % 10_000_000).padStart(7, '0')}` } },
  ];
}

const tenantOf = (person: number) => `scale-${person % TENANTS}`;

async function ingestPeople(graph: PersonaGraph, from: number, to: number): Promise<void> {
  const byTenant = new Map<string, object[]>();
  const flushes: Promise<unknown>[] = [];
  for (let person = from; person < to; person++) {
    const tenant = tenantOf(person);
    let batch = byTenant.get(tenant);
    if (!batch) byTenant.set(tenant, (batch = []));
    batch.push(...personEvents(person));
    if (batch.length >= BATCH) {
      flushes.push(graph.ingest(tenant, batch));
      byTenant.set(tenant, []);
      if (flushes.length >= shards * 2) await Promise.all(flushes.splice(0));
    }
  }
  for (const [tenant, batch] of byTenant) if (batch.length > 0) flushes.push(graph.ingest(tenant, batch));
  await Promise.all(flushes);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function resolveLatencies(graph: PersonaGraph, people: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const person = Math.floor((i * 7919) % people);
    const started = performance.now();
    await graph.resolve(tenantOf(person), [{ type: 'customer', value: `c-${person}` }]);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

const work = mkdtempSync(join(tmpdir(), 'pg-scale-'));
const dataDir = join(work, 'data');
const figures: Figure[] = [];
try {
  const people = Math.ceil(target / IDS_PER_PERSON);
  const rssBefore = process.memoryUsage().rss;
  let graph = await PersonaGraph.open({ dataDir, shards, snapshotIntervalMs: 0, durability: 'full' });
  const curve: { x: number; y: number }[] = [];
  const step = Math.ceil(people / CHECKPOINTS);
  const started = performance.now();
  for (let from = 0; from < people; from += step) {
    const to = Math.min(people, from + step);
    const t = performance.now();
    await ingestPeople(graph, from, to);
    const rate = ((to - from) * 2) / ((performance.now() - t) / 1000);
    curve.push({ x: (to * IDS_PER_PERSON) / 1e6, y: rate });
    console.log(`${(to * IDS_PER_PERSON).toLocaleString('en-US')} identifiers: ${Math.round(rate).toLocaleString('en-US')} events/s`);
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const identifiers = people * IDS_PER_PERSON;
  const rss = process.memoryUsage().rss - rssBefore;
  figures.push({ name: `durable ingest of ${identifiers.toLocaleString('en-US')} identifiers (${people * 2} events)`, value: (people * 2) / ingestSeconds, unit: 'events/s' });
  figures.push({
    name: `RSS per identifier at ${(identifiers / 1e6).toFixed(1)} M identifiers (value bytes included)`, value: rss / identifiers, unit: 'bytes',
    target: '≤ 120 bytes', met: rss / identifiers <= 120,
  });
  writeFileSync('bench/scale-throughput.svg', lineChart({
    title: 'Durable ingest throughput as the graph grows', xLabel: 'identifiers in the graph (millions)', yLabel: 'events/s', points: curve,
  }));

  const idle = await resolveLatencies(graph, people);
  // half-capacity write load: ingest new people at about half the measured rate while reading
  const writeRate = (people * 2) / ingestSeconds / 2;
  let stop = false;
  const writer = (async () => {
    let person = people;
    while (!stop) {
      const t = performance.now();
      await ingestPeople(graph, person, person + BATCH / 2);
      person += BATCH / 2;
      const spent = performance.now() - t;
      const budget = (BATCH / writeRate) * 1000;
      if (spent < budget) await new Promise((r) => setTimeout(r, budget - spent));
    }
  })();
  const loaded = await resolveLatencies(graph, people);
  stop = true;
  await writer;
  figures.push({
    name: 'resolve p99 with ingest at half capacity (facade, single lookups)', value: percentile(loaded, 0.99), unit: 'ms',
    reference: { name: 'p99 without ingest', value: percentile(idle, 0.99) }, ratio: percentile(loaded, 0.99) / percentile(idle, 0.99),
    note: `p50 ${percentile(loaded, 0.5).toFixed(3)} ms vs ${percentile(idle, 0.5).toFixed(3)} ms`,
  });

  // restart: a fresh snapshot, then growing log tails replayed after it
  const restartCurve: { x: number; y: number }[] = [];
  let tailPerson = people * 2;
  for (const tail of RESTART_TAILS) {
    await graph.snapshot();
    if (tail > 0) await ingestPeople(graph, tailPerson, tailPerson + tail / 2);
    tailPerson += tail / 2;
    await graph.close();
    graph = undefined as unknown as PersonaGraph;
    const t = performance.now();
    graph = await PersonaGraph.open({ dataDir, snapshotIntervalMs: 0, snapshotOnClose: false });
    const seconds = (performance.now() - t) / 1000;
    restartCurve.push({ x: tail, y: seconds });
    console.log(`restart with ${tail} events of log tail: ${seconds.toFixed(2)} s`);
    if (tail === 0) {
      figures.push({ name: `ready after restart at ${(identifiers / 1e6).toFixed(1)} M identifiers, fresh snapshot`, value: seconds, unit: 's', target: '≤ 3 s', met: seconds <= 3 });
    }
  }
  await graph.close();
  const slope = (restartCurve[restartCurve.length - 1].y - restartCurve[0].y) / (restartCurve[restartCurve.length - 1].x - restartCurve[0].x);
  figures.push({ name: 'restart time per event of log tail (slope of the curve below)', value: slope * 1e6, unit: 'µs/event' });
  report({
    bench: 'scale',
    command: `npm run bench:scale -- --identifiers ${target} --shards ${shards}`,
    figures,
    details: [
      '![throughput vs graph size](scale-throughput.svg)',
      '',
      '| log tail (events) | restart to ready (s) |',
      '|---:|---:|',
      ...restartCurve.map((p) => `| ${p.x.toLocaleString('en-US')} | ${p.y.toFixed(2)} |`),
    ].join('\n'),
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
