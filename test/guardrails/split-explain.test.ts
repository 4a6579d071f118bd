// The quality tools through the facade: a merge is explained by its evidence (graph), undone by a
// split (by identifiers or by edges) that stays undone, and both show up in the changes feed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph, PersonaGraphView } from '../../host/index.js';
import { device, ev, ingest, openGraph, personasOf, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

function edgeBetween(view: PersonaGraphView, a: string, b: string) {
  return view.edges.find((e) => {
    const ends = [view.nodes[e.from].value, view.nodes[e.to].value];
    return ends.includes(a) && ends.includes(b);
  });
}

describe('explain', () => {
  it('lists every identifier and the evidence that links them, with event ids, strength and decision', async () => {
    const t = 'explain';
    await ingest(graph, t, [
      { id: 'order-1', ...ev('checkout', 0, { email: 'ana@mail.bg', phone: '0888 900 001', customer: 'g-1', device: device(1) }) },
      { id: 'visit-2', ...ev('page', 1, { device: device(1), email: 'ana@mail.bg' }) },
    ]);
    const [id] = await personasOf(graph, t, [{ email: 'ana@mail.bg' }]);
    const view = (await graph.graph(t, id!))!;
    expect(view.persona).toBe(id);
    expect(view.nodes.map((n) => `${n.type}:${n.value}`).sort()).toEqual(
      ['customer:g-1', `device:${device(1)}`, 'email:ana@mail.bg', 'phone:+359888900001'],
    );
    expect(view.nodes.every((n) => !n.shared && !n.blocked && !n.outside)).toBe(true);
    expect(view.edges).toHaveLength(6);
    expect(edgeBetween(view, 'ana@mail.bg', '+359888900001')).toMatchObject({ eventId: 'order-1', strength: 'strong', decision: 'merged', timestamp: ev('x', 0, {}).timestamp });
    // the page view saw the pair again: the edge keeps its first event, and the strongest evidence
    expect(edgeBetween(view, 'ana@mail.bg', device(1))).toMatchObject({ eventId: 'order-1', strength: 'medium' });
  });
});

describe('split', () => {
  it('cuts identifiers off a persona: the pieces come back, the cut stays, and the feed records both', async () => {
    const t = 'split';
    const start = await graph.changes(t);
    await ingest(graph, t, [
      ev('checkout', 0, { email: 'ana@mail.bg', customer: 'c-ana', device: device(1) }),
      ev('checkout', 0, { email: 'bob@mail.bg', customer: 'c-bob', device: device(2) }),
      // a typo'd shared account glues them
      ev('checkout', 1, { email: 'bob@mail.bg', customer: 'c-ana' }),
    ]);
    const [glued] = await personasOf(graph, t, [{ customer: 'c-ana' }]);
    expect(await together(graph, t, { customer: 'c-ana' }, { customer: 'c-bob' })).toBe(true);
    const pieces = await graph.split(t, glued!, { identifiers: [{ type: 'email', value: 'bob@mail.bg' }, { type: 'customer', value: 'c-bob' }, { type: 'device', value: device(2) }] });
    expect(pieces!.map((p) => p.identifiers.length).sort()).toEqual([3, 3]);
    expect(await together(graph, t, { customer: 'c-ana' }, { customer: 'c-bob' })).toBe(false);
    // the older persona keeps its id; the cut evidence shows as cut
    expect(await personasOf(graph, t, [{ customer: 'c-ana' }])).toEqual([glued]);
    const view = (await graph.graph(t, glued!))!;
    expect(edgeBetween(view, 'c-ana', 'bob@mail.bg')).toMatchObject({ decision: 'cut' });
    // the same evidence again does not undo the operator's cut
    await ingest(graph, t, [ev('checkout', 2, { email: 'bob@mail.bg', customer: 'c-ana' })]);
    expect(await together(graph, t, { customer: 'c-ana' }, { customer: 'c-bob' })).toBe(false);
    const feed = await graph.changes(t, start.cursor);
    expect(feed.changes.map((c) => c.kind)).toEqual(['merge', 'split']);
    expect(feed.changes[1].personas).toContain(glued);
    expect(await graph.changes(t, feed.cursor)).toEqual({ changes: [], cursor: feed.cursor });
  });

  it('cuts an edge: the two ends part when nothing else links them', async () => {
    const t = 'split-edge';
    await ingest(graph, t, [
      ev('checkout', 0, { email: 'ana@mail.bg', customer: 'c-1' }),
      ev('checkout', 1, { email: 'ana@mail.bg', phone: '0888 900 002' }),
    ]);
    const [id] = await personasOf(graph, t, [{ email: 'ana@mail.bg' }]);
    const pieces = await graph.split(t, id!, { edges: [{ from: { type: 'email', value: 'ana@mail.bg' }, to: { type: 'phone', value: '0888 900 002' } }] });
    expect(pieces).toHaveLength(2);
    expect(await together(graph, t, { email: 'ana@mail.bg' }, { phone: '0888 900 002' })).toBe(false);
    expect(await together(graph, t, { email: 'ana@mail.bg' }, { customer: 'c-1' })).toBe(true);
  });

  it('names a bad split clearly and changes nothing', async () => {
    const t = 'split-bad';
    await ingest(graph, t, [ev('checkout', 0, { email: 'ana@mail.bg', customer: 'c-1' })]);
    const [id] = await personasOf(graph, t, [{ email: 'ana@mail.bg' }]);
    await expect(graph.split(t, id!, {})).rejects.toMatchObject({ code: 'nothing_to_split' });
    await expect(graph.split(t, id!, { identifiers: [{ type: 'phone', value: '12' }] })).rejects.toMatchObject({ code: 'invalid_identifier' });
    expect(await graph.split(t, 'psn_0000000000000000', { identifiers: [{ type: 'customer', value: 'c-1' }] })).toBeNull();
    expect(await together(graph, t, { email: 'ana@mail.bg' }, { customer: 'c-1' })).toBe(true);
  });
});
