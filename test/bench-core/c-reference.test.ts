import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { C_PERSONAS_NAME, C_REFERENCE_NAME, compileCReference, runCReference, type CReference } from '../../bench/core/c-reference.js';
import { PHASES } from '../../bench/core/measure.js';
import { verifySameResult } from '../../bench/core/partition.js';
import { typedReference } from '../../bench/core/typed-uf.js';
import { encodeWorkload, makeWorkload, writeWorkload, type Workload } from '../../bench/core/workload.js';
import { fnvCollision } from './fnv-collision.js';

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function typedRoots(w: Workload) {
  const run = typedReference(w).newRun();
  run.intern();
  run.union();
  return run.find();
}

function workloadOf(keys: string[], pairs: number[], finds: number[]): Workload {
  const bytes = keys.map((k) => new TextEncoder().encode(k));
  const keyOffsets = new Uint32Array(keys.length + 1);
  bytes.forEach((b, i) => (keyOffsets[i + 1] = keyOffsets[i] + b.length));
  const all = new Uint8Array(keyOffsets[keys.length]);
  bytes.forEach((b, i) => all.set(b, keyOffsets[i]));
  return { keys: all, keyOffsets, unionPairs: Uint32Array.from(pairs), findIds: Uint32Array.from(finds) };
}

describe('C reference without gcc', () => {
  it('resolves null and says why', async () => {
    const path = process.env.PATH;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      process.env.PATH = '/nonexistent';
      expect(await compileCReference()).toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/gcc is not installed/));
    } finally {
      process.env.PATH = path;
      warn.mockRestore();
    }
  });
});

describe.skipIf(!hasGcc())('C reference (gcc -O2)', () => {
  let dir: string;
  let c: CReference;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-uf-c-test-'));
    c = (await compileCReference())!;
  });
  afterAll(async () => {
    await c.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('computes the same partition as typed-uf on a 10k-id workload, with figures per phase', async () => {
    const w = makeWorkload({ ids: 10_000, unions: 15_000, finds: 25_000, seed: 7 });
    const path = join(dir, 'w10k.bin');
    await writeWorkload(w, path);
    const report = await runCReference(path, { iterations: 3 }); // the one-shot compile + run + clean up
    expect(report).not.toBeNull();
    expect(report!.name).toBe(C_REFERENCE_NAME);
    expect(verifySameResult(report!.roots, typedRoots(w))).toEqual({ same: true });
    // the variant that keeps the WASM core's persona records computes the same partition
    expect(report!.personas.name).toBe(C_PERSONAS_NAME);
    expect(verifySameResult(report!.personas.roots, typedRoots(w))).toEqual({ same: true });
    expect(report!.personas.phases.union.samplesNsPerOp).toHaveLength(3);
    expect(report!.phases.intern.ops).toBe(10_000);
    expect(report!.phases.union.ops).toBe(15_000);
    expect(report!.phases.find.ops).toBe(25_000);
    for (const phase of PHASES) {
      const f = report!.phases[phase];
      expect(f.samplesNsPerOp).toHaveLength(3);
      expect(f.nsPerOp).toBeGreaterThan(0);
      expect(f.opsPerSec).toBeCloseTo(1e9 / f.nsPerOp);
    }
  });

  it('keeps two keys with equal hashes apart', async () => {
    const [a, b] = fnvCollision();
    // a–c linked, b alone: were b interned as a's node, find(b) would join {a, c}.
    const w = workloadOf([a, b, 'c@x.bg'], [0, 2], [0, 1, 2]);
    const path = join(dir, 'collide.bin');
    await writeWorkload(w, path);
    const report = await c.run(path);
    expect(verifySameResult(report.roots, [0, 1, 0])).toEqual({ same: true });
    expect(verifySameResult(report.personas.roots, [0, 1, 0])).toEqual({ same: true });
  });

  it('rejects a corrupt workload file with the reason', async () => {
    const bytes = encodeWorkload(makeWorkload({ ids: 100, unions: 100, finds: 100, seed: 1 }));
    const path = join(dir, 'truncated.bin');
    await writeFile(path, bytes.subarray(0, bytes.length - 3));
    await expect(c.run(path)).rejects.toThrow(/size does not match its header/);
    await expect(c.run(join(dir, 'missing.bin'))).rejects.toThrow(/cannot open workload file/);
  });
});
