// Merge rules as an outside acceptance tester checks them: hand-built identity scenarios written from
// issue #5, the HTTP contract and the README ("How merges are judged", "Configuration per tenant"),
// through the library facade only, with the event types a shop's integration would send.
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersonaGraph, type Persona } from '../../host/index.js';

const TENANT = 'shop-a';
let graph: PersonaGraph;

beforeEach(async () => { graph = await PersonaGraph.open(); });
afterEach(async () => { await graph.close(); });

interface ScenarioEvent {
  id?: string;
  type: string;
  timestamp: string;
  identifiers: Record<string, string | string[]>;
  token?: string;
}

/** A day-granular ISO time in March 2026, so scenarios read as a timeline. */
const day = (d: number, hour = 10) => new Date(Date.UTC(2026, 2, d, hour)).toISOString();

/** A stable v4-shaped device UUID per short name ("tablet" → the same UUID every time). */
function device(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const hex = (h.toString(16).padStart(8, '0')).repeat(4);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function ingest(events: ScenarioEvent[], tenant = TENANT) {
  const result = await graph.ingest(tenant, { events });
  return result;
}

async function personaIdOf(type: string, value: string, tenant = TENANT): Promise<string | null> {
  const [id] = await graph.resolve(tenant, [{ type, value } as never]);
  return id;
}

async function personaOf(type: string, value: string, tenant = TENANT): Promise<Persona> {
  const id = await personaIdOf(type, value, tenant);
  expect(id, `${type} ${value} resolves`).not.toBeNull();
  const persona = await graph.persona(tenant, id!);
  expect(persona).not.toBeNull();
  return persona!;
}

/** How many distinct personas the identifiers resolve to (unknown ones count as none). */
async function distinctPersonas(identifiers: [string, string][], tenant = TENANT): Promise<number> {
  const ids = await graph.resolve(tenant, identifiers.map(([type, value]) => ({ type, value }) as never));
  return new Set(ids.filter((id) => id !== null)).size;
}

/** One person's story: an anonymous visit, a login, a checkout with email and phone, a new email later. */
function onePersonOverTime(): ScenarioEvent[] {
  const phoneDevice = device('ana-phone');
  return [
    { id: 'v1', type: 'page', timestamp: day(1), identifiers: { device: phoneDevice } },
    { id: 'v2', type: 'login', timestamp: day(2), identifiers: { device: phoneDevice, customer: 'c-ana' } },
    { id: 'v3', type: 'checkout', timestamp: day(3), identifiers: { customer: 'c-ana', email: 'ana@old-mail.bg', phone: '0888 123 456', device: phoneDevice } },
    { id: 'v4', type: 'identify', timestamp: day(20), identifiers: { customer: 'c-ana', email: 'Ana.Petrova@new-mail.bg' } },
  ];
}

describe('one person over time', () => {
  const ana: [string, string][] = [
    ['device', device('ana-phone')], ['customer', 'c-ana'], ['email', 'ana@old-mail.bg'],
    ['phone', '+359888123456'], ['email', 'ana.petrova@new-mail.bg'],
  ];

  it('device → login → checkout → new email: one persona whose email is the latest', async () => {
    const result = await ingest(onePersonOverTime());
    expect(result).toMatchObject({ accepted: 4, duplicates: 0, errors: [] });
    expect(await distinctPersonas(ana)).toBe(1);
    const persona = await personaOf('phone', '0888123456');
    expect(persona.email).toBe('ana.petrova@new-mail.bg');
    expect(persona.phone).toBe('+359888123456');
    expect(persona.counts).toMatchObject({ device: 1, customer: 1, email: 2, phone: 1 });
  });

  it('the same events delivered in reverse order give the same persona and the latest email by event time', async () => {
    await ingest(onePersonOverTime().reverse());
    expect(await distinctPersonas(ana)).toBe(1);
    const persona = await personaOf('device', device('ana-phone'));
    expect(persona.email).toBe('ana.petrova@new-mail.bg');
    const old = persona.identifiers.find((i) => i.value === 'ana@old-mail.bg')!;
    expect(old.lastSeen).toBe(day(3));
  });

  it('an old event arriving after the new email does not bring the old email back as latest', async () => {
    const [page, login, checkout, newEmail] = onePersonOverTime();
    await ingest([page, login, newEmail]);
    await ingest([checkout]);   // days late
    expect((await personaOf('customer', 'c-ana')).email).toBe('ana.petrova@new-mail.bg');
  });

  it('resending an event with the same id counts as a duplicate and changes nothing', async () => {
    await ingest(onePersonOverTime());
    const before = await personaOf('customer', 'c-ana');
    const again = await ingest(onePersonOverTime());
    expect(again).toMatchObject({ accepted: 0, duplicates: 4 });
    expect(await personaOf('customer', 'c-ana')).toEqual(before);
  });
});

describe('junk values typed at checkout', () => {
  const shoppers = ['ivan', 'maria', 'georgi', 'elena', 'petar'];

  it('test@test.com and 0000000000 typed by many: kept, reported per item, link nobody', async () => {
    const result = await ingest(shoppers.map((name, i) => ({
      id: `junk-${name}`, type: 'checkout', timestamp: day(1 + i),
      identifiers: { customer: `c-${name}`, email: 'test@test.com', phone: '0000000000' },
    })));
    expect(result.accepted).toBe(shoppers.length);
    const blocked = result.errors.filter((e) => e.error.code === 'blocked_value');
    expect(blocked.map((e) => e.field).sort()).toEqual(
      shoppers.flatMap(() => ['identifiers.email', 'identifiers.phone']).sort());
    expect(await distinctPersonas(shoppers.map((n) => ['customer', `c-${n}`]))).toBe(shoppers.length);
    // the blocked value is kept as a persona of its own holding nothing else: resolving it never
    // answers one of the people who typed it
    const junk = await personaOf('email', 'test@test.com');
    expect(junk.identifiers.map((i) => i.value)).toEqual(['test@test.com']);
    const people = await graph.resolve(TENANT, shoppers.map((n) => ({ type: 'customer', value: `c-${n}` })));
    expect(people).not.toContain(junk.id);
    const audience = await graph.dedupe(TENANT, { channel: 'email', recipients: shoppers.map((n) => ({ type: 'customer', value: `c-${n}` })) });
    expect(audience.unreachable).toEqual(shoppers.map((_, i) => i));
  });

  it('"null"-like strings sent by every shopper as account and subscriber ids are blocked and glue nobody', async () => {
    const nullish = ['null', 'undefined', 'anonymous', 'guest', '[object Object]', 'NaN', 'none', '0', 'NULL', ' None '];
    const result = await ingest(shoppers.map((name, i) => ({
      type: 'identify', timestamp: day(1 + i), identifiers: { customer: [...nullish, `c-${name}`], subscriber: nullish },
    })));
    expect(result.accepted).toBe(shoppers.length);
    expect(result.errors.length).toBe(shoppers.length * nullish.length * 2);
    expect(result.errors.every((e) => e.error.code === 'blocked_value')).toBe(true);
    expect(await distinctPersonas(shoppers.map((n) => ['customer', `c-${n}`]))).toBe(shoppers.length);
  });

  it('an email shared by two people (a couple) is within the email threshold (2) and joins them; a third sharer splits them apart', async () => {
    const couple = (who: string, i: number): ScenarioEvent => ({
      type: 'checkout', timestamp: day(1 + i), identifiers: { customer: `c-${who}`, email: 'home@mail.bg', phone: `0887 30000${i}` },
    });
    await ingest([couple('him', 0), couple('her', 1)]);
    expect(await distinctPersonas([['customer', 'c-him'], ['customer', 'c-her']])).toBe(1);
    await ingest([couple('lodger', 2)]);
    expect(await distinctPersonas([['customer', 'c-him'], ['customer', 'c-her'], ['customer', 'c-lodger']])).toBe(3);
  });

  it('a shop address not on any list, typed at checkout by many well-identified people, is marked shared and glues nobody', async () => {
    await ingest(shoppers.map((name, i) => ({
      id: `shop-email-${name}`, type: 'checkout', timestamp: day(1 + i),
      identifiers: { customer: `c-${name}`, phone: `0888 00${i} 111`, email: 'orders@shop-a.bg' },
    })));
    expect(await distinctPersonas(shoppers.map((n) => ['customer', `c-${n}`]))).toBe(shoppers.length);
    const someone = await personaIdOf('customer', 'c-ivan');
    const view = await graph.graph(TENANT, someone!);
    const node = view!.nodes.find((n) => n.type === 'email' && n.value === 'orders@shop-a.bg');
    expect(node?.shared).toBe(true);
  });
});

/** Each person logs in with their account on the tablet, then checks out on it an hour later (another day each). */
function loginThenCheckout(tablet: string, family: string[]): ScenarioEvent[] {
  return family.flatMap((who, i): ScenarioEvent[] => [
    { id: `in-${who}`, type: 'login', timestamp: day(1 + i, 18), identifiers: { device: tablet, customer: `c-${who}` } },
    { id: `buy-${who}`, type: 'checkout', timestamp: day(1 + i, 19), identifiers: { device: tablet, customer: `c-${who}`, email: `${who}@home.bg`, phone: `0889 40${i} 400` } },
  ]);
}

/** Each person's account, email and phone as loginThenCheckout types them. */
const ownIdentifiers = (who: string, i: number): [string, string][] =>
  [['customer', `c-${who}`], ['email', `${who}@home.bg`], ['phone', `0889 40${i} 400`]];

/** Whether every person's own identifiers resolve to one persona, and no two people share one. */
async function onePersonaPerPerson(family: string[], tenant = TENANT): Promise<boolean> {
  const ids = await Promise.all(family.map(async (who, i) => {
    const resolved = await graph.resolve(tenant, ownIdentifiers(who, i).map(([type, value]) => ({ type, value }) as never));
    return new Set(resolved).size === 1 && resolved[0] !== null ? resolved[0] : null;
  }));
  return ids.every((id) => id !== null) && new Set(ids).size === family.length;
}

describe('shared devices', () => {
  it('a family tablet on which 3 people each log in with their own account: 3 personas', async () => {
    const tablet = device('family-tablet');
    const family = ['mother', 'father', 'daughter'];
    await ingest(family.flatMap((who, i): ScenarioEvent[] => [
      { id: `own-${who}`, type: 'checkout', timestamp: day(1 + i), identifiers: { customer: `c-${who}`, email: `${who}@family.bg`, phone: `0888 77${i} 000` } },
      { id: `tablet-${who}`, type: 'login', timestamp: day(5 + i), identifiers: { device: tablet, customer: `c-${who}` } },
    ]));
    expect(await distinctPersonas(family.map((w) => ['email', `${w}@family.bg`]))).toBe(3);
    // each person keeps their own latest email
    for (const who of family) expect((await personaOf('customer', `c-${who}`)).email).toBe(`${who}@family.bg`);
  });

  it('a family tablet on which 2–3 people log in with an email only (no account): each a persona of their own, and a campaign reaches each', async () => {
    for (const size of [2, 3]) {
      const tablet = device(`email-tablet-${size}`);
      const emails = ['a', 'b', 'c'].slice(0, size).map((who) => `${who}${size}@family.bg`);
      await ingest(emails.map((email, i) => ({ id: `e${size}-${i}`, type: 'login', timestamp: day(1 + i), identifiers: { device: tablet, email } })));
      expect(await distinctPersonas(emails.map((e) => ['email', e]))).toBe(size);
      for (const email of emails) expect((await personaOf('email', email)).email).toBe(email);
      const audience = await graph.dedupe(TENANT, { channel: 'email', recipients: emails.map((value) => ({ type: 'email', value })) });
      expect(audience.stats).toMatchObject({ input: size, recipients: size, duplicatesRemoved: 0 });
    }
  });

  it('a family tablet on which 4 people log in with an email only: more than the device threshold, 4 personas', async () => {
    const tablet = device('big-family-tablet');
    const emails = ['a', 'b', 'c', 'd'].map((who) => `${who}@family.bg`);
    await ingest(emails.map((email, i) => ({ id: `t-${i}`, type: 'login', timestamp: day(1 + i), identifiers: { device: tablet, email } })));
    expect(await distinctPersonas(emails.map((e) => ['email', e]))).toBe(4);
  });

  it('the fourth account logged in on a tablet marks it shared online: the glued persona is split, changes says so', async () => {
    const tablet = device('growing-tablet');
    // each account was seen before, in the app (an account seen once could be a one-off guest order id)
    await ingest([0, 1, 2, 3].map((i) => ({ type: 'login', timestamp: day(1, 8), identifiers: { customer: `c-m${i}` } })));
    const logins = (i: number): ScenarioEvent[] => [{ type: 'login', timestamp: day(2 + i), identifiers: { device: tablet, customer: `c-m${i}` } }];
    for (const i of [0, 1, 2]) await ingest(logins(i));
    // accounts seen nowhere else join the tablet's persona on trial: one persona so far
    expect(await distinctPersonas([0, 1, 2].map((i) => ['customer', `c-m${i}`]))).toBe(1);
    const first = (await personaIdOf('customer', 'c-m0'))!;
    const before = await graph.changes(TENANT);
    await ingest(logins(3));
    const ids = await graph.resolve(TENANT, [0, 1, 2, 3].map((i) => ({ type: 'customer', value: `c-m${i}` })));
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe(first);   // the first person keeps the persona id
    const after = await graph.changes(TENANT, before.cursor);
    const split = after.changes.find((c) => c.kind === 'split');
    expect(split?.personas).toEqual(expect.arrayContaining(ids as string[]));
    const view = (await graph.graph(TENANT, first))!;
    expect(view.nodes.find((n) => n.type === 'device')?.shared).toBe(true);
  });

  it('a family tablet on which 2 people sign in with their account and email (Segment identify): 2 personas', async () => {
    const tablet = device('identify-tablet');
    await ingest([
      { type: 'page', timestamp: day(1), identifiers: { device: tablet } },
      { type: 'identify', timestamp: day(1), identifiers: { device: tablet, customer: 'u-ivo', email: 'ivo@couple.bg' } },
      { type: 'page', timestamp: day(2), identifiers: { device: tablet } },
      { type: 'identify', timestamp: day(2), identifiers: { device: tablet, customer: 'u-rada', email: 'rada@couple.bg' } },
    ]);
    expect(await distinctPersonas([['email', 'ivo@couple.bg'], ['email', 'rada@couple.bg']])).toBe(2);
  });

  it('a family tablet on which each of 2–3 people logs in with their account, then checks out with email and phone on it: one persona per person', async () => {
    for (const size of [2, 3]) {
      const tenant = `family-of-${size}`;
      const family = ['mother', 'father', 'son'].slice(0, size);
      await ingest(loginThenCheckout(device(`checkout-tablet-${size}`), family), tenant);
      expect(await onePersonaPerPerson(family, tenant), `${size} people`).toBe(true);
      for (const [i, who] of family.entries()) {
        const persona = await personaOf('customer', `c-${who}`, tenant);
        expect(persona.email).toBe(`${who}@home.bg`);
        expect(persona.phone).toBe(`+35988940${i}400`);
      }
    }
  });

  it('a family tablet on which each of 4 people logs in, then checks out on it: more than the device threshold, 4 personas', async () => {
    const family = ['mother', 'father', 'son', 'daughter'];
    await ingest(loginThenCheckout(device('checkout-tablet'), family));
    expect(await distinctPersonas(family.map((w) => ['customer', `c-${w}`]))).toBe(4);
    // the first two were never refused anything: each holds their own address
    for (const [i, who] of family.slice(0, 2).entries()) expect((await personaOf('customer', `c-${who}`)).phone).toBe(`+35988940${i}400`);
  });

  it('…and the 3rd and 4th person get their own email and phone back after the tablet is marked shared', async () => {
    const family = ['mother', 'father', 'son', 'daughter'];
    await ingest(loginThenCheckout(device('checkout-tablet'), family));
    expect(await onePersonaPerPerson(family)).toBe(true);
    for (const [i, who] of family.entries()) {
      const persona = await personaOf('customer', `c-${who}`);
      expect(persona.email).toBe(`${who}@home.bg`);
      expect(persona.phone).toBe(`+35988940${i}400`);
    }
  });

  it('a family tablet on which 3 people check out (no separate login): 3 personas', async () => {
    const tablet = device('checkout-only-tablet');
    const family = ['mother', 'father', 'son'];
    await ingest(family.map((who, i) => ({
      type: 'checkout', timestamp: day(1 + i, 19), identifiers: { device: tablet, customer: `c-${who}`, email: `${who}@home.bg`, phone: `0889 40${i} 400` },
    })));
    expect(await distinctPersonas(family.map((w) => ['customer', `c-${w}`]))).toBe(3);
  });

  it('a family tablet on which 3 people log in with their accounts after their own checkouts arrived: 3 personas', async () => {
    const tablet = device('known-family-tablet');
    const family = ['mother', 'father', 'son'];
    await ingest(family.map((who, i) => ({ type: 'checkout', timestamp: day(10 + i), identifiers: { customer: `c-${who}`, email: `${who}@home.bg`, phone: `0889 50${i} 500` } })));
    await ingest(family.map((who, i) => ({ type: 'login', timestamp: day(1 + i), identifiers: { device: tablet, customer: `c-${who}` } })));
    expect(await distinctPersonas(family.map((w) => ['customer', `c-${w}`]))).toBe(3);
  });

  /** Everyone's login on the device first (a day each), then their checkouts without it (from another device, weeks later). */
  function loginsBeforeCheckouts(tablet: string, people: string[], phone = (i: number) => `0889 40${i} 400`): ScenarioEvent[] {
    return [
      ...people.map((who, i): ScenarioEvent => ({ id: `in-${who}`, type: 'login', timestamp: day(1 + i), identifiers: { device: tablet, customer: `c-${who}` } })),
      ...people.map((who, i): ScenarioEvent => ({ id: `buy-${who}`, type: 'checkout', timestamp: day(40 + i), identifiers: { customer: `c-${who}`, email: `${who}@home.bg`, phone: phone(i) } })),
    ];
  }

  it('a family tablet on which 2–4 people log in with their accounts BEFORE their own checkouts arrive: one persona per person', async () => {
    for (const size of [2, 3, 4]) {
      const tenant = `logins-first-${size}`;
      const family = ['mother', 'father', 'son', 'daughter'].slice(0, size);
      await ingest(loginsBeforeCheckouts(device(`logins-first-tablet-${size}`), family), tenant);
      expect(await onePersonaPerPerson(family, tenant), `${size} people`).toBe(true);
    }
  });

  it('an in-store kiosk where 30 people log in with their accounts before their checkouts arrive: 30 personas', async () => {
    const shoppers = [...Array(30).keys()].map((i) => `shopper${i}`);
    await ingest(loginsBeforeCheckouts(device('login-kiosk'), shoppers, (i) => `0887 ${100000 + i}`));
    expect(await distinctPersonas(shoppers.map((who) => ['customer', `c-${who}`]))).toBe(30);
  });

  it('an in-store kiosk used by 40 shoppers at checkout: 40 personas and the kiosk marked shared', async () => {
    const kiosk = device('store-kiosk');
    const shoppers = [...Array(40).keys()];
    await ingest(shoppers.map((i) => ({
      id: `kiosk-${i}`, type: 'Order Completed', timestamp: day(1, 8 + (i % 10)),
      identifiers: { device: kiosk, email: `shopper${i}@mail.bg`, phone: `0887 ${String(100000 + i)}` },
    })));
    expect(await distinctPersonas(shoppers.map((i) => ['email', `shopper${i}@mail.bg`]))).toBe(40);
    for (const i of [0, 17, 39]) {
      const persona = await personaOf('email', `shopper${i}@mail.bg`);
      expect(persona.phone).toBe(`+359887${100000 + i}`);
      expect(persona.counts.email).toBe(1);
    }
    const view = await graph.graph(TENANT, (await personaIdOf('email', 'shopper0@mail.bg'))!);
    const kioskNodes = view!.nodes.filter((n) => n.type === 'device');
    expect(kioskNodes.every((n) => n.shared)).toBe(true);
  });
});

describe('campaign links', () => {
  async function twoWellIdentifiedPeople() {
    await ingest([
      { id: 'alice', type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-alice', email: 'alice@mail.bg', phone: '0888 111 222', subscriber: 's-alice', device: device('alice-laptop') } },
      { id: 'bob', type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-bob', email: 'bob@mail.bg', phone: '0888 333 444', device: device('bob-phone') } },
    ]);
  }

  it('a link clicked on a new device attaches that device to the recipient', async () => {
    await twoWellIdentifiedPeople();
    const { token } = graph.createLink(TENANT, { url: 'https://shop-a.bg/sale', recipient: { subscriber: 's-alice' }, campaign: 'spring', channel: 'email' });
    const result = await ingest([{ id: 'click-1', type: 'link_click', timestamp: day(2), token, identifiers: { device: device('alice-tablet') } }]);
    expect(result).toMatchObject({ accepted: 1, errors: [] });
    expect(await personaIdOf('device', device('alice-tablet'))).toBe(await personaIdOf('customer', 'c-alice'));
  });

  it('a forwarded link clicked on another well-identified person\'s device merges nobody', async () => {
    await twoWellIdentifiedPeople();
    const { token } = graph.createLink(TENANT, { url: 'https://shop-a.bg/sale', recipient: { subscriber: 's-alice' }, campaign: 'spring', channel: 'email' });
    await ingest([{ id: 'fwd-click', type: 'link_click', timestamp: day(2), token, identifiers: { device: device('bob-phone') } }]);
    expect(await distinctPersonas([['customer', 'c-alice'], ['customer', 'c-bob']])).toBe(2);
    expect((await personaOf('customer', 'c-bob')).email).toBe('bob@mail.bg');
    const audience = await graph.dedupe(TENANT, { channel: 'email', recipients: [{ type: 'subscriber', value: 's-alice' }] });
    expect(audience.recipients.map((r) => r.address)).toEqual(['alice@mail.bg']);
  });

  it('a forwarded link clicked on an anonymous device: the device goes to the recipient until its owner logs in', async () => {
    await twoWellIdentifiedPeople();
    const friendsDevice = device('friend-laptop');
    await ingest([{ type: 'page', timestamp: day(1), identifiers: { device: friendsDevice } }]);
    const { token } = graph.createLink(TENANT, { url: 'https://shop-a.bg/sale', recipient: { subscriber: 's-alice' }, campaign: 'spring', channel: 'email' });
    await ingest([{ type: 'email_link_clicked', timestamp: day(2), token, identifiers: { device: friendsDevice } }]);
    expect(await personaIdOf('device', friendsDevice)).toBe(await personaIdOf('customer', 'c-alice'));
    await ingest([{ type: 'login', timestamp: day(3), identifiers: { device: friendsDevice, customer: 'c-friend', email: 'friend@mail.bg' } }]);
    expect(await personaIdOf('device', friendsDevice)).toBe(await personaIdOf('customer', 'c-friend'));
    expect(await distinctPersonas([['customer', 'c-alice'], ['customer', 'c-friend']])).toBe(2);
  });

  it('a link to a recipient the graph has not seen yet: the click makes them a persona with the device', async () => {
    const { token } = graph.createLink(TENANT, { url: 'https://shop-a.bg/sale', recipient: { email: 'New@Mail.bg' }, campaign: 'spring', channel: 'email' });
    await ingest([{ type: 'link_click', timestamp: day(2), token, identifiers: { device: device('new-reader') } }]);
    expect(await personaIdOf('email', 'new@mail.bg')).not.toBeNull();
    expect(await personaIdOf('device', device('new-reader'))).toBe(await personaIdOf('email', 'new@mail.bg'));
  });

  it('a token issued by another shop is rejected per item', async () => {
    const { token } = graph.createLink('shop-b', { url: 'https://shop-b.bg/sale', recipient: { subscriber: 's-alice' }, campaign: 'spring', channel: 'email' });
    const result = await ingest([{ type: 'link_click', timestamp: day(2), token, identifiers: { device: device('cross-shop') } }]);
    expect(result).toMatchObject({ accepted: 0, errors: [{ index: 0, field: 'token', error: { code: 'invalid_token' } }] });
  });

  it('a tampered token is rejected per item and links nothing', async () => {
    await twoWellIdentifiedPeople();
    const { token } = graph.createLink(TENANT, { url: 'https://shop-a.bg/sale', recipient: { subscriber: 's-alice' }, campaign: 'spring', channel: 'email' });
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    const result = await ingest([{ type: 'link_click', timestamp: day(2), token: tampered, identifiers: { device: device('stranger') } }]);
    expect(result.accepted).toBe(0);
    expect(result.errors[0].error.code).toBe('invalid_token');
    expect(await personaIdOf('device', device('stranger'))).toBeNull();
  });
});

describe('tenants', () => {
  it('the same person in two shops: two separate graphs', async () => {
    const story = onePersonOverTime();
    await ingest(story, 'shop-a');
    await ingest([story[2]], 'shop-b');   // only the checkout in the second shop
    const a = await personaOf('phone', '0888 123 456', 'shop-a');
    const b = await personaOf('phone', '0888 123 456', 'shop-b');
    expect(a.id).not.toBe(b.id);
    expect(b.email).toBe('ana@old-mail.bg');   // shop-b never saw the new address
    expect(await personaIdOf('email', 'ana.petrova@new-mail.bg', 'shop-b')).toBeNull();
    expect(await graph.persona('shop-b', a.id)).toBeNull();
  });
});

describe('guardrails: false', () => {
  it('gives plain connected components: the kiosk and weak evidence glue everyone together, blocked values still do not', async () => {
    await graph.configure(TENANT, { guardrails: false });
    const kiosk = device('cc-kiosk');
    await ingest([...Array(6).keys()].map((i) => ({
      type: 'checkout', timestamp: day(1 + i), identifiers: { device: kiosk, email: `p${i}@mail.bg` },
    })));
    await ingest([
      { type: 'link_click', timestamp: day(9), identifiers: { device: kiosk, email: 'weak@mail.bg' } },
      { type: 'page', timestamp: day(9), identifiers: { device: device('lone'), email: 'p0@mail.bg' } },
    ]);
    const everyone: [string, string][] = [...[...Array(6).keys()].map((i): [string, string] => ['email', `p${i}@mail.bg`]),
      ['email', 'weak@mail.bg'], ['device', device('lone')]];
    expect(await distinctPersonas(everyone)).toBe(1);
    // the block list is not a merge guardrail: blocked values still link nothing
    await ingest(['x', 'y'].map((who) => ({ type: 'checkout', timestamp: day(10), identifiers: { customer: `c-${who}`, email: 'test@test.com' } })));
    expect(await distinctPersonas([['customer', 'c-x'], ['customer', 'c-y']])).toBe(2);
    // the same events with guardrails on keep the kiosk shoppers apart
    await graph.configure('shop-b', { guardrails: true });
    await ingest([...Array(6).keys()].map((i) => ({
      type: 'checkout', timestamp: day(1 + i), identifiers: { device: kiosk, email: `p${i}@mail.bg` },
    })), 'shop-b');
    expect(await distinctPersonas(everyone.slice(0, 6), 'shop-b')).toBe(6);
  });
});

describe('split, explain, changes', () => {
  /** Two people who each had a persona, then one wrong checkout that typed both emails. */
  async function wrongMerge() {
    await ingest([
      { id: 'older', type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-older', email: 'older@mail.bg', phone: '0888 555 001' } },
      { id: 'newer', type: 'checkout', timestamp: day(2), identifiers: { customer: 'c-newer', email: 'newer@mail.bg', phone: '0888 555 002' } },
    ]);
    const older = (await personaIdOf('customer', 'c-older'))!;
    const newer = (await personaIdOf('customer', 'c-newer'))!;
    await ingest([{ id: 'wrong', type: 'checkout', timestamp: day(3), identifiers: { customer: 'c-older', email: 'newer@mail.bg' } }]);
    return { older, newer };
  }

  it('a strong checkout merges two personas: the older id survives, the newer is its alias and still resolves', async () => {
    const { older, newer } = await wrongMerge();
    expect(await personaIdOf('customer', 'c-newer')).toBe(older);
    const viaAlias = await graph.persona(TENANT, newer);
    expect(viaAlias!.id).toBe(older);
    expect(viaAlias!.aliases).toContain(newer);
  });

  it('explain lists every identifier and the evidence with its event, strength and decision', async () => {
    const { older } = await wrongMerge();
    const view = (await graph.graph(TENANT, older))!;
    const values = view.nodes.map((n) => `${n.type}:${n.value}`).sort();
    expect(values).toEqual(['customer:c-newer', 'customer:c-older', 'email:newer@mail.bg', 'email:older@mail.bg',
      'phone:+359888555001', 'phone:+359888555002']);
    expect(new Set(view.edges.map((e) => e.eventId))).toEqual(new Set(['older', 'newer', 'wrong']));
    const wrongEdge = view.edges.find((e) => e.eventId === 'wrong')!;
    expect(view.nodes[wrongEdge.from].value === 'c-older' || view.nodes[wrongEdge.to].value === 'c-older').toBe(true);
    expect(wrongEdge.timestamp).toBe(day(3));
    for (const edge of view.edges) {
      expect(edge.strength).toMatch(/^(weak|medium|strong)$/);
      expect(typeof edge.decision).toBe('string');
      expect(edge.decision.length).toBeGreaterThan(0);
    }
  });

  it('split undoes the merge and gives the newer person back their earlier persona id', async () => {
    const { older, newer } = await wrongMerge();
    const pieces = await graph.split(TENANT, older, { edges: [{ from: { type: 'customer', value: 'c-older' }, to: { type: 'email', value: 'newer@mail.bg' } }] });
    expect(pieces!.map((p) => p.id).sort()).toEqual([older, newer].sort());
    expect(await personaIdOf('customer', 'c-older')).toBe(older);
    expect(await personaIdOf('customer', 'c-newer')).toBe(newer);
    expect((await graph.persona(TENANT, newer))!.email).toBe('newer@mail.bg');
    expect((await graph.persona(TENANT, older))!.email).toBe('older@mail.bg');
  });

  it('split by identifiers: the named identifiers leave, the rest stays', async () => {
    const { older, newer } = await wrongMerge();
    await graph.split(TENANT, older, { identifiers: [{ type: 'customer', value: 'c-newer' }, { type: 'phone', value: '0888555002' }, { type: 'email', value: 'newer@mail.bg' }] });
    expect(await personaIdOf('customer', 'c-older')).toBe(older);
    expect(await personaIdOf('customer', 'c-newer')).toBe(newer);
  });

  it('changes lists the merge, then the split, with cursors that page forward', async () => {
    const { older, newer } = await wrongMerge();
    const first = await graph.changes(TENANT);
    const merge = first.changes.find((c) => c.kind === 'merge' && c.personas.includes(newer));
    expect(merge?.personas).toEqual(expect.arrayContaining([older, newer]));
    await graph.split(TENANT, older, { identifiers: [{ type: 'email', value: 'newer@mail.bg' }] });
    const next = await graph.changes(TENANT, first.cursor);
    expect(next.changes.map((c) => c.kind)).toEqual(['split']);
    expect(next.changes[0].personas).toContain(older);
    expect((await graph.changes(TENANT, next.cursor)).changes).toEqual([]);
  });
});

describe('event types', () => {
  /** The backquoted type names of one bullet of the README's "How merges are judged". */
  async function readmeTypes(bullet: string): Promise<string[]> {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## How merges are judged'));
    const item = section.slice(section.indexOf(`- *${bullet}*`)).split(/\n- |\n\n/)[0];
    return [...item.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  }

  /** Two people, each known by a checkout, then one event of `type` naming one's account and the other's email. */
  async function joinsTwoKnownPeople(type: string, tenant: string): Promise<boolean> {
    await ingest([
      { type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-1', email: 'one@mail.bg' } },
      { type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-2', email: 'two@mail.bg' } },
      { type, timestamp: day(2), identifiers: { customer: 'c-1', email: 'two@mail.bg' } },
    ], tenant);
    return (await distinctPersonas([['customer', 'c-1'], ['customer', 'c-2']], tenant)) === 1;
  }

  it('every login or checkout type the README lists is strong evidence; the ordinary ones it names are not', async () => {
    const strong = await readmeTypes('login or checkout');
    expect(strong).toEqual(expect.arrayContaining(['identify', 'login', 'checkout', 'order_completed', 'subscribe', 'alias']));
    for (const [i, type] of strong.entries()) expect(await joinsTwoKnownPeople(type, `strong-${i}`), type).toBe(true);
    expect(await joinsTwoKnownPeople('Order Completed', 'spelled')).toBe(true);
    for (const [i, type] of ['page', 'track', 'Product Viewed', 'Subscribed'].entries()) {
      expect(await joinsTwoKnownPeople(type, `ordinary-${i}`), type).toBe(false);
    }
  });
});

describe('limits and visits', () => {
  it('a third phone for one person is refused by the phone limit (2), and explain says so', async () => {
    await ingest([1, 2, 3].map((i) => ({
      id: `phone-${i}`, type: 'checkout', timestamp: day(i * 9), identifiers: { customer: 'c-1', phone: `0888 00${i} 00${i}` },
    })));
    const persona = await personaOf('customer', 'c-1');
    expect(persona.phone).toBe('+359888002002');
    expect(await personaIdOf('phone', '0888003003')).not.toBe(persona.id);
    const view = (await graph.graph(TENANT, persona.id))!;
    const refused = view.edges.find((e) => e.eventId === 'phone-3')!;
    expect(refused.decision).toBe('refused_limit');
    expect(view.nodes[refused.to].value === '+359888003003' || view.nodes[refused.from].value === '+359888003003').toBe(true);
  });

  it('a sign-up and an SMS subscription on the same device minutes later are one person (one visit)', async () => {
    const phone = device('visit-phone');
    await ingest([
      { type: 'Signed Up', timestamp: '2026-03-01T10:00:00.000Z', identifiers: { device: phone, customer: 'c-v', email: 'v@mail.bg' } },
      { type: 'subscribe', timestamp: '2026-03-01T10:00:00.000Z', identifiers: { subscriber: 'sms-v', phone: '0888 999 111' } },
      { type: 'subscribe', timestamp: '2026-03-01T10:05:00.000Z', identifiers: { device: phone, subscriber: 'sms-v' } },
    ]);
    expect(await distinctPersonas([['customer', 'c-v'], ['phone', '0888999111']])).toBe(1);
  });
});

describe('campaign dedupe', () => {
  it('sends once per persona, to the latest email, covering every input of that person', async () => {
    await ingest(onePersonOverTime());
    await ingest([
      { type: 'subscribe', timestamp: day(4), identifiers: { subscriber: 's-ana', email: 'ana@old-mail.bg' } },
      { type: 'subscribe', timestamp: day(4), identifiers: { subscriber: 's-boris', email: 'boris@mail.bg' } },
    ]);
    const result = await graph.dedupe(TENANT, { channel: 'email', recipients: [
      { type: 'subscriber', value: 's-ana' }, { type: 'email', value: 'ANA@old-mail.bg' }, { type: 'customer', value: 'c-ana' },
      { type: 'subscriber', value: 's-boris' }, { type: 'email', value: 'newcomer@mail.bg' }, { type: 'email', value: 'Newcomer@Mail.bg ' },
      { type: 'customer', value: 'c-unknown' },
    ] });
    const byAddress = Object.fromEntries(result.recipients.map((r) => [r.address, r.inputs]));
    expect(byAddress).toEqual({ 'ana.petrova@new-mail.bg': [0, 1, 2], 'boris@mail.bg': [3], 'newcomer@mail.bg': [4, 5] });
    expect(result.unreachable).toEqual([6]);
    expect(result.stats).toMatchObject({ input: 7, recipients: 3, duplicatesRemoved: 3, unreachable: 1 });
  });

  it('sms goes to the latest phone', async () => {
    await ingest([
      { type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-1', phone: '0888 100 200' } },
      { type: 'checkout', timestamp: day(5), identifiers: { customer: 'c-1', phone: '0899 300 400' } },
    ]);
    const result = await graph.dedupe(TENANT, { channel: 'sms', recipients: [{ type: 'phone', value: '0888100200' }, { type: 'customer', value: 'c-1' }] });
    expect(result.recipients).toEqual([expect.objectContaining({ address: '+359899300400', inputs: [0, 1] })]);
  });
});

describe('surface variants of one value', () => {
  it('gmail dots and +tags are one address; mail still goes to the address as typed', async () => {
    await ingest([{ type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-g', email: 'Ivan.Petrov+shop@gmail.com' } }]);
    const ids = await graph.resolve(TENANT, ['ivanpetrov@gmail.com', 'i.v.a.n.petrov@gmail.com', 'ivan.petrov+news@gmail.com', 'IVANPETROV@GMAIL.COM']
      .map((value) => ({ type: 'email', value }) as never));
    expect(new Set(ids)).toEqual(new Set([await personaIdOf('customer', 'c-g')]));
    expect((await personaOf('customer', 'c-g')).email).toBe('ivan.petrov+shop@gmail.com');
  });

  it('dots are not ignored outside gmail', async () => {
    await ingest([{ type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-a', email: 'ivan.petrov@abv.bg' } }]);
    expect(await personaIdOf('email', 'ivanpetrov@abv.bg')).toBeNull();
  });

  it('0888 123 456, +359 88 812 3456, 00359888123456 and 0888-123-456 are one phone', async () => {
    await ingest([
      { type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-p1', phone: '0888 123 456' } },
      { type: 'checkout', timestamp: day(2), identifiers: { subscriber: 's-p1', phone: '+359 88 812 3456' } },
      { type: 'subscribe', timestamp: day(3), identifiers: { email: 'p1@mail.bg', phone: '00359888123456' } },
    ]);
    expect(await distinctPersonas([['customer', 'c-p1'], ['subscriber', 's-p1'], ['email', 'p1@mail.bg'], ['phone', '0888-123-456'], ['phone', '(0888) 123456']])).toBe(1);
    expect((await personaOf('email', 'p1@mail.bg')).counts.phone).toBe(1);
  });

  it('defaultCountry decides what a national number means', async () => {
    await graph.configure('shop-ro', { defaultCountry: 'RO' });
    await ingest([{ type: 'checkout', timestamp: day(1), identifiers: { customer: 'c-ro', phone: '0722 123 456' } }], 'shop-ro');
    expect((await personaOf('customer', 'c-ro', 'shop-ro')).phone).toBe('+40722123456');
  });
});

describe('per-tenant blocked values', () => {
  const checkouts = (tenant: string) => ingest(['a', 'b', 'c'].map((who) => ({
    type: 'checkout', timestamp: day(1), identifiers: { customer: `c-${who}`, email: 'orders@shop-a.bg', phone: '+359 2 123 4567' },
  })), tenant);

  it('a tenant\'s blocked value and pattern link nothing there, and are reported per item', async () => {
    await graph.configure(TENANT, { blocked: { values: { email: ['Orders@Shop-A.bg'] }, patterns: { phone: ['^\\+3592'] } } });
    const result = await checkouts(TENANT);
    expect(result.accepted).toBe(3);
    expect(result.errors.map((e) => [e.field, e.error.code])).toEqual(
      ['a', 'b', 'c'].flatMap(() => [['identifiers.email', 'blocked_value'], ['identifiers.phone', 'blocked_value']]));
    expect(await distinctPersonas([['customer', 'c-a'], ['customer', 'c-b'], ['customer', 'c-c']])).toBe(3);
  });

  it('another tenant without the block is not affected by it', async () => {
    await graph.configure(TENANT, { blocked: { values: { email: ['orders@shop-a.bg'] } } });
    const result = await checkouts('shop-b');
    expect(result.errors).toEqual([]);
    expect(await personaIdOf('email', 'orders@shop-a.bg', 'shop-b')).not.toBeNull();
  });
});
