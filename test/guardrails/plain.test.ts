// `guardrails: false` turns every merge rule off: personas are the plain connected components of
// the events' identifiers, except that blocked (junk) values still link nothing. Checked against
// an independent union-find on random events with tablets, kiosks, junk and clicks in them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentifierType, IncomingEvent, PersonaGraph } from '../../host/index.js';
import { device, ev, linkToken, openGraph } from './helpers.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await openGraph(); });
afterAll(async () => { await graph.close(); });

type Key = `${IdentifierType}:${string}`;

class UnionFind {
  private readonly parent = new Map<Key, Key>();
  add(k: Key): void { if (!this.parent.has(k)) this.parent.set(k, k); }
  find(k: Key): Key {
    let x = k;
    while (this.parent.get(x) !== x) x = this.parent.get(x)!;
    return x;
  }
  union(a: Key, b: Key): void { this.parent.set(this.find(a), this.find(b)); }
  keys(): Key[] { return [...this.parent.keys()]; }
}

/** mulberry32, so the random history is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK_EMAIL = 'test@test.com';

describe('guardrails off', () => {
  it('gives the connected components of the evidence, blocked values excepted', async () => {
    const t = 'plain-cc';
    await graph.configure(t, { guardrails: false });
    const next = random(7);
    const pick = (n: number) => Math.floor(next() * n);
    const oracle = new UnionFind();
    const events: IncomingEvent[] = [];
    for (let s = 0; s < 20; s++) {
      await graph.ingest(t, [ev('subscribe', 0, { email: `p${s}@mail.bg`, subscriber: `s-${s}` })]);
      oracle.add(`email:p${s}@mail.bg`);
      oracle.add(`subscriber:s-${s}`);
      oracle.union(`email:p${s}@mail.bg`, `subscriber:s-${s}`);
    }
    for (let i = 0; i < 300; i++) {
      const ids: Partial<Record<IdentifierType, string>> = {};
      const keys: Key[] = [];
      const add = (type: IdentifierType, value: string) => { ids[type] = value; keys.push(`${type}:${value}`); };
      // a few devices shared by many (tablets, a kiosk), people's addresses, guest ids
      if (next() < 0.8) add('device', device(pick(40)));
      if (next() < 0.5) add('email', `p${pick(60)}@mail.bg`);
      if (next() < 0.3) add('phone', `+359888${String(pick(60)).padStart(6, '0')}`);
      if (next() < 0.4) add('customer', `g-${pick(200)}`);
      if (keys.length === 0) add('device', device(pick(40)));
      const junk = next() < 0.1;
      if (junk) ids.email = JUNK_EMAIL;
      const click = next() < 0.1 && ids.device !== undefined;
      const subscriber = `s-${pick(20)}`;
      const event = click
        ? ev('link_click', i, { device: ids.device }, { token: linkToken(graph, t, subscriber) })
        : ev(['checkout', 'login', 'page', 'event'][pick(4)], i, ids);
      events.push(event);
      const linked = click ? [`device:${ids.device}` as Key, `subscriber:${subscriber}` as Key] : keys.filter((k) => !(junk && k.startsWith('email:')));
      linked.forEach((k) => oracle.add(k));
      for (let j = 1; j < linked.length; j++) oracle.union(linked[0], linked[j]);
    }
    const result = await graph.ingest(t, events);
    expect(result.accepted).toBe(events.length);

    const keys = oracle.keys();
    const personas = await graph.resolve(t, keys.map((k) => {
      const colon = k.indexOf(':');
      return { type: k.slice(0, colon) as IdentifierType, value: k.slice(colon + 1) };
    }));
    expect(personas.every((p) => p !== null)).toBe(true);
    // same partition: two keys share a persona exactly when the oracle puts them in one component
    const byPersona = new Map<string, Key>();
    const byComponent = new Map<Key, string>();
    keys.forEach((k, i) => {
      const persona = personas[i]!;
      const component = oracle.find(k);
      if (!byPersona.has(persona)) byPersona.set(persona, component);
      if (!byComponent.has(component)) byComponent.set(component, persona);
      expect(byPersona.get(persona)).toBe(component);
      expect(byComponent.get(component)).toBe(persona);
    });
    // the junk value is its own persona, linked to nothing
    const [junk] = await graph.resolve(t, [{ type: 'email', value: JUNK_EMAIL }]);
    expect((await graph.persona(t, junk!))!.identifiers).toHaveLength(1);
    expect(byPersona.size).toBeGreaterThan(1);
  });
});
