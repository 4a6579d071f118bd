// Junk values typed at checkout: built-in placeholders link nothing; a plausible-looking value that
// strangers keep typing is found out by its many identities, marked shared, and what it glued is
// split again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { device, ev, ingest, openGraph, personasOf, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

const shopper = (n: number) => ({
  email: `shopper${n}@mail.bg`, phone: `0888 200 ${String(n).padStart(3, '0')}`, customer: `c-${n}`, device: device(n),
});

describe('junk email at checkout', () => {
  it('a built-in placeholder is kept but links nobody', async () => {
    const t = 'junk-builtin';
    const result = await graph.ingest(t, [1, 2, 3].map((n) => ev('checkout', n, { email: 'test@test.com', phone: shopper(n).phone, customer: `g-${n}` })));
    expect(result.accepted).toBe(3);
    expect(result.errors.every((e) => e.error.code === 'blocked_value')).toBe(true);
    const personas = await personasOf(graph, t, [1, 2, 3].map((n) => ({ customer: `g-${n}` })));
    expect(new Set(personas).size).toBe(3);
    expect(await together(graph, t, { email: 'test@test.com' }, { customer: 'g-1' })).toBe(false);
  });

  it('a plausible junk address typed by strangers is marked shared and stops gluing them', async () => {
    const t = 'junk-shared';
    const people = [1, 2, 3, 4];
    // each shopper is known by their own sign-up first
    await ingest(graph, t, people.map((n) => ev('identify', n, { email: shopper(n).email, customer: shopper(n).customer, device: shopper(n).device })));
    // then each types the shop's own address at a checkout, with their own phone
    await ingest(graph, t, people.map((n) => ev('checkout', 10 + n, { email: 'info@shop.bg', phone: shopper(n).phone, customer: shopper(n).customer, device: shopper(n).device })));
    const personas = await personasOf(graph, t, people.map((n) => ({ customer: shopper(n).customer })));
    expect(new Set(personas).size).toBe(people.length);
    for (const n of people) expect(await together(graph, t, { customer: shopper(n).customer }, { phone: shopper(n).phone }, { email: shopper(n).email })).toBe(true);
    const [junkPersona] = await personasOf(graph, t, [{ email: 'info@shop.bg' }]);
    const view = await graph.graph(t, junkPersona!);
    expect(view!.nodes.find((node) => node.value === 'info@shop.bg')).toMatchObject({ shared: true, outside: false });
    expect((await graph.persona(t, junkPersona!))!.identifiers).toHaveLength(1);
    expect((await graph.stats(t))!.shared).toBe(1);
  });

  it('one person typing their own address at every order keeps it (many guest ids are one identity)', async () => {
    const t = 'junk-frequent-guest';
    await ingest(graph, t, Array.from({ length: 8 }, (_, i) => ev('checkout', i, { email: 'frequent@mail.bg', phone: '0888 300 001', customer: `g-${i}`, device: device(i % 2) })));
    const personas = await personasOf(graph, t, Array.from({ length: 8 }, (_, i) => ({ customer: `g-${i}` })));
    expect(new Set(personas).size).toBe(1);
    expect((await graph.stats(t))!.shared).toBe(0);
  });
});
