// Per-type limits: a union that would give a persona more identifiers of a type than the tenant
// allows is refused as a whole (both personas stay as they were); the event's other links still
// apply, and the refusal is explained in the graph.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { ev, ingest, openGraph, personasOf, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

describe('limits', () => {
  it('refuses a union over the phone limit, keeps both personas, and says why', async () => {
    const t = 'limits-phone';
    const config = await graph.configure(t, { limits: { phone: 1 } });
    expect(config.limits).toMatchObject({ phone: 1, email: 5 });
    await ingest(graph, t, [
      ev('checkout', 0, { email: 'ana@mail.bg', phone: '0888 110 001', customer: 'g-1' }),
      ev('checkout', 1, { email: 'bob@mail.bg', phone: '0888 110 002', customer: 'g-2' }),
    ]);
    const before = await personasOf(graph, t, [{ customer: 'g-1' }, { customer: 'g-2' }]);
    // a checkout typing Ana's address with Bob's phone, and a new order id
    await ingest(graph, t, [ev('checkout', 2, { email: 'ana@mail.bg', phone: '0888 110 002', customer: 'g-3' })]);
    expect(await personasOf(graph, t, [{ customer: 'g-1' }, { customer: 'g-2' }])).toEqual(before);
    expect(await together(graph, t, { customer: 'g-1' }, { customer: 'g-2' })).toBe(false);
    for (const id of before) expect((await graph.persona(t, id!))!.counts).toMatchObject({ email: 1, phone: 1 });
    // the new order id still joins one of them: only the union over the limit is refused
    const [order] = await personasOf(graph, t, [{ customer: 'g-3' }]);
    expect(before).toContain(order);
    const view = (await graph.graph(t, before[0]!))!;
    const refused = view.edges.find((e) => view.nodes[e.from].value === '+359888110002' || view.nodes[e.to].value === '+359888110002');
    expect(refused).toMatchObject({ decision: 'refused_limit', strength: 'strong' });
    expect(view.nodes.find((n) => n.value === '+359888110002')).toMatchObject({ outside: true });
  });

  it('without the limit, the same evidence merges them', async () => {
    const t = 'limits-default';
    await ingest(graph, t, [
      ev('checkout', 0, { email: 'ana@mail.bg', phone: '0888 110 001', customer: 'g-1' }),
      ev('checkout', 1, { email: 'bob@mail.bg', phone: '0888 110 002', customer: 'g-2' }),
      ev('checkout', 2, { email: 'ana@mail.bg', phone: '0888 110 002', customer: 'g-3' }),
    ]);
    expect(await together(graph, t, { customer: 'g-1' }, { customer: 'g-2' }, { customer: 'g-3' })).toBe(true);
  });
});
