// The real HTTP server (in-process, 127.0.0.1, a free port, memory-only graph) with one tenant's
// write and secret keys, and a small client for what the explorer tests check through the API.
import { pino } from 'pino';
import { PersonaGraph } from '../../../host/index.js';
import { startServer, type RunningServer } from '../../../host/http/index.js';
import type { Identifier, Persona } from '../../../host/types.js';

export interface ExplorerServer {
  server: RunningServer;
  url: string;
  tenant: string;
  writeKey: string;
  secretKey: string;
  /** A JSON call with the secret key (or `key`); throws on anything but 2xx and 404 (then null). */
  call<T = any>(method: string, path: string, body?: unknown, key?: string): Promise<T | null>;
  /** Sends events with the write key; throws unless every event was accepted. */
  ingest(events: unknown[]): Promise<void>;
  personaOf(identifier: Identifier): Promise<Persona | null>;
  close(): Promise<void>;
}

export async function startExplorerServer(tenant: string): Promise<ExplorerServer> {
  const graph = await PersonaGraph.open({ shards: 1 });
  const writeKey = graph.keys.createKey(tenant, 'write').key;
  const secretKey = graph.keys.createKey(tenant, 'secret').key;
  const server = await startServer({ graph, host: '127.0.0.1', port: 0, processMetrics: false, logger: pino({ level: 'silent' }) });
  const base = `/v1/tenants/${tenant}`;

  async function call<T>(method: string, path: string, body?: unknown, key = secretKey): Promise<T | null> {
    const response = await fetch(`${server.url}${path.startsWith('/') ? path : `${base}/${path}`}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 404) return null;
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  return {
    server, url: server.url, tenant, writeKey, secretKey, call,
    async ingest(events) {
      const answer = await call<{ accepted: number; duplicates: number; errors: unknown[] }>('POST', 'events', { events }, writeKey);
      if (answer?.accepted !== events.length) throw new Error(`not every event was accepted: ${JSON.stringify(answer)}`);
    },
    async personaOf({ type, value }) {
      const answer = await call<{ persona: Persona }>('GET', `resolve?${type}=${encodeURIComponent(value)}`);
      return answer?.persona ?? null;
    },
    close: () => server.shutdown(),
  };
}
