// Restart over an existing data directory against the machine's floor, without the scale bench's
// ingest (~20 min at 10 M): each round measures the floor (memory-floor.ts: touch, then read) and
// then restarts the built CLI until /readyz answers, and SIGKILLs it (no closing snapshot, so every
// round sees the same files).
//   npm run build && npx tsx bench/scale/restart-floor.ts --data DIR [--rounds 3]
import { parseArgs } from 'node:util';
import { startUntilReady } from './server.js';
import { memoryFloorSeconds, newestSnapshotFiles } from './memory-floor.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
if (values.data === undefined) throw new Error('--data DIR is required');
const rounds = Number(values.rounds);
const MB = 1024 * 1024;
const files = newestSnapshotFiles(values.data);
const fileMegabytes = files.reduce((sum, file) => sum + file.bytes, 0) / MB;
const rows: number[][] = [];
for (let round = 1; round <= rounds; round++) {
  const touch = await memoryFloorSeconds('touch', files);
  const read = await memoryFloorSeconds('read', files);
  const { server, readySeconds, cpuSeconds, peakRssBytes } = await startUntilReady(values.data);
  await server.kill9();
  rows.push([readySeconds, cpuSeconds, peakRssBytes / MB, touch, read]);
  console.log(`round ${round}: ready ${readySeconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU, peak RSS ${(peakRssBytes / MB).toFixed(0)} MB); `
    + `floor for ${files.length} files of ${fileMegabytes.toFixed(0)} MB: touch ${touch.toFixed(2)} s, read ${read.toFixed(2)} s`);
}
const median = (column: number) => rows.map((row) => row[column]).sort((a, b) => a - b)[(rows.length - 1) >> 1];
console.log(`median of ${rounds}: ready ${median(0).toFixed(2)} s, CPU ${median(1).toFixed(2)} s, peak RSS ${median(2).toFixed(0)} MB, `
  + `touch floor ${median(3).toFixed(2)} s (ready / floor ${(median(0) / median(3)).toFixed(2)}), read floor ${median(4).toFixed(2)} s`);
