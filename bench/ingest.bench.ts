// npm run bench:ingest — events/s of durable `import` of a generated NDJSON file and of the
// facade's ingest (memory only), beside the rate of merely JSON-parsing the same lines.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PersonaGraph } from '../host/index.js';
import { importFile } from '../host/service/importer.js';
import { generateEvents } from './ingest/generate.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, quick: { type: 'boolean', default: false } } });
const events = values.quick ? 200_000 : Number(values.events);
const work = mkdtempSync(join(tmpdir(), 'pg-ingest-bench-'));
const file = join(work, `events-${events}.ndjson`);

try {
  if (!existsSync(file)) await generateEvents(file, events);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);

  let t = performance.now();
  const parsed = lines.map((line) => JSON.parse(line));
  const parseSeconds = (performance.now() - t) / 1000;

  const durableDir = join(work, 'data');
  const durable = await PersonaGraph.open({ dataDir: durableDir, snapshotIntervalMs: 0 });
  t = performance.now();
  const summary = await importFile(durable, 'shop-a', file);
  const importSeconds = (performance.now() - t) / 1000;
  await durable.close();

  const memory = await PersonaGraph.open({});
  const BATCH = 5_000;
  t = performance.now();
  for (let i = 0; i < parsed.length; i += BATCH) await memory.ingest('shop-a', parsed.slice(i, i + BATCH));
  const facadeSeconds = (performance.now() - t) / 1000;
  await memory.close();

  const rate = (seconds: number) => Math.round(lines.length / seconds);
  const parseRate = rate(parseSeconds);
  const rows = [
    ['JSON.parse of the same lines (reference)', parseRate, 1],
    ['durable import (CLI path, SQLite FULL sync)', rate(importSeconds), rate(importSeconds) / parseRate],
    ['facade ingest, memory only, batches of 5,000', rate(facadeSeconds), rate(facadeSeconds) / parseRate],
  ] as const;
  console.log(`ingest benchmark: ${lines.length} events (accepted ${summary.accepted}, rejected ${summary.rejected})`);
  console.log('| path | events/s | × parse |');
  console.log('|---|---:|---:|');
  for (const [name, r, ratio] of rows) console.log(`| ${name} | ${r.toLocaleString('en-US')} | ${ratio.toFixed(3)} |`);
  console.log(`target: durable import ≥ 0.3 × parse → ${rows[1][2] >= 0.3 ? 'met' : 'MISSED'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
