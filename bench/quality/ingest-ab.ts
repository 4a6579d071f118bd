// Cost of the guardrails on ingest, robust to a busy machine: guardrails-on and -off passes of the
// direct engine alternate (on/off, then off/on, ...), each timed by this thread's CPU time, and the
// median of the per-round ratios is printed. npm run bench:quality times the two lines one after the
// other by wall time, so a load swing between them decides its ratio on a shared machine.
//   npx tsx bench/quality/ingest-ab.ts [--people 20000] [--seed 1] [--noise low,high] [--rounds 5]
//     [--rates '{"untrackedSignUp": 0.5}']   (noise rates instead of the level's)
import { parseArgs } from 'node:util';
import { runDirect } from './direct.js';
import type { NoiseLevel, NoiseRates } from './rates.js';
import { simulateShops } from './simulator.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    noise: { type: 'string', default: 'low,high' },
    rounds: { type: 'string', default: '5' },
    rates: { type: 'string', default: '{}' },
  },
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perCpuSecond = (sim: ReturnType<typeof simulateShops>, guardrails: boolean): number => runDirect(sim, { guardrails }).eventsPerCpuSecond;

for (const noise of values.noise.split(',') as NoiseLevel[]) {
  const sim = simulateShops({ seed: Number(values.seed), people: Number(values.people), noise, noiseOverrides: JSON.parse(values.rates) as Partial<NoiseRates> });
  perCpuSecond(sim, true); // warm-up: JIT and normalization caches
  perCpuSecond(sim, false);
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    if (round % 2 === 0) {
      on.push(perCpuSecond(sim, true));
      off.push(perCpuSecond(sim, false));
    } else {
      off.push(perCpuSecond(sim, false));
      on.push(perCpuSecond(sim, true));
    }
  }
  const ratios = on.map((value, i) => value / off[i]);
  const list = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(' ');
  console.log(`seed ${values.seed} ${noise}: events per CPU second on ${list(on, 0)}, off ${list(off, 0)}; ratios ${list(ratios, 2)}; median ${median(ratios).toFixed(2)} (target ≥ 0.7)`);
}
