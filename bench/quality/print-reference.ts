// Prints the two reference lines (plain connected components and the ceiling) on one simulation:
//   npx tsx bench/quality/print-reference.ts --people 20000 --seed 1 --noise high [--tenants 3]
//     [--rates '{"subscribeWithoutDevice": 0.05}']   (noise rates instead of the level's: what-if runs)
import { parseArgs } from 'node:util';
import { scoreResolution } from './metrics.js';
import { NOISE_LEVELS, type NoiseLevel, type NoiseRates } from './rates.js';
import { ceiling, plainComponents } from './reference.js';
import { formatReport, formatSimulation } from './report.js';
import { DEFAULT_TENANTS, simulateShops } from './simulator.js';

const DEFAULT_PEOPLE = 20_000;
const DEFAULT_SEED = 1;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: String(DEFAULT_PEOPLE) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      noise: { type: 'string', default: 'high' },
      tenants: { type: 'string', default: String(DEFAULT_TENANTS) },
      rates: { type: 'string', default: '{}' },
    },
  });
  const noise = values.noise as NoiseLevel;
  if (!NOISE_LEVELS.includes(noise)) throw new Error(`--noise must be ${NOISE_LEVELS.join(' or ')}, got ${values.noise}`);

  const started = performance.now();
  const sim = simulateShops({
    seed: integerOption('seed', values.seed),
    people: integerOption('people', values.people),
    noise,
    tenants: integerOption('tenants', values.tenants),
    noiseOverrides: JSON.parse(values.rates) as Partial<NoiseRates>,
  });
  const simulated = performance.now();
  const runs = [
    { name: 'plain CC', score: await scoreResolution(sim, plainComponents(sim)) },
    { name: 'ceiling', score: await scoreResolution(sim, ceiling(sim)) },
  ];
  const scored = performance.now();

  console.log(formatSimulation(sim));
  console.log(`simulated in ${seconds(simulated - started)}, reference lines built and scored in ${seconds(scored - simulated)}\n`);
  console.log(formatReport(runs));
}

function integerOption(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
