// npx tsx bench/ingest/writer-profile.ts [--events N] [--batch N] [--store file|memory]
// CPU per event of the shard writer alone, on the main thread (Piscina workers write no
// --cpu-prof profiles): events are parsed and normalized first, untimed, then fed to
// ShardWriter.ingest in batches. Run with --cpu-prof to see where the writer's time goes;
// compare --store file (SQLite file, FULL sync) against --store memory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../host/store/index.js';
import { ShardWriter, encodeBatch } from '../../host/service/writer.js';
import { normalizeEvents } from '../../host/service/events.js';
import { completeConfig } from '../../host/service/config.js';
import { generateEvents } from './generate.js';

const { values } = parseArgs({ options: {
  events: { type: 'string', default: '200000' }, batch: { type: 'string', default: '5000' }, store: { type: 'string', default: 'file' }, group: { type: 'string', default: '1' },
} });
const events = Number(values.events);
const batch = Number(values.batch);
const work = mkdtempSync(join(tmpdir(), 'pg-writer-profile-'));
try {
  const file = join(work, 'events.ndjson');
  await generateEvents(file, events);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const config = completeConfig(null);
  const batches = [];
  for (let i = 0; i < lines.length; i += batch) {
    batches.push(normalizeEvents(lines.slice(i, i + batch).map((line) => JSON.parse(line)), config, null).events.map((e) => e.event));
  }
  const store = openStore(values.store === 'memory' ? null : join(work, 'data'), { durability: 'full' });
  const writer = ShardWriter.recover(store, 0, () => 0);
  const cpu = () => { const { user, system } = process.cpuUsage(); return { user, system }; };
  const start = cpu();
  const wall = performance.now();
  const group = Number(values.group);
  for (let i = 0; i < batches.length; i += group) {
    if (group === 1) writer.ingestEncoded(encodeBatch('shop-a', batches[i]));
    else writer.ingestGroup(batches.slice(i, i + group).map((events) => encodeBatch('shop-a', events)));
  }
  const end = cpu();
  const wallMs = performance.now() - wall;
  store.close();
  const per = (micros: number) => (micros / lines.length).toFixed(2);
  console.log(`${values.store}: user ${per(end.user - start.user)} + system ${per(end.system - start.system)} µs CPU/event, ${per(wallMs * 1000)} µs wall/event`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
