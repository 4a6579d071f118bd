// npx tsx bench/http.bench.ts [--seconds 10] [--rounds 3] [--only reads|writes] [--profile DIR]
// HTTP throughput of persona-graph beside references started the same way in the same run (each server in a child
// process of its own, autocannon here, all on 127.0.0.1):
//   GET /resolve (single lookups)       vs  Koa hello-world JSON route   target ≥ 0.85× req/s, p99 ≤ 10 ms @ 50 conns
//   POST /resolve (10,000 lookups each) vs  node:http that only parses   target ≥ 2 M lookups/s
//                                           and stringifies the bodies
//   POST /events (1,000 per batch,      vs  node:http that only          target ≥ 0.5× events/s
//     durable, temp data dir)               JSON-parses the same bodies
// A run and its reference alternate round by round (both servers stay up; ABBA order), so a burst
// of load from other processes hits both alike; figures are medians over rounds. The server's CPU time
// per request is reported too: on a shared machine it is the steadier figure. With --profile DIR
// every measured run's server is CPU-profiled and its time per request split by layer (HTTP vs
// facade, bench/http/cpu-split.ts); profiling slows the servers, so those runs' figures are not targets' figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Request } from 'autocannon';
import { startTarget, type RunningTarget } from './http/child.js';
import { cpuSplit, type CpuSplit } from './http/cpu-split.js';
import { measure, type LoadFigures } from './http/load.js';
import type { TargetKind } from './http/targets.js';
import { report, type Figure } from './figures.js';
import { EVENTS_PER_BATCH, LOOKUPS_PER_REQUEST, RESOLVE_TENANT, eventBodies, resolveBatchBody, resolvePaths } from './http/workload.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, profile: { type: 'string' }, only: { type: 'string' },
    quick: { type: 'boolean', default: false }, json: { type: 'string' },
  },
});
const QUICK_SECONDS = 5;
const QUICK_ROUNDS = 2;
const seconds = values.quick ? QUICK_SECONDS : Number(values.seconds);
const rounds = values.quick ? QUICK_ROUNDS : Number(values.rounds);
const work = mkdtempSync(join(tmpdir(), 'pg-http-bench-'));
const GET_CONNECTIONS = 50;
const RESOLVE_BATCH_CONNECTIONS = 4;
const EVENT_CONNECTIONS = 8;
const JSON_TYPE = { 'content-type': 'application/json' };
const auth = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

interface Scenario {
  /** Short name: profile files are named after it. */
  id: string;
  name: string;
  unit: string;
  target: RunningTarget;
  connections: number;
  itemsPerRequest?: number;
  requests: Request[];
}

