// Runs the three union-find references on one workload and reports ns/op and ops/s per phase.
// As a script: `npx tsx bench/core/run-references.ts [--iterations 5] [--ids N --unions N --finds N --seed N]`.
// As a module: measureReferences() for the bench harness, which adds the WASM core beside them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { C_REFERENCE_NAME, compileCReference } from './c-reference.js';
import {
  measurePhases,
  mergeRounds,
  PHASES,
  validateIterations,
  type ImplementationReport,
  type UnionFindImplementation,
} from './measure.js';
import { naiveReference } from './naive-uf.js';
import { verifySameResult } from './partition.js';
import { typedReference } from './typed-uf.js';
import { componentStats } from './workload-stats.js';
import { FULL_SIZE, idCount, makeWorkload, unionCount, writeWorkload, type Workload } from './workload.js';

export { verifySameResult, type PartitionCheck } from './partition.js';

export interface ReferenceOptions {
  /** Rounds: each takes one sample of every phase of every implementation; figures are medians. */
  iterations: number;
  /** The workload already written by writeWorkload (else it is written to a temporary file). */
  workloadPath?: string;
  /** Leave out the naive reference (it takes most of the time at full size). */
  skipNaive?: boolean;
  /** More implementations (the WASM core) to measure in the same rounds and check against the references. */
  also?: UnionFindImplementation[];
}

/** Throws naming both implementations when two reports disagree on the partition. */
export function assertSameResult(expected: ImplementationReport, actual: ImplementationReport): void {
  const check = verifySameResult(expected.roots, actual.roots);
  if (!check.same) throw new Error(`${actual.name} disagrees with ${expected.name}: ${check.reason}`);
}

/**
 * Measures the typed-array, naive and C references (C only when gcc exists) plus `also` on one
 * workload, asserts they all computed the same partition, and returns their reports: typed,
 * naive, `also`..., C with persona records, C. Rounds interleave the implementations, so a burst of load from other
 * processes on this shared machine hits all of them alike instead of skewing one.
 */
export async function measureReferences(workload: Workload, options: ReferenceOptions): Promise<ImplementationReport[]> {
  validateIterations(options.iterations);
  const impls = [typedReference(workload)];
  if (!options.skipNaive) impls.push(naiveReference(workload));
  impls.push(...(options.also ?? []));

  const rounds: ImplementationReport[][] = impls.map(() => []);
  const cRounds: ImplementationReport[] = [];
  const cPersonaRounds: ImplementationReport[] = [];
  const c = await compileCReference();
  try {
    const measureAll = async (workloadPath: string): Promise<void> => {
      for (let r = 0; r < options.iterations; r++) {
        for (const [i, impl] of impls.entries()) rounds[i].push(await measurePhases(impl, workload, { iterations: 1 }));
        if (c) {
          const { personas, ...bare } = await c.run(workloadPath);
          cRounds.push(bare);
          cPersonaRounds.push(personas);
        }
      }
    };
    await (options.workloadPath ? measureAll(options.workloadPath) : withWorkloadFile(workload, measureAll));
  } finally {
    await c?.dispose();
  }

  const reports = rounds.map(mergeRounds);
  if (c) reports.push(mergeRounds(cPersonaRounds), mergeRounds(cRounds));
  for (const report of reports.slice(1)) assertSameResult(reports[0], report);
  return reports;
}

async function withWorkloadFile(workload: Workload, use: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-uf-workload-'));
  try {
    const path = join(dir, 'workload.bin');
    await writeWorkload(workload, path);
    await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const NS_DIGITS = 1;
const OPS_PER_MOPS = 1e6;

/** A text table: median ns/op, Mops/s and speed relative to `baseline` (when present) per phase. */
export function formatReports(reports: ImplementationReport[], baseline = C_REFERENCE_NAME): string {
  const base = reports.find((r) => r.name === baseline);
  const rows = reports.map((r) => {
    const cells = PHASES.map((phase) => {
      const f = r.phases[phase];
      const ratio = base ? `  ${(base.phases[phase].nsPerOp / f.nsPerOp).toFixed(2)}x` : '';
      return `${f.nsPerOp.toFixed(NS_DIGITS)} ns  ${(f.opsPerSec / OPS_PER_MOPS).toFixed(2)} M/s${ratio}`;
    });
    return [r.name, String(r.phases.intern.samplesNsPerOp.length), ...cells];
  });
  const ratioNote = base ? ` (speed vs ${baseline})` : '';
  const header = ['implementation', 'runs', ...PHASES.map((p) => `${p}${ratioNote}`)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '5' },
      ids: { type: 'string', default: String(FULL_SIZE.ids) },
      unions: { type: 'string', default: String(FULL_SIZE.unions) },
      finds: { type: 'string', default: String(FULL_SIZE.finds) },
      seed: { type: 'string', default: '1' },
      'skip-naive': { type: 'boolean', default: false },
    },
  });
  const spec = { ids: Number(values.ids), unions: Number(values.unions), finds: Number(values.finds), seed: Number(values.seed) };
  const workload = makeWorkload(spec);
  const stats = componentStats(workload);
  console.log(
    `workload seed ${spec.seed}: ${idCount(workload)} ids (${(workload.keys.length / idCount(workload)).toFixed(1)} B/key), ` +
      `${unionCount(workload)} unions, ${workload.findIds.length} finds → ${stats.components} components ` +
      `(${stats.singletons} singletons, ${stats.small} of 2-10, ${stats.large} larger, largest ${stats.largest})`,
  );
  const iterations = Number(values.iterations);
  const reports = await measureReferences(workload, { iterations, skipNaive: values['skip-naive'] });
  console.log(`medians of ${iterations} interleaved rounds per phase; every implementation computed the same partition\n`);
  console.log(formatReports(reports));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
