// A digest of everything a server stores, to show that a request changed nothing: what the API
// answers about a fixed set of identifiers (personas, their graphs, config, the changes feed),
// and every row of every table of the store's database, read through a read-only connection.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Identifier, Persona } from '../../host/types.js';
import type { PersonaGraphView } from '../../host/service/views.js';
import { call } from '../http/helpers.js';
import { canonicalGraph, canonicalPersona } from './canonical.js';

export interface DigestTarget {
  url: string;
  /** A key that may read every tenant below (secret or admin). */
  key: string;
  /** The server's data directory. */
  dataDir: string;
  /** Per tenant, the identifiers whose personas are compared. */
  identifiers: Record<string, Identifier[]>;
}

/** Row count and content hash of every table: changed rows change the hash. */
function storeDigest(dataDir: string): Record<string, string> {
  const db = new Database(join(dataDir, 'store.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    const digest: Record<string, string> = {};
    for (const table of tables) {
      // sorted as text: the order rows come back in is no part of the state
      const rows = db.prepare(`SELECT * FROM "${table}"`).all()
        .map((row) => JSON.stringify(row))
        .sort();
      digest[table] = `${rows.length} rows ${createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`;
    }
    return digest;
  } finally {
    db.close();
  }
}

async function readJson(target: DigestTarget, path: string, body?: unknown): Promise<unknown> {
  const answer = await call(target, body === undefined ? 'GET' : 'POST', path, { key: target.key, body });
  return { status: answer.status, body: answer.body };
}

/** What the API says about each tenant's identifiers, in a form free of incidental order. */
async function apiDigest(target: DigestTarget): Promise<Record<string, unknown>> {
  const digest: Record<string, unknown> = {};
  for (const [tenant, identifiers] of Object.entries(target.identifiers)) {
    const base = `/v1/tenants/${tenant}`;
    const resolved = await readJson(target, `${base}/resolve`, { identifiers }) as { body: { personas: (string | null)[] } };
    digest[`${tenant} resolve`] = resolved;
    for (const id of new Set(resolved.body.personas.filter((p): p is string => p !== null))) {
      const persona = await call(target, 'GET', `${base}/personas/${id}`, { key: target.key });
      digest[`${tenant} persona ${id}`] = persona.status === 200 ? canonicalPersona(persona.body as Persona) : persona.status;
      const graph = await call(target, 'GET', `${base}/personas/${id}/graph`, { key: target.key });
      digest[`${tenant} graph ${id}`] = graph.status === 200 ? canonicalGraph(graph.body as PersonaGraphView) : graph.status;
    }
    digest[`${tenant} config`] = await readJson(target, `${base}/config`);
    digest[`${tenant} changes`] = await readJson(target, `${base}/changes`);
  }
  return digest;
}

export async function stateDigest(target: DigestTarget): Promise<{ api: Record<string, unknown>; store: Record<string, string> }> {
  return { api: await apiDigest(target), store: storeDigest(target.dataDir) };
}
