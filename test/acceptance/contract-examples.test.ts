// The values api-contract.md itself shows, and the documentation domains outside integrations test
// with, are ordinary people: an event carrying them links them, and the persona reports them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await PersonaGraph.open(); });
afterAll(async () => { await graph.close(); });

describe('values from the contract and from integration tests', () => {
  it.each([
    ['the contract\'s event example', { device: '6f1c2a7e-3b9d-4e8a-9c1f-2d7b5e0a4c3b', email: 'x@y.bg', phone: '0888 123 456', customer: 'c-1', subscriber: 's-1' }, 'X@Y.bg'],
    ['a documentation domain', { customer: 'u-1', email: 'Alice@Example.com' }, 'alice@example.com'],
    ['a .test domain', { customer: 'u-2', email: 'bob@shop.test' }, 'BOB@shop.test'],
  ])('%s: one persona holding every identifier, with its email', async (_name, identifiers, lookup) => {
    const tenant = 'contract-examples';
    const result = await graph.ingest(tenant, [{ type: 'identify', timestamp: '2026-03-01T10:00:00.000Z', identifiers }]);
    expect(result).toMatchObject({ accepted: 1, errors: [] });
    const [byEmail] = await graph.resolve(tenant, [{ type: 'email', value: lookup }]);
    const [byCustomer] = await graph.resolve(tenant, [{ type: 'customer', value: identifiers.customer }]);
    expect(byEmail).toMatch(/^psn_/);
    expect(byCustomer).toBe(byEmail);
    const persona = await graph.persona(tenant, byEmail!);
    expect(persona?.email).toBe(lookup.toLowerCase());
    expect(persona?.counts).toMatchObject(Object.fromEntries(Object.keys(identifiers).map((type) => [type, 1])));
  });
});
