// Devices that several people use: a family tablet must not make a family one persona, a kiosk
// must not glue its shoppers, yet one person's visit on their own device still joins what they
// show on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaGraph } from '../../host/index.js';
import { device, ev, ingest, minutes, openGraph, personasOf, together } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

const TABLET = device(100);

describe('family tablet', () => {
  it('two people logging in and checking out on one tablet stay two personas', async () => {
    const t = 'tablet-family';
    await ingest(graph, t, [
      ev('identify', 0, { device: TABLET, customer: 'c-mother', email: 'maria@mail.bg' }),
      ev('checkout', 0.01, { device: TABLET, customer: 'c-mother', email: 'maria@mail.bg', phone: '0888 400 001' }),
      ev('identify', 3, { device: TABLET, customer: 'c-son', email: 'ivo@mail.bg' }),
      ev('checkout', 3.01, { device: TABLET, customer: 'c-son', email: 'ivo@mail.bg', phone: '0888 400 002' }),
      ev('login', 5, { device: TABLET, customer: 'c-mother' }),
      ev('subscribe', 7, { device: TABLET, email: 'ivo@mail.bg', subscriber: 's-son' }),
    ]);
    expect(await together(graph, t, { customer: 'c-mother' }, { customer: 'c-son' })).toBe(false);
    expect(await together(graph, t, { customer: 'c-son' }, { subscriber: 's-son' }, { phone: '0888 400 002' })).toBe(true);
    expect(await together(graph, t, { customer: 'c-mother' }, { phone: '0888 400 001' })).toBe(true);
    // the tablet belongs to one of them (the first to prove who they are on it), never both
    const [tablet, mother, son] = await personasOf(graph, t, [{ device: TABLET }, { customer: 'c-mother' }, { customer: 'c-son' }]);
    expect([mother, son]).toContain(tablet);
  });

  it('a visit is one person: a sign-up, then an SMS subscription minutes later on the same device, join', async () => {
    const t = 'tablet-session';
    await ingest(graph, t, [
      ev('identify', 0, { device: device(1), customer: 'c-1', email: 'elena@mail.bg' }),
      ev('subscribe', minutes(4), { device: device(1), phone: '0888 400 010', subscriber: 's-sms' }),
      // the same on another device, days apart, with an address on each side: could be two people
      ev('identify', 10, { device: device(2), customer: 'c-2', email: 'petar@mail.bg' }),
      ev('subscribe', 14, { device: device(2), email: 'p.work@firm.bg', subscriber: 's-2' }),
    ]);
    expect(await together(graph, t, { customer: 'c-1' }, { phone: '0888 400 010' }, { subscriber: 's-sms' })).toBe(true);
    expect(await together(graph, t, { customer: 'c-2' }, { subscriber: 's-2' })).toBe(false);
  });
});

describe('an account the graph has not seen, logged in on a device that already belongs to someone', () => {
  it('on the person\'s own device (an account opened before the tracker saw it): login, then checkout with their address and a phone, one persona', async () => {
    const t = 'own-device-new-account';
    const LAPTOP = device(300);
    await ingest(graph, t, [
      ev('checkout', 0, { device: LAPTOP, customer: 'g-77', email: 'ana@mail.bg' }),
      ev('login', 4, { device: LAPTOP, customer: 'c-ana' }),
      ev('checkout', 4.01, { device: LAPTOP, customer: 'c-ana', email: 'ana@mail.bg', phone: '0888 400 020' }),
      ev('checkout', 9, { device: LAPTOP, customer: 'c-ana', phone: '0888 400 020' }),
    ]);
    expect(await together(graph, t, { device: LAPTOP }, { customer: 'g-77' }, { customer: 'c-ana' }, { phone: '0888 400 020' })).toBe(true);
  });

  it('on a family tablet: the second person\'s login joins the first only until their own checkout shows another email and phone', async () => {
    const t = 'tablet-new-account';
    await ingest(graph, t, [
      ev('checkout', 0, { device: TABLET, customer: 'c-mother', email: 'maria@mail.bg', phone: '0888 400 030' }),
      ev('login', 2, { device: TABLET, customer: 'c-son' }),
    ]);
    expect(await together(graph, t, { customer: 'c-mother' }, { customer: 'c-son' })).toBe(true);
    await ingest(graph, t, [ev('checkout', 2.01, { device: TABLET, customer: 'c-son', email: 'ivo@mail.bg', phone: '0888 400 031' })]);
    expect(await together(graph, t, { customer: 'c-mother' }, { customer: 'c-son' })).toBe(false);
    expect(await together(graph, t, { customer: 'c-son' }, { email: 'ivo@mail.bg' }, { phone: '0888 400 031' })).toBe(true);
    expect(await together(graph, t, { customer: 'c-mother' }, { device: TABLET })).toBe(true);
  });
});

