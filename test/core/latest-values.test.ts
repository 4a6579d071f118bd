// Persona values (latest email/phone by event time, counts, updatedAt) must not depend on the
// order events arrive in: out-of-order ingestion equals time-sorted ingestion, and both equal an
// oracle computed straight from the events.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEVICE, EMAIL, PHONE, CUSTOMER, newShard, ingest, recordOf, type EventSpec, type Id, type Fixture } from './helpers.js';
import { OracleUnionFind } from './helpers.js';

const UNIVERSE: Id[] = [
  ...Array.from({ length: 5 }, (_, i): Id => [EMAIL, `e${i}@x.bg`]),
  ...Array.from({ length: 4 }, (_, i): Id => [PHONE, `+35988800000${i}`]),
  ...Array.from({ length: 4 }, (_, i): Id => [DEVICE, `d${i}`]),
  ...Array.from({ length: 2 }, (_, i): Id => [CUSTOMER, `c${i}`]),
];

/** Few distinct times, so ties (broken by the smaller value) happen often. */
const eventArbitrary = fc.record({
  ids: fc.uniqueArray(fc.integer({ min: 0, max: UNIVERSE.length - 1 }), { minLength: 1, maxLength: 4 }),
  time: fc.integer({ min: 0, max: 6 }).map((t) => 1_700_000_000_000 + t * 1000),
});
type GeneratedEvent = { ids: number[]; time: number };

function specs(events: GeneratedEvent[]): EventSpec[] {
  return events.map((e) => ({ ids: e.ids.map((i) => UNIVERSE[i]), time: e.time }));
}

interface Values {
  latestEmail: string | null;
  latestPhone: string | null;
  counts: number[];
  members: number;
  updatedAt: number;
}

function valuesPerIdentifier(f: Fixture, seen: Set<number>): (Values | null)[] {
  return UNIVERSE.map((id, i) => {
    if (!seen.has(i)) return null;
    const p = f.shard.persona(recordOf(f, id));
    const value = (node: number) => (node === 0 ? null : f.shard.node(node).value);
    return { latestEmail: value(p.latestEmail), latestPhone: value(p.latestPhone), counts: p.counts, members: p.members, updatedAt: p.updatedAt };
  });
}

/** Straight from the events: components, and per component the max (last seen, then smaller value). */
function oracleValues(events: GeneratedEvent[]): (Values | null)[] {
  const uf = new OracleUnionFind(UNIVERSE.length);
  const lastSeen = new Array<number>(UNIVERSE.length).fill(-Infinity);
  for (const e of events) {
    for (const i of e.ids) lastSeen[i] = Math.max(lastSeen[i], e.time);
    for (const i of e.ids) uf.union(e.ids[0], i);
  }
  const better = (a: number, b: number | null) =>
    b === null || lastSeen[a] > lastSeen[b] || (lastSeen[a] === lastSeen[b] && Buffer.compare(Buffer.from(UNIVERSE[a][1]), Buffer.from(UNIVERSE[b][1])) < 0);
  return UNIVERSE.map((_, i) => {
    if (lastSeen[i] === -Infinity) return null;
    const members = UNIVERSE.map((__, j) => j).filter((j) => lastSeen[j] !== -Infinity && uf.find(j) === uf.find(i));
    let email: number | null = null;
    let phone: number | null = null;
    const counts = [0, 0, 0, 0, 0];
    for (const j of members) {
      counts[UNIVERSE[j][0]]++;
      if (UNIVERSE[j][0] === EMAIL && better(j, email)) email = j;
      if (UNIVERSE[j][0] === PHONE && better(j, phone)) phone = j;
    }
    return {
      latestEmail: email === null ? null : UNIVERSE[email][1],
      latestPhone: phone === null ? null : UNIVERSE[phone][1],
      counts,
      members: members.length,
      updatedAt: Math.max(...members.map((j) => lastSeen[j])),
    };
  });
}

function run(events: GeneratedEvent[], batchSize: number): (Values | null)[] {
  const f = newShard();
  for (let start = 0; start < events.length; start += batchSize) {
    ingest(f, specs(events.slice(start, start + batchSize)), start + 1);
  }
  return valuesPerIdentifier(f, new Set(events.flatMap((e) => e.ids)));
}

describe('latest email and phone', () => {
  it('out-of-order ingestion gives the same persona values as time-sorted ingestion, and as the oracle', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 5 }), (events, batchSize) => {
        const sorted = [...events].sort((a, b) => a.time - b.time);
        const outOfOrder = run(events, batchSize);
        expect(outOfOrder).toEqual(run(sorted, batchSize));
        expect(outOfOrder).toEqual(run([...sorted].reverse(), 1));
        expect(outOfOrder).toEqual(oracleValues(events));
      }),
      { numRuns: 60, seed: 20261129 },
    );
  });

  it('a late-arriving older event changes neither latest value, a newer one takes over', () => {
    const f = newShard();
    const person: Id[] = [[EMAIL, 'new@x.bg'], [DEVICE, 'd1']];
    ingest(f, [{ ids: person, time: 2000 }], 1);
    ingest(f, [{ ids: [[EMAIL, 'old@x.bg'], [DEVICE, 'd1']], time: 1000 }], 2);
    let p = f.shard.persona(recordOf(f, person[0]));
    expect(f.shard.node(p.latestEmail).value).toBe('new@x.bg');
    expect(p.counts[EMAIL]).toBe(2);
    ingest(f, [{ ids: [[EMAIL, 'old@x.bg']], time: 3000 }], 3);
    p = f.shard.persona(recordOf(f, person[0]));
    expect(f.shard.node(p.latestEmail).value).toBe('old@x.bg');
    expect(p.updatedAt).toBe(3000);
  });
});
