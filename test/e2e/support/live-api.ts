// The real HTTP server on 127.0.0.1 (random port) with one tenant's write and secret keys, and
// small typed calls for what the end-to-end tests check through the public API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identifier, IdentifierType, Persona } from '../../../host/types.js';
import { call, startTestServer, type Answer, type TestServer } from '../../http/helpers.js';
import { waitFor } from './poll.js';

export interface LiveApi {
  readonly server: TestServer;
  readonly url: string;
  readonly tenant: string;
  readonly writeKey: string;
  readonly secretKey: string;
  /** A call with the tenant's secret key. */
  secret(method: string, path: string, body?: unknown): Promise<Answer>;
  /** `POST /v1/tenants/{tenant}/events` with the write key. */
  ingest(events: unknown): Promise<Answer>;
  /** The persona holding an identifier, or null (404). */
  personaOf(type: IdentifierType, value: string): Promise<Persona | null>;
  /** Persona ids of identifiers, in input order (POST resolve). */
  resolveMany(identifiers: Identifier[]): Promise<(string | null)[]>;
  /** Waits until `personaOf` satisfies `ready` (events from browsers and clients arrive late). */
  waitForPersona(type: IdentifierType, value: string, ready?: (p: Persona) => boolean, timeoutMs?: number): Promise<Persona>;
  /** Shuts the server down and serves the same data directory again (durable servers only). */
  restart(): Promise<LiveApi>;
  close(): Promise<void>;
}

export interface LiveApiOptions {
  tenant: string;
  /** Durable store in this directory; omitted: memory only. */
  dataDir?: string;
}

const DEFAULT_WAIT_MS = 5000;

/** Starts the server with a write and a secret key for the tenant (a restart passes the keys it already made). */
export async function startLiveApi(options: LiveApiOptions, keys?: { writeKey: string; secretKey: string }): Promise<LiveApi> {
  const { tenant } = options;
  let writeKey = keys?.writeKey ?? '';
  let secretKey = keys?.secretKey ?? '';
  const server = await startTestServer({ graph: { dataDir: options.dataDir ?? null } }, (graph) => {
    if (keys) return;
    writeKey = graph.keys.createKey(tenant, 'write').key;
    secretKey = graph.keys.createKey(tenant, 'secret').key;
  });
  const base = `/v1/tenants/${tenant}`;
  const secret = (method: string, path: string, body?: unknown) => call(server, method, path, { key: secretKey, body });
  const personaOf = async (type: IdentifierType, value: string): Promise<Persona | null> => {
    const answer = await secret('GET', `${base}/resolve?${type}=${encodeURIComponent(value)}`);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw new Error(`resolve ${type}=${value}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.persona as Persona;
  };
  const api: LiveApi = {
    server, url: server.url, tenant, writeKey, secretKey, secret, personaOf,
    ingest: (events) => call(server, 'POST', `${base}/events`, { key: writeKey, body: events }),
    async resolveMany(identifiers) {
      const answer = await secret('POST', `${base}/resolve`, { identifiers });
      if (answer.status !== 200) throw new Error(`resolve: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.personas as (string | null)[];
    },
    waitForPersona(type, value, ready = () => true, timeoutMs = DEFAULT_WAIT_MS) {
      let last: Persona | null = null;
      return waitFor(`the persona of ${type}=${value}`, async () => {
        last = await personaOf(type, value);
        return last && ready(last) ? last : null;
      }, timeoutMs, () => JSON.stringify(last));
    },
    async restart() {
      if (!options.dataDir) throw new Error('restart needs a durable server (dataDir)');
      await server.shutdown();
      return startLiveApi(options, { writeKey, secretKey });
    },
    close: () => server.shutdown(),
  };
  return api;
}

/** A fresh temporary directory and its removal. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
