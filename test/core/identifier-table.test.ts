// The identifier table: (tenant, type, normalized value) → node, with value bytes compared on every
// hash hit, growth by rehashing, and backward-shift deletion on erase.
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES } from '../../host/engine/shard.js';
import { DEVICE, EMAIL, PHONE, CUSTOMER, SUBSCRIBER, newShard, ingest, nodeOf, recordOf, personaIdOf, rng, randomInt, type Id, type Fixture } from './helpers.js';

const INITIAL_CAPACITY = 1024; // assembly/records.ts INITIAL_TABLE_CAPACITY
const EVENTS_PER_BATCH = 2000;

/** Interns single-identifier events, batch by batch. */
function internAll(f: Fixture, ids: readonly Id[]): void {
  for (let start = 0; start < ids.length; start += EVENTS_PER_BATCH) {
    ingest(f, ids.slice(start, start + EVENTS_PER_BATCH).map((id) => ({ ids: [id] })), start + 1);
  }
}

function manyValues(count: number): Id[] {
  const next = rng(7);
  const types = [EMAIL, PHONE, DEVICE, CUSTOMER, SUBSCRIBER];
  return Array.from({ length: count }, (_, i): Id => {
    const type = types[i % types.length];
    if (i % 997 === 0) return [type, `long-${i}-` + 'x'.repeat(MAX_VALUE_BYTES - 20)];
    if (i % 13 === 0) return [type, `ünïcødé-${i}-😀-иван-${randomInt(next, 1e9)}`];
    return [type, `v${i}-${randomInt(next, 1e9)}@example.bg`];
  });
}

