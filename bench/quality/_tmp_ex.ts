import { simulateShops } from './simulator.js';
import { runDirect } from './direct.js';
import { TYPE_NAMES, DECISION_NAMES, STRENGTH_NAMES } from '../../host/engine/layout.js';
const cfg = JSON.parse(process.argv[2] ?? '{}'); const want = process.argv[3] ?? 'refused_weak subscribe';
const sim = simulateShops({ seed: 1, people: 5000, noise: 'high' });
const run = runDirect(sim, cfg);
const { shard } = run;
const events = new Map(sim.events.map((e) => [e.id, e]));
const truth = sim.truth.tenants[0];
const t = run.tenants.get(truth.tenant)!;
const owner = (key: string) => key.startsWith('email:') || key.startsWith('phone:') ? sim.truth.addressOwners.get(key) ?? null : truth.profiles.get(key);
const keyOf = (n: number) => { const v = shard.node(n); return `${TYPE_NAMES[v.type]}:${v.value}`; };
let shown = 0;
const E = shard.counts().edges;
for (let e = 1; e <= E && shown < 6; e++) {
  const edge = shard.edge(e);
  if (shard.node(edge.a).tenant !== t) continue;
  const ev = events.get(run.bySeqItem.get(`${edge.seq}:${edge.item}`)!)!;
  const desc = `${DECISION_NAMES[edge.decision]} ${ev.type}`;
  if (!desc.startsWith(want)) continue;
  const ka = keyOf(edge.a), kb = keyOf(edge.b);
  if (owner(ka) == null || owner(ka) !== owner(kb)) continue;
  shown++;
  console.log(`\n== ${desc} ${STRENGTH_NAMES[edge.strength]} ${ka} -- ${kb} (owner ${owner(ka)}) at ${ev.timestamp}`);
  for (const n of [edge.a, edge.b]) {
    const root = shard.rootOf(n);
    console.log('  persona of', keyOf(n), ':', shard.members(root).map((m) => `${keyOf(m)}(${owner(keyOf(m))})`).join(' '));
  }
  // person's events
  const p = owner(ka);
  for (const x of sim.events) {
    if (x.tenant !== truth.tenant) continue;
    const ks = Object.entries(x.identifiers).map(([ty, v]) => sim.keys[ty as 'email'].get(v!)).filter(Boolean) as string[];
    if (x.recipient) ks.push('subscriber:' + x.recipient.value);
    if (ks.some((k) => owner(k) === p)) console.log('   ', x.timestamp.slice(0, 16), x.type, ks.map((k) => `${k.slice(0, 22)}(${owner(k)})`).join(' '));
  }
}
