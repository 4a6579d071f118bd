// The dashboard's quality summary (host/service/quality.ts) over a real shard, checked against an
// oracle that groups every identifier sent by the persona it resolves to: sizes, the largest
// personas, shared and blocked identifiers; the same answer whatever the page size; one tenant's
// data never counted for another; erased identifiers not counted.
import { describe, expect, it } from 'vitest';
import { Shard, NODE_FLAG, type EncodedEvent, type TenantSettings } from '../../host/engine/shard.js';
import { TYPE_NAMES } from '../../host/engine/layout.js';
import { summarizeQuality, QualitySummaries, LARGEST_LIMIT, type QualitySummary, type ShardReader } from '../../host/service/quality.js';
import { mulberry32 } from '../../bench/seeded-random.js';

const EMAIL = 0;
const DEVICE = 2;
const CUSTOMER = 3;
const TYPES = [0, 1, 2, 3, 4];
/** Guardrails on, no size limits, a device seen with more than two people's identifiers is shared. */
const SETTINGS: TenantSettings = { guardrails: true, limits: [0, 0, 0, 0, 0], sharedAt: [0, 0, 2, 0, 0] };

const random = mulberry32;

interface World {
  shard: Shard;
  /** Every identifier sent, per tenant name, as `type:value`. */
  sent: Map<string, Set<string>>;
}

/** Random events over small identifier pools (so personas of many sizes form), for two tenants. */
function buildWorld(seed: number): World {
  const next = random(seed);
  const shard = Shard.create();
  const sent = new Map<string, Set<string>>();
  let seq = 1;
  for (const name of ['shop-a', 'shop-b']) {
    const tenant = shard.registerTenant(name);
    shard.configureTenant(tenant, SETTINGS);
    const ids = new Set<string>();
    sent.set(name, ids);
    for (let batch = 0; batch < 12; batch++) {
      const events: EncodedEvent[] = [];
      for (let item = 0; item < 25; item++) {
        const count = 1 + Math.floor(next() * 3);
        const identifiers = Array.from({ length: count }, () => {
          const type = TYPES[Math.floor(next() * TYPES.length)];
          const value = `${name}-${TYPE_NAMES[type]}-${Math.floor(next() * 60)}`;
          // every tenth email is junk: kept, linking nothing
          const blocked = type === EMAIL && value.endsWith('0');
          ids.add(`${type}:${value}`);
          return { type, value, blocked };
        });
        events.push({ tenant, evidence: next() < 0.7 ? 'authenticated' : 'ordinary', item, time: 1_700_000_000_000 + seq * 1000 + item, identifiers });
      }
      shard.applyEvents(events, seq++);
    }
  }
  return { shard, sent };
}

function readerFor(shard: Shard, name: string): ShardReader {
  return async (read) => read(shard, shard.tenant(name));
}

/** What the summary should say, from resolving every identifier sent, one by one. */
function oracle(world: World, name: string) {
  const { shard } = world;
  const tenant = shard.tenant(name);
  const sizes = new Map<string, number>(); // persona id → identifiers
  let shared = 0;
  let blocked = 0;
  for (const key of world.sent.get(name)!) {
    const [type, value] = [Number(key.slice(0, key.indexOf(':'))), key.slice(key.indexOf(':') + 1)];
    const record = shard.resolveRecords(tenant, [{ type, value }])[0];
    if (record === 0) continue; // erased
    const id = shard.personaId(record);
    sizes.set(id, (sizes.get(id) ?? 0) + 1);
    const flags = shard.node(shard.lookupNode(tenant, { type, value })).flags;
    if (flags & NODE_FLAG.SHARED) shared++;
    if (flags & NODE_FLAG.BLOCKED) blocked++;
  }
  return { sizes, shared, blocked };
}

function histogram(summary: QualitySummary): Map<number, number> {
  return new Map(summary.sizes.map((b) => [b.min, b.personas]));
}

function expectedHistogram(summary: QualitySummary, sizes: Map<string, number>): Map<number, number> {
  const counts = new Map(summary.sizes.map((b) => [b.min, 0]));
  for (const size of sizes.values()) {
    const bucket = summary.sizes.find((b) => size >= b.min && (b.max === null || size <= b.max))!;
    counts.set(bucket.min, counts.get(bucket.min)! + 1);
  }
  return counts;
}

const withoutTime = ({ at: _at, ...rest }: QualitySummary) => rest;

