// npx tsx bench/ingest/import-threads.ts FILE [--root DIR] — durable import of an NDJSON file
// through the built code of DIR (default: this checkout; run `npm run build` first), with the CPU
// each thread used during the import, µs per event: the main thread, the busiest other thread (the
// shard writer) and all the rest (V8's GC and compiler helpers, libuv). For A/B of two checkouts'
// dist/ in one period (alternate the runs); bench/ingest.bench.ts gives only main and all threads.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { root: { type: 'string' } } });
const root = resolve(values.root ?? join(fileURLToPath(import.meta.url), '../../..'));
const [file] = positionals;
const { PersonaGraph } = await import(join(root, 'dist/host/index.js'));
const { importFile } = await import(join(root, 'dist/host/service/importer.js'));

const CLOCK_TICKS_PER_SECOND = 100;
/** CPU seconds of every thread of this process (Linux), by thread id. */
function threadCpu(): Map<string, number> {
  return new Map(readdirSync('/proc/self/task').map((id) => {
    const fields = readFileSync(`/proc/self/task/${id}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return [id, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND];
  }));
}

const work = mkdtempSync(join(tmpdir(), 'pg-import-threads-'));
try {
  const graph = await PersonaGraph.open({ dataDir: join(work, 'data'), snapshotIntervalMs: 0 });
  const before = threadCpu();
  const start = performance.now();
  const summary = await importFile(graph, 'shop-a', file);
  const seconds = (performance.now() - start) / 1000;
  const after = threadCpu();
  await graph.close();
  const used = [...after].map(([id, cpu]) => ({ id, cpu: cpu - (before.get(id) ?? 0) }));
  const main = used.find((t) => t.id === String(process.pid))?.cpu ?? 0;
  const others = used.filter((t) => t.id !== String(process.pid)).map((t) => t.cpu).sort((a, b) => b - a);
  const all = main + others.reduce((sum, cpu) => sum + cpu, 0);
  const perEvent = (cpu: number) => Math.round((cpu * 1e6 * 100) / summary.lines) / 100;
  console.log(JSON.stringify({
    root, eventsPerSecond: Math.round(summary.lines / seconds), accepted: summary.accepted,
    cpuPerEvent: { all: perEvent(all), main: perEvent(main), writer: perEvent(others[0] ?? 0), rest: perEvent(all - main - (others[0] ?? 0)) },
  }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
