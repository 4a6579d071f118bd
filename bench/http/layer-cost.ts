// npx tsx bench/http/layer-cost.ts [--requests 20000] [--rounds 7]
// JavaScript CPU per GET /resolve through Koa apps, without sockets: each request is an
// IncomingMessage on a socket that discards what it is sent, handed to the app's callback
// (node:http's response formatting included; its parser, syscalls and the load generator not).
// On a shared machine this is far steadier than load over 127.0.0.1, so it is what tells whether a
// change to the HTTP layer saved anything. Apps alternate round by round; figures are medians.
//   koa-hello   Koa + @koa/router, one GET JSON route (the reference of the HTTP benchmark)
//   http-only   persona-graph's app over a facade answering one canned persona at once
//   full        persona-graph's app over the seeded memory-only graph (1,000 distinct lookups)
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { PersonaGraph } from '../../host/index.js';
import { createApp } from '../../host/http/index.js';
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

type Callback = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A socket that takes every write at once and keeps nothing. */
function sinkSocket(): Socket {
  const socket = new Socket();
  socket._writev = (_chunks, done) => done();
  socket._write = (_chunk, _encoding, done) => done();
  return socket;
}

/** Answers one request through `callback`; resolves with the status once the response finished. */
function request(callback: Callback, socket: Socket, path: string, headers: Record<string, string>): Promise<number> {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = path;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = { host: '127.0.0.1', ...headers };
  req.push(null);
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise((resolve) => {
    res.once('finish', () => {
      res.detachSocket(socket);
      resolve(res.statusCode);
    });
    void callback(req, res);
  });
}

interface Subject {
  name: string;
  callback: Callback;
  paths: string[];
  headers: Record<string, string>;
}

/** CPU µs per request over `requests` sequential requests (each checked to succeed). */
async function measure(subject: Subject, requests = REQUESTS): Promise<number> {
  const socket = sinkSocket();
  const started = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const status = await request(subject.callback, socket, subject.paths[i % subject.paths.length], subject.headers);
    if (status !== 200) throw new Error(`${subject.name}: ${subject.paths[i % subject.paths.length]} answered ${status}`);
  }
  const used = process.cpuUsage(started);
  socket.destroy();
  return (used.user + used.system) / requests;
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
