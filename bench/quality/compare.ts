// Quick comparison on the direct (in-process) engine: one compact line per run and line, for rule
// iterations over many seeds and both noise levels; the published figures come from quality.bench.ts.
//   npx tsx bench/quality/compare.ts [--people 20000] [--seeds 1,2,3] [--noise low,high] [--config '{...}'] [--refs]
//     [--rates '{"untrackedSignUp": 0.5}']   (noise rates instead of the level's: what-if runs)
import { parseArgs } from 'node:util';
import { runDirect } from './direct.js';
import { scoreResolution, type QualityScore } from './metrics.js';
import type { NoiseLevel, NoiseRates } from './rates.js';
import { ceiling, plainComponents } from './reference.js';
import { simulateShops } from './simulator.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '20000' },
    seeds: { type: 'string', default: '1,2,3' },
    noise: { type: 'string', default: 'low,high' },
    config: { type: 'string', default: '{}' },
    refs: { type: 'boolean', default: false },
    rates: { type: 'string', default: '{}' },
  },
});

function line(name: string, s: QualityScore, top?: QualityScore): string {
  const c = s.campaign;
  const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(3)}%`;
  return [
    name.padEnd(9),
    `prec ${s.precision.toFixed(5)}`,
    `rec ${s.recall.toFixed(4)}${top ? ` (${(s.recall / top.recall).toFixed(3)}×)` : ''}`,
    `latest ${s.latestEmail.accuracy.toFixed(4)}`,
    `twice ${pct(c.reachedTwice, c.people)}`,
    `notReached ${pct(c.notReached, c.people)}`,
    `wrong ${pct(c.wrongPerson, c.messages)}`,
    `largest ${s.largestPersona}`,
  ].join('  ');
}

for (const noise of values.noise.split(',') as NoiseLevel[]) {
  for (const seed of values.seeds.split(',').map(Number)) {
    const sim = simulateShops({ seed, people: Number(values.people), noise, noiseOverrides: JSON.parse(values.rates) as Partial<NoiseRates> });
    const top = (await scoreResolution(sim, ceiling(sim))).overall;
    const run = runDirect(sim, JSON.parse(values.config));
    const engine = (await scoreResolution(sim, run.resolver)).overall;
    console.log(`seed ${seed} ${noise}`);
    console.log(`  ${line('engine', engine, top)}`);
    if (values.refs) console.log(`  ${line('plain CC', (await scoreResolution(sim, plainComponents(sim))).overall, top)}`);
    console.log(`  ${line('ceiling', top)}`);
  }
}
