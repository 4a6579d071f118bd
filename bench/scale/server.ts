// The scale benchmark's view of a restart as an operator sees it: `persona-graph serve` started
// over an existing data directory, timed from spawn until GET /readyz answers 200, then GET /resolve
// latency over real HTTP with and without concurrent POST /events. Also what the restart cost: the
// server's CPU time and peak RSS until ready.
import autocannon, { type Request } from 'autocannon';
import { spawnCliServer, type ServerProcess } from '../soak/server-process.js';

const READY_POLL_MS = 10;
const READY_TIMEOUT_MS = 600_000;
const LATENCY_CONNECTIONS = 10;
const JSON_TYPE = { 'content-type': 'application/json' };

export interface ReadyServer {
  server: ServerProcess;
  /** Seconds from spawn to the first 200 from /readyz. */
  readySeconds: number;
  /** CPU seconds the server used (all threads) until then. */
  cpuSeconds: number;
  /** Peak RSS of the server until then, in bytes. */
  peakRssBytes: number;
}

/** Starts the CLI server over `dataDir` and waits until /readyz says it is ready. */
export async function startUntilReady(dataDir: string): Promise<ReadyServer> {
  const spawned = performance.now();
  const server = await spawnCliServer(dataDir);
  const deadline = spawned + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const status = await fetch(`${server.url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) {
      const readySeconds = (performance.now() - spawned) / 1000;
      return { server, readySeconds, cpuSeconds: server.cpuSeconds(), peakRssBytes: server.peakRssBytes() };
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  await server.kill9();
  throw new Error(`server not ready within ${READY_TIMEOUT_MS} ms:\n${server.recentOutput()}`);
}

export interface LatencyFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

/** GET /resolve over `paths` (cycled) for `seconds`, at a fixed concurrency. */
export async function resolveLatency(url: string, paths: string[], seconds: number): Promise<LatencyFigures> {
  const requests: Request[] = paths.map((path) => ({ method: 'GET', path }));
  const result = await autocannon({ url, connections: LATENCY_CONNECTIONS, duration: seconds, requests, timeout: 30 });
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Posts event batches (from `nextBatch`) at about `eventsPerSecond` until `stop()`; returns the
 * events acknowledged. Paced per batch: a batch that takes longer than its budget is not made up for.
 */
export function paceIngest(url: string, tenantPath: (batch: number) => string, nextBatch: (batch: number) => object[], eventsPerSecond: number) {
  let stopped = false;
  let acknowledged = 0;
  const done = (async () => {
    for (let batch = 0; !stopped; batch++) {
      const events = nextBatch(batch);
      const started = performance.now();
      const response = await fetch(`${url}${tenantPath(batch)}`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ events }) });
      if (response.ok) acknowledged += events.length;
      await response.arrayBuffer();
      const budgetMs = (events.length / eventsPerSecond) * 1000;
      const spent = performance.now() - started;
      if (spent < budgetMs) await new Promise((r) => setTimeout(r, budgetMs - spent));
    }
  })();
  return {
    async stop(): Promise<number> {
      stopped = true;
      await done;
      return acknowledged;
    },
  };
}
