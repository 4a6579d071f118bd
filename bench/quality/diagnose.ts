// Where the engine's resolution errors come from, on a simulation whose truth is known:
//   npx tsx bench/quality/diagnose.ts [--people 5000] [--seed 1] [--noise high] [--guardrails true]
//     [--config '{"limits": {"phone": 1}}']   (tenant settings on top of the defaults, as PUT /config takes)
// Runs the simulation into one in-process shard (direct.ts), then attributes
// - wrong merges: the profile pairs of two people in one persona, by the causes of the merged
//   evidence that crosses people (shared device, junk value, forwarded click, ...);
// - wrong splits: the true links (ceiling) whose two ends ended in different personas, by the
//   decision the rules took on that evidence (refused by a limit, weak evidence, shared, ...);
// - latest-email misses and the campaign's wrong-person / twice / not-reached people, by cause.
// - below the ceiling (diagnose-gaps.ts): refused device evidence against the truth, devices held
//   on clicks alone, and the cut true links behind every latest-email miss and reached-twice
//   person that the ceiling gets right.
import { parseArgs } from 'node:util';
import { DECISION_NAMES, STRENGTH_NAMES } from '../../host/engine/layout.js';
import { runDirect } from './direct.js';
import {
  tallyBelowCeiling, tallyCeilingMisses, tallyClickHeldDevices, tallyDeviceRefusals, tallyDevicesBetween, tallyRefusalTiming,
} from './diagnose-gaps.js';
import { Tally, describeNode, diagnoseContext, ownerOf, pair, tenantView, typeOf } from './diagnose-view.js';
import { canonicalEmail, identifierKey } from './normalize.js';
import { simulateShops } from './simulator.js';
import type { NoiseLevel } from './rates.js';

