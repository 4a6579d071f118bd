// Reads served from caches (lookup keys, built personas) never serve a state older than the last
// write, and what a caller gets is its own to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

let graph: PersonaGraph;
beforeAll(async () => {
  graph = await PersonaGraph.open({ shards: 1 });
});
afterAll(async () => {
  await graph.close();
});

describe('read caches', () => {
  it('show a write at once, even for a persona read just before it', async () => {
    await graph.ingest('shop-a', { identifiers: { customer: 'c-1', email: 'Ana@Shop.bg' }, timestamp: '2026-03-01T10:00:00Z' });
    const before = await graph.personaOf('shop-a', { type: 'customer', value: 'c-1' });
    expect(before?.identifiers.map((i) => i.value)).toEqual(['ana@shop.bg', 'c-1']);
    expect(await graph.personaOf('shop-a', { type: 'customer', value: 'c-1' })).toEqual(before);

    await graph.ingest('shop-a', { identifiers: { customer: 'c-1', phone: '0888 123 456' }, timestamp: '2026-03-02T10:00:00Z' });
    const after = await graph.personaOf('shop-a', { type: 'email', value: ' ANA@shop.bg' });
    expect(after?.phone).toBe('+359888123456');
    expect(after?.identifiers).toHaveLength(3);
    expect(await graph.persona('shop-a', after!.id)).toEqual(after);
  });

  it('keep persona text equal to the persona, before and after a write', async () => {
    const customer = { type: 'customer' as const, value: 'c-9' };
    await graph.ingest('shop-a', { identifiers: { customer: 'c-9', email: 'nia@shop.bg' }, timestamp: '2026-03-01T10:00:00Z' });
    const text = await graph.personaJsonOf('shop-a', customer);
    expect(text).toBe(JSON.stringify(await graph.personaOf('shop-a', customer)));
    expect(await graph.personaJsonOf('shop-a', customer)).toBe(text);
    await graph.ingest('shop-a', { identifiers: { customer: 'c-9', device: '7f1c2a90-0000-4000-8000-000000000001' }, timestamp: '2026-03-03T10:00:00Z' });
    const after = JSON.parse((await graph.personaJsonOf('shop-a', customer))!) as { identifiers: unknown[] };
    expect(after.identifiers).toHaveLength(3);
    expect(after).toEqual(await graph.personaOf('shop-a', customer));
    expect(await graph.personaJsonOf('shop-a', { type: 'customer', value: 'nobody' })).toBeNull();
    await expect(graph.personaJsonOf('shop-a', { type: 'email', value: 'not-an-email' })).rejects.toMatchObject({ status: 400 });
  });

  it('hand out copies: changing one changes no later answer', async () => {
    const first = await graph.personaOf('shop-a', { type: 'customer', value: 'c-1' });
    first!.identifiers.pop();
    first!.aliases.push('psn_x');
    first!.counts.email = 99;
    const second = await graph.personaOf('shop-a', { type: 'customer', value: 'c-1' });
    expect(second?.identifiers).toHaveLength(3);
    expect(second?.aliases).toEqual([]);
    expect(second?.counts.email).toBe(1);
  });

  it('keep refusing values that cannot be normalized, cached or not', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(graph.personaOf('shop-a', { type: 'email', value: 'not-an-email' })).rejects.toMatchObject({ status: 400 });
      expect(await graph.resolve('shop-a', [{ type: 'phone', value: 'abc' }, { type: 'customer', value: 'c-1' }]))
        .toEqual([null, expect.stringMatching(/^psn_/)]);
      await expect(graph.resolve('shop-a', [{ type: 'nope' as 'email', value: 'x' }])).rejects.toMatchObject({ status: 400 });
    }
  });
});
