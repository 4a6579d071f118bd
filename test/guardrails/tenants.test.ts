// The same person in two shops: the same email, phone and devices in both, and customer ids that
// restart in each. Each tenant's graph and settings stay its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { device, ev, ingest, openGraph, personasOf, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

describe('two tenants with the same person', () => {
  it('keeps separate graphs: nothing links across shops, ids restart per shop', async () => {
    const [a, b] = ['shop-one', 'shop-two'];
    await ingest(graph, a, [ev('checkout', 0, { email: 'ivan@mail.bg', phone: '0888 800 001', customer: 'c-1000', device: device(1) })]);
    await ingest(graph, b, [
      ev('identify', 0, { email: 'ivan@mail.bg', customer: 'c-1000', device: device(1) }),
      // c-1000 is somebody else here
      ev('checkout', 1, { email: 'other@mail.bg', customer: 'c-1001', device: device(2) }),
    ]);
    const [inA] = await personasOf(graph, a, [{ email: 'ivan@mail.bg' }]);
    const [inB] = await personasOf(graph, b, [{ email: 'ivan@mail.bg' }]);
    expect(inA).not.toBeNull();
    expect(inB).not.toBe(inA);
    // the phone was only ever given to shop-one
    expect(await personasOf(graph, b, [{ phone: '0888 800 001' }])).toEqual([null]);
    expect(await graph.persona(b, inA!)).toBeNull();
    expect((await graph.persona(a, inA!))!.counts).toMatchObject({ email: 1, phone: 1, customer: 1, device: 1 });
    expect((await graph.persona(b, inB!))!.counts).toMatchObject({ email: 1, phone: 0, customer: 1, device: 1 });
  });

  it('settings are per tenant: guardrails off in one shop leave the other guarded', async () => {
    const [guarded, plain] = ['shop-guarded', 'shop-plain'];
    await graph.configure(plain, { guardrails: false });
    const TABLET = device(9);
    const family = [
      ev('identify', 0, { email: 'mother@mail.bg', customer: 'c-1', device: TABLET }),
      ev('identify', 2, { email: 'son@mail.bg', customer: 'c-2', device: TABLET }),
    ];
    await ingest(graph, guarded, family);
    await ingest(graph, plain, family);
    expect(await together(graph, guarded, { customer: 'c-1' }, { customer: 'c-2' })).toBe(false);
    expect(await together(graph, plain, { customer: 'c-1' }, { customer: 'c-2' })).toBe(true);
  });
});
