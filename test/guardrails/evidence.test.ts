// Evidence classes: what an event's type proves, and what each strength of evidence may join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { eventEvidence } from '../../host/service/events.js';
import { device, ev, ingest, openGraph, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

describe('event classes', () => {
  it('classes event types: clicks, authenticated events, everything else ordinary', () => {
    expect(['link_click', 'Link Click', 'campaign_click'].map(eventEvidence)).toEqual(['click', 'click', 'click']);
    expect(['login', 'Order Completed', 'checkout', 'identify', 'subscribe', 'sign-up'].map(eventEvidence))
      .toEqual(Array(6).fill('authenticated'));
    expect(['page', 'event', 'track', 'newsletter_form', ''].map(eventEvidence)).toEqual(Array(5).fill('ordinary'));
  });
});

describe('what evidence may join', () => {
  it('an untyped event with email and customer joins a new address to an identified persona (medium)', async () => {
    const t = 'ev-untyped';
    await ingest(graph, t, [ev('checkout', 0, { customer: 'c-1', email: 'ana@x.bg', phone: '0888 100 001' })]);
    await ingest(graph, t, [ev('event', 1, { customer: 'c-1', email: 'ana.work@firm.bg' })]);
    expect(await together(graph, t, { customer: 'c-1' }, { email: 'ana.work@firm.bg' })).toBe(true);
  });

  it('an untyped event does not join two established personas; a checkout does', async () => {
    const t = 'ev-established';
    await ingest(graph, t, [
      ev('checkout', 0, { customer: 'c-1', email: 'ana@x.bg' }),
      ev('checkout', 0, { customer: 'c-2', email: 'bob@x.bg' }),
      ev('event', 1, { customer: 'c-1', email: 'bob@x.bg' }),
    ]);
    expect(await together(graph, t, { customer: 'c-1' }, { customer: 'c-2' })).toBe(false);
    await ingest(graph, t, [ev('checkout', 2, { customer: 'c-1', email: 'bob@x.bg' })]);
    expect(await together(graph, t, { customer: 'c-1' }, { customer: 'c-2' })).toBe(true);
  });

  it('a device beside values in an ordinary event only attaches an anonymous device', async () => {
    const t = 'ev-weak-device';
    await ingest(graph, t, [
      ev('page', 0, { device: device(1) }),
      ev('page', 0.1, { device: device(1), email: 'ana@x.bg' }),
      ev('checkout', 1, { customer: 'c-2', email: 'bob@x.bg', device: device(2) }),
      ev('page', 1.1, { device: device(2), email: 'carl@x.bg' }),
    ]);
    // the anonymous device joins the address; an address typed on somebody's known device does not
    expect(await together(graph, t, { device: device(1) }, { email: 'ana@x.bg' })).toBe(true);
    expect(await together(graph, t, { device: device(2) }, { email: 'carl@x.bg' })).toBe(false);
  });
});
