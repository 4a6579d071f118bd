// The writer applies the usual ingest batch from the core bytes the main thread encoded, while
// recovery applies the same log entry from its JSON: both must build the same graph, byte for byte.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { encodeEvents as encodeCore, encodedSizeBound } from '../../host/engine/codec.js';
import { MAX_VALUE_BYTES } from '../../host/engine/layout.js';
import { encodeBatch, encodeEvents } from '../../host/service/writer.js';
import type { LoggedEvent } from '../../host/service/events.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const logged: LoggedEvent[] = [
  { id: 'a', type: 'login', time: 1_700_000_000_123, evidence: 'authenticated', ids: [['email', 'ana@shop.bg', 'Ana.B@Shop.bg', 0], ['device', 'd-1', '', 0]] },
  { type: 'page', time: 5, evidence: 'ordinary', ids: [['customer', 'клиент-𝄞', '', 0], ['phone', '+359888123456', '', 1]], traits: { name: 'Ана' } },
  { id: 'c', type: 'link_click', time: -62_167_219_200_000, evidence: 'click', ids: [['subscriber', 's-1', '', 0]] },
  { id: 'd', type: 'x', time: 0, evidence: 'ordinary', ids: [['customer', 'c'.repeat(255), '', 0], ['customer', 'é', '', 0], ['customer', 'abc', '', 0]] },
];

describe('encodeBatch core bytes', () => {
  // values of 3-byte characters take more room in the core than in the JSON text: a second try makes room
  const wide: LoggedEvent[] = Array.from({ length: 20 }, (_, i) => (
    { id: `w${i}`, type: 'x', time: i, evidence: 'ordinary', ids: [['customer', '✓'.repeat(300 + i), '', 0], ['email', `${'ё'.repeat(40)}@x.bg`, `${'Ё'.repeat(40)}@x.bg`, 0]] }));

  it.each([['mostly ASCII', logged], ['multi-byte', wide], ['both', [...logged, ...wide]]])('are what the writer encodes from the logged JSON (tenant left 0): %s', (_, events) => {
    const batch = encodeBatch('shop-a', events);
    const fromJson = encodeEvents(0, JSON.parse(new TextDecoder().decode(batch.json)) as LoggedEvent[]);
    const expected = Buffer.alloc(encodedSizeBound(fromJson));
    const size = encodeCore(expected, 0, fromJson);
    expect(Buffer.from(batch.core!).equals(expected.subarray(0, size))).toBe(true);
    expect(batch.ids).toEqual(events.map((e) => e.id));
    // one transferable buffer holds both
    expect(batch.core!.buffer).toBe(batch.json.buffer);
  });

  it('are absent when a value is too long for the core: the writer then reports it from the JSON', () => {
    const long: LoggedEvent = { type: 'x', time: 0, evidence: 'ordinary', ids: [['customer', 'é'.repeat(MAX_VALUE_BYTES), '', 0]] };
    const batch = encodeBatch('shop-a', [logged[0], long]);
    expect(batch.core).toBeNull();
    expect(JSON.parse(new TextDecoder().decode(batch.json))).toEqual([logged[0], long]);
  });
});

describe('live apply from core bytes against replay from the log', () => {
  it('builds the same graph, with duplicates, blocked values, displays and non-ASCII values', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pg-encoded-batch-'));
    dirs.push(dataDir);
    const batches = Array.from({ length: 5 }, (_, b) => Array.from({ length: 30 }, (_, i) => ({
      id: `e-${(b * 30 + i) % 130}`, // the last batches repeat earlier ids: applied from the JSON without them
      type: i % 4 === 0 ? 'login' : i % 4 === 1 ? 'link_click' : 'page',
      timestamp: new Date(1_700_000_000_000 + (b * 30 + i) * 7919).toISOString(),
      identifiers: {
        email: i % 3 === 0 ? `Person.${i % 11}@Example.COM` : i % 7 === 0 ? 'test@test.com' : undefined,
        device: `00000000-0000-4000-8000-${String((b * 7 + i) % 40).padStart(12, '0')}`,
        customer: [`клиент-${(b * 13 + i) % 50}`, ...(i % 5 === 0 ? ['null'] : [])],
        phone: i % 6 === 0 ? `+35988812${String(i).padStart(4, '0')}` : undefined,
      },
      traits: i % 2 === 0 ? { plan: 'pro' } : undefined,
    })));
    let graph = await PersonaGraph.open({ dataDir, shards: 1 });
    for (const batch of batches) await graph.ingest('shop-a', batch);
    await graph.close(); // snapshot of the graph built live
    const snapshots = join(dataDir, 'snapshots');
    const newest = () => {
      const files = readdirSync(snapshots).filter((f) => !f.includes('tmp')).sort();
      return readFileSync(join(snapshots, files[files.length - 1]));
    };
    const live = newest();
    rmSync(snapshots, { recursive: true });
    graph = await PersonaGraph.open({ dataDir, shards: 1 }); // replays the whole log
    await graph.close();
    expect(newest().equals(live)).toBe(true);
  });
});
