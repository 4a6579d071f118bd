// Campaign link clicks are weak evidence: a forwarded message clicked on somebody else's device
// must not merge two well-identified people; a click on an anonymous device attaches it to the
// recipient until its owner proves who they are on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { device, ev, ingest, linkToken, openGraph, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

const ANA_PHONE = device(1);
const BOB_LAPTOP = device(2);

async function twoPeople(t: string): Promise<void> {
  await ingest(graph, t, [
    ev('subscribe', 0, { email: 'ana@mail.bg', subscriber: 's-ana', device: ANA_PHONE }),
    ev('checkout', 0.1, { email: 'ana@mail.bg', phone: '0888 600 001', customer: 'c-ana', device: ANA_PHONE }),
    ev('identify', 1, { email: 'bob@mail.bg', customer: 'c-bob', device: BOB_LAPTOP }),
  ]);
}

describe('forwarded click', () => {
  it('does not merge the recipient with the person whose device clicked', async () => {
    const t = 'click-forwarded';
    await twoPeople(t);
    await ingest(graph, t, [ev('link_click', 2, { device: BOB_LAPTOP }, { token: linkToken(graph, t, 's-ana') })]);
    expect(await together(graph, t, { subscriber: 's-ana' }, { customer: 'c-bob' })).toBe(false);
    expect(await together(graph, t, { device: BOB_LAPTOP }, { customer: 'c-bob' })).toBe(true);
    const [ana] = await graph.resolve(t, [{ type: 'subscriber', value: 's-ana' }]);
    const view = await graph.graph(t, ana!);
    const click = view!.edges.find((e) => view!.nodes[e.from].value === BOB_LAPTOP || view!.nodes[e.to].value === BOB_LAPTOP);
    expect(click).toMatchObject({ strength: 'weak', decision: 'refused_weak' });
  });

  it('attaches an anonymous device to the recipient, and moves it to whoever then logs in on it', async () => {
    const t = 'click-anonymous';
    const FRIEND_TABLET = device(3);
    await twoPeople(t);
    await ingest(graph, t, [
      ev('page', 2, { device: FRIEND_TABLET }),
      ev('link_click', 2.1, { device: FRIEND_TABLET }, { token: linkToken(graph, t, 's-ana') }),
    ]);
    expect(await together(graph, t, { device: FRIEND_TABLET }, { subscriber: 's-ana' })).toBe(true);
    await ingest(graph, t, [ev('login', 3, { device: FRIEND_TABLET, customer: 'c-bob' })]);
    expect(await together(graph, t, { device: FRIEND_TABLET }, { customer: 'c-bob' })).toBe(true);
    expect(await together(graph, t, { subscriber: 's-ana' }, { customer: 'c-bob' })).toBe(false);
    expect(await together(graph, t, { subscriber: 's-ana' }, { customer: 'c-ana' })).toBe(true);
  });
});
