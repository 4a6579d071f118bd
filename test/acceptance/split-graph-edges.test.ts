// api-contract "Quality tools": GET …/graph lists edges as {"from": i, "to": j, …} (indices into its
// nodes), and POST …/split takes {"edges": [...]} to cut. An outside client cuts an edge by sending it
// back as the graph listed it; naming its two identifiers works too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, startTestServer, type TestServer } from '../http/helpers.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.shutdown(); });

/** Two customers known apart, then one login joining them: a persona with one edge between them. */
async function joinedPair(tenant: string): Promise<string> {
  const events = [
    { type: 'checkout', timestamp: '2026-03-01T10:00:00.000Z', identifiers: { customer: 'left', email: 'left@shop.bg' } },
    { type: 'checkout', timestamp: '2026-03-02T10:00:00.000Z', identifiers: { customer: 'right', phone: '0888 123 456' } },
    { type: 'login', timestamp: '2026-03-03T10:00:00.000Z', identifiers: { customer: ['left', 'right'] } },
  ];
  expect((await call(server, 'POST', `/v1/tenants/${tenant}/events`, { body: { events } })).body.accepted).toBe(3);
  return (await call(server, 'GET', `/v1/tenants/${tenant}/resolve?customer=left`)).body.persona.id as string;
}

const personaOf = async (tenant: string, customer: string) =>
  (await call(server, 'GET', `/v1/tenants/${tenant}/resolve?customer=${customer}`)).body.persona.id as string;

describe('split by the edges the graph lists', () => {
  it('cuts an edge sent back exactly as GET …/graph listed it', async () => {
    const tenant = 'split-edges-a';
    const id = await joinedPair(tenant);
    const graph = (await call(server, 'GET', `/v1/tenants/${tenant}/personas/${id}/graph`)).body;
    const named = (i: number) => graph.nodes[i].value as string;
    const joining = graph.edges.find((e: { from: number; to: number }) => [named(e.from), named(e.to)].sort().join() === 'left,right');
    expect(joining).toBeDefined();

    const split = await call(server, 'POST', `/v1/tenants/${tenant}/personas/${id}/split`, { body: { edges: [joining] } });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    expect(split.body.personas).toHaveLength(2);
    expect(await personaOf(tenant, 'left')).not.toBe(await personaOf(tenant, 'right'));
  });

  it('cuts an edge named by its two identifiers', async () => {
    const tenant = 'split-edges-b';
    const id = await joinedPair(tenant);
    const edge = { from: { type: 'customer', value: 'left' }, to: { type: 'customer', value: 'right' } };
    const split = await call(server, 'POST', `/v1/tenants/${tenant}/personas/${id}/split`, { body: { edges: [edge] } });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    expect(await personaOf(tenant, 'left')).not.toBe(await personaOf(tenant, 'right'));
  });

  it('answers 400 for a node index the graph does not have, and changes nothing', async () => {
    const tenant = 'split-edges-c';
    const id = await joinedPair(tenant);
    expectError(await call(server, 'POST', `/v1/tenants/${tenant}/personas/${id}/split`, { body: { edges: [{ from: 0, to: 99 }] } }), 400, 'invalid_edge');
    expectError(await call(server, 'POST', `/v1/tenants/${tenant}/personas/${id}/split`, { body: { edges: [{ from: -1, to: 0 }] } }), 400);
    expect(await personaOf(tenant, 'left')).toBe(await personaOf(tenant, 'right'));
  });
});
