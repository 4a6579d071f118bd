// Erase for good, through HTTP: DELETE .../personas/{id} and POST .../erase take the values out of
// the graph, the API, every stored row and the bytes of the files (database, WAL, snapshots);
// only salted hashes are kept; the erasures show in the changes feed; and nothing comes back by
// restart, by recovery from the log alone, or after compaction.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

const TENANT = 'shop-e';
const T = `/v1/tenants/${TENANT}`;
const DEVICE = '0c8a3f5e-6b1d-4e2a-9f7c-5d4e3b2a1c0f';
/** Every value of the erased person, as stored (normalized) and as sent. */
const PERSON = { customer: 'cust-erase-7', email: 'erase.me@mail.bg', email2: 'second.erase@mail.bg', phone: '+359888765432', device: DEVICE };
const TRAIT = 'Eraseme Secretname';
const ERASED_SUBSCRIBER = 'sub-erase-9';
const ERASED = [...Object.values(PERSON), TRAIT, ERASED_SUBSCRIBER];

const dirs: string[] = [];
const dataDir = tempDir();
let server: TestServer;
/** The graph `server` serves, for what HTTP does not offer (snapshots, compaction). */
let graph: PersonaGraph;
let key = '';
let erasedPersona = '';
let keptPersona = '';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-erase-'));
  dirs.push(dir);
  return dir;
}

async function start(dir = dataDir): Promise<TestServer> {
  return startTestServer({ graph: { dataDir: dir, snapshotIntervalMs: 0 } }, (opened) => {
    graph = opened;
    if (key === '') key = opened.keys.createKey(TENANT, 'secret').key;
  });
}

beforeAll(async () => {
  server = await start();
  const events = [
    { id: 'e-1', type: 'login', timestamp: '2026-02-01T10:00:00.000Z', identifiers: { customer: PERSON.customer, email: PERSON.email, phone: '0888 765 432', device: DEVICE }, traits: { name: TRAIT } },
    { id: 'e-2', type: 'checkout', timestamp: '2026-02-02T10:00:00.000Z', identifiers: { customer: PERSON.customer, email: PERSON.email2 } },
    { id: 'e-3', type: 'login', timestamp: '2026-02-03T10:00:00.000Z', identifiers: { customer: 'cust-keep-1', email: 'keep.partly@mail.bg', subscriber: ERASED_SUBSCRIBER } },
    { id: 'e-4', type: 'login', timestamp: '2026-02-04T10:00:00.000Z', identifiers: { customer: 'cust-other', email: 'other@mail.bg' } },
  ];
  expect((await call(server, 'POST', `${T}/events`, { key, body: { events } })).body).toMatchObject({ accepted: 4 });
  erasedPersona = (await call(server, 'GET', `${T}/resolve?customer=${PERSON.customer}`, { key })).body.persona.id;
  keptPersona = (await call(server, 'GET', `${T}/resolve?customer=cust-keep-1`, { key })).body.persona.id;
  // a snapshot taken before the erasure holds the values: the erasure must not leave it behind
  await graph.snapshot();
});
afterAll(async () => {
  await server.shutdown();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every file of a data directory whose bytes could hold a value: database, WAL, snapshots. */
function storedFiles(dir: string): string[] {
  const snapshots = join(dir, 'snapshots');
  return [
    ...['store.db', 'store.db-wal'].map((f) => join(dir, f)).filter(existsSync),
    ...(existsSync(snapshots) ? readdirSync(snapshots).map((f) => join(snapshots, f)) : []),
  ];
}

/** Which of `values` occur in the bytes of the stored files (UTF-8). */
function valuesInFiles(dir: string, values: string[]): string[] {
  const found: string[] = [];
  for (const file of storedFiles(dir)) {
    const bytes = readFileSync(file);
    for (const value of values) if (bytes.includes(value)) found.push(`${value} in ${file.slice(dir.length + 1)}`);
  }
  return found;
}

/** Which of `values` occur in any row of any table of the database. */
function valuesInRows(dir: string, values: string[]): string[] {
  const db = new Database(join(dir, 'store.db'), { readonly: true });
  try {
    const found: string[] = [];
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const table of tables) {
      const text = JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all());
      for (const value of values) if (text.includes(value)) found.push(`${value} in ${table}`);
    }
    return found;
  } finally {
    db.close();
  }
}

async function expectGoneFromApi(target: TestServer): Promise<void> {
  for (const [type, value] of [['customer', PERSON.customer], ['email', PERSON.email], ['email', PERSON.email2], ['phone', PERSON.phone], ['device', DEVICE], ['subscriber', ERASED_SUBSCRIBER]]) {
    expect((await call(target, 'GET', `${T}/resolve?${type}=${encodeURIComponent(value)}`, { key })).status, `${type} ${value}`).toBe(404);
  }
  expect((await call(target, 'GET', `${T}/personas/${erasedPersona}`, { key })).status).toBe(404);
  const kept = await call(target, 'GET', `${T}/personas/${keptPersona}`, { key });
  expect(kept.body.identifiers.map((i: { value: string }) => i.value).sort()).toEqual(['cust-keep-1', 'keep.partly@mail.bg']);
  const graph = await call(target, 'GET', `${T}/personas/${keptPersona}/graph`, { key });
  expect(JSON.stringify(graph.body)).not.toContain(ERASED_SUBSCRIBER);
  expect((await call(target, 'GET', `${T}/resolve?customer=cust-other`, { key })).status).toBe(200);
}

