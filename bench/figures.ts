// One measured figure of a benchmark, beside the reference measured in the same run. Every bench
// script prints its figures and, with `--json FILE`, writes them for `npm run bench` (bench/run.ts).
import { writeFileSync } from 'node:fs';

export interface Figure {
  /** What was measured, e.g. "durable import". */
  name: string;
  value: number;
  unit: string;
  /** The reference measured in the same run, when the figure is judged against one. */
  reference?: { name: string; value: number };
  /** value / reference (or reference / value for lower-is-better units), as the target states it. */
  ratio?: number;
  /** The target as the issue states it, e.g. "≥ 0.3 × parse". */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface BenchResult {
  bench: string;
  command: string;
  figures: Figure[];
  /** Extra markdown (tables) to keep in the results file. */
  details?: string;
}

/** `--json FILE` from argv, if given. */
export function jsonTarget(argv = process.argv): string | undefined {
  const at = argv.indexOf('--json');
  return at >= 0 ? argv[at + 1] : undefined;
}

export function formatFigures(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${formatNumber(f.value)} ${f.unit}`,
    f.reference ? `${f.reference.name}: ${formatNumber(f.reference.value)} ${f.unit}` : '',
    f.ratio === undefined ? '' : f.ratio.toFixed(3),
    f.target ?? '',
    f.met === undefined ? '' : f.met ? 'met' : '**missed**',
  ]);
  return [
    '| figure | value | reference (same run) | ratio | target | |',
    '|---|---:|---|---:|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function formatNumber(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** Prints the figures and writes them as JSON when `--json FILE` was given. */
export function report(result: BenchResult): void {
  console.log(`\n### ${result.bench}\n\n${formatFigures(result.figures)}\n`);
  if (result.details) console.log(result.details);
  const target = jsonTarget();
  if (target) writeFileSync(target, JSON.stringify(result, null, 2));
}
