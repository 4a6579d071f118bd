// Two cluster nodes over one nats-server (replicas 1): ownership split between them, forwarding,
// the same answers as the embedded mode, read-your-writes, and recovery from snapshot + log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/service/persona-graph.js';
import type { ClusterGraph } from '../../host/service/cluster/cluster-graph.js';
import { partitionOf, partitionStreamName } from '../../host/store/jetstream-partitions.js';
import { startSingleServer, stopAll, type NatsServer } from '../cluster-store/nats-servers.js';
import { openNode, settled, TEST_PARTITIONS } from './helpers.js';
import { batches, personEvents } from './workload.js';

const TENANTS = ['shop-a', 'shop-b', 'shop-c', 'shop-d', 'shop-e', 'shop-f'];
const PEOPLE = 20;
const BATCH = 10;

let server: NatsServer;
let nodes: ClusterGraph[] = [];
let embedded: PersonaGraph;

beforeAll(async () => {
  server = await startSingleServer('cluster-single');
  nodes = await Promise.all([openNode([server], 'node-a'), openNode([server], 'node-b')]);
  embedded = await PersonaGraph.open({ shards: 2 });
}, 30_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await embedded?.close();
  await stopAll(server ? [server] : []);
});

/** Every identifier of the workload with the persona it resolves to, and that persona (id left out: compared by membership). */
async function answers(graph: Pick<PersonaGraph, 'resolve' | 'persona'>, tenant: string) {
  const events = personEvents(tenant, PEOPLE);
  const identifiers = events.flatMap((e) => Object.entries(e.identifiers).map(([type, value]) => ({ type, value }))) as { type: 'email'; value: string }[];
  const ids = await graph.resolve(tenant, identifiers);
  const personas = await Promise.all([...new Set(ids)].map((id) => graph.persona(tenant, id!)));
  return { ids, personas: personas.sort((a, b) => a!.id.localeCompare(b!.id)) };
}

describe('cluster mode on one nats-server with two nodes', () => {
  it('splits the partitions between the nodes, each owned by exactly one', async () => {
    const owners = await settled(nodes);
    expect(new Set(owners.values())).toEqual(new Set(['node-a', 'node-b']));
    expect(owners.size).toBe(TEST_PARTITIONS);
  });

  it('gives the same answers as the embedded mode, whichever node takes each request', async () => {
    for (const tenant of TENANTS) {
      for (const [i, batch] of batches(personEvents(tenant, PEOPLE), BATCH).entries()) {
        const viaCluster = await nodes[i % 2].ingest(tenant, { events: batch });
        const viaEmbedded = await embedded.ingest(tenant, { events: batch });
        expect(viaCluster.accepted).toBe(viaEmbedded.accepted);
        expect(viaCluster.errors).toEqual(viaEmbedded.errors);
        expect(viaCluster.seq).toBeGreaterThan(0);
      }
    }
    for (const tenant of TENANTS) {
      const expected = await answers(embedded, tenant);
      for (const node of nodes) expect(await answers(node, tenant)).toEqual(expected);
      expect(await nodes[0].stats(tenant)).toEqual(await embedded.stats(tenant));
      expect(expected.personas.length).toBe(PEOPLE);
    }
  });

  it('forwards a request to the owner and reports a retried batch as duplicates', async () => {
    const tenant = TENANTS.find((t) => !nodes[0].ownedPartitions().includes(partitionOf(t, TEST_PARTITIONS)))!;
    expect(nodes[1].ownedPartitions()).toContain(partitionOf(tenant, TEST_PARTITIONS));
    const again = await nodes[0].ingest(tenant, { events: personEvents(tenant, 2) });
    expect(again).toMatchObject({ accepted: 0, duplicates: 6, seq: null });
  });

  it('applies tenant settings cluster-wide and in the log', async () => {
    const config = await nodes[0].configure('shop-cfg', { defaultCountry: 'DE' });
    expect(config.defaultCountry).toBe('DE');
    const deadline = Date.now() + 5_000;
    while (nodes[1].config('shop-cfg').defaultCountry !== 'DE' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(nodes[1].config('shop-cfg').defaultCountry).toBe('DE');
    await nodes[1].ingest('shop-cfg', [{ id: 'de-1', identifiers: { phone: '030 1234567', customer: 'k-1' } }]);
    const [id] = await nodes[0].resolve('shop-cfg', [{ type: 'phone', value: '+49301234567' }]);
    expect(id).not.toBeNull();
  });

  it('lets a read ask for a log position a write returned (read-your-writes)', async () => {
    const tenant = 'shop-ryw';
    const written = await nodes[0].ingest(tenant, [{ id: 'r-1', identifiers: { customer: 'c-r', email: 'ryw@example.bg' } }]);
    expect(written.seq).toBeGreaterThan(0);
    for (const node of nodes) {
      const [id] = await node.resolve(tenant, [{ type: 'email', value: 'ryw@example.bg' }], { minSeq: written.seq! });
      expect(id).not.toBeNull();
    }
    await expect(nodes[1].resolve(tenant, [{ type: 'email', value: 'ryw@example.bg' }], { minSeq: written.seq! + 1_000 }))
      .rejects.toMatchObject({ status: 503, code: 'seq_not_reached' });
    await expect(nodes[0].resolve(tenant, [], { minSeq: -1 })).rejects.toMatchObject({ status: 400, code: 'invalid_min_seq' });
  });

  it('refuses bad input with a clear 400, as the embedded mode does', async () => {
    await expect(nodes[0].createLink('shop-a', {})).rejects.toMatchObject({ status: 400, code: 'invalid_url' });
    await expect(nodes[0].erase('shop-a', [])).rejects.toMatchObject({ status: 400, code: 'invalid_identifiers' });
    await expect(nodes[1].claim('shop-a', 'c', { channel: 'fax', recipients: [] })).rejects.toMatchObject({ status: 400 });
    await expect(nodes[0].resolve('Bad Tenant!', [])).rejects.toMatchObject({ status: 400, code: 'invalid_tenant' });
  });

  it('recovers every partition on a new node from snapshots plus the log after them, with covered entries purged', async () => {
    const expected = await Promise.all(TENANTS.map((t) => answers(nodes[0], t)));
    await nodes[0].snapshot();
    await nodes[1].snapshot();
    // a write after the snapshots: recovered from the log, not the snapshot
    await nodes[0].ingest('shop-a', { events: personEvents('shop-a', 1, PEOPLE) });
    const late = await answers(nodes[0], 'shop-a');
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [await openNode([server], 'node-c')];
    await settled(nodes);
    expect(await answers(nodes[0], 'shop-a')).toEqual(late);
    for (const [i, tenant] of TENANTS.entries()) if (tenant !== 'shop-a') expect(await answers(nodes[0], tenant)).toEqual(expected[i]);
    // the snapshots covered the first entries: they are gone from the stream
    const conn = (nodes[0] as unknown as { conn: { jsm: { streams: { info(s: string): Promise<{ state: { first_seq: number } }> } } } }).conn;
    const info = await conn.jsm.streams.info(partitionStreamName(partitionOf('shop-b', TEST_PARTITIONS)));
    expect(info.state.first_seq).toBeGreaterThan(1);
  });
});
