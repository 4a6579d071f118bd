// npm run bench:ingest — events/s of durable `import` of a generated NDJSON file and of the
// facade's ingest (memory only), beside the rate of merely JSON-parsing the same lines. Also the
// CPU time each costs per event, all threads of the process counted (process.cpuUsage): on a
// shared, loaded machine wall-clock rates swing with other work, CPU per event much less.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PersonaGraph } from '../host/index.js';
import { importFile } from '../host/service/importer.js';
import { generateEvents } from './ingest/generate.js';
import { report } from './figures.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
const events = values.quick ? 200_000 : Number(values.events);
const work = mkdtempSync(join(tmpdir(), 'pg-ingest-bench-'));
const file = join(work, `events-${events}.ndjson`);

try {
  if (!existsSync(file)) await generateEvents(file, events);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);

  const cpuMicros = () => { const { user, system } = process.cpuUsage(); return user + system; };
  let t = performance.now();
  let cpu = cpuMicros();
  const parsed = lines.map((line) => JSON.parse(line));
  const parseSeconds = (performance.now() - t) / 1000;
  const parseCpu = (cpuMicros() - cpu) / lines.length;

  const durableDir = join(work, 'data');
  const durable = await PersonaGraph.open({ dataDir: durableDir, snapshotIntervalMs: 0 });
  t = performance.now();
  cpu = cpuMicros();
  const summary = await importFile(durable, 'shop-a', file);
  const importSeconds = (performance.now() - t) / 1000;
  const importCpu = (cpuMicros() - cpu) / lines.length;
  await durable.close();

  const memory = await PersonaGraph.open({});
  const BATCH = 5_000;
  t = performance.now();
  cpu = cpuMicros();
  for (let i = 0; i < parsed.length; i += BATCH) await memory.ingest('shop-a', parsed.slice(i, i + BATCH));
  const facadeSeconds = (performance.now() - t) / 1000;
  const facadeCpu = (cpuMicros() - cpu) / lines.length;
  await memory.close();

  const round2 = (x: number) => Math.round(x * 100) / 100;
  const rate = (seconds: number) => Math.round(lines.length / seconds);
  const parse = { name: 'JSON.parse of the same lines', value: rate(parseSeconds) };
  const importRate = rate(importSeconds);
  const facadeRate = rate(facadeSeconds);
  report({
    bench: 'ingest',
    command: `npm run bench:ingest -- --events ${events}`,
    figures: [
      { name: `durable import of ${lines.length.toLocaleString('en-US')} NDJSON events (CLI path, SQLite FULL sync)`, value: importRate, unit: 'events/s',
        reference: parse, ratio: importRate / parse.value, target: '≥ 0.3 × parse', met: importRate / parse.value >= 0.3,
        note: `accepted ${summary.accepted}, rejected ${summary.rejected}` },
      { name: 'facade ingest, memory only, batches of 5,000', value: facadeRate, unit: 'events/s', reference: parse, ratio: facadeRate / parse.value },
      { name: 'CPU per event of the durable import (all threads)', value: round2(importCpu), unit: 'µs',
        reference: { name: 'CPU per event of JSON.parse', value: round2(parseCpu) }, ratio: parseCpu / importCpu },
      { name: 'CPU per event of the facade ingest, memory only (all threads)', value: round2(facadeCpu), unit: 'µs',
        reference: { name: 'CPU per event of JSON.parse', value: round2(parseCpu) }, ratio: parseCpu / facadeCpu },
    ],
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
