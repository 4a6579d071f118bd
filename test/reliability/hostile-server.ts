// The target of the hostile-input tests: a durable server on 127.0.0.1 whose store has a row in
// every table (events, merges, config, link secret, claims, erasures), so that any change a bad
// request made would show in the state digest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identifier } from '../../host/types.js';
import { basicAuth, call, startTestServer, type TestServer } from '../http/helpers.js';
import { stateDigest } from './state-digest.js';

export const TENANT = 'shop-a';
export const OTHER_TENANT = 'shop-b';
/** Small, so that oversized bodies are cheap to send; 10,001 small events still fit. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface HostileServer {
  server: TestServer;
  keys: { admin: string; writeA: string; secretA: string; writeB: string };
  /** A persona of shop-a, for the persona routes. */
  persona: string;
  digest(): ReturnType<typeof stateDigest>;
  close(): Promise<void>;
}

const SEED_EVENTS = [
  { id: 'seed-1', type: 'login', timestamp: '2026-02-01T10:00:00.000Z', identifiers: { customer: 'a-1', email: 'ana@shop.bg', device: '6f1c2b9e-0d4a-4c1e-9a57-3b8e2f6d1a01' } },
  { id: 'seed-2', type: 'checkout', timestamp: '2026-02-02T10:00:00.000Z', identifiers: { customer: 'a-1', phone: '0888 123 456' }, traits: { total: 12 } },
  { id: 'seed-3', type: 'page', timestamp: '2026-02-03T10:00:00.000Z', identifiers: { device: '6f1c2b9e-0d4a-4c1e-9a57-3b8e2f6d1a02', customer: 'a-2' } },
  { id: 'seed-4', type: 'subscribe', timestamp: '2026-02-04T10:00:00.000Z', identifiers: { email: 'boris@shop.bg', subscriber: 's-9' } },
  { id: 'seed-5', type: 'login', timestamp: '2026-02-05T10:00:00.000Z', identifiers: { customer: 'gone-1', email: 'gone@shop.bg' } },
];

export const DIGEST_IDENTIFIERS: Identifier[] = [
  { type: 'customer', value: 'a-1' }, { type: 'customer', value: 'a-2' }, { type: 'email', value: 'boris@shop.bg' },
  { type: 'phone', value: '+359888123456' }, { type: 'subscriber', value: 's-9' }, { type: 'customer', value: 'gone-1' },
  // values hostile requests carry: none of them may appear
  { type: 'customer', value: 'hostile-1' }, { type: 'customer', value: 'seg-h' }, { type: 'customer', value: 'ph-h' },
  { type: 'email', value: 'hostile@x.bg' }, { type: 'customer', value: 'b-1' },
];

async function ok(answer: Promise<{ status: number; body: unknown }>): Promise<any> {
  const { status, body } = await answer;
  if (status !== 200) throw new Error(`seeding failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function startHostileServer(): Promise<HostileServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pg-hostile-'));
  const keys = { admin: '', writeA: '', secretA: '', writeB: '' };
  const server = await startTestServer(
    { graph: { dataDir, snapshotIntervalMs: 0 }, server: { bodyLimitBytes: BODY_LIMIT_BYTES } },
    (graph) => {
      keys.admin = graph.keys.createKey('*', 'admin').key;
      keys.writeA = graph.keys.createKey(TENANT, 'write').key;
      keys.secretA = graph.keys.createKey(TENANT, 'secret').key;
      keys.writeB = graph.keys.createKey(OTHER_TENANT, 'write').key;
    },
  );
  const a = `/v1/tenants/${TENANT}`;
  const key = keys.admin;
  await ok(call(server, 'POST', `${a}/events`, { key, body: { events: SEED_EVENTS } }));
  await ok(call(server, 'POST', `/v1/tenants/${OTHER_TENANT}/events`, { key, body: { id: 'b-seed', identifiers: { customer: 'b-1', email: 'ana@shop.bg' } } }));
  await ok(call(server, 'PUT', `/v1/tenants/${OTHER_TENANT}/config`, { key, body: { defaultCountry: 'RO' } }));
  await ok(call(server, 'POST', '/v1/batch', { body: { batch: [{ type: 'identify', userId: 'seg-seed', anonymousId: 'anon-seed', messageId: 'm-seed' }] }, headers: { authorization: basicAuth(keys.writeA) } }));
  for (const tenant of [TENANT, OTHER_TENANT]) {
    await ok(call(server, 'POST', `/v1/tenants/${tenant}/links`, { key, body: { url: 'https://shop.bg/x', recipient: { customer: 'a-1' }, campaign: 'c-1', channel: 'email' } }));
  }
  await ok(call(server, 'POST', `${a}/campaigns/c-1/claims`, { key, body: { channel: 'email', recipients: [{ type: 'customer', value: 'a-2' }, { type: 'email', value: 'boris@shop.bg' }] } }));
  await ok(call(server, 'POST', `${a}/erase`, { key, body: { identifiers: [{ type: 'email', value: 'gone@shop.bg' }] } }));
  const persona = (await ok(call(server, 'GET', `${a}/resolve?customer=a-1`, { key }))).persona.id as string;

  const target = {
    url: server.url, key, dataDir,
    identifiers: { [TENANT]: DIGEST_IDENTIFIERS, [OTHER_TENANT]: DIGEST_IDENTIFIERS },
  };
  return {
    server, keys, persona,
    digest: () => stateDigest(target),
    close: async () => {
      await server.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