describe('quality summary', () => {
  it('agrees with resolving every identifier one by one', async () => {
    const world = buildWorld(7);
    for (const name of ['shop-a', 'shop-b']) {
      const summary = await summarizeQuality(readerFor(world.shard, name));
      const truth = oracle(world, name);
      expect(histogram(summary)).toEqual(expectedHistogram(summary, truth.sizes));
      expect([...histogram(summary).values()].reduce((a, b) => a + b, 0)).toBe(truth.sizes.size);
      expect(summary.stats).toEqual(world.shard.tenantStats(world.shard.tenant(name)));
      expect(summary.stats.personas).toBe(truth.sizes.size);

      const bySize = [...truth.sizes.values()].sort((a, b) => b - a).slice(0, LARGEST_LIMIT);
      expect(summary.largest.map((p) => p.size)).toEqual(bySize);
      for (const persona of summary.largest) {
        expect(truth.sizes.get(persona.id), persona.id).toBe(persona.size);
        expect(Object.values(persona.counts).reduce((a, b) => a + b, 0)).toBe(persona.size);
      }

      expect(summary.shared).toBe(truth.shared);
      expect(summary.blocked).toBe(truth.blocked);
      expect(truth.shared + truth.blocked).toBeGreaterThan(0);
      expect(summary.flagged).toHaveLength(Math.min(truth.shared + truth.blocked, 100));
      for (const flagged of summary.flagged) expect(flagged.value.startsWith(`${name}-`)).toBe(true);
      // shared ones first
      const firstBlockedOnly = summary.flagged.findIndex((f) => !f.shared);
      if (firstBlockedOnly >= 0) expect(summary.flagged.slice(firstBlockedOnly).every((f) => !f.shared)).toBe(true);
    }
  });

  it('gives the same summary whatever the page size', async () => {
    const world = buildWorld(11);
    const whole = withoutTime(await summarizeQuality(readerFor(world.shard, 'shop-a')));
    for (const pageRecords of [1, 3, 7, 64]) {
      expect(withoutTime(await summarizeQuality(readerFor(world.shard, 'shop-a'), { pageRecords })), `page of ${pageRecords}`).toEqual(whole);
    }
  });

  it('leaves erased identifiers out', async () => {
    const world = buildWorld(3);
    const tenant = world.shard.tenant('shop-a');
    const before = await summarizeQuality(readerFor(world.shard, 'shop-a'));
    const biggest = before.largest[0];
    // erase every device and customer of the largest persona
    const record = world.shard.recordById(biggest.id);
    const members = world.shard.members(world.shard.persona(record).root)
      .filter((n) => [DEVICE, CUSTOMER].includes(world.shard.node(n).type));
    expect(members.length).toBeGreaterThan(0);
    for (const node of members) world.shard.erase(node);

    const after = await summarizeQuality(readerFor(world.shard, 'shop-a'));
    const truth = oracle(world, 'shop-a');
    expect(histogram(after)).toEqual(expectedHistogram(after, truth.sizes));
    expect(after.stats.identifiers).toBe(before.stats.identifiers - members.length);
    expect(after.flagged.every((f) => world.shard.lookupNode(tenant, { type: TYPE_NAMES.indexOf(f.type as never), value: f.value }) !== 0)).toBe(true);
  });

  it('is empty for a tenant with no data', async () => {
    const world = buildWorld(5);
    const summary = await summarizeQuality(readerFor(world.shard, 'shop-none'));
    expect(summary.stats).toEqual({ personas: 0, identifiers: 0, merges: 0, refused: 0, splits: 0, edges: 0, shared: 0 });
    expect(summary.sizes.every((b) => b.personas === 0)).toBe(true);
    expect(summary.sizes.map((b) => [b.min, b.max])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 10], [11, 20], [21, 50], [51, 100], [101, null]]);
    expect(summary).toMatchObject({ largest: [], shared: 0, blocked: 0, flagged: [] });
  });
});

describe('quality summaries per tenant', () => {
  /** A reader that counts its reads, and can be made to fail. */
  function countingReader(shard: Shard) {
    const counter = { reads: 0, failing: false };
    const reader = (name: string): ShardReader => async (read) => {
      counter.reads++;
      if (counter.failing) throw new Error('shard unavailable');
      return read(shard, shard.tenant(name));
    };
    return { counter, reader };
  }

  it('shares one walk between callers that ask at the same time', async () => {
    const world = buildWorld(13);
    const { counter, reader } = countingReader(world.shard);
    const summaries = new QualitySummaries(reader);
    const alone = countingReader(world.shard);
    await new QualitySummaries(alone.reader).summary('shop-a');
    const [a, b, c] = await Promise.all([summaries.summary('shop-a'), summaries.summary('shop-a'), summaries.summary('shop-a')]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // one walk, plus a counter read per caller
    expect(counter.reads).toBe(alone.counter.reads + 2);
  });

  it('always gives current counters', async () => {
    const world = buildWorld(17);
    const summaries = new QualitySummaries((name) => async (read) => read(world.shard, world.shard.tenant(name)));
    const before = await summaries.summary('shop-a');
    const tenant = world.shard.tenant('shop-a');
    world.shard.applyEvents([{ tenant, evidence: 'authenticated', item: 0, time: 1, identifiers: [{ type: EMAIL, value: 'someone-new' }] }], 1000);
    const after = await summaries.summary('shop-a');
    expect(after.stats.personas).toBe(before.stats.personas + 1);
    expect(after.stats).toEqual(world.shard.tenantStats(tenant));
  });

  it('walks again after a walk failed', async () => {
    const world = buildWorld(19);
    const { counter, reader } = countingReader(world.shard);
    const summaries = new QualitySummaries(reader);
    counter.failing = true;
    await expect(summaries.summary('shop-a')).rejects.toThrow('shard unavailable');
    counter.failing = false;
    const summary = await summaries.summary('shop-a');
    expect(summary.stats.personas).toBeGreaterThan(0);
  });
});
