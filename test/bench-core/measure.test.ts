import { describe, expect, it } from 'vitest';
import { measurePhases, median, mergeRounds, PHASES, type UnionFindImplementation } from '../../bench/core/measure.js';
import { naiveReference } from '../../bench/core/naive-uf.js';
import { formatReports, measureReferences, verifySameResult } from '../../bench/core/run-references.js';
import { typedReference } from '../../bench/core/typed-uf.js';
import { makeWorkload } from '../../bench/core/workload.js';

const w = makeWorkload({ ids: 5_000, unions: 7_500, finds: 12_500, seed: 3 });

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('measurePhases', () => {
  it('times each phase the requested number of times and keeps the roots', async () => {
    const report = await measurePhases(naiveReference(w), w, { iterations: 3 });
    expect(report.name).toBe('TS naive Map<string>');
    for (const phase of PHASES) {
      expect(report.phases[phase].samplesNsPerOp).toHaveLength(3);
      expect(report.phases[phase].nsPerOp).toBe(median(report.phases[phase].samplesNsPerOp));
    }
    expect(report.phases.find.ops).toBe(12_500);
    expect(report.roots).toHaveLength(12_500);
  });

  it('rejects a non-positive iteration count', async () => {
    await expect(measurePhases(typedReference(w), w, { iterations: 0 })).rejects.toThrow(/positive integer/);
  });
});

describe('mergeRounds', () => {
  it('pools the samples of all rounds and keeps the last roots', async () => {
    const impl = typedReference(w);
    const rounds = [await measurePhases(impl, w, { iterations: 1 }), await measurePhases(impl, w, { iterations: 2 })];
    const merged = mergeRounds(rounds);
    for (const phase of PHASES) {
      const pooled = rounds.flatMap((r) => r.phases[phase].samplesNsPerOp);
      expect(merged.phases[phase].samplesNsPerOp).toEqual([...pooled].sort((a, b) => a - b));
      expect(merged.phases[phase].nsPerOp).toBe(median(pooled));
    }
    expect(merged.roots).toBe(rounds[1].roots);
    expect(() => mergeRounds([])).toThrow(/at least one report/);
  });
});

describe('measureReferences', () => {
  /** Plugs in like the WASM core would; `skipUnions` makes it compute a wrong partition. */
  const pluggedIn = (name: string, skipUnions: boolean): UnionFindImplementation => ({
    name,
    newRun() {
      const run = typedReference(w).newRun();
      return { intern: () => run.intern(), union: () => (skipUnions ? undefined : run.union()), find: () => run.find() };
    },
  });

  it('measures references and plugged-in implementations in rounds, all on one partition', async () => {
    const reports = await measureReferences(w, { iterations: 2, also: [pluggedIn('plugged', false)] });
    const names = reports.map((r) => r.name);
    expect(names.slice(0, 3)).toEqual(['TS typed arrays', 'TS naive Map<string>', 'plugged']);
    for (const r of reports) {
      for (const phase of PHASES) expect(r.phases[phase].samplesNsPerOp).toHaveLength(2);
      expect(verifySameResult(reports[0].roots, r.roots)).toEqual({ same: true });
    }
    const table = formatReports(reports);
    for (const name of names) expect(table).toContain(name);
    expect(table.split('\n')).toHaveLength(reports.length + 1);
  });

  it('fails naming the implementation that disagrees', async () => {
    await expect(
      measureReferences(w, { iterations: 1, skipNaive: true, also: [pluggedIn('broken', true)] }),
    ).rejects.toThrow(/broken disagrees with TS typed arrays/);
  });
});
