// npx tsx bench/ingest/phases.ts [--events N] — µs per event of each step of a durable ingest,
// run in one thread (parse, normalize, log append, engine apply), to see where the time goes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../host/store/index.js';
import { ShardWriter } from '../../host/service/writer.js';
import { normalizeEvents } from '../../host/service/events.js';
import { completeConfig } from '../../host/service/config.js';
import { generateEvents } from './generate.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, batch: { type: 'string', default: '5000' } } });
const events = Number(values.events);
const batch = Number(values.batch);
const work = mkdtempSync(join(tmpdir(), 'pg-phases-'));
try {
  const file = join(work, 'events.ndjson');
  await generateEvents(file, events);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const store = openStore(join(work, 'data'), { durability: 'full' });
  const writer = ShardWriter.recover(store, 0, () => 0);
  const config = completeConfig(null);
  const spent = { parse: 0, normalize: 0, ingest: 0 };
  for (let i = 0; i < lines.length; i += batch) {
    let t = performance.now();
    const parsed = lines.slice(i, i + batch).map((line) => JSON.parse(line));
    spent.parse += performance.now() - t;
    t = performance.now();
    const { events: normalized } = normalizeEvents(parsed, config, null);
    spent.normalize += performance.now() - t;
    t = performance.now();
    writer.ingest('shop-a', normalized.map((e) => e.event));
    spent.ingest += performance.now() - t;
  }
  store.close();
  for (const [name, ms] of Object.entries(spent)) console.log(`${name.padEnd(10)} ${((ms * 1000) / lines.length).toFixed(2)} µs/event`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
