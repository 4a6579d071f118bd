// A person who changes address: the persona keeps both, and its email is the one used latest by
// event time (shown as it was typed), whatever order the events arrive in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { device, ev, ingest, openGraph, personasOf } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

describe('email change', () => {
  it('the persona email is the latest address by event time, as typed', async () => {
    const t = 'email-change';
    await ingest(graph, t, [
      ev('identify', 0, { customer: 'c-1', email: 'maria.old@abv.bg', device: device(1) }),
      ev('checkout', 5, { customer: 'c-1', email: 'Maria.Old@abv.bg', phone: '0888 700 001', device: device(1) }),
      ev('identify', 40, { customer: 'c-1', email: ' Maria.Ivanova+Shop@Gmail.com ', device: device(1) }),
    ]);
    const [id] = await personasOf(graph, t, [{ customer: 'c-1' }]);
    const persona = await graph.persona(t, id!);
    expect(persona!.email).toBe('maria.ivanova+shop@gmail.com');
    expect(persona!.counts.email).toBe(2);
    // gmail's dots and +tags reach one mailbox: the canonical form resolves to the same persona
    expect(await personasOf(graph, t, [{ email: 'mariaivanova@gmail.com' }])).toEqual([id]);
  });

  it('an old event delivered late does not bring the old address back', async () => {
    const t = 'email-change-late';
    await ingest(graph, t, [
      ev('identify', 0, { customer: 'c-1', email: 'old@abv.bg' }),
      ev('identify', 40, { customer: 'c-1', email: 'new@abv.bg' }),
    ]);
    await ingest(graph, t, [ev('checkout', 10, { customer: 'c-1', email: 'old@abv.bg', phone: '0888 700 002' })]);
    const [id] = await personasOf(graph, t, [{ customer: 'c-1' }]);
    expect((await graph.persona(t, id!))!.email).toBe('new@abv.bg');
    const audience = await graph.dedupe(t, { channel: 'email', recipients: [{ type: 'customer', value: 'c-1' }, { type: 'email', value: 'old@abv.bg' }] });
    expect(audience.recipients).toEqual([{ persona: id, address: 'new@abv.bg', inputs: [0, 1] }]);
  });
});
