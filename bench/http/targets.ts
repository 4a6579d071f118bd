// A server under test, run in a child process of its own (so the load generator never shares
// its event loop): `tsx bench/http/targets.ts <kind> [dataDir]`. Reports `{url, key}` over IPC
// once listening; SIGTERM shuts it down. On the benchmark's request (IPC) the main thread is
// CPU-profiled from one measured run's start to its end.
//   koa-hello  Koa with one GET JSON route: the reference for GET /resolve
//   bare-json  node:http that only JSON-parses POST bodies (and stringifies an answer of POST /resolve's size
//              to a resolve body): the reference for POST /events and POST /resolve
//   persona    persona-graph (memory only, seeded with SEED_PEOPLE people), or durable with dataDir
//   persona-http-only  persona-graph's HTTP layer over a facade whose personaOf (and personaJsonOf) answers one canned
//              persona at once: what the HTTP layer alone costs per GET /resolve
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PersonaGraph } from '../../host/index.js';
import { startServer } from '../../host/http/index.js';
import { startProfiling, type ProfileAnswer, type ProfileRequest } from './profiler.js';
import { cannedPersonaGraph, koaHelloApp, seededGraph } from './graphs.js';

export type TargetKind = 'koa-hello' | 'bare-json' | 'persona' | 'persona-http-only';
export interface TargetReady { url: string; key?: string }

const HOST = '127.0.0.1';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, HOST, () => resolve(`http://${HOST}:${(server.address() as AddressInfo).port}`)));
}

async function koaHello(): Promise<{ ready: TargetReady; stop: () => Promise<void> }> {
  const server = createServer(koaHelloApp().callback());
  return { ready: { url: await listen(server) }, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Persona ids as persona-graph writes them (`psn_` and 16 hex digits), for bare-json's resolve answers. */
const CANNED_PERSONA_IDS = Array.from({ length: 1000 }, (_, i) => `psn_${(i * 2654435761).toString(16).padStart(16, '0').slice(-16)}`);

async function bareJson(): Promise<{ ready: TargetReady; stop: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events?: unknown[]; identifiers?: unknown[] };
      res.writeHead(200, { 'content-type': 'application/json' });
      // a resolve body gets an answer of POST /resolve's size: a persona id (or null) per lookup
      res.end(JSON.stringify(body.identifiers
        ? { personas: body.identifiers.map((_, i) => (i % 20 === 19 ? null : CANNED_PERSONA_IDS[i % CANNED_PERSONA_IDS.length])) }
        : { accepted: body.events!.length, duplicates: 0, errors: [] }));
    });
  });
  return { ready: { url: await listen(server) }, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function persona(dataDir: string | undefined): Promise<{ ready: TargetReady; stop: () => Promise<void> }> {
  const graph = dataDir ? await PersonaGraph.open({ dataDir, snapshotIntervalMs: 0 }) : await seededGraph();
  return serve(graph);
}

async function personaHttpOnly(): Promise<{ ready: TargetReady; stop: () => Promise<void> }> {
  return serve(await cannedPersonaGraph());
}

async function serve(graph: PersonaGraph): Promise<{ ready: TargetReady; stop: () => Promise<void> }> {
  const key = graph.keys.createKey('*', 'admin').key;
  const running = await startServer({ graph, host: HOST, port: 0 });
  return { ready: { url: running.url, key }, stop: () => running.shutdown() };
}

const [kind, dataDir] = process.argv.slice(2) as [TargetKind, string | undefined];
const target = kind === 'koa-hello' ? await koaHello() : kind === 'bare-json' ? await bareJson()
  : kind === 'persona-http-only' ? await personaHttpOnly() : await persona(dataDir);
let stopProfiling: (() => Promise<string>) | undefined;
process.on('message', (request: ProfileRequest) => {
  const answer = async (): Promise<ProfileAnswer> => {
    if (request.profile === 'start') {
      stopProfiling = await startProfiling(request.dir, request.name);
      return { profiled: 'started' };
    }
    const file = await stopProfiling!();
    stopProfiling = undefined;
    return { profiled: 'written', file };
  };
  answer().then((message) => process.send?.(message), (error: unknown) => { console.error(error); process.exit(1); });
});
process.send?.(target.ready);
process.once('SIGTERM', () => {
  target.stop().then(() => process.exit(0), () => process.exit(1));
});
