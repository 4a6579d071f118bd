// Markdown tables of quality runs: for each scope (overall, then every tenant) one row per line
// (the engine, plain connected components, the ceiling, ...), one column per metric.
import type { SimulationRates } from './rates.js';
import type { QualityScore, ResolutionScore } from './metrics.js';
import type { Simulation } from './types.js';

export interface ReportRun {
  /** The line's name, e.g. "engine", "plain CC", "ceiling". */
  name: string;
  score: ResolutionScore;
}

const COLUMNS: readonly { title: string; cell: (s: QualityScore) => string }[] = [
  { title: 'precision', cell: (s) => ratio(s.precision) },
  { title: 'recall', cell: (s) => ratio(s.recall) },
  { title: 'largest persona', cell: (s) => count(s.largestPersona) },
  { title: 'latest email', cell: (s) => ratio(s.latestEmail.accuracy) },
  { title: 'messages', cell: (s) => count(s.campaign.messages) },
  { title: 'reached 2+', cell: (s) => count(s.campaign.reachedTwice) },
  { title: 'not reached', cell: (s) => `${count(s.campaign.notReached)} / ${count(s.campaign.people)}` },
  { title: 'wrong person', cell: (s) => count(s.campaign.wrongPerson) },
];
const RATIO_DIGITS = 3;
const SMALL_RATIO = 0.01;

/** One markdown table; rows grouped by scope, overall first. */
export function formatReport(runs: readonly ReportRun[]): string {
  if (runs.length === 0) throw new Error('formatReport needs at least one run');
  const tenantNames = runs[0].score.tenants.map((t) => t.tenant);
  const rows: string[][] = [];
  for (const run of runs) rows.push(['overall', run.name, ...COLUMNS.map((c) => c.cell(run.score.overall))]);
  for (const tenant of tenantNames) {
    for (const run of runs) {
      const score = run.score.tenants.find((t) => t.tenant === tenant);
      if (!score) throw new Error(`run ${run.name} has no score for tenant ${tenant}`);
      rows.push([tenant, run.name, ...COLUMNS.map((c) => c.cell(score))]);
    }
  }
  return markdownTable(['scope', 'line', ...COLUMNS.map((c) => c.title)], rows);
}

/** What a simulation holds: size and the rates it was generated with. */
export function formatSimulation(sim: Simulation): string {
  const { seed, people, noise, tenants, noiseOverrides } = sim.options;
  const overridden = Object.keys(noiseOverrides).length > 0 ? ` (rates changed: ${JSON.stringify(noiseOverrides)})` : '';
  const profiles = sim.truth.tenants.reduce((n, t) => n + t.profiles.size, 0);
  const shared = sim.truth.tenants.reduce((n, t) => n + [...t.profiles.values()].filter((p) => p === null).length, 0);
  const lines = [
    `simulation: seed ${seed}, ${count(people)} people, ${tenants} tenants, noise ${noise}${overridden}: ` +
      `${count(sim.events.length)} events, ${count(profiles)} profiles (${count(shared)} shared devices)`,
    formatRates(sim.rates),
  ];
  return lines.join('\n');
}

export function formatRates(rates: SimulationRates): string {
  const list = (group: object) => Object.entries(group).map(([name, value]) => `${name} ${String(value)}`).join(', ');
  return `noise rates: ${list(rates.noise)}\npopulation rates: ${list(rates.population)}`;
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function ratio(value: number): string {
  // Tiny ratios (a collapsed graph's precision) keep two significant digits instead of 0.000.
  return value > 0 && value < SMALL_RATIO ? value.toPrecision(2) : value.toFixed(RATIO_DIGITS);
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
