// npm run bench:ingest — events/s of durable `import` of a generated NDJSON file and of the
// facade's ingest (memory only), beside the rate of merely JSON-parsing the same lines. Also the
// CPU time each costs per event, all threads of the process counted (process.cpuUsage): on a
// shared, loaded machine wall-clock rates swing with other work, CPU per event much less.
//
// Each path runs in its own fresh process (`--part durable|memory`): the normalizer's verdict
// caches are per tenant settings and the default settings are one shared object, so a second run
// in the same process found every value already normalized and looked ~2x cheaper than the first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PersonaGraph } from '../host/index.js';
import { importFile } from '../host/service/importer.js';
import { generateEvents } from './ingest/generate.js';
import { report } from './figures.js';
import { threadCpuSeconds } from './ingest/thread-cpu.js';

const { values } = parseArgs({ options: {
  events: { type: 'string', default: '1000000' }, quick: { type: 'boolean', default: false }, json: { type: 'string' },
  part: { type: 'string' }, file: { type: 'string' },
} });

/** What one part measured: wall seconds, and CPU µs per event of the whole process and of its main thread. */
interface PartResult { seconds: number; cpuPerEvent: number; mainCpuPerEvent: number; accepted: number; rejected: number }

const FACADE_BATCH = 5_000;
const cpuMicros = () => { const { user, system } = process.cpuUsage(); return user + system; };
const readLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

async function runPart(part: string, file: string): Promise<PartResult> {
  const lines = readLines(file);
  const work = mkdtempSync(join(tmpdir(), 'pg-ingest-part-'));
  try {
    if (part === 'durable') {
      const graph = await PersonaGraph.open({ dataDir: join(work, 'data'), snapshotIntervalMs: 0 });
      const [t, cpu, main] = [performance.now(), cpuMicros(), threadCpuSeconds()];
      const summary = await importFile(graph, 'shop-a', file);
      const result = measured(lines.length, t, cpu, main, summary.accepted, summary.rejected);
      await graph.close();
      return result;
    }
    const parsed = lines.map((line) => JSON.parse(line));
    const graph = await PersonaGraph.open({});
    const [t, cpu, main] = [performance.now(), cpuMicros(), threadCpuSeconds()];
    let accepted = 0;
    for (let i = 0; i < parsed.length; i += FACADE_BATCH) accepted += (await graph.ingest('shop-a', parsed.slice(i, i + FACADE_BATCH))).accepted;
    const result = measured(lines.length, t, cpu, main, accepted, parsed.length - accepted);
    await graph.close();
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function measured(events: number, t: number, cpu: number, main: number, accepted: number, rejected: number): PartResult {
  return {
    seconds: (performance.now() - t) / 1000,
    cpuPerEvent: (cpuMicros() - cpu) / events,
    mainCpuPerEvent: ((threadCpuSeconds() - main) * 1e6) / events,
    accepted,
    rejected,
  };
}

/** Runs one part in a fresh process (same Node flags, so tsx's loader comes along). */
function spawnPart(part: string, file: string): PartResult {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--part', part, '--file', file], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`the ${part} part failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as PartResult;
}

if (values.part) {
  console.log(JSON.stringify(await runPart(values.part, values.file!)));
} else {
  const events = values.quick ? 200_000 : Number(values.events);
  const work = mkdtempSync(join(tmpdir(), 'pg-ingest-bench-'));
  const file = join(work, `events-${events}.ndjson`);
  try {
    await generateEvents(file, events);
    const lines = readLines(file);
    const t = performance.now();
    const cpu = cpuMicros();
    lines.map((line) => JSON.parse(line));
    const parseSeconds = (performance.now() - t) / 1000;
    const parseCpu = (cpuMicros() - cpu) / lines.length;

    const durable = spawnPart('durable', file);
    const memory = spawnPart('memory', file);

    const round2 = (x: number) => Math.round(x * 100) / 100;
    const rate = (seconds: number) => Math.round(lines.length / seconds);
    const parse = { name: 'JSON.parse of the same lines', value: rate(parseSeconds) };
    const parseCpuRef = { name: 'CPU per event of JSON.parse', value: round2(parseCpu) };
    const importRate = rate(durable.seconds);
    const facadeRate = rate(memory.seconds);
    report({
      bench: 'ingest',
      command: `npm run bench:ingest -- --events ${events}`,
      figures: [
        { name: `durable import of ${lines.length.toLocaleString('en-US')} NDJSON events (CLI path, SQLite FULL sync)`, value: importRate, unit: 'events/s',
          reference: parse, ratio: importRate / parse.value, target: '≥ 0.3 × parse', met: importRate / parse.value >= 0.3,
          note: `accepted ${durable.accepted}, rejected ${durable.rejected}` },
        { name: 'facade ingest, memory only, batches of 5,000', value: facadeRate, unit: 'events/s', reference: parse, ratio: facadeRate / parse.value },
        { name: 'CPU per event of the durable import (all threads)', value: round2(durable.cpuPerEvent), unit: 'µs',
          reference: parseCpuRef, ratio: parseCpu / durable.cpuPerEvent, note: `main thread ${round2(durable.mainCpuPerEvent)} µs` },
        { name: 'CPU per event of the facade ingest, memory only (all threads)', value: round2(memory.cpuPerEvent), unit: 'µs',
          reference: parseCpuRef, ratio: parseCpu / memory.cpuPerEvent, note: `main thread ${round2(memory.mainCpuPerEvent)} µs` },
      ],
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
