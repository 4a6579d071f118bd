// npm run bench [-- --quick] [--only core,ingest]: runs every benchmark, each in its own process,
// and rewrites bench/RESULTS.md with each figure, its reference from the same run, the ratio, the
// target, and the machine it ran on.
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFigures, type BenchResult } from './figures.js';

interface Bench {
  name: string;
  script: string;
  /** Extra arguments in --quick mode. */
  quick: string[];
  full: string[];
}

const BENCHES: Bench[] = [
  { name: 'core', script: 'bench/core.bench.ts', quick: ['--ids', '200000', '--unions', '300000', '--finds', '500000', '--iterations', '3', '--skip-naive'], full: ['--iterations', '5'] },
  { name: 'ingest', script: 'bench/ingest.bench.ts', quick: ['--events', '200000'], full: ['--events', '1000000'] },
  { name: 'http', script: 'bench/http.bench.ts', quick: ['--quick'], full: [] },
  { name: 'quality', script: 'bench/quality.bench.ts', quick: ['--quick'], full: [] },
  { name: 'scale', script: 'bench/scale.bench.ts', quick: ['--quick'], full: [] },
];

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const selected = values.only ? BENCHES.filter((b) => values.only!.split(',').includes(b.name)) : BENCHES;
const work = mkdtempSync(join(tmpdir(), 'pg-bench-'));

function run(bench: Bench): Promise<{ result: BenchResult | null; output: string; seconds: number; code: number | null }> {
  const json = join(work, `${bench.name}.json`);
  const args = ['--import', 'tsx', bench.script, ...(values.quick ? bench.quick : bench.full), '--json', json];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; process.stdout.write(chunk); });
    child.stderr.on('data', (chunk) => { output += chunk; process.stderr.write(chunk); });
    child.on('exit', (code) => {
      const result = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as BenchResult) : null;
      resolve({ result, output, seconds: (Date.now() - started) / 1000, code });
    });
  });
}

const machine = [
  `- CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}`,
  `- load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (the machine is shared: ratios against references measured in the same run are what hold)`,
  `- mode: ${values.quick ? 'quick (`npm run bench -- --quick`)' : 'full (`npm run bench`)'}; ${new Date().toISOString()}`,
];

const sections: string[] = [];
for (const bench of selected) {
  if (!existsSync(bench.script)) {
    sections.push(`## ${bench.name}\n\nnot run: ${bench.script} does not exist yet.\n`);
    continue;
  }
  console.log(`\n=== ${bench.name} ===`);
  const { result, output, seconds, code } = await run(bench);
  if (result) {
    sections.push(`## ${bench.name}\n\nCommand: \`${result.command}\` (${seconds.toFixed(0)} s)\n\n${formatFigures(result.figures)}\n${result.details ? `\n${result.details}\n` : ''}`);
  } else {
    const tail = output.trim().split('\n').slice(-40).join('\n');
    sections.push(`## ${bench.name}\n\nCommand: \`tsx ${bench.script}\` exited ${code} after ${seconds.toFixed(0)} s without figures; its last output:\n\n\`\`\`\n${tail}\n\`\`\`\n`);
  }
}
rmSync(work, { recursive: true, force: true });

const results = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts); every figure below comes with the command that reproduces it.

## Machine
${machine.join('\n')}

${sections.join('\n')}`;
writeFileSync('bench/RESULTS.md', results);
console.log('\nwrote bench/RESULTS.md');
