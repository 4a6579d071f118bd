// npx tsx bench/http/layer-cost.ts [--requests 20000] [--rounds 7]
// JavaScript CPU per GET /resolve through Koa apps, without sockets (bench/http/in-process.ts): what
// tells whether a change to the HTTP layer saved anything. Apps alternate round by round; figures are medians.
//   koa-hello   Koa + @koa/router, one GET JSON route (the reference of the HTTP benchmark)
//   http-only   persona-graph's app over a facade answering one canned persona at once
//   full        persona-graph's app over the seeded memory-only graph (1,000 distinct lookups)
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { PersonaGraph } from '../../host/index.js';
import { createApp } from '../../host/http/index.js';
import { cpuPerRequest, type Callback, type InProcessRequest } from './in-process.js';
import { startProfiling } from './profiler.js';
import { cannedPersonaGraph, koaHelloApp, seededGraph } from './graphs.js';
import { resolvePaths } from './workload.js';

const { values } = parseArgs({ options: {
  requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' },
  /** Measure only these apps (comma-separated: koa-hello, http-only, full), e.g. under --cpu-prof. */
  only: { type: 'string', default: 'koa-hello,http-only,full' },
  /** Write a CPU profile of the measured rounds (seeding excluded) to DIR/layer-cost.cpuprofile. */
  profile: { type: 'string' },
} });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);

interface Subject {
  name: string;
  callback: Callback;
  paths: string[];
  headers: Record<string, string>;
}

/** CPU µs per request over `requests` sequential GETs (each checked to succeed). */
function measure(subject: Subject, requests = REQUESTS): Promise<number> {
  const gets = subject.paths.map((path): InProcessRequest => ({ method: 'GET', path, headers: subject.headers }));
  return cpuPerRequest(subject.name, subject.callback, gets, requests);
}

function koaHello(): Subject {
  return { name: 'Koa hello-world', callback: koaHelloApp().callback(), paths: ['/hello'], headers: {} };
}

async function personaApp(name: string, graph: PersonaGraph): Promise<Subject> {
  const key = graph.keys.createKey('*', 'admin').key;
  // what the server logs at its default level (fast reads are not logged); lines go nowhere
  const logger = pino({ level: 'info' }, { write: () => undefined });
  const app = createApp(graph, { logger, processMetrics: false });
  return { name, callback: app.callback(), paths: resolvePaths(), headers: { authorization: `Bearer ${key}` } };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const fullGraph = await seededGraph();
const cannedGraph = await cannedPersonaGraph();
const wanted = new Set(values.only.split(','));
const subjects = [
  ...(wanted.has('koa-hello') ? [koaHello()] : []),
  ...(wanted.has('http-only') ? [await personaApp('http-only (canned persona)', cannedGraph)] : []),
  ...(wanted.has('full') ? [await personaApp('full GET /resolve', fullGraph)] : []),
];
const samples = subjects.map(() => [] as number[]);
const WARMUP_REQUESTS = 5_000;
for (const subject of subjects) await measure(subject, WARMUP_REQUESTS); // JIT tier-up, caches filled
const stopProfiling = values.profile === undefined ? undefined : await startProfiling(values.profile, 'layer-cost');
for (let round = 0; round < ROUNDS; round++) {
  const order = [...subjects.keys()];
  if (round % 2 === 1) order.reverse();
  for (const i of order) samples[i].push(await measure(subjects[i]));
}
if (stopProfiling) console.log(`profile: ${await stopProfiling()}`);
const reference = median(samples[0]);
console.log(`JS CPU per GET through the app's callback, no sockets: ${ROUNDS} rounds of ${REQUESTS} requests, medians (load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
// the fastest round is the least disturbed by other processes: on a busy machine it is the steadier figure
const fastest = (xs: number[]) => Math.min(...xs);
const referenceFastest = fastest(samples[0]);
console.log('| app | µs/request (median) | − Koa hello-world | fastest round | − Koa hello-world | rounds |');
console.log('|---|---:|---:|---:|---:|---|');
subjects.forEach((s, i) => {
  const m = median(samples[i]);
  const f = fastest(samples[i]);
  console.log(`| ${s.name} | ${m.toFixed(2)} | ${(m - reference).toFixed(2)} | ${f.toFixed(2)} | ${(f - referenceFastest).toFixed(2)} | ${samples[i].map((x) => x.toFixed(1)).join(' ')} |`);
});
await Promise.all([fullGraph.close(), cannedGraph.close()]);
