import { parseArgs } from 'node:util';
import { simulateShops } from './simulator.js';
import { runDirect } from './direct.js';
import { scoreResolution } from './metrics.js';
import { ceiling } from './reference.js';
const { values } = parseArgs({ options: { people: { type: 'string', default: '5000' }, seeds: { type: 'string', default: '1' }, noise: { type: 'string', default: 'high' }, config: { type: 'string', default: '{}' } } });
for (const noise of values.noise!.split(',')) for (const seed of values.seeds!.split(',').map(Number)) {
  const sim = simulateShops({ seed, people: Number(values.people), noise: noise as any });
  const run = runDirect(sim, JSON.parse(values.config!));
  const s = (await scoreResolution(sim, run.resolver)).overall;
  const c = (await scoreResolution(sim, ceiling(sim))).overall;
  const k = s.campaign;
  console.log(`${noise} s${seed}: P ${s.precision.toFixed(4)} R/ceil ${(s.recall / c.recall).toFixed(4)} latest ${s.latestEmail.accuracy.toFixed(4)} wrong ${(100*k.wrongPerson/k.messages).toFixed(3)}% twice ${(100*k.reachedTwice/k.people).toFixed(2)}% (ceil ${(100*c.campaign.reachedTwice/c.campaign.people).toFixed(2)}%) notReached ${(100*k.notReached/k.people).toFixed(2)}% largest ${s.largestPersona} ev/s ${Math.round(run.eventsPerSecond)}`);
}
