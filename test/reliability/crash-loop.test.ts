// Crash safety of the real server process: `persona-graph serve` under sustained ingest is killed
// with SIGKILL at seeded random moments (some while it is still recovering), 20 times, and
// restarted on the same data directory. Afterwards it must hold every acknowledged event, none
// applied twice, and answer exactly as a never-killed graph fed the same batches in the same order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import type { Identifier, Persona } from '../../host/types.js';
import type { PersonaGraphView } from '../../host/service/views.js';
import { Random } from '../../bench/quality/random.js';
import { spawnCliServer, type ServerProcess } from '../../bench/soak/server-process.js';
import { Traffic, identifiersOf } from '../../bench/soak/traffic.js';
import { call } from '../http/helpers.js';
import { canonicalGraph, canonicalPersona } from './canonical.js';
import { CrashLoadClient, CurrentServer, type SentBatch } from './crash-load.js';

const SEED = 0x5eed_c4a5;
const KILLS = 20;
/** Every this many kills, the kill lands while the server is still starting (recovering). */
const STARTUP_KILL_EVERY = 5;
/** After these kills the next server is also stopped gracefully once, which writes snapshots. */
const GRACEFUL_AFTER_KILLS = new Set([7, 14]);
const KILL_AFTER_READY_MS: [number, number] = [150, 1200];
const TENANTS = ['crash-a', 'crash-b', 'crash-c'];
const POPULATION = 400;
const BATCH_SIZE = 20;
const LOOKUP_CHUNK = 5000;
const TEST_TIMEOUT_MS = 420_000;

const dataDir = mkdtempSync(join(tmpdir(), 'pg-crash-loop-'));
const children: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill9()));
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(): Promise<ServerProcess> {
  const server = await spawnCliServer(dataDir);
  children.push(server);
  return server;
}

/** Spawns a server and SIGKILLs it `afterMs` after spawning, whether or not it got to listen. */
async function startAndKillDuringStartup(afterMs: number, servers: CurrentServer): Promise<'before listening' | 'after listening'> {
  let pid = 0;
  const killer = sleep(afterMs).then(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone: the spawn below reports why
    }
  });
  try {
    const server = await spawnCliServer(dataDir, { onSpawn: (child) => { pid = child.pid!; } });
    children.push(server);
    servers.publish(server.url);
    await killer;
    await server.exited;
    servers.withdraw();
    return 'after listening';
  } catch (error) {
    await killer;
    // only our kill may stop it: any other early exit is a failed recovery
    if (!String(error).includes('SIGKILL')) throw error;
    return 'before listening';
  }
}

async function postJson<T>(url: string, path: string, body: unknown): Promise<T> {
  const answer = await call({ url }, 'POST', path, { body });
  if (answer.status !== 200) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body as T;
}

async function resolveAll(url: string, tenant: string, identifiers: Identifier[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < identifiers.length; i += LOOKUP_CHUNK) {
    const { personas } = await postJson<{ personas: (string | null)[] }>(url, `/v1/tenants/${tenant}/resolve`, { identifiers: identifiers.slice(i, i + LOOKUP_CHUNK) });
    out.push(...personas);
  }
  return out;
}

