// The measuring method shared by every union-find implementation in `bench:core`, so the WASM core
// and the references are timed the same way.
//
// Each phase is one tinybench task whose single call runs the whole phase over the workload
// (millions of ops). Its `beforeEach` hook builds, untimed, a fresh instance in the state the
// phase starts from (empty for intern; interned for union; interned + unioned for find) and
// collects garbage, so no sample pays for the previous one's garbage or state. A figure is the
// median of `iterations` such samples, divided by the phase's op count. (run-references.ts takes
// one sample per implementation per round and pools the rounds with mergeRounds.)
import v8 from 'node:v8';
import vm from 'node:vm';
import { Bench } from 'tinybench';
import { idCount, unionCount, type Workload } from './workload.js';

export const PHASES = ['intern', 'union', 'find'] as const;
export type Phase = (typeof PHASES)[number];

/** Root of each find id, in findIds order. Roots may be any labels: only the partition counts. */
export type Roots = ArrayLike<number | string>;

/** One fresh instance of an implementation; its phases are called once each, in order. */
export interface PhaseRunner {
  /** Turns every key of the workload into a node. */
  intern(): void;
  /** Applies every union pair. */
  union(): void;
  /** Finds the root of every find id. */
  find(): Roots;
}

export interface UnionFindImplementation {
  readonly name: string;
  /** A fresh, empty instance: allocation and page touching happen here, untimed. */
  newRun(): PhaseRunner;
}

export interface PhaseFigure {
  /** Operations in one run of the phase (ids, union pairs or find ids). */
  ops: number;
  /** Median over the samples. */
  nsPerOp: number;
  /** 1e9 / nsPerOp. */
  opsPerSec: number;
  /** One ns/op figure per timed run, ascending. */
  samplesNsPerOp: number[];
}

export interface ImplementationReport {
  name: string;
  phases: Record<Phase, PhaseFigure>;
  /** The roots the last find phase returned, for verifySameResult. */
  roots: Roots;
}

export interface MeasureOptions {
  /** Timed runs per phase; the figure is their median. */
  iterations: number;
}

const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

export function phaseOps(w: Workload): Record<Phase, number> {
  return { intern: idCount(w), union: unionCount(w), find: w.findIds.length };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function phaseFigure(ops: number, samplesNsPerOp: number[]): PhaseFigure {
  const nsPerOp = median(samplesNsPerOp);
  return { ops, nsPerOp, opsPerSec: NS_PER_S / nsPerOp, samplesNsPerOp };
}

/** Joins the reports of one implementation from several rounds: all samples, one median. */
export function mergeRounds(rounds: readonly ImplementationReport[]): ImplementationReport {
  const last = rounds.at(-1);
  if (!last) throw new Error('mergeRounds needs at least one report');
  const phases = {} as Record<Phase, PhaseFigure>;
  for (const phase of PHASES) {
    const samples = rounds.flatMap((r) => r.phases[phase].samplesNsPerOp).sort((a, b) => a - b);
    phases[phase] = phaseFigure(last.phases[phase].ops, samples);
  }
  return { name: last.name, phases, roots: last.roots };
}

/**
 * A full collection between samples keeps one sample's garbage (hundreds of MB for the naive
 * reference) from being collected inside the next one's timed region. Node only hands out `gc`
 * under --expose-gc; setting the flag at run time and reading `gc` from a fresh context is the
 * documented V8 way to get it without restarting the process.
 */
function makeCollector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
const collectGarbage = makeCollector();

export function validateIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new Error(`iterations must be a positive integer, got ${iterations}`);
  }
}

/** Times the three phases of one implementation (see the file comment for the method). */
export async function measurePhases(
  impl: UnionFindImplementation,
  workload: Workload,
  { iterations }: MeasureOptions,
): Promise<ImplementationReport> {
  validateIterations(iterations);
  const ops = phaseOps(workload);
  for (const phase of PHASES) if (ops[phase] === 0) throw new Error(`${impl.name}: the workload has no ${phase} ops`);
  let run!: PhaseRunner; // set by the beforeEach hook of every sample
  let roots: Roots = [];
  const startFrom = (phase: Phase): void => {
    run = impl.newRun();
    if (phase !== 'intern') run.intern();
    if (phase === 'find') run.union();
    collectGarbage();
  };

  const bench = new Bench({ name: impl.name, time: 0, iterations, warmup: false, retainSamples: true, throws: true });
  for (const phase of PHASES) {
    const body = phase === 'find' ? () => void (roots = run.find()) : () => run[phase]();
    bench.add(phase, body, { async: false, beforeEach: () => startFrom(phase) });
  }
  await bench.run();

  const phases = {} as Record<Phase, PhaseFigure>;
  for (const phase of PHASES) {
    const result = bench.getTask(phase)?.result;
    if (result?.state !== 'completed' || !result.latency.samples) {
      throw new Error(`${impl.name}: phase ${phase} did not complete (${result?.state ?? 'missing'})`);
    }
    const samples = result.latency.samples.map((ms) => (ms * NS_PER_MS) / ops[phase]);
    phases[phase] = phaseFigure(ops[phase], samples);
  }
  return { name: impl.name, phases, roots };
}