describe('erase for good', () => {
  it('finds the values everywhere before the erasure (so the searches below can fail)', () => {
    for (const value of [PERSON.email, TRAIT]) expect(valuesInFiles(dataDir, [value]), value).not.toEqual([]);
    for (const value of ERASED) expect(valuesInRows(dataDir, [value]), value).not.toEqual([]);
  });

  it('erases through DELETE .../personas/{id} and POST .../erase, and lists both in changes', async () => {
    const deleted = await call(server, 'DELETE', `${T}/personas/${erasedPersona}`, { key });
    expect(deleted.body).toEqual({ erased: Object.keys(PERSON).length });
    const erased = await call(server, 'POST', `${T}/erase`, { key, body: { identifiers: [{ type: 'subscriber', value: ERASED_SUBSCRIBER }] } });
    expect(erased.body).toEqual({ erased: 1 });
    await expectGoneFromApi(server);
    const changes = (await call(server, 'GET', `${T}/changes`, { key })).body.changes as { kind: string; personas: string[] }[];
    const erasures = changes.filter((c) => c.kind === 'erase');
    expect(erasures.some((c) => c.personas.includes(erasedPersona))).toBe(true);
    expect(erasures.some((c) => c.personas.includes(keptPersona))).toBe(true);
  });

  it('leaves no erased value (nor its traits) in any stored row; erased values are kept as salted hashes', () => {
    expect(valuesInRows(dataDir, ERASED)).toEqual([]);
    const db = new Database(join(dataDir, 'store.db'), { readonly: true });
    const hashes = db.prepare<[], string>('SELECT hash FROM erased_values').pluck().all();
    db.close();
    expect(hashes.length).toBe(ERASED.length - 1); // every value but the trait
    const unsalted = ERASED.flatMap((v) => [v, ...['customer', 'email', 'phone', 'device', 'subscriber'].map((t) => `${t}\0${v}`)])
      .map((v) => createHash('sha256').update(v).digest('hex'));
    expect(hashes.filter((h) => unsalted.includes(h))).toEqual([]);
  });

  it('leaves no erased value in the bytes of the database, its WAL or the snapshots', () => {
    expect(valuesInFiles(dataDir, ERASED)).toEqual([]);
  });

  it('brings nothing back on restart, on recovery from the log alone, or on a client re-sending the erased events', async () => {
    await server.shutdown();
    const logOnly = tempDir();
    cpSync(dataDir, logOnly, { recursive: true });
    rmSync(join(logOnly, 'snapshots'), { recursive: true, force: true });
    rmSync(join(logOnly, 'LOCK.db'), { force: true });
    const replayed = await start(logOnly);
    try {
      await expectGoneFromApi(replayed);
    } finally {
      await replayed.shutdown();
    }
    server = await start();
    await expectGoneFromApi(server);
    const again = await call(server, 'POST', `${T}/events`, { key, body: { events: [{ id: 'e-1', identifiers: { customer: PERSON.customer } }] } });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    await expectGoneFromApi(server);
  });

  it('stays gone after snapshot and log compaction, and after a restart from the compacted store', async () => {
    await graph.snapshot();
    await graph.snapshot();
    const { entries } = await graph.compact();
    expect(entries).toBeGreaterThan(0);
    await expectGoneFromApi(server);
    expect(valuesInRows(dataDir, ERASED)).toEqual([]);
    await server.shutdown();
    const reopened = await PersonaGraph.open({ dataDir });
    try {
      expect(await reopened.resolve(TENANT, [{ type: 'email', value: PERSON.email }, { type: 'customer', value: 'cust-keep-1' }])).toEqual([null, keptPersona]);
    } finally {
      await reopened.close();
    }
    server = await start();
    await expectGoneFromApi(server);
  });

  it('leaves no erased value in the file bytes once the store was checkpointed and reopened', () => {
    expect(valuesInFiles(dataDir, ERASED)).toEqual([]);
  });
});

describe('erase after a settings change', () => {
  it('erases an email stored before emailCanonical changed (api-contract: changing settings never loses data)', async () => {
    const graph = await PersonaGraph.open({ shards: 1 });
    try {
      await graph.configure('shop-canon', { emailCanonical: false });
      await graph.ingest('shop-canon', [{ type: 'login', identifiers: { customer: 'g-1', email: 'Jo.Hn+news@gmail.com' } }]);
      await graph.configure('shop-canon', { emailCanonical: true });
      await graph.erase('shop-canon', [{ type: 'email', value: 'Jo.Hn+news@gmail.com' }]);
      const persona = await graph.personaOf('shop-canon', { type: 'customer', value: 'g-1' });
      expect(persona?.identifiers.map((i) => i.type)).toEqual(['customer']);
    } finally {
      await graph.close();
    }
  });
});