function main(): void {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      noise: { type: 'string', default: 'high' },
      guardrails: { type: 'string', default: 'true' },
      config: { type: 'string', default: '{}' },
    },
  });
  const sim = simulateShops({ seed: Number(values.seed), people: Number(values.people), noise: values.noise as NoiseLevel });
  const run = runDirect(sim, { ...JSON.parse(values.config!), guardrails: values.guardrails === 'true' });
  const { shard } = run;
  const context = diagnoseContext(sim, run);
  const { edges, sharedDevices, eventOf } = context;

  const mergeCauses = new Tally();
  const mergeEdges = new Tally();
  const splitCauses = new Tally();
  const splitPairs = new Tally();
  const latest = new Tally();
  const campaign = new Tally();
  const latestGap = new Tally();
  const deviceRefusals = new Tally();
  const devicesBetween = new Tally();
  const ceilingTwice = new Tally();
  const ceilingLatest = new Tally();
  const clickHeld = new Tally();
  const twiceGap = new Tally();
  const refusalTiming = new Tally();

  for (const truth of sim.truth.tenants) {
    const view = tenantView(run, truth);
    const owner = (node: number) => ownerOf(sim, truth, view.keyOf.get(node)!);

    // ---- wrong merges: per persona, the evidence that crosses people ----
    for (const [root, nodes] of view.members) {
      const people = new Map<number, number>();
      for (const n of nodes) {
        const o = owner(n);
        const t = typeOf(view.keyOf.get(n)!);
        if (o != null && (t === 'device' || t === 'customer' || t === 'subscriber')) people.set(o, (people.get(o) ?? 0) + 1);
      }
      if (people.size < 2) continue;
      const total = [...people.values()].reduce((s, n) => s + n, 0);
      const wrongPairs = (total * (total - 1)) / 2 - [...people.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0);
      const causes = new Set<string>();
      for (const edge of shard.edges(root)) {
        if (DECISION_NAMES[edge.decision] !== 'merged') continue;
        if (view.rootOf.get(edge.a) !== root || view.rootOf.get(edge.b) !== root) continue;
        const oa = owner(edge.a);
        const ob = owner(edge.b);
        if (oa != null && oa === ob) continue;
        const event = eventOf(edge);
        const ends = [describeNode(sim, view, shard, edge.a, sharedDevices), describeNode(sim, view, shard, edge.b, sharedDevices)].sort().join('-');
        const cause = `${event?.type ?? '?'} ${STRENGTH_NAMES[edge.strength]} ${ends}`;
        causes.add(cause);
        mergeEdges.add(cause);
      }
      mergeCauses.add([...causes].sort().join(' + ') || '(no crossing merged edge found)', wrongPairs);
    }

    // ---- wrong splits: true links whose ends are in different personas ----
    const nodeOfKey = new Map<string, number>();
    for (const [n, key] of view.keyOf) nodeOfKey.set(key, n);
    for (const [ka, kb] of truth.trueLinks) {
      const a = nodeOfKey.get(ka);
      const b = nodeOfKey.get(kb);
      if (a === undefined || b === undefined) {
        splitCauses.add(`missing node ${a === undefined ? ka : kb}`.replace(/:.*/, ''));
        continue;
      }
      if (view.rootOf.get(a) === view.rootOf.get(b)) continue;
      const edge = edges.get(pair(a, b));
      const ends = [describeNode(sim, view, shard, a, sharedDevices), describeNode(sim, view, shard, b, sharedDevices)].sort().join('-');
      if (!edge) {
        splitCauses.add(`no edge (star) ${ends}`);
        continue;
      }
      const event = eventOf(edge);
      splitCauses.add(`${DECISION_NAMES[edge.decision]} ${event?.type ?? '?'} ${STRENGTH_NAMES[edge.strength]} ${ends}`);
    }
    // lost true pairs per person: their profiles spread over several personas
    const byPerson = new Map<number, Map<number, number>>();
    for (const [key, o] of truth.profiles) {
      if (o === null) continue;
      const n = nodeOfKey.get(key);
      if (n === undefined) continue;
      const root = view.rootOf.get(n)!;
      const m = byPerson.get(o) ?? new Map<number, number>();
      m.set(root, (m.get(root) ?? 0) + 1);
      byPerson.set(o, m);
    }
    for (const parts of byPerson.values()) {
      if (parts.size < 2) continue;
      const sizes = [...parts.values()];
      const total = sizes.reduce((s, n) => s + n, 0);
      splitPairs.add(`${parts.size} pieces`, (total * (total - 1)) / 2 - sizes.reduce((s, n) => s + (n * (n - 1)) / 2, 0));
    }

    // ---- latest email ----
    for (const person of truth.people) {
      if (person.latestEmail === null) continue;
      const anchor = person.anchor === null ? undefined : nodeOfKey.get(person.anchor);
      if (anchor === undefined) {
        latest.add('no anchor');
        continue;
      }
      const record = shard.personaOfNode(anchor);
      const p = shard.persona(record);
      const email = p.latestEmail === 0 ? null : shard.node(p.latestEmail).value;
      const want = canonicalEmail(person.latestEmail);
      if (email !== null && canonicalEmail(email) === want) continue;
      const emailOwner = email === null ? undefined : sim.truth.addressOwners.get(identifierKey('email', email) ?? '');
      const holdsLatest = view.members.get(view.rootOf.get(anchor)!)!.some((n) => view.keyOf.get(n) === `email:${want}`);
      const otherPeople = new Set(view.members.get(view.rootOf.get(anchor)!)!.map(owner).filter((o) => o != null && o !== person.person)).size;
      latest.add(`${email === null ? 'no email' : emailOwner === undefined ? 'junk email chosen' : emailOwner === person.person ? 'own older email chosen' : "someone else's email"}; latest ${holdsLatest ? 'in' : 'NOT in'} persona; ${otherPeople ? 'merged with others' : 'alone'}`);
    }

    tallyDeviceRefusals(context, view, deviceRefusals);
    tallyClickHeldDevices(context, view, clickHeld);
    tallyDevicesBetween(context, view, devicesBetween);
    tallyRefusalTiming(context, view, refusalTiming);
    tallyBelowCeiling(context, view, nodeOfKey, latestGap, twiceGap);
    tallyCeilingMisses(context, view, ceilingTwice, ceilingLatest);

    // ---- campaign ----
    const subs = truth.emailSubscriptions.filter((s) => s.consent);
    const personOfSub = new Map(subs.map((s) => [s.subscriber, s.person]));
    const sent = new Map<number, number>();
    const recordsSeen = new Map<number, Set<number>>();
    for (const s of subs) {
      const n = nodeOfKey.get(`subscriber:${s.subscriber}`);
      if (n === undefined) continue;
      const record = shard.personaOfNode(n);
      const set = recordsSeen.get(record) ?? new Set<number>();
      set.add(s.person);
      recordsSeen.set(record, set);
    }
    for (const [record, behind] of recordsSeen) {
      const p = shard.persona(record);
      const email = p.latestEmail === 0 ? null : shard.node(p.latestEmail).value;
      const o = email === null ? undefined : sim.truth.addressOwners.get(identifierKey('email', email) ?? '');
      if (email === null) campaign.add('unreachable persona');
      else if (o === undefined) campaign.add(`message to junk address ${email}`);
      else if (!behind.has(o)) campaign.add(`wrong person (${behind.size} people behind, persona ${p.members} ids)`);
      if (o !== undefined) sent.set(o, (sent.get(o) ?? 0) + 1);
    }
    for (const [o, n] of sent) if (n >= 2 && personOfSub.size > 0 && subs.some((s) => s.person === o)) campaign.add(`reached ${n}x`);
  }

  console.log(`seed ${values.seed}, ${values.people} people, noise ${values.noise}, guardrails ${values.guardrails}`);
  mergeCauses.print('wrongly merged profile pairs, by the crossing evidence in their persona');
  mergeEdges.print('crossing merged edges (event, strength, ends)');
  splitCauses.print('true links cut (decision, event, strength, ends)', 25);
  splitPairs.print('lost true profile pairs, by pieces per person');
  latest.print('latest-email misses');
  campaign.print('campaign problems');
  clickHeld.print('devices held on click evidence alone: history and truth');
  devicesBetween.print('persona pairs kept apart by refused medium device evidence, by distinct devices carrying it');
  deviceRefusals.print('refused device evidence: other side (has a device of its own?) and truth', 30);
  refusalTiming.print('refused medium device evidence, once per device and other persona B (A: the device\'s persona): timing, B\'s devices, other evidence, and truth', 30);
  latestGap.print('latest-email misses the ceiling gets right: cut true links between anchor and latest address', 30);
  ceilingTwice.print('the ceiling reaches these people twice: what each subscription carried', 20);
  ceilingLatest.print("the ceiling's latest-email misses: where the latest address was used", 20);
  twiceGap.print('subscriptions of one person apart that the ceiling joins: cut true links between them', 30);
}

main();
