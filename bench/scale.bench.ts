// npm run bench:scale — persona-graph at scale through the durable path: ingest throughput as the
// graph grows (with an SVG chart), RSS per identifier, restart time (and the restarted server's CPU
// time and peak RSS) with a fresh snapshot and with a growing log tail, and resolve latency with and
// without concurrent ingest.
//   tsx bench/scale.bench.ts [--identifiers 10000000] [--shards N] [--quick] [--skip-restart] [--restart-rounds 3]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PersonaGraph } from '../host/index.js';
import { report, type Figure } from './figures.js';
import { lineChart } from './chart.js';
import { paceIngest, resolveLatency, startUntilReady, type ReadyServer } from './scale/server.js';
import { memoryFloorSeconds, newestSnapshotFiles } from './scale/memory-floor.js';

const { values } = parseArgs({
  options: {
    identifiers: { type: 'string', default: '10000000' },
    shards: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'skip-restart': { type: 'boolean', default: false },
    'restart-rounds': { type: 'string' },
    json: { type: 'string' },
  },
});
const target = values.quick ? 1_000_000 : Number(values.identifiers);
/** Identifiers per shard that keep a shard's memory well inside WebAssembly's 4 GiB. */
const IDENTIFIERS_PER_SHARD = 12_000_000;
const shards = values.shards ? Number(values.shards) : Math.max(2, Math.ceil(target / IDENTIFIERS_PER_SHARD));
const TENANTS = 8;
const BATCH = 5_000;
/** Each person: a device + customer login, then a checkout with customer, email and phone: 4 identifiers, 2 events. */
const IDS_PER_PERSON = 4;
const CHECKPOINTS = 10;
const RESTART_TAILS = [0, 50_000, 100_000, 200_000];
/** Restarts per log tail, medians reported: one restart's wall time swings more than a tail adds on a shared machine. */
const restartRounds = Number(values['restart-rounds'] ?? (values.quick ? 1 : 3));
if (!Number.isInteger(restartRounds) || restartRounds < 1) throw new Error(`--restart-rounds must be a positive integer, got ${values['restart-rounds']}`);
const LATENCY_SECONDS = 10;
const LATENCY_PATHS = 1_000;
const HTTP_BATCH = 1_000;
const MB = 1024 * 1024;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** Least-squares slope of y over x. */
function slopeOf(points: { x: number; y: number }[]): number {
  const mx = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const my = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  const sxy = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return sxy / sxx;
}

/**
 * Restarts the server over `dataDir` `rounds` times and returns the last (still running) with the
 * median figures. The earlier rounds end in SIGKILL, as a crash would: no closing snapshot, so
 * every round replays the same log tail. `beforeEach` runs before each start, with no server running.
 */
async function restartRoundsOf(dataDir: string, rounds: number, beforeEach?: () => Promise<void>): Promise<ReadyServer & { rounds: ReadyServer[] }> {
  const done: ReadyServer[] = [];
  for (let round = 1; ; round++) {
    await beforeEach?.();
    const ready = await startUntilReady(dataDir);
    done.push(ready);
    if (round === rounds) {
      return {
        server: ready.server, rounds: done,
        readySeconds: median(done.map((r) => r.readySeconds)),
        cpuSeconds: median(done.map((r) => r.cpuSeconds)),
        peakRssBytes: median(done.map((r) => r.peakRssBytes)),
      };
    }
    await ready.server.kill9();
  }
}

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

