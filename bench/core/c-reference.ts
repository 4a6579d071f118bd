// Builds uf.c with `gcc -O2` into a temporary directory and runs it on a workload file.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PHASES, phaseFigure, type ImplementationReport, type Phase, type PhaseFigure } from './measure.js';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./uf.c', import.meta.url));
const COMPILER = 'gcc';
const COMPILE_FLAGS = ['-O2', '-std=c11'];
/** stdout is one JSON line with the samples; 1 MiB leaves room for it and any error text. */
const MAX_OUTPUT_BYTES = 1 << 20;

export const C_REFERENCE_NAME = 'C gcc -O2';
/** The same C union-find keeping the WASM core's persona records (uf.c PersonaGraph). */
export const C_PERSONAS_NAME = 'C gcc -O2, persona records';

export interface CReferenceOptions {
  /** Timed runs per phase inside the C program; the figure is their median. Default 1. */
  iterations?: number;
}

/** What uf.c prints (besides the medians, which are recomputed here from the samples). */
type CProgramOutput = Partial<Record<`${Phase}_ops` | `${'' | 'personas_'}${Phase}_ns_per_op_samples`, unknown>>;
type Samples = Record<Phase, number[]>;

function isMissingCommand(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function parseOutput(stdout: string): { ops: Record<Phase, number>; samples: Samples; personaSamples: Samples } {
  let parsed: CProgramOutput;
  try {
    parsed = JSON.parse(stdout) as CProgramOutput;
  } catch {
    throw new Error(`C reference printed no valid JSON: ${stdout.slice(0, 200)}`);
  }
  const ops = {} as Record<Phase, number>;
  const samples = {} as Samples;
  const personaSamples = {} as Samples;
  const samplesOf = (key: keyof CProgramOutput): number[] => {
    const values = parsed[key];
    if (!Array.isArray(values) || values.length === 0 || !values.every(Number.isFinite)) {
      throw new Error(`C reference printed no ${key}: ${stdout.slice(0, 200)}`);
    }
    return values as number[];
  };
  for (const phase of PHASES) {
    const count = parsed[`${phase}_ops`];
    if (!Number.isSafeInteger(count)) throw new Error(`C reference printed no ${phase} op count: ${stdout.slice(0, 200)}`);
    ops[phase] = count as number;
    samples[phase] = samplesOf(`${phase}_ns_per_op_samples`);
    personaSamples[phase] = samplesOf(`personas_${phase}_ns_per_op_samples`);
  }
  return { ops, samples, personaSamples };
}

/** The bare C union-find's report, with the persona-record variant's from the same runs. */
export type CReport = ImplementationReport & { personas: ImplementationReport };

/** A compiled uf.c in its own temporary directory. */
export interface CReference {
  /** Runs the phases `iterations` times (default 1) on the workload file; reads the roots back. */
  run(workloadPath: string, options?: CReferenceOptions): Promise<CReport>;
  /** Removes the binary and its directory. */
  dispose(): Promise<void>;
}

/**
 * Compiles uf.c with gcc -O2 into a temporary directory. Resolves null (after printing why) when
 * gcc is not installed; rejects with gcc's message when compiling fails.
 */
export async function compileCReference(): Promise<CReference | null> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-uf-c-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const binary = join(dir, 'uf');
  try {
    await run(COMPILER, [...COMPILE_FLAGS, '-o', binary, SOURCE], { maxBuffer: MAX_OUTPUT_BYTES });
  } catch (err) {
    await dispose();
    if (isMissingCommand(err)) {
      console.warn(`C reference skipped: ${COMPILER} is not installed (apt-get install gcc brings it)`);
      return null;
    }
    throw new Error(`compiling ${SOURCE} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  return { run: (workloadPath, options) => runBinary(binary, dir, workloadPath, options), dispose };
}

async function runBinary(
  binary: string,
  dir: string,
  workloadPath: string,
  { iterations = 1 }: CReferenceOptions = {},
): Promise<CReport> {
  const rootsPath = join(dir, 'roots.u32');
  const personaRootsPath = join(dir, 'persona-roots.u32');
  let stdout: string;
  try {
    const args = [workloadPath, '--iterations', String(iterations), '--roots-out', rootsPath, '--persona-roots-out', personaRootsPath];
    ({ stdout } = await run(binary, args, { maxBuffer: MAX_OUTPUT_BYTES }));
  } catch (err) {
    throw new Error(`C reference failed: ${(err as { stderr?: string }).stderr?.trim() || String(err)}`);
  }
  const { ops, samples, personaSamples } = parseOutput(stdout);
  const report = async (name: string, path: string, phaseSamples: Samples): Promise<ImplementationReport> => {
    // Copy into a fresh buffer: a Buffer's byteOffset need not be 4-aligned.
    const roots = new Uint32Array(new Uint8Array(await readFile(path)).buffer);
    if (roots.length !== ops.find) throw new Error(`C reference wrote ${roots.length} roots for ${ops.find} finds`);
    const phases = {} as Record<Phase, PhaseFigure>;
    for (const phase of PHASES) phases[phase] = phaseFigure(ops[phase], phaseSamples[phase]);
    return { name, phases, roots };
  };
  return { ...(await report(C_REFERENCE_NAME, rootsPath, samples)), personas: await report(C_PERSONAS_NAME, personaRootsPath, personaSamples) };
}

/**
 * Compiles the C reference, runs it once on the workload file at `workloadPath` (its `iterations`
 * timed runs inside), and removes it. Resolves null when gcc is not installed.
 */
export async function runCReference(
  workloadPath: string,
  options: CReferenceOptions = {},
): Promise<CReport | null> {
  const c = await compileCReference();
  if (!c) return null;
  try {
    return await c.run(workloadPath, options);
  } finally {
    await c.dispose();
  }
}
