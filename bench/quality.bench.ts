// npm run bench:quality — resolution quality on seeded simulated shops: persona-graph (guardrails on),
// the same engine with guardrails off, plain connected components and the ceiling, per seed and noise
// level; plus ingest throughput with guardrails on vs off measured in the same run.
//   tsx bench/quality.bench.ts [--people 20000] [--seeds 1,2,3] [--noise low,high]
import { parseArgs } from 'node:util';
import { scoreResolution, type ResolutionScore } from './quality/metrics.js';
import { ceiling, plainComponents } from './quality/reference.js';
import { formatReport, formatSimulation } from './quality/report.js';
import { simulateShops } from './quality/simulator.js';
import { runEngine } from './quality/engine.js';
import type { NoiseLevel } from './quality/rates.js';
import { report, type Figure } from './figures.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '20000' },
    seeds: { type: 'string', default: '1,2,3' },
    noise: { type: 'string', default: 'low,high' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const people = values.quick ? 5_000 : Number(values.people);
const seeds = (values.quick ? '1' : values.seeds).split(',').map(Number);
const noises = values.noise.split(',') as NoiseLevel[];

interface Targets { precision: number; recallVsCeiling: number; latestEmail: number; wrongPerson: number; reachedTwice: number; notReached: number }
const TARGETS: Targets = { precision: 0.995, recallVsCeiling: 0.97, latestEmail: 0.99, wrongPerson: 0.0005, reachedTwice: 0.005, notReached: 0.01 };

const figures: Figure[] = [];
const details: string[] = [];

function verdicts(engine: ResolutionScore, top: ResolutionScore, run: string): string[] {
  const o = engine.overall;
  const c = o.campaign;
  const checks: [string, number, number, boolean][] = [
    ['precision', o.precision, TARGETS.precision, o.precision >= TARGETS.precision],
    ['recall / ceiling', o.recall / top.overall.recall, TARGETS.recallVsCeiling, o.recall / top.overall.recall >= TARGETS.recallVsCeiling],
    ['latest-email accuracy', o.latestEmail.accuracy, TARGETS.latestEmail, o.latestEmail.accuracy >= TARGETS.latestEmail],
    ['wrong person / messages', c.wrongPerson / c.messages, TARGETS.wrongPerson, c.wrongPerson / c.messages <= TARGETS.wrongPerson],
    ['reached twice / people', c.reachedTwice / c.people, TARGETS.reachedTwice, c.reachedTwice / c.people <= TARGETS.reachedTwice],
    ['not reached / people', c.notReached / c.people, TARGETS.notReached, c.notReached / c.people <= TARGETS.notReached],
  ];
  for (const [name, value, target, ok] of checks) {
    figures.push({ name: `${run}: ${name}`, value, unit: '', target: `${name.includes('/ people') || name.includes('/ messages') ? '≤' : '≥'} ${target}`, met: ok });
  }
  return checks.map(([name, value, target, ok]) => `${ok ? 'met   ' : 'MISSED'} ${name}: ${value.toFixed(4)} (target ${target})`);
}

for (const noise of noises) {
  for (const seed of seeds) {
    const sim = simulateShops({ seed, people, noise });
    const guarded = await runEngine(sim, { guardrails: true });
    const plain = await runEngine(sim, { guardrails: false });
    const engineScore = await scoreResolution(sim, guarded.resolver);
    const runs = [
      { name: 'persona-graph', score: engineScore },
      { name: 'engine, guardrails off', score: await scoreResolution(sim, plain.resolver) },
      { name: 'plain CC', score: await scoreResolution(sim, plainComponents(sim)) },
      { name: 'ceiling', score: await scoreResolution(sim, ceiling(sim)) },
    ];
    await guarded.close();
    await plain.close();
    console.log(`\n## seed ${seed}, noise ${noise}\n`);
    console.log(formatSimulation(sim));
    console.log('');
    console.log(formatReport(runs));
    console.log('');
    const run = `seed ${seed}, ${noise} noise, ${people} people`;
    for (const line of verdicts(engineScore, runs[3].score, run)) console.log(line);
    const ingestRatio = guarded.eventsPerSecond / plain.eventsPerSecond;
    figures.push({ name: `${run}: ingest with guardrails`, value: guarded.eventsPerSecond, unit: 'events/s', reference: { name: 'guardrails off', value: plain.eventsPerSecond }, ratio: ingestRatio, target: '≥ 0.7 ×', met: ingestRatio >= 0.7 });
    details.push(`### ${run}\n\n${formatReport(runs)}\n`);
    console.log(`ingest: guardrails on ${Math.round(guarded.eventsPerSecond)} events/s, off ${Math.round(plain.eventsPerSecond)} events/s, ratio ${(guarded.eventsPerSecond / plain.eventsPerSecond).toFixed(2)} (target ≥ 0.7)`);
  }
}

report({ bench: 'quality', command: `npm run bench:quality -- --people ${people} --seeds ${seeds.join(',')} --noise ${noises.join(',')}`, figures, details: details.join('\n') });