describe('logins with an email only on a device that already belongs to someone', () => {
  it('on a family tablet, 2 and 3 people each logging in with their own email: one persona each', async () => {
    for (const people of [2, 3]) {
      const t = `tablet-email-logins-${people}`;
      const emails = ['maria', 'ivo', 'rada'].slice(0, people).map((who) => `${who}@family.bg`);
      await ingest(graph, t, emails.map((email, i) => ev('login', 1 + i, { device: TABLET, email })));
      const personas = await personasOf(graph, t, emails.map((email) => ({ email })));
      expect(new Set(personas).size).toBe(people);
      // the tablet stays with the first person to log in on it
      expect(await together(graph, t, { device: TABLET }, { email: emails[0] })).toBe(true);
    }
  });

  it('a lone email beside a persona that holds only a phone complements it: joined (on trial)', async () => {
    const t = 'tablet-email-after-phone';
    await ingest(graph, t, [
      ev('subscribe', 0, { device: TABLET, phone: '0888 400 040', subscriber: 's-sms' }),
      ev('login', 2, { device: TABLET, email: 'lone@family.bg' }),
    ]);
    expect(await together(graph, t, { phone: '0888 400 040' }, { email: 'lone@family.bg' })).toBe(true);
  });

  it('within one visit of the person who owns the device, a second email joins them', async () => {
    const t = 'own-device-second-email';
    const LAPTOP = device(301);
    await ingest(graph, t, [
      ev('identify', 0, { device: LAPTOP, customer: 'c-eli', email: 'eli@mail.bg' }),
      ev('login', minutes(5), { device: LAPTOP, email: 'eli.work@firm.bg' }),
    ]);
    expect(await together(graph, t, { customer: 'c-eli' }, { email: 'eli.work@firm.bg' })).toBe(true);
  });
});

describe('kiosk', () => {
  it('dozens of shoppers on an in-store kiosk: the kiosk is marked shared, shoppers stay apart', async () => {
    const t = 'kiosk';
    const KIOSK = device(200);
    const shoppers = Array.from({ length: 30 }, (_, i) => i + 1);
    await ingest(graph, t, shoppers.map((n) => ev('checkout', n * 0.2, {
      device: KIOSK, email: `buyer${n}@mail.bg`, phone: `0888 500 ${String(n).padStart(3, '0')}`, customer: `g-${n}`,
    })));
    const personas = await personasOf(graph, t, shoppers.map((n) => ({ customer: `g-${n}` })));
    expect(new Set(personas).size).toBe(shoppers.length);
    const [kiosk] = await personasOf(graph, t, [{ device: KIOSK }]);
    const view = await graph.graph(t, kiosk!);
    expect(view!.nodes.find((n) => n.type === 'device')).toMatchObject({ shared: true });
    expect((await graph.persona(t, kiosk!))!.identifiers).toHaveLength(1);
    for (const n of shoppers) expect(await together(graph, t, { customer: `g-${n}` }, { email: `buyer${n}@mail.bg` })).toBe(true);
  });
});
