// npx tsx bench/ingest/normalize-check.ts [--events N] [--batch N]
// The main thread's per-event work of an import, measured alone with cold caches (one fresh process
// per run): normalizeEvents and encodeBatch, µs of CPU per event. Also prints a digest of everything
// they produce (log bytes, item errors) on the ingest bench's events and on a mix of awkward values,
// so a change to normalization can be checked byte-identical against main by running this on both.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeBatch } from '../../host/service/writer.js';
import { normalizeEvents } from '../../host/service/events.js';
import { completeConfig } from '../../host/service/config.js';
import { mulberry32 } from '../seeded-random.js';
import { generateEvents } from './generate.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, batch: { type: 'string', default: '5000' } } });
const eventCount = Number(values.events);
const batchSize = Number(values.batch);

// Values the bench's generator never sends: placeholders, other spellings, invalid and blocked ones.
const AWKWARD: Record<string, unknown[]> = {
  phone: ['+359 888 123 456', '00359888123456', '0888 888 888', '0000000000', '+359 000 000 000', '12', 'tel:0888123456',
    '+49 30 1234567', '(088) 812-3456', '０８８８ １２３ ４５６', ['0888 123 456', '+359888123456'], '0888 123 45x'],
  email: ['Test@Example.com', 'john.doe+tag@GoogleMail.com', 'a@a.com', 'not-an-email', 'x@y', 'Ivan@Пример.бг',
    ['ivan@shop.bg', 'Ivan@Shop.BG'], 'noreply@shop.bg'],
  device: ['00000000-0000-0000-0000-000000000000', 'AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA', 'not-a-uuid',
    '6F9619FF-8B86-D011-B42D-00C04FC964FF'],
  customer: ['null', 'guest', '', ' ', 'c-1', ['c-1', 'c-1', 'c-2']],
  subscriber: ['s-1', 'undefined', 'x'.repeat(300)],
};

/** The bench's events with some identifiers swapped for awkward values, and a few malformed events. */
function awkwardMix(events: Record<string, unknown>[], seed: number): unknown[] {
  const random = mulberry32(seed);
  const types = Object.keys(AWKWARD);
  return events.map((event, i) => {
    if (i % 97 === 0) return { ...event, timestamp: 'yesterday' };
    if (i % 101 === 0) return { ...event, identifiers: { fax: '123' } };
    const identifiers = { ...(event.identifiers as Record<string, unknown>) };
    const type = types[Math.floor(random() * types.length)];
    const choices = AWKWARD[type];
    identifiers[type] = choices[Math.floor(random() * choices.length)];
    return { ...event, identifiers, traits: i % 3 === 0 ? { plan: 'pro', n: i } : undefined };
  });
}

const work = mkdtempSync(join(tmpdir(), 'pg-normalize-'));
try {
  const file = join(work, 'events.ndjson');
  await generateEvents(file, eventCount);
  const bench = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const mixed = awkwardMix(bench.slice(0, Math.min(bench.length, 50_000)), 2);
  const config = completeConfig(null);
  const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
  // a fixed clock: events without a timestamp take it, and the digest must not depend on when it ran
  const now = Date.UTC(2026, 5, 1);

  const spent = { normalize: 0, encode: 0 };
  const digest = createHash('sha256');
  for (let i = 0; i < bench.length; i += batchSize) {
    const batch = bench.slice(i, i + batchSize);
    let t = cpuMs();
    const { events, errors } = normalizeEvents(batch, config, null, now);
    spent.normalize += cpuMs() - t;
    t = cpuMs();
    const encoded = encodeBatch('shop-a', events.map((e) => e.event));
    spent.encode += cpuMs() - t;
    digest.update(encoded.json).update(JSON.stringify([events.map((e) => e.index), errors]));
  }
  const perEvent = (ms: number) => ((ms * 1000) / bench.length).toFixed(2);
  console.log(`normalize  ${perEvent(spent.normalize)} µs CPU/event (cold caches, ${bench.length} events)`);
  console.log(`encode     ${perEvent(spent.encode)} µs CPU/event`);
  console.log(`bench digest ${digest.digest('hex').slice(0, 16)}`);

  const mixedDigest = createHash('sha256');
  for (let i = 0; i < mixed.length; i += batchSize) {
    const { events, errors } = normalizeEvents(mixed.slice(i, i + batchSize), config, null, now);
    mixedDigest.update(encodeBatch('shop-a', events.map((e) => e.event)).json).update(JSON.stringify([events.map((e) => e.index), errors]));
  }
  console.log(`mixed digest ${mixedDigest.digest('hex').slice(0, 16)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
