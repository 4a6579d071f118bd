// Isolation and auth on the analytics endpoints (the tenant routes' role × endpoint × tenant
// matrix is test/http/auth.test.ts): every Segment and PostHog path × every kind of caller × every
// place a key can travel. Events land in the presenting key's tenant and nowhere else; admin,
// unknown and revoked keys are refused; and no key, presented or real, and no stored secret ever
// shows in a log line or an answer.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, call, startTestServer, type Answer, type TestServer } from '../http/helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pg-wire-isolation-'));
let server: TestServer;
const keys = { writeA: '', secretA: '', writeB: '', admin: '', revoked: '' };
const UNKNOWN_KEY = 'unknownKey_0123456789abcdefABCDEF';
const answers: Answer[] = [];

beforeAll(async () => {
  server = await startTestServer({ graph: { dataDir, snapshotIntervalMs: 0 } }, (graph) => {
    keys.writeA = graph.keys.createKey('shop-a', 'write').key;
    keys.secretA = graph.keys.createKey('shop-a', 'secret').key;
    keys.writeB = graph.keys.createKey('shop-b', 'write').key;
    keys.admin = graph.keys.createKey('*', 'admin').key;
    const revoked = graph.keys.createKey('shop-a', 'write');
    keys.revoked = revoked.key;
    graph.keys.revokeKey(revoked.id);
  });
});
afterAll(async () => {
  await server.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

const SEGMENT_CALLS: Record<string, (userId: string) => Record<string, unknown>> = {
  identify: (userId) => ({ type: 'identify', userId }),
  track: (userId) => ({ type: 'track', event: 'Viewed', userId }),
  page: (userId) => ({ type: 'page', name: 'Home', userId }),
  screen: (userId) => ({ type: 'screen', name: 'Home', userId }),
  alias: (userId) => ({ type: 'alias', previousId: `prev-${userId}`, userId }),
  group: (userId) => ({ type: 'group', groupId: 'g-1', userId }),
};
/** path → the message body for one user id */
const SEGMENT_PATHS: [string, (userId: string) => Record<string, unknown>][] = [
  ...Object.entries(SEGMENT_CALLS).flatMap(([name, body]): [string, typeof body][] => [[`/v1/${name}`, body], [`/v1/${name[0]}`, body]]),
  ...['/v1/batch', '/v1/b'].map((path): [string, (userId: string) => Record<string, unknown>] => [path, (userId) => ({ batch: [SEGMENT_CALLS.identify(userId)] })]),
];
const POSTHOG_PATHS = ['/batch/', '/capture/', '/e/', '/i/v0/e/'];

interface Caller {
  name: string;
  key: string | undefined;
  /** The tenant its events must land in; undefined: refused with `status`. */
  tenant?: string;
  status?: number;
}
const callers = (): Caller[] => [
  { name: 'write A', key: keys.writeA, tenant: 'shop-a' },
  { name: 'secret A', key: keys.secretA, tenant: 'shop-a' },
  { name: 'write B', key: keys.writeB, tenant: 'shop-b' },
  { name: 'admin', key: keys.admin, status: 403 },
  { name: 'unknown', key: UNKNOWN_KEY, status: 401 },
  { name: 'revoked', key: keys.revoked, status: 401 },
  { name: 'none', key: undefined, status: 401 },
];

/** Every way a key travels to a wire endpoint: the request for `userId`. */
interface WireRequest { via: string; path: string; body: unknown; headers: Record<string, string> }

function segmentRequests(path: string, body: (userId: string) => Record<string, unknown>, key: string | undefined, userId: string): WireRequest[] {
  return [
    { via: 'Basic auth', body: body(userId), headers: key ? { authorization: basicAuth(key) } : {} as Record<string, string> },
    { via: 'body writeKey', body: key ? { ...body(userId), writeKey: key } : body(userId), headers: {} },
  ].map((r) => ({ ...r, path }));
}

function posthogRequests(path: string, key: string | undefined, userId: string): WireRequest[] {
  const event = { event: '$pageview', distinct_id: userId, properties: { $is_identified: true } };
  const withKey = key ? { ...event, api_key: key } : event;
  const inProperties = key ? { ...event, properties: { ...event.properties, token: key } } : event;
  return [
    { via: 'api_key', body: path === '/batch/' ? { ...(key ? { api_key: key } : {}), batch: [event] } : withKey },
    { via: 'properties.token', body: path === '/batch/' ? { batch: [inProperties] } : inProperties },
  ].map((r) => ({ ...r, path, headers: {} }));
}

async function landedIn(userId: string): Promise<string[]> {
  const tenants: string[] = [];
  for (const tenant of ['shop-a', 'shop-b']) {
    const answer = await call(server, 'GET', `/v1/tenants/${tenant}/resolve?customer=${userId}`, { key: keys.admin });
    if (answer.status === 200) tenants.push(tenant);
  }
  return tenants;
}

describe('analytics endpoints × callers × key placement', () => {
  it('puts events in the key\'s own tenant only, and refuses admin, unknown, revoked and missing keys', async () => {
    const wrong: string[] = [];
    let n = 0;
    for (const caller of callers()) {
      const requests = [
        ...SEGMENT_PATHS.flatMap(([path, body]) => segmentRequests(path, body, caller.key, `w-${n++}`)),
        ...POSTHOG_PATHS.flatMap((path) => posthogRequests(path, caller.key, `w-${n++}`)),
      ];
      for (const request of requests) {
        const userId = JSON.stringify(request.body).match(/"(w-\d+)"/)![1];
        const answer = await call(server, 'POST', request.path, { body: request.body, headers: request.headers });
        answers.push(answer);
        const landed = await landedIn(userId);
        const label = `${request.path} as ${caller.name} via ${request.via}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}, landed in [${landed}]`;
        if (caller.tenant) {
          if (answer.status !== 200 || answer.body.accepted !== 1 || landed.join() !== caller.tenant) wrong.push(label);
        } else if (answer.status !== caller.status || answer.body?.error?.code === undefined || landed.length > 0) {
          wrong.push(label);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a batch whose events carry keys of two tenants, and stores none of it', async () => {
    const segment = await call(server, 'POST', '/v1/batch', { body: { batch: [
      { ...SEGMENT_CALLS.identify('mix-1'), writeKey: keys.writeA }, { ...SEGMENT_CALLS.identify('mix-2'), writeKey: keys.writeB },
    ] } });
    const posthog = await call(server, 'POST', '/batch/', { body: { batch: [
      { event: 'e', distinct_id: 'mix-3', api_key: keys.writeA, properties: { $is_identified: true } },
      { event: 'e', distinct_id: 'mix-4', properties: { token: keys.writeB, $is_identified: true } },
    ] } });
    answers.push(segment, posthog);
    for (const answer of [segment, posthog]) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('conflicting_keys');
    }
    for (const userId of ['mix-1', 'mix-2', 'mix-3', 'mix-4']) expect(await landedIn(userId)).toEqual([]);
  });
});

describe('secrets', () => {
  it('stores keys only as SHA-256 hashes, looked up by hash: a key with one character changed is unknown', async () => {
    const db = new Database(join(dataDir, 'store.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM api_keys').all() as { hash: Buffer }[];
    db.close();
    const hashes = rows.map((row) => row.hash.toString('hex'));
    for (const key of Object.values(keys)) expect(hashes).toContain(createHash('sha256').update(key).digest('hex'));
    const files = ['store.db', 'store.db-wal'].map((f) => join(dataDir, f)).filter(existsSync).map((f) => readFileSync(f));
    for (const key of Object.values(keys)) expect(files.some((bytes) => bytes.includes(key))).toBe(false);

    const changed = keys.secretA.slice(0, -1) + (keys.secretA.endsWith('A') ? 'B' : 'A');
    const answer = await call(server, 'GET', '/v1/tenants/shop-a/config', { key: changed });
    answers.push(answer);
    expect(answer.status).toBe(401);
    expect(server.graph.keys.findKey(changed)).toBeNull();
    expect(server.graph.keys.findKey(keys.secretA)).toMatchObject({ tenant: 'shop-a', role: 'secret' });
    // a key is its secret: nothing a listing returns contains it
    expect(JSON.stringify(server.graph.keys.listKeys())).not.toContain(keys.secretA);
  });

  it('never shows a key (real or presented), a Basic credential, a link secret or an erasure salt in a log line or an answer', async () => {
    // make the store hold a link-signing secret and an erasure salt
    answers.push(await call(server, 'POST', '/v1/tenants/shop-a/links', { key: keys.secretA, body: { url: 'https://shop.bg/p', recipient: { customer: 'w-0' }, campaign: 'c', channel: 'email' } }));
    answers.push(await call(server, 'POST', '/v1/tenants/shop-a/erase', { key: keys.secretA, body: { identifiers: [{ type: 'customer', value: 'w-1' }] } }));
    const db = new Database(join(dataDir, 'store.db'), { readonly: true });
    const blobs = [
      ...db.prepare<[], Buffer>('SELECT secret FROM link_secrets').pluck().all(),
      ...db.prepare<[], Buffer>('SELECT salt FROM erasure_salts').pluck().all(),
    ];
    db.close();
    expect(blobs.length).toBe(2);
    const logs = server.logText();
    const texts = [logs, ...answers.map((a) => JSON.stringify(a.body)), ...answers.map((a) => JSON.stringify([...a.headers]))];
    const secrets = [
      ...Object.values(keys), UNKNOWN_KEY, ...Object.values(keys).map((k) => basicAuth(k).slice('Basic '.length)),
      ...blobs.flatMap((blob) => ['hex', 'base64', 'base64url'].map((encoding) => blob.toString(encoding as BufferEncoding))),
    ];
    const leaks = secrets.flatMap((secret) => texts.filter((text) => text.includes(secret)).map((text) => `${secret.slice(0, 6)}… in ${text.slice(0, 120)}`));
    expect(leaks).toEqual([]);
    expect(server.logs.length).toBeGreaterThan(100);
  });
});
