import { simulateShops } from './simulator.js';
import { ceiling } from './reference.js';
import { identifierKey } from './normalize.js';
const sim = simulateShops({ seed: 1, people: 5000, noise: 'high' });
const res = ceiling(sim);
let shown = 0;
for (const truth of sim.truth.tenants) {
  const subs = truth.emailSubscriptions.filter((s) => s.consent);
  const result = await res.audience(truth.tenant, subs.map((s) => ({ type: 'subscriber', value: s.subscriber })));
  const per = new Map<number, any[]>();
  for (const m of result.recipients) {
    const owner = sim.truth.addressOwners.get(identifierKey('email', m.address)!);
    if (owner === undefined) continue;
    const l = per.get(owner) ?? []; l.push({ address: m.address, inputs: m.inputs.map((i) => subs[i]) }); per.set(owner, l);
  }
  for (const [o, l] of per) if (l.length >= 2 && shown++ < 8) console.log(truth.tenant, o, JSON.stringify(l));
}
for (const p of [142, 175, 286]) {
  console.log('--- person', p);
  const owned = new Set<string>();
  for (const t of sim.truth.tenants) for (const [k, o] of t.profiles) if (o === p) owned.add(k);
  for (const e of sim.events) {
    if (e.tenant !== 'shop-a') continue;
    const keys = Object.entries(e.identifiers).map(([t, v]) => identifierKey(t as any, v!));
    if (e.recipient) keys.push('subscriber:' + e.recipient.value);
    const mine = keys.some((k) => k && (owned.has(k) || sim.truth.addressOwners.get(k) === p));
    if (mine) console.log(e.timestamp.slice(0, 10), e.type, JSON.stringify(e.identifiers), e.recipient?.value ?? '');
  }
}