describe('identifier table', () => {
  it('interns many values, long and unicode ones too, through several rehashes, and finds every one', () => {
    const f = newShard();
    const ids = manyValues(60_000); // 60k entries: the table doubles from 1024 to 128k slots
    expect(ids.length).toBeGreaterThan(INITIAL_CAPACITY * 32);
    internAll(f, ids);
    expect(f.shard.counts().nodes).toBe(ids.length);
    const seen = new Set<number>();
    const wrong: string[] = [];
    for (const id of ids) {
      const node = nodeOf(f, id);
      seen.add(node);
      const view = node === 0 ? undefined : f.shard.node(node);
      if (view?.type !== id[0] || view.value !== id[1]) wrong.push(id[1]);
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(ids.length);
    // interning again finds the same nodes and adds none
    internAll(f, ids.slice(0, 5000));
    expect(f.shard.counts().nodes).toBe(ids.length);
  });

  it('gives the same value a different node per type and per tenant, and tenants never share nodes', () => {
    const f = newShard('shop-a');
    const other = f.shard.registerTenant('shop-b');
    const value = 'same-value';
    ingest(f, [{ ids: [[EMAIL, value], [CUSTOMER, value]] }]);
    f.shard.applyEvents([{ tenant: other, evidence: 'authenticated', item: 0, time: 0, identifiers: [{ type: EMAIL, value }, { type: CUSTOMER, value }] }], 2);
    const nodes = [
      f.shard.lookupNode(f.tenant, { type: EMAIL, value }),
      f.shard.lookupNode(f.tenant, { type: CUSTOMER, value }),
      f.shard.lookupNode(other, { type: EMAIL, value }),
      f.shard.lookupNode(other, { type: CUSTOMER, value }),
    ];
    expect(new Set(nodes).size).toBe(4);
    expect(nodes.every((n) => n > 0)).toBe(true);
    // each tenant's pair is one persona, and the two tenants' personas are different
    const a = f.shard.resolveRecords(f.tenant, [{ type: EMAIL, value }, { type: CUSTOMER, value }]);
    const b = f.shard.resolveRecords(other, [{ type: EMAIL, value }, { type: CUSTOMER, value }]);
    expect(a[0]).toBe(a[1]);
    expect(b[0]).toBe(b[1]);
    expect(a[0]).not.toBe(b[0]);
    expect(f.shard.persona(a[0]).members).toBe(2);
    // a value only one tenant has is unknown to the other
    ingest(f, [{ ids: [[PHONE, '+359888000001']] }], 3);
    expect(f.shard.lookupNode(other, { type: PHONE, value: '+359888000001' })).toBe(0);
  });

  it('keeps values whose hashes share a table tag apart (bytes are compared on a hash hit)', () => {
    const f = newShard();
    const core = f.shard.coreExports();
    const slot = core.readerSlot(0);
    const tenantSeed = (BigInt(f.tenant) << 8n) | BigInt(EMAIL); // assembly/records.ts identifierHash
    // birthday search for two values whose 32-bit table tags collide (~10 expected among 300k)
    const byTag = new Map<number, string>();
    let pair: [string, string] | undefined;
    const encoder = new TextEncoder();
    for (let i = 0; i < 300_000 && !pair; i++) {
      const value = `user${i}@tag.test`;
      const bytes = encoder.encode(value);
      new Uint8Array(f.shard.memory.buffer).set(bytes, slot);
      const tag = Number(BigInt.asUintN(32, core.xxh64(slot, bytes.length, tenantSeed)));
      const earlier = byTag.get(tag);
      if (earlier !== undefined) pair = [earlier, value];
      else byTag.set(tag, value);
    }
    expect(pair, 'no tag collision found among 300k values').toBeDefined();
    const [a, b] = pair!;
    ingest(f, [{ ids: [[EMAIL, a]] }, { ids: [[EMAIL, b]] }]);
    const na = nodeOf(f, [EMAIL, a]);
    const nb = nodeOf(f, [EMAIL, b]);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    expect(na).not.toBe(nb);
    expect(f.shard.node(na).value).toBe(a);
    expect(f.shard.node(nb).value).toBe(b);
    expect(f.shard.resolveRecords(f.tenant, [{ type: EMAIL, value: a }, { type: EMAIL, value: b }])[0])
      .not.toBe(f.shard.resolveRecords(f.tenant, [{ type: EMAIL, value: b }])[0]);
  });

  it('erase removes a key and every other key still resolves (backward-shift deletion)', () => {
    const f = newShard();
    const ids = manyValues(20_000);
    internAll(f, ids);
    const next = rng(11);
    const erased = new Set<number>();
    // erase a third, in random order, so runs of every length lose members from their middles
    const order = ids.map((_, i) => i).sort(() => next() - 0.5);
    for (const i of order.slice(0, Math.floor(ids.length / 3))) {
      f.shard.erase(nodeOf(f, ids[i]));
      erased.add(i);
    }
    const wrong = ids.filter((id, i) => {
      const node = nodeOf(f, id);
      return erased.has(i) ? node !== 0 : node === 0 || f.shard.node(node).value !== id[1];
    });
    expect(wrong).toEqual([]);
    expect(f.shard.tenantStats(f.tenant).identifiers).toBe(ids.length - erased.size);
    // every identifier was its own persona: the erased ones' personas are gone, no other is
    expect(f.shard.tenantStats(f.tenant).personas).toBe(ids.length - erased.size);
    // an erased value seen again is a new identifier
    const [first] = [...erased];
    ingest(f, [{ ids: [ids[first]] }], 99);
    expect(nodeOf(f, ids[first])).toBeGreaterThan(ids.length);
  });

  it('one table finds identifiers by value and personas by id: an erased founder stays under its id, an erased member leaves', () => {
    const f = newShard();
    const ids = manyValues(20_000);
    // pairs: one identifier of each founds the pair's persona, the other is a plain member
    for (let start = 0; start < ids.length; start += EVENTS_PER_BATCH) {
      const events = [];
      for (let i = start; i < Math.min(start + EVENTS_PER_BATCH, ids.length); i += 2) events.push({ ids: [ids[i], ids[i + 1]] });
      ingest(f, events, start + 1);
    }
    const personaIds = new Map<string, number>();
    for (const id of ids) personaIds.set(personaIdOf(f, id), recordOf(f, id));
    expect(personaIds.size).toBe(ids.length / 2);
    const next = rng(13);
    const order = ids.map((_, i) => i).sort(() => next() - 0.5);
    const erased = new Set(order.slice(0, Math.floor(ids.length / 3)));
    let members = 0;
    for (const i of erased) {
      const node = nodeOf(f, ids[i]);
      if (f.shard.recordOfFounderNode(node) === 0) members++;
      f.shard.erase(node);
    }
    expect(members).toBeGreaterThan(erased.size / 3); // both kinds were erased
    // every id handed out still resolves to the persona it named (an erased founder's too)
    const lost = () => [...personaIds].filter(([id, record]) => f.shard.recordById(id) !== record);
    expect(lost()).toEqual([]);
    // grow the table: its rehash places every founder, erased or not, and none of the erased members
    internAll(f, manyValues(30_000).map(([type, value]): Id => [type, `grow-${value}`]));
    const wrong = ids.filter((id, i) => {
      const node = nodeOf(f, id);
      return erased.has(i) ? node !== 0 : node === 0 || f.shard.node(node).value !== id[1];
    });
    expect(wrong).toEqual([]);
    expect(lost()).toEqual([]);
    // no identifier's value is a persona id: a persona id that was never handed out finds nothing
    expect(f.shard.recordById(f.shard.personaId(recordOf(f, ids[order[order.length - 1]])).replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBe(0);
  });
});