async function getJson<T>(url: string, path: string): Promise<T> {
  const answer = await call({ url }, 'GET', path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body as T;
}

describe('crash loop: 20 × SIGKILL of the server process under sustained ingest', () => {
  it('keeps every acknowledged event, applies none twice, and answers like a never-killed graph', async () => {
    const random = new Random(SEED);
    const servers = new CurrentServer();
    const traffics = TENANTS.map((tenant, i) => new Traffic(SEED + i, tenant, POPULATION));
    const client = new CrashLoadClient(servers, traffics, BATCH_SIZE);
    const killsWithRequestsInFlight: number[] = [];
    let lastStartupMs = 3000;
    const startupKills: string[] = [];

    for (let kill = 1; kill <= KILLS; kill++) {
      if (kill % STARTUP_KILL_EVERY === 0) {
        startupKills.push(await startAndKillDuringStartup(Math.round(lastStartupMs * (0.3 + 0.6 * random.next())), servers));
        continue;
      }
      const server = await start();
      lastStartupMs = server.startupMs;
      servers.publish(server.url);
      await sleep(random.int(...KILL_AFTER_READY_MS));
      killsWithRequestsInFlight.push(client.requestsInFlight);
      await server.kill9();
      servers.withdraw();
      if (GRACEFUL_AFTER_KILLS.has(kill)) {
        const graceful = await start();
        servers.publish(graceful.url);
        await sleep(random.int(...KILL_AFTER_READY_MS));
        servers.withdraw();
        expect(await graceful.stop(), graceful.recentOutput()).toBe(0);
      }
    }

    const final = await start();
    servers.publish(final.url);
    await client.stop();
    expect(client.unexpected).toEqual([]);

    // the kills hit a busy server, not an idle one
    const busyKills = killsWithRequestsInFlight.filter((n) => n > 0).length;
    expect(busyKills, `requests in flight at each kill: ${killsWithRequestsInFlight}`).toBeGreaterThanOrEqual(killsWithRequestsInFlight.length * 0.75);
    expect(startupKills.length).toBe(KILLS / STARTUP_KILL_EVERY);

    // every batch was answered once in the end: whole, never half (a batch is one transaction)
    const byTenant = new Map<string, SentBatch[]>(TENANTS.map((t) => [t, []]));
    for (const batch of client.batches) byTenant.get(batch.tenant)!.push(batch);
    const retried = client.batches.filter((b) => b.lostAnswers > 0);
    for (const batch of client.batches) {
      const whole = batch.lostAnswers > 0
        ? (batch.accepted === BATCH_SIZE && batch.duplicates === 0) || (batch.accepted === 0 && batch.duplicates === BATCH_SIZE)
        : batch.accepted === BATCH_SIZE && batch.duplicates === 0;
      expect(whole, `${batch.tenant} ${batch.events[0].id}: lost ${batch.lostAnswers}, accepted ${batch.accepted}, duplicates ${batch.duplicates}`).toBe(true);
    }
    expect(retried.length).toBeGreaterThan(0);
    expect(client.batches.length).toBeGreaterThan(KILLS * 5);

    // the never-killed reference: the same batches, each once, in each tenant's send order
    const reference = await PersonaGraph.open({ shards: 1 });
    try {
      for (const [tenant, batches] of byTenant) {
        for (const batch of batches) await reference.ingest(tenant, { events: batch.events });
      }
      for (const [tenant, batches] of byTenant) {
        const events = batches.flatMap((b) => b.events);
        const identifiers = identifiersOf(events);
        const served = await resolveAll(final.url, tenant, identifiers);
        const expected = await reference.resolve(tenant, identifiers);
        expect(expected.every((p) => p !== null)).toBe(true);
        expect(served).toEqual(expected);

        for (const id of new Set(expected as string[])) {
          const persona = await getJson<Persona>(final.url, `/v1/tenants/${tenant}/personas/${id}`);
          expect(canonicalPersona(persona)).toEqual(canonicalPersona((await reference.persona(tenant, id))!));
          const graph = await getJson<PersonaGraphView>(final.url, `/v1/tenants/${tenant}/personas/${id}/graph`);
          // an event applied twice would show its evidence twice
          expect(canonicalGraph(graph)).toEqual(canonicalGraph((await reference.graph(tenant, id))!));
        }

        // and nothing acknowledged is missing: sending it all again finds only duplicates
        for (let i = 0; i < events.length; i += LOOKUP_CHUNK) {
          const again = await postJson<{ accepted: number; duplicates: number }>(final.url, `/v1/tenants/${tenant}/events`, { events: events.slice(i, i + LOOKUP_CHUNK) });
          expect(again).toMatchObject({ accepted: 0, duplicates: Math.min(LOOKUP_CHUNK, events.length - i) });
        }
      }
    } finally {
      await reference.close();
    }
    expect(await final.stop(), final.recentOutput()).toBe(0);
    console.info(`crash loop: ${KILLS} kills (${startupKills.join(', ')} for the startup kills), ${client.batches.length} batches, ` +
      `${retried.length} answers lost (${retried.filter((b) => b.duplicates > 0).length} of them had been durable), ` +
      `requests in flight at the kills: ${killsWithRequestsInFlight.join(' ')}`);
  }, TEST_TIMEOUT_MS);
});
