import { describe, expect, it } from 'vitest';
import { measurePhases, median, PHASES } from '../../bench/core/measure.js';
import { naiveReference } from '../../bench/core/naive-uf.js';
import { assertSameResult, formatReports, measureReferences, verifySameResult } from '../../bench/core/run-references.js';
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

describe('measureReferences', () => {
  it('reports every reference, all computing one partition, and formats a table', async () => {
    const reports = await measureReferences(w, { iterations: 1 });
    const names = reports.map((r) => r.name);
    expect(names.slice(0, 2)).toEqual(['TS typed arrays', 'TS naive Map<string>']);
    for (const r of reports.slice(1)) expect(verifySameResult(reports[0].roots, r.roots)).toEqual({ same: true });
    const table = formatReports(reports);
    for (const name of names) expect(table).toContain(name);
    expect(table.split('\n')).toHaveLength(reports.length + 1);
  });

  it('fails naming the implementation that disagrees', async () => {
    const [typed] = await measureReferences(w, { iterations: 1, skipNaive: true });
    const wrong = { ...typed, name: 'broken', roots: Array.from(typed.roots, (_, i) => i % 2) };
    expect(() => assertSameResult(typed, wrong)).toThrow(/broken disagrees with TS typed arrays/);
  });
});
