// npx tsx bench/http/ab-in-process.ts [--base /work/main] [--rounds 9] [--only get|post]
// This checkout's app against another checkout's (a branch vs main), in one process without sockets
// (bench/http/in-process.ts): each app over its own seeded graph, alternating round by round (ABBA),
// Koa hello-world beside them for GET /resolve. CPU µs per request; branch ÷ base is the median of
// the rounds' ratios, each round's pair measured back to back.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { cpuPerRequest, type Callback, type InProcessRequest } from './in-process.js';
import { koaHelloApp } from './graphs.js';
import { RESOLVE_TENANT, resolveBatchBody, resolvePaths } from './workload.js';

const { values } = parseArgs({ options: {
  base: { type: 'string', default: '/work/main' }, rounds: { type: 'string', default: '9' }, only: { type: 'string' },
  gets: { type: 'string', default: '5000' }, posts: { type: 'string', default: '40' },
} });
const ROUNDS = Number(values.rounds);

/** The app of a checkout (this one when `checkout` is undefined) over its own seeded graph, and an admin key. */
async function checkoutApp(checkout: string | undefined): Promise<{ callback: Callback; key: string }> {
  const from = (path: string) => (checkout === undefined ? `../../${path}` : pathToFileURL(join(checkout, path)).href);
  const { seededGraph } = await import(from('bench/http/graphs.ts')) as typeof import('./graphs.js');
  const { createApp } = await import(from('host/http/index.ts')) as typeof import('../../host/http/index.js');
  const graph = await seededGraph();
  const logger = pino({ level: 'info' }, { write: () => undefined });
  return { callback: createApp(graph, { logger, processMetrics: false }).callback(), key: graph.keys.createKey('*', 'admin').key };
}

const base = await checkoutApp(values.base);
const branch = await checkoutApp(undefined);
const hello = koaHelloApp().callback();

interface Scenario { name: string; count: number; requests: (key: string) => InProcessRequest[]; reference?: InProcessRequest[] }
const scenarios: Scenario[] = [];
if (values.only !== 'post') {
  scenarios.push({
    name: 'GET /resolve', count: Number(values.gets),
    requests: (key) => resolvePaths().map((path) => ({ method: 'GET', path, headers: { authorization: `Bearer ${key}` } })),
    reference: [{ method: 'GET', path: '/hello', headers: {} }],
  });
}
if (values.only !== 'get') {
  const body = Buffer.from(resolveBatchBody());
  scenarios.push({
    name: 'POST /resolve 10,000 lookups', count: Number(values.posts),
    requests: (key) => [{ method: 'POST', path: `/v1/tenants/${RESOLVE_TENANT}/resolve`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body }],
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x: number, digits = 2) => x.toFixed(digits);
for (const s of scenarios) {
  const subjects = [
    { name: 'base', callback: base.callback, requests: s.requests(base.key) },
    { name: 'branch', callback: branch.callback, requests: s.requests(branch.key) },
    ...(s.reference ? [{ name: 'Koa hello-world', callback: hello, requests: s.reference }] : []),
  ];
  for (const subject of subjects) await cpuPerRequest(subject.name, subject.callback, subject.requests, s.count); // warm-up
  const samples = subjects.map(() => [] as number[]);
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadavg()[0]);
    const order = [...subjects.keys()];
    if (round % 2 === 1) order.reverse();
    for (const i of order) samples[i].push(await cpuPerRequest(subjects[i].name, subjects[i].callback, subjects[i].requests, s.count));
  }
  const ratios = samples[1].map((b, round) => b / samples[0][round]);
  console.log(`\n${s.name}: ${ROUNDS} rounds of ${s.count} requests, load ${f(Math.min(...loads), 1)}–${f(Math.max(...loads), 1)}; base ${values.base}`);
  console.log('| app | µs/request median | fastest round | rounds |\n|---|---:|---:|---|');
  subjects.forEach((subject, i) => console.log(`| ${subject.name} | ${f(median(samples[i]))} | ${f(Math.min(...samples[i]))} | ${samples[i].map((x) => f(x, 1)).join(' ')} |`));
  console.log(`branch ÷ base, median of per-round ratios: ${f(median(ratios), 3)} (rounds ${ratios.map((r) => f(r, 3)).join(' ')})`);
  if (s.reference) {
    const toKoa = (i: number) => median(samples[i].map((x, round) => x / samples[2][round]));
    console.log(`÷ Koa hello-world, median of per-round ratios: base ${f(toKoa(0), 3)}, branch ${f(toKoa(1), 3)}`);
  }
}
process.exit(0);