/** GET /resolve p99 over HTTP while POST /events runs at `writeRate` events/s, against the same without writes. */
async function readLatencyUnderIngest(url: string, people: number, writeRate: number): Promise<Figure> {
  const paths = Array.from({ length: LATENCY_PATHS }, (_, i) => {
    const person = (i * 7919) % people;
    return `/v1/tenants/${tenantOf(person)}/resolve?customer=c-${person}`;
  });
  const idle = await resolveLatency(url, paths, LATENCY_SECONDS);
  let next = people * 4; // people never ingested before: the restart tails use people .. 3 × people
  const ingest = paceIngest(url, (batch) => `/v1/tenants/scale-${batch % TENANTS}/events`, () => {
    const events = [];
    for (let i = 0; i < HTTP_BATCH / 2; i++) events.push(...personEvents(next++));
    return events;
  }, writeRate);
  const loaded = await resolveLatency(url, paths, LATENCY_SECONDS);
  const written = await ingest.stop();
  return {
    name: 'GET /resolve p99 over HTTP with POST /events at half the durable ingest rate', value: loaded.p99Ms, unit: 'ms',
    reference: { name: 'p99 without ingest', value: idle.p99Ms }, ratio: loaded.p99Ms / Math.max(idle.p99Ms, 1e-3),
    note: `p50 ${loaded.p50Ms} ms vs ${idle.p50Ms} ms; ${Math.round(loaded.requestsPerSecond)} vs ${Math.round(idle.requestsPerSecond)} req/s; `
      + `${Math.round(written / LATENCY_SECONDS)} events/s written (asked ${Math.round(writeRate)}); failures ${loaded.failures + idle.failures}`,
  };
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

  // Restart as an operator sees it: the CLI server over this data directory, from spawn to
  // /readyz 200, first with a fresh snapshot, then with growing log tails replayed after it.
  const restartCurve: { x: number; y: number }[] = [];
  const restartCosts: { cpuSeconds: number; peakRssBytes: number; rounds: ReadyServer[] }[] = [];
  let tailPerson = people;
  for (const tail of values['skip-restart'] ? [] : RESTART_TAILS) {
    await graph.snapshot();
    if (tail > 0) await ingestPeople(graph, tailPerson, tailPerson + tail / 2);
    tailPerson += tail / 2;
    await graph.close();
    // The machine's floor, interleaved with the fresh-snapshot restarts: fresh memory as large as the snapshot files touched, or read into.
    const files = newestSnapshotFiles(dataDir);
    const floors = { touch: [] as number[], read: [] as number[] };
    const measureFloors = async () => {
      floors.touch.push(await memoryFloorSeconds('touch', files));
      floors.read.push(await memoryFloorSeconds('read', files));
    };
    const { server, readySeconds, cpuSeconds, peakRssBytes, rounds } = await restartRoundsOf(dataDir, restartRounds, tail === 0 ? measureFloors : undefined);
    restartCurve.push({ x: tail, y: readySeconds });
    restartCosts.push({ cpuSeconds, peakRssBytes, rounds });
    const each = rounds.map((r) => `${r.readySeconds.toFixed(2)} s / ${r.cpuSeconds.toFixed(2)} s CPU`).join(', ');
    console.log(`restart with ${tail} events of log tail (median of ${rounds.length}): ready in ${readySeconds.toFixed(2)} s, ${cpuSeconds.toFixed(2)} s CPU, peak RSS ${(peakRssBytes / MB).toFixed(0)} MB [${each}]`);
    if (tail === 0) {
      const at = `${(identifiers / 1e6).toFixed(1)} M identifiers, fresh snapshot`;
      const fileBytes = files.reduce((sum, file) => sum + file.bytes, 0);
      const touchFloor = median(floors.touch);
      const readFloor = median(floors.read);
      console.log(`machine floor for ${(fileBytes / MB).toFixed(0)} MB of snapshot files (median of ${floors.touch.length}): touch ${touchFloor.toFixed(2)} s [${floors.touch.map((s) => s.toFixed(2)).join(', ')}], read ${readFloor.toFixed(2)} s [${floors.read.map((s) => s.toFixed(2)).join(', ')}]`);
      figures.push({ name: `ready (/readyz 200) after restart at ${at}`, value: readySeconds, unit: 's', target: '≤ 3 s', met: readySeconds <= 3 });
      figures.push({
        name: `ready after restart vs the machine floor: a fresh Node touching new shared memory as large as the ${files.length} snapshot files (${(fileBytes / MB).toFixed(0)} MB), a thread per file`,
        value: readySeconds, unit: 's', reference: { name: 'touch floor', value: touchFloor }, ratio: readySeconds / touchFloor,
      });
      figures.push({
        name: 'ready after restart vs the same floor reading the snapshot files into that memory (faults, page-cache copy, reads)',
        value: readySeconds, unit: 's', reference: { name: 'read floor', value: readFloor }, ratio: readySeconds / readFloor,
      });
      figures.push({ name: `CPU time of the restarted server until ready (all threads), ${at}`, value: cpuSeconds, unit: 's' });
      figures.push({ name: `peak RSS of the restarted server until ready, ${at}`, value: peakRssBytes / MB, unit: 'MB' });
      figures.push(await readLatencyUnderIngest(server.url, people, (people * 2) / ingestSeconds / 2));
    }
    await server.stop();
    graph = await PersonaGraph.open({ dataDir, snapshotIntervalMs: 0, snapshotOnClose: false });
  }
  await graph.close();
  if (restartCurve.length > 1) {
    figures.push({ name: 'restart time per event of log tail (least-squares slope of the medians below)', value: slopeOf(restartCurve) * 1e6, unit: 'µs/event' });
    const cpuCurve = restartCurve.map((p, i) => ({ x: p.x, y: restartCosts[i].cpuSeconds }));
    figures.push({ name: 'restart CPU time per event of log tail (least-squares slope)', value: slopeOf(cpuCurve) * 1e6, unit: 'µs/event' });
  }
  report({
    bench: 'scale',
    command: `npm run bench:scale -- --identifiers ${target} --shards ${shards}${values['skip-restart'] ? ' --skip-restart' : ` --restart-rounds ${restartRounds}`}`,
    figures,
    details: [
      '![throughput vs graph size](scale-throughput.svg)',
      ...(restartCurve.length === 0 ? [] : [
        '',
        `| log tail (events) | restart to ready (s), median of ${restartRounds} | CPU until ready (s) | peak RSS until ready (MB) | each round: ready / CPU (s) |`,
        '|---:|---:|---:|---:|---|',
        ...restartCurve.map((p, i) => `| ${p.x.toLocaleString('en-US')} | ${p.y.toFixed(2)} | ${restartCosts[i].cpuSeconds.toFixed(2)} | ${(restartCosts[i].peakRssBytes / MB).toFixed(0)} | `
          + `${restartCosts[i].rounds.map((r) => `${r.readySeconds.toFixed(2)} / ${r.cpuSeconds.toFixed(2)}`).join(', ')} |`),
      ]),
    ].join('\n'),
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
