import { describe, expect, it } from 'vitest';
import type { QualityScore, ResolutionScore } from '../../bench/quality/metrics.js';
import { NOISE_RATES, simulationRates } from '../../bench/quality/rates.js';
import { formatRates, formatReport } from '../../bench/quality/report.js';

function score(precision: number, largestPersona: number): QualityScore {
  return {
    profiles: 10,
    pairs: { truePositive: 1, predicted: 1, actual: 1 },
    precision,
    recall: 0.5,
    largestPersona,
    latestEmail: { correct: 3, total: 4, accuracy: 0.75 },
    campaign: { subscribers: 14_000, people: 13_000, messages: 11_000, reachedTwice: 12, notReached: 3_000, wrongPerson: 7, unreachable: 0 },
  };
}

function run(precision: number, largest: number): ResolutionScore {
  return { tenants: [{ tenant: 'shop-a', ...score(precision, largest) }], overall: score(precision, largest) };
}

describe('formatReport', () => {
  it('prints one markdown row per scope and line with every metric', () => {
    const table = formatReport([
      { name: 'plain CC', score: run(0.0012, 25_000) },
      { name: 'ceiling', score: run(1, 17) },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^\| scope +\| line +\| precision \| recall \| largest persona \| latest email \| messages \| reached 2\+ \| not reached +\| wrong person \|$/);
    expect(lines).toHaveLength(2 + 4);
    expect(lines[2]).toMatch(/^\| overall \| plain CC \| 0\.0012 +\| 0\.500 +\| 25,000 +\| 0\.750 +\| 11,000 +\| 12 +\| 3,000 \/ 13,000 \| 7 +\|$/);
    expect(lines[3]).toMatch(/^\| overall \| ceiling +\| 1\.000 /);
    expect(lines[4]).toMatch(/^\| shop-a +\| plain CC \|/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1); // columns aligned
  });

  it('refuses runs that do not cover the same tenants', () => {
    const other: ResolutionScore = { tenants: [{ tenant: 'shop-b', ...score(1, 1) }], overall: score(1, 1) };
    expect(() => formatReport([{ name: 'a', score: run(1, 1) }, { name: 'b', score: other }])).toThrow(/run b has no score for tenant shop-a/);
    expect(() => formatReport([])).toThrow(/at least one run/);
  });
});

describe('formatRates', () => {
  it('lists every noise and population rate with its value', () => {
    const text = formatRates(simulationRates('high'));
    for (const [name, value] of Object.entries(NOISE_RATES.high)) expect(text).toContain(`${name} ${value}`);
    expect(text).toContain('consent 0.9');
  });
});
