// npx tsx bench/ingest/phases.ts [--events N] — µs per event of each step of a durable ingest,
// run in one thread (parse, normalize, log append, engine apply), to see where the time goes.
// CPU time (process.cpuUsage), not wall time: the machine is shared, and the log's fsync waits are
// not CPU; the wall time of the ingest step is printed beside it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../host/store/index.js';
import { ShardWriter, encodeBatch } from '../../host/service/writer.js';
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
  const store = openStore(join(work, 'data'), { durability: process.env.DURABILITY === 'normal' ? 'normal' : 'full' });
  const writer = ShardWriter.recover(store, 0, () => 0);
  const config = completeConfig(null);
  const spent = { parse: 0, normalize: 0, ingest: 0 };
  let ingestWall = 0;
  const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
  for (let i = 0; i < lines.length; i += batch) {
    let t = cpuMs();
    const parsed = lines.slice(i, i + batch).map((line) => JSON.parse(line));
    spent.parse += cpuMs() - t;
    t = cpuMs();
    const { events: normalized } = normalizeEvents(parsed, config, null);
    spent.normalize += cpuMs() - t;
    // encoded before the clock starts: in the server the main thread encodes, the writer appends and applies
    const encoded = encodeBatch('shop-a', normalized.map((e) => e.event));
    t = cpuMs();
    const wall = performance.now();
    writer.ingestEncoded(encoded);
    spent.ingest += cpuMs() - t;
    ingestWall += performance.now() - wall;
  }
  store.close();
  const perEvent = (ms: number) => ((ms * 1000) / lines.length).toFixed(2);
  for (const [name, ms] of Object.entries(spent)) console.log(`${name.padEnd(10)} ${perEvent(ms)} µs CPU/event`);
  console.log(`ingest     ${perEvent(ingestWall)} µs wall/event (log append with fsync, engine apply)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