function start(kind: TargetKind, name: string, dataDir?: string): Promise<RunningTarget> {
  return startTarget(kind, { dataDir, logFile: join(work, `${name}.log`) });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function medianFigures(samples: LoadFigures[]): LoadFigures {
  const pick = (key: Exclude<keyof LoadFigures, 'profileFile'>) => median(samples.map((s) => s[key]));
  return {
    requestsPerSecond: pick('requestsPerSecond'), itemsPerSecond: pick('itemsPerSecond'), p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'),
    failures: samples.reduce((sum, s) => sum + s.failures, 0), serverCpuMicrosPerRequest: pick('serverCpuMicrosPerRequest'),
    answered: pick('answered'),
  };
}

/** Per-layer medians of the rounds' CPU splits. */
function medianSplit(splits: CpuSplit[]): CpuSplit {
  const pick = (key: keyof CpuSplit) => median(splits.map((s) => s[key]));
  return { http: pick('http'), facade: pick('facade'), unattributed: pick('unattributed'), idle: pick('idle') };
}

const splits: [Scenario, CpuSplit][] = [];

/** Measures the scenarios in alternation for every round; returns each one's figures per round. */
async function alternate(scenarios: Scenario[]): Promise<LoadFigures[][]> {
  const samples: LoadFigures[][] = scenarios.map(() => []);
  const profileDir = values.profile;
  for (let round = 0; round < rounds; round++) {
    // ABBA: every other round runs in reverse, so a drift in machine load favours no scenario
    const order = [...scenarios.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [i, s] of order) {
      const profile = profileDir === undefined ? undefined : () => s.target.profile(profileDir, `${s.id}-${round + 1}`);
      samples[i].push(await measure({ url: s.target.url, pid: s.target.pid, connections: s.connections, seconds, itemsPerRequest: s.itemsPerRequest, requests: s.requests, profile }));
    }
  }
  if (profileDir !== undefined) {
    scenarios.forEach((s, i) => splits.push([s, medianSplit(samples[i].map((f) => cpuSplit(f.profileFile!, f.answered)))]));
  }
  return samples;
}

/** The median over rounds of subject ÷ reference, each round's pair measured back to back. */
function pairedRatio(subject: LoadFigures[], reference: LoadFigures[], of: (f: LoadFigures) => number): number {
  return median(subject.map((f, round) => of(f) / of(reference[round])));
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
const targets: RunningTarget[] = [];

async function readRuns(): Promise<[Scenario, LoadFigures][]> {
  const [hello, reader, httpOnly, bare] = await Promise.all([
    start('koa-hello', 'koa-hello'), start('persona', 'persona-memory'), start('persona-http-only', 'persona-http-only'), start('bare-json', 'bare-json-resolve'),
  ]);
  targets.push(hello, reader, httpOnly, bare);
  const resolveBatch = (target: RunningTarget): Request[] => [
    { method: 'POST', path: `/v1/tenants/${RESOLVE_TENANT}/resolve`, headers: { ...auth(target.key), ...JSON_TYPE }, body: resolveBatchBody() },
  ];
  const scenarios: Scenario[] = [
    { id: 'koa-hello', name: `Koa hello-world GET, ${GET_CONNECTIONS} conns (reference)`, unit: 'req', target: hello, connections: GET_CONNECTIONS, requests: [{ method: 'GET', path: '/hello' }] },
    {
      id: 'get-resolve', name: `GET /resolve single lookups, ${GET_CONNECTIONS} conns`, unit: 'req', target: reader, connections: GET_CONNECTIONS,
      requests: resolvePaths().map((path) => ({ method: 'GET', path, headers: auth(reader.key) })),
    },
    {
      id: 'get-resolve-http-only', name: `GET /resolve, HTTP layer only (facade answers a canned persona), ${GET_CONNECTIONS} conns`, unit: 'req',
      target: httpOnly, connections: GET_CONNECTIONS, requests: resolvePaths().map((path) => ({ method: 'GET', path, headers: auth(httpOnly.key) })),
    },
    {
      id: 'post-resolve', name: `POST /resolve ${n(LOOKUPS_PER_REQUEST)} lookups, ${RESOLVE_BATCH_CONNECTIONS} conns`, unit: 'lookups', target: reader,
      connections: RESOLVE_BATCH_CONNECTIONS, itemsPerRequest: LOOKUPS_PER_REQUEST, requests: resolveBatch(reader),
    },
    {
      id: 'bare-resolve', name: `node:http JSON.parse of the same ${n(LOOKUPS_PER_REQUEST)}-lookup bodies + JSON.stringify of as many ids, ${RESOLVE_BATCH_CONNECTIONS} conns (bound)`,
      unit: 'lookups', target: bare, connections: RESOLVE_BATCH_CONNECTIONS, itemsPerRequest: LOOKUPS_PER_REQUEST, requests: resolveBatch(bare),
    },
  ];
  const samples = await alternate(scenarios);
  await Promise.all(targets.splice(0).map((t) => t.stop()));
  const figures = samples.map(medianFigures);
  const [reference, one, httpLayer, many, bareMany] = figures;
  const manyRatio = pairedRatio(samples[3], samples[4], (f) => f.itemsPerSecond);
  const getRatio = pairedRatio(samples[1], samples[0], (f) => f.requestsPerSecond);
  const getCpuRatio = pairedRatio(samples[0], samples[1], (f) => f.serverCpuMicrosPerRequest);
  benchFigures.push(
    { name: `GET /resolve single lookups, ${GET_CONNECTIONS} connections`, value: one.requestsPerSecond, unit: 'req/s',
      reference: { name: 'Koa hello-world JSON route', value: reference.requestsPerSecond }, ratio: getRatio, target: '≥ 0.85 ×', met: getRatio >= 0.85,
      note: `by server CPU per request: ${getCpuRatio.toFixed(3)}×` },
    { name: 'GET /resolve server CPU per request: HTTP layer beyond Koa hello-world', value: httpLayer.serverCpuMicrosPerRequest - reference.serverCpuMicrosPerRequest, unit: 'µs',
      note: `HTTP layer over an instant facade ${n(httpLayer.serverCpuMicrosPerRequest)} µs − Koa hello-world ${n(reference.serverCpuMicrosPerRequest)} µs` },
    { name: 'GET /resolve server CPU per request: facade (personaOf)', value: one.serverCpuMicrosPerRequest - httpLayer.serverCpuMicrosPerRequest, unit: 'µs',
      note: `full ${n(one.serverCpuMicrosPerRequest)} µs − HTTP layer over an instant facade ${n(httpLayer.serverCpuMicrosPerRequest)} µs` },
    { name: `GET /resolve p99 at ${GET_CONNECTIONS} connections`, value: one.p99Ms, unit: 'ms', target: '≤ 10 ms', met: one.p99Ms <= 10 },
    { name: `POST /resolve, ${n(LOOKUPS_PER_REQUEST)} lookups per request`, value: many.itemsPerSecond, unit: 'lookups/s', target: '≥ 2,000,000', met: many.itemsPerSecond >= 2e6,
      reference: { name: 'node:http that only JSON-parses the same bodies and stringifies as many ids (what bounds it)', value: bareMany.itemsPerSecond }, ratio: manyRatio },
  );
  verdicts.push(
    `| GET /resolve ≥ 0.85× Koa hello-world req/s | ${getRatio.toFixed(3)}× (by server CPU per request: ${getCpuRatio.toFixed(3)}×) | ${verdict(getRatio >= 0.85)} |`,
    `| GET /resolve p99 ≤ 10 ms at ${GET_CONNECTIONS} conns | ${one.p99Ms.toFixed(2)} ms | ${verdict(one.p99Ms <= 10)} |`,
    `| POST /resolve ≥ 2 M lookups/s | ${(many.itemsPerSecond / 1e6).toFixed(2)} M/s (bare JSON.parse + JSON.stringify of the same bodies: ${(bareMany.itemsPerSecond / 1e6).toFixed(2)} M/s; ${manyRatio.toFixed(3)}×) | ${verdict(many.itemsPerSecond >= 2e6)} |`,
  );
  return scenarios.map((scenario, i) => [scenario, figures[i]]);
}

async function writeRuns(): Promise<[Scenario, LoadFigures][]> {
  const [bare, writer] = await Promise.all([start('bare-json', 'bare-json'), start('persona', 'persona-durable', join(work, 'data'))]);
  targets.push(bare, writer);
  const batches = eventBodies();
  const eventRequests = (key?: string): Request[] => batches.map(({ path, body }) => ({ method: 'POST', path, body, headers: { ...JSON_TYPE, ...auth(key) } }));
  const scenarios: Scenario[] = [
    { id: 'bare-json', name: `node:http JSON.parse of the event batches, ${EVENT_CONNECTIONS} conns (reference)`, unit: 'events', target: bare, connections: EVENT_CONNECTIONS, itemsPerRequest: EVENTS_PER_BATCH, requests: eventRequests() },
    { id: 'post-events', name: `POST /events ${n(EVENTS_PER_BATCH)}/batch, durable, ${EVENT_CONNECTIONS} conns`, unit: 'events', target: writer, connections: EVENT_CONNECTIONS, itemsPerRequest: EVENTS_PER_BATCH, requests: eventRequests(writer.key) },
  ];
  const samples = await alternate(scenarios);
  await Promise.all(targets.splice(0).map((t) => t.stop()));
  const figures = samples.map(medianFigures);
  const eventRatio = pairedRatio(samples[1], samples[0], (f) => f.itemsPerSecond);
  const eventCpuRatio = pairedRatio(samples[0], samples[1], (f) => f.serverCpuMicrosPerRequest);
  benchFigures.push({ name: `POST /events, ${n(EVENTS_PER_BATCH)} per batch, durable`, value: figures[1].itemsPerSecond, unit: 'events/s',
    reference: { name: 'node:http that only JSON-parses the same bodies', value: figures[0].itemsPerSecond }, ratio: eventRatio, target: '≥ 0.5 ×', met: eventRatio >= 0.5,
    note: `by server CPU per batch: ${eventCpuRatio.toFixed(3)}×` });
  verdicts.push(`| POST /events ≥ 0.5× bare JSON.parse events/s | ${eventRatio.toFixed(3)}× (by server CPU per batch: ${eventCpuRatio.toFixed(3)}×) | ${verdict(eventRatio >= 0.5)} |`);
  return scenarios.map((scenario, i) => [scenario, figures[i]]);
}

const verdicts: string[] = [];
const benchFigures: Figure[] = [];

try {
  console.log(`HTTP benchmark: ${rounds} round(s) of ${seconds} s per run after a 2 s warm-up, node ${process.version}; ratios are medians of per-round ratios`);
  const rows = [
    ...(values.only === 'writes' ? [] : await readRuns()),
    ...(values.only === 'reads' ? [] : await writeRuns()),
  ];
  const table = [
    '| run | req/s | items/s | p50 ms | p99 ms | server CPU µs/req | failed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(([s, f]) => `| ${s.name} | ${n(f.requestsPerSecond)} | ${s.unit === 'req' ? '' : `${n(f.itemsPerSecond)} ${s.unit}`} | ${f.p50Ms.toFixed(2)} | ${f.p99Ms.toFixed(2)} | ${n(f.serverCpuMicrosPerRequest)} | ${f.failures} |`),
    '',
    '| target | figure | verdict |',
    '|---|---:|---|',
    ...verdicts,
  ].join('\n');
  report({ bench: 'http', command: `npm run bench:http -- --seconds ${seconds} --rounds ${rounds}`, figures: benchFigures, details: table });
  if (values.profile) {
    const us = (x: number) => x.toFixed(1);
    const share = (part: number, c: CpuSplit) => `${((100 * part) / (c.http + c.facade + c.unattributed)).toFixed(0)} %`;
    console.log([
      '\nServer main thread per request, by layer (from the CPU profiles, medians over rounds; profiled runs are slower):',
      '| run | busy µs/req | HTTP layer | facade | GC + V8 | HTTP layer µs | facade µs |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...splits.map(([s, c]) => `| ${s.name} | ${us(c.http + c.facade + c.unattributed)} | ${share(c.http, c)} | ${share(c.facade, c)} | ${share(c.unattributed, c)} | ${us(c.http)} | ${us(c.facade)} |`),
      `\nProfiles: ${values.profile} (per function: npx tsx bench/http/profile-summary.ts FILE)`,
    ].join('\n'));
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()));
  rmSync(work, { recursive: true, force: true });
}
