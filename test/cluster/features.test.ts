// Cluster mode offers the whole facade: claims, signed links, the change feed, erasure and
// quality summaries, answered by the partition owner (forwarded from any node) like the embedded
// mode answers them, durable through the log (a new owner recovering from snapshot + log knows
// them); API keys live in the cluster, so a key made once works on every node.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/service/persona-graph.js';
import type { ClusterGraph } from '../../host/service/cluster/cluster-graph.js';
import { ClusterKeyStore } from '../../host/service/cluster/cluster-keys.js';
import { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { partitionOf, partitionStreamName } from '../../host/store/jetstream-partitions.js';
import { startSingleServer, stopAll, type NatsServer } from '../cluster-store/nats-servers.js';
import { openNode, settled, sleep, TEST_PARTITIONS } from './helpers.js';
import { personEvents } from './workload.js';

const CLI = fileURLToPath(new URL('../../host/cli.ts', import.meta.url));
const PEOPLE = 12;
const TENANTS = ['feat-a', 'feat-b', 'feat-c'];
/** How long a KV change may take to reach another node's mirror. */
const PROPAGATION_MS = 5_000;

let server: NatsServer;
let nodes: ClusterGraph[] = [];
let embedded: PersonaGraph;

beforeAll(async () => {
  server = await startSingleServer('cluster-features');
  nodes = await Promise.all([openNode([server], 'feat-1'), openNode([server], 'feat-2')]);
  embedded = await PersonaGraph.open({ shards: 1 });
  await settled(nodes);
  for (const tenant of TENANTS) {
    await nodes[0].ingest(tenant, { events: personEvents(tenant, PEOPLE) });
    await embedded.ingest(tenant, { events: personEvents(tenant, PEOPLE) });
    // a later event linking two people's records: a merge in the change feed
    const link = [{ id: `${tenant}-link`, identifiers: { customer: 'c-0', email: 'person1@example.bg' } }];
    await nodes[1].ingest(tenant, link);
    await embedded.ingest(tenant, link);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await embedded?.close();
  await stopAll(server ? [server] : []);
});

const audience = (tenant: string, from: number, to: number) => ({
  channel: 'email',
  recipients: Array.from({ length: to - from }, (_, i) => ({ type: 'customer', value: `c-${from + i}` })),
});

/** The node that does not own the tenant's partition (requests to it are forwarded). */
function notOwner(tenant: string): ClusterGraph {
  return nodes.find((n) => !n.ownedPartitions().includes(partitionOf(tenant, TEST_PARTITIONS)))!;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + PROPAGATION_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${PROPAGATION_MS} ms: ${what}`);
    await sleep(25);
  }
}

describe('cluster mode features', () => {
  it('claims like the embedded mode, from any node, each persona once per campaign', async () => {
    const tenant = TENANTS[0];
    const { seq, ...first } = await notOwner(tenant).claim(tenant, 'spring', audience(tenant, 0, 6));
    expect(seq).toBeGreaterThan(0);
    expect(first).toEqual(await embedded.claim(tenant, 'spring', audience(tenant, 0, 6)));
    expect(first.recipients.length).toBe(5); // c-0 and c-1 are one person since the linking event
    const { seq: _seq, ...overlapping } = await nodes[0].claim(tenant, 'spring', audience(tenant, 3, 9));
    expect(overlapping).toEqual(await embedded.claim(tenant, 'spring', audience(tenant, 3, 9)));
    expect(overlapping.stats.alreadyClaimed).toBe(3);
    const otherCampaign = await nodes[1].claim(tenant, 'summer', audience(tenant, 0, 3));
    expect(otherCampaign.stats.alreadyClaimed).toBe(0);
    await expect(nodes[0].claim(tenant, '', audience(tenant, 0, 1))).rejects.toMatchObject({ status: 400, code: 'invalid_campaign' });
  });

  it('signs links on any node with one cluster-wide secret that every owner verifies, also after rotation', async () => {
    const tenant = TENANTS[1];
    const link = await notOwner(tenant).createLink(tenant, { url: 'https://shop.example/x', recipient: { customer: 'c-1' }, campaign: 'spring', channel: 'email' });
    expect(link.url).toContain(link.token);
    await notOwner(tenant).rotateLinkSecret(tenant);
    const device = 'ffffffff-0000-4000-8000-00000000abcd';
    const result = await nodes[0].ingest(tenant, [{ id: 'click-1', type: 'click', token: link.token, identifiers: { device } }]);
    expect(result).toMatchObject({ accepted: 1, errors: [] });
    const [clicked, customer] = await nodes[1].resolve(tenant, [{ type: 'device', value: device }, { type: 'customer', value: 'c-1' }]);
    expect(clicked).toBe(customer);
    const forged = await nodes[0].ingest(tenant, [{ id: 'click-2', type: 'click', token: `${link.token.slice(0, -2)}xx`, identifiers: { device } }]);
    expect(forged.accepted).toBe(0);
    expect(forged.errors[0]).toMatchObject({ field: 'token', error: { code: 'invalid_token' } });
  });

  it('serves the change feed and quality summaries as the embedded mode does', async () => {
    const tenant = TENANTS[2];
    const strip = (page: { changes: { kind: string; personas: string[] }[] }) => page.changes.map((c) => ({ kind: c.kind, personas: c.personas }));
    const viaCluster = await notOwner(tenant).changes(tenant);
    expect(strip(viaCluster)).toEqual(strip(await embedded.changes(tenant)));
    expect(viaCluster.changes.length).toBeGreaterThan(0);
    const rest = await nodes[0].changes(tenant, viaCluster.changes[0].cursor);
    expect(rest.changes).toEqual(viaCluster.changes.slice(1));
    expect(rest.cursor).toBe(viaCluster.cursor);
    const { at: _clusterAt, ...quality } = await notOwner(tenant).quality(tenant);
    const { at: _embeddedAt, ...expected } = await embedded.quality(tenant);
    expect(quality).toEqual(expected);
  });

  it('erases identifiers for good: out of the graph, the log and future events', async () => {
    const tenant = TENANTS[2];
    const email = 'person4@example.bg';
    const [before] = await nodes[0].resolve(tenant, [{ type: 'email', value: email }]);
    expect(before).not.toBeNull();
    const erased = await notOwner(tenant).erase(tenant, [{ type: 'email', value: email }]);
    expect(erased).toMatchObject({ erased: 1 });
    // the answer's seq is a read-your-writes position, on any node
    for (const node of nodes) expect(await node.resolve(tenant, [{ type: 'email', value: email }], { minSeq: erased.seq })).toEqual([null]);
    expect(await streamMentions(tenant, email)).toBe(false);
    // sent again later: stored as sent (like the embedded log) but never back in the graph
    await nodes[0].ingest(tenant, [{ id: 'again-1', identifiers: { email, customer: 'c-4' } }]);
    expect(await nodes[0].resolve(tenant, [{ type: 'email', value: email }])).toEqual([null]);
    const persona = await nodes[0].personaOf(tenant, { type: 'customer', value: 'c-5' });
    expect(await notOwner(tenant).deletePersona(tenant, persona!.id)).toMatchObject({ erased: 4 });
    expect(await nodes[0].personaOf(tenant, { type: 'customer', value: 'c-5' })).toBeNull();
    expect((await nodes[1].changes(tenant)).changes.some((c) => c.kind === 'erase')).toBe(true);
  });

  it('shares API keys: made once (as the CLI does), checked by every node, revoked everywhere', async () => {
    const conn = await JetStreamConnection.connect({ servers: server.url });
    const admin = await ClusterKeyStore.open(conn);
    try {
      const created = await admin.create('feat-a', 'secret');
      await eventually(() => nodes.every((n) => n.keys.findKey(created.key)?.id === created.id), 'the key reached every node');
      expect(nodes[1].keys.listKeys().map((k) => k.id)).toContain(created.id);
      expect(nodes[0].keys.findKey(`${created.key}x`)).toBeNull();
      expect(await admin.revoke(created.id)).toBe(true);
      expect(await admin.revoke(created.id)).toBe(false);
      await eventually(() => nodes.every((n) => n.keys.findKey(created.key) === null), 'the revocation reached every node');
    } finally {
      admin.close();
      await conn.close();
    }
  });

  it('manages cluster keys from the CLI (keys create / list / revoke --log)', async () => {
    const created = (await cli('keys', 'create', '--tenant', 'feat-b', '--role', 'write', '--log', server.url)).trim();
    expect(created).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await eventually(() => nodes.every((n) => n.keys.findKey(created)?.tenant === 'feat-b'), 'the CLI-made key reached every node');
    const id = nodes[0].keys.findKey(created)!.id;
    expect(await cli('keys', 'list', '--log', server.url)).toMatch(new RegExp(`^${id}\tfeat-b\twrite\t.*\tactive$`, 'm'));
    await cli('keys', 'revoke', id, '--log', server.url);
    await eventually(() => nodes.every((n) => n.keys.findKey(created) === null), 'the CLI revocation reached every node');
  }, 60_000);

  it('keeps claims, changes and erasures when a new node takes partitions over (snapshot + log)', async () => {
    const tenant = TENANTS[0];
    await nodes[0].erase(tenant, [{ type: 'email', value: 'person11@example.bg' }]);
    await Promise.all(nodes.map((n) => n.snapshot()));
    await nodes[1].claim(tenant, 'spring', audience(tenant, 9, 10)); // after the snapshots: from the log
    const changes = await nodes[0].changes(tenant);
    expect(changes.changes.map((c) => c.kind)).toContain('erase');
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [await openNode([server], 'feat-3')];
    await settled(nodes);
    expect(await nodes[0].changes(tenant)).toEqual(changes);
    // c-0..c-9 (9 personas) were claimed, c-9 after the snapshots; c-10 is new; c-11's address was erased
    const again = await nodes[0].claim(tenant, 'spring', audience(tenant, 0, 12));
    expect(again.stats.alreadyClaimed).toBe(9);
    expect(again.recipients.map((r) => r.address)).toEqual(['person10@example.bg']);
    await nodes[0].ingest(tenant, [{ id: 'late-11', identifiers: { email: 'person11@example.bg', customer: 'c-11' } }]);
    expect(await nodes[0].resolve(tenant, [{ type: 'email', value: 'person11@example.bg' }])).toEqual([null]);
  });
});

/** Runs the persona-graph CLI; resolves with its stdout, rejects when it exits non-zero. */
function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Whether any message of the tenant's partition stream still contains `text`. */
async function streamMentions(tenant: string, text: string): Promise<boolean> {
  const conn = await JetStreamConnection.connect({ servers: server.url });
  try {
    const stream = partitionStreamName(partitionOf(tenant, TEST_PARTITIONS));
    const info = await conn.jsm.streams.info(stream);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await conn.jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (message && Buffer.from(message.data).toString('utf8').includes(text)) return true;
    }
    return false;
  } finally {
    await conn.close();
  }
}
