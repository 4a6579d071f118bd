import { simulateShops } from './simulator.js';
import { runDirect } from './direct.js';
import { TYPE_NAMES } from '../../host/engine/layout.js';
const sim = simulateShops({ seed: 1, people: 5000, noise: 'high' });
const run = runDirect(sim, JSON.parse(process.argv[2] ?? '{}'));
const { shard } = run;
for (const truth of sim.truth.tenants) {
  const t = run.tenants.get(truth.tenant)!;
  for (let n = 1; n <= shard.counts().nodes; n++) {
    const v = shard.node(n);
    if (v.tenant !== t || (v.type !== 0 && v.type !== 1)) continue;
    const key = `${TYPE_NAMES[v.type]}:${v.value}`;
    if (sim.truth.addressOwners.has(key)) continue;
    const root = shard.rootOf(n);
    const owners = new Set(shard.members(root).map((m) => { const x = shard.node(m); const k = `${TYPE_NAMES[x.type]}:${x.value}`; return k.startsWith('email:')||k.startsWith('phone:') ? sim.truth.addressOwners.get(k) : truth.profiles.get(k); }).filter((o) => o != null));
    console.log(truth.tenant, key, 'flags', v.flags, 'emails', v.partnerEmails, 'phones', v.partnerPhones, 'persona size', shard.members(root).length, 'people', owners.size);
  }
}
