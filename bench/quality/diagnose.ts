// Where the engine's resolution errors come from, on a simulation whose truth is known:
//   npx tsx bench/quality/diagnose.ts [--people 5000] [--seed 1] [--noise high] [--guardrails true]
//     [--config '{"limits": {"phone": 1}}']   (tenant settings on top of the defaults, as PUT /config takes)
// Runs the simulation into one in-process shard (direct.ts), then attributes
// - wrong merges: the profile pairs of two people in one persona, by the causes of the merged
//   evidence that crosses people (shared device, junk value, forwarded click, ...);
// - wrong splits: the true links (ceiling) whose two ends ended in different personas, by the
//   decision the rules took on that evidence (refused by a limit, weak evidence, shared, ...);
// - latest-email misses and the campaign's wrong-person / twice / not-reached people, by cause.
import { parseArgs } from 'node:util';
import { TYPE_NAMES, DECISION_NAMES, STRENGTH_NAMES, NODE_FLAG } from '../../host/engine/layout.js';
import type { EdgeView, Shard } from '../../host/engine/shard.js';
import { runDirect, type DirectRun } from './direct.js';
import { canonicalEmail, identifierKey } from './normalize.js';
import { simulateShops } from './simulator.js';
import type { NoiseLevel } from './rates.js';
import type { SimulatedEvent, Simulation, TenantTruth } from './types.js';
import { KeyUnionFind } from './union-find.js';

/** Who a key belongs to: a person, or null for a shared device or a junk value. */
type Owner = number | null;

class Tally {
  private readonly counts = new Map<string, number>();
  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }
  print(title: string, top = 15): void {
    const rows = [...this.counts].sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((s, [, n]) => s + n, 0);
    console.log(`\n### ${title} (total ${total})`);
    for (const [what, n] of rows.slice(0, top)) console.log(`${String(n).padStart(8)}  ${what}`);
  }
}

interface TenantView {
  truth: TenantTruth;
  tenant: number;
  /** Node → its key in the simulator's form (`type:value`). */
  keyOf: Map<number, string>;
  /** Node → root of its persona. */
  rootOf: Map<number, number>;
  members: Map<number, number[]>;
}

function ownerOf(sim: Simulation, truth: TenantTruth, key: string): Owner | undefined {
  if (key.startsWith('email:') || key.startsWith('phone:')) return sim.truth.addressOwners.get(key) ?? null;
  return truth.profiles.has(key) ? truth.profiles.get(key)! : undefined;
}

function tenantView(run: DirectRun, truth: TenantTruth): TenantView {
  const { shard } = run;
  const tenant = run.tenants.get(truth.tenant)!;
  const keyOf = new Map<number, string>();
  const rootOf = new Map<number, number>();
  const members = new Map<number, number[]>();
  const nodes = shard.counts().nodes;
  for (let n = 1; n <= nodes; n++) {
    const node = shard.node(n);
    if (node.tenant !== tenant) continue;
    keyOf.set(n, `${TYPE_NAMES[node.type]}:${node.value}`);
    const root = shard.rootOf(n);
    rootOf.set(n, root);
    const list = members.get(root) ?? [];
    list.push(n);
    members.set(root, list);
  }
  return { truth, tenant, keyOf, rootOf, members };
}

function allEdges(shard: Shard): Map<string, EdgeView> {
  const edges = new Map<string, EdgeView>();
  const count = shard.counts().edges;
  for (let e = 1; e <= count; e++) {
    const edge = shard.edge(e);
    edges.set(pair(edge.a, edge.b), edge);
  }
  return edges;
}

const pair = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
const typeOf = (key: string) => key.slice(0, key.indexOf(':'));

function describeNode(sim: Simulation, view: TenantView, shard: Shard, node: number, sharedDevices: Set<string>): string {
  const key = view.keyOf.get(node)!;
  const flags = shard.node(node).flags;
  const marks = [(flags & NODE_FLAG.SHARED) ? 'shared' : '', (flags & NODE_FLAG.BLOCKED) ? 'blocked' : ''].filter(Boolean).join(',');
  const owner = ownerOf(sim, view.truth, key);
  let what = typeOf(key);
  if (owner === null) what = typeOf(key) === 'device' ? (sharedDevices.has(key) ? 'shared-device' : 'device?') : `junk-${typeOf(key)}`;
  return marks ? `${what}[${marks}]` : what;
}

/** What a persona holds, in short: e.g. `E2 P1 D3 C1 G2 S1` (emails, phones, devices, accounts, guest orders, subscribers). */
function composition(view: TenantView, root: number): string {
  const counts = new Map<string, number>();
  for (const n of view.members.get(root) ?? []) {
    const key = view.keyOf.get(n)!;
    const letter = key.startsWith('customer:g-') ? 'G' : key.startsWith('customer:') ? 'C' : key[0].toUpperCase();
    counts.set(letter, (counts.get(letter) ?? 0) + 1);
  }
  return ['E', 'P', 'D', 'C', 'G', 'S'].filter((l) => counts.has(l)).map((l) => `${l}${counts.get(l)}`).join(' ');
}

/** The ceiling's components of one tenant: union-find over its true links. */
function ceilingComponents(truth: TenantTruth): (key: string) => string {
  const graph = new KeyUnionFind();
  for (const [a, b] of truth.trueLinks) graph.union(graph.add(a), graph.add(b));
  return (key) => {
    const id = graph.idOf(key);
    return id === undefined ? `alone:${key}` : String(graph.find(id));
  };
}

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
  const events = new Map(sim.events.map((e) => [e.id, e]));
  const eventOf = (edge: EdgeView): SimulatedEvent | undefined => events.get(run.bySeqItem.get(`${edge.seq}:${edge.item}`) ?? '');
  const edges = allEdges(shard);
  const edgesOfNode = new Map<number, EdgeView[]>();
  for (const edge of edges.values()) {
    for (const end of [edge.a, edge.b]) {
      const list = edgesOfNode.get(end) ?? [];
      list.push(edge);
      edgesOfNode.set(end, list);
    }
  }
  const sharedDevices = new Set<string>();
  for (const truth of sim.truth.tenants) for (const [key, owner] of truth.profiles) if (owner === null) sharedDevices.add(key);

  const mergeCauses = new Tally();
  const mergeEdges = new Tally();
  const splitCauses = new Tally();
  const splitPairs = new Tally();
  const latest = new Tally();
  const campaign = new Tally();
  const latestGap = new Tally();
  const deviceRefusals = new Tally();
  const corroborated = new Tally();
  const clickHeld = new Tally();
  const twiceGap = new Tally();

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

    // ---- refused device evidence, by what the other side held and whether the link was true ----
    for (const edge of edges.values()) {
      if (DECISION_NAMES[edge.decision] !== 'refused_weak' || !view.keyOf.has(edge.a)) continue;
      const [device, other] = typeOf(view.keyOf.get(edge.a)!) === 'device' ? [edge.a, edge.b] : [edge.b, edge.a];
      if (typeOf(view.keyOf.get(device)!) !== 'device' || typeOf(view.keyOf.get(other)!) === 'device') continue;
      const od = owner(device);
      const oo = owner(other);
      const truthOf = od === null ? (sharedDevices.has(view.keyOf.get(device)!) ? ((shard.node(device).flags & NODE_FLAG.SHARED) ? 'shared device, marked' : 'shared device, unmarked') : 'device?') : od === oo ? 'TRUE' : 'other person';
      const otherSide = composition(view, view.rootOf.get(other)!);
      const fresh = !otherSide.includes('D') ? 'no device' : 'has device';
      deviceRefusals.add(`${eventOf(edge)?.type ?? '?'} ${STRENGTH_NAMES[edge.strength]} other side ${fresh}: ${truthOf}`);
    }

    // ---- devices a persona holds on click evidence alone: was the click the recipient's own? ----
    for (const [n, key] of view.keyOf) {
      if (typeOf(key) !== 'device' || owner(n) == null) continue;
      let merged = 0;
      let weak = 0;
      let firstClick = Infinity;
      for (const edge of edgesOfNode.get(n) ?? []) {
        if (DECISION_NAMES[edge.decision] !== 'merged' && DECISION_NAMES[edge.decision] !== 'same') continue;
        if (view.rootOf.get(edge.a) !== view.rootOf.get(edge.b)) continue;
        merged++;
        if (STRENGTH_NAMES[edge.strength] === 'weak') {
          weak++;
          firstClick = Math.min(firstClick, edge.time);
        }
      }
      if (merged === 0 || weak < merged) continue;
      const members = (view.members.get(view.rootOf.get(n)!) ?? []).map(owner).filter((o) => o != null && o !== owner(n));
      const own = members.length === 0;
      const node = shard.node(n);
      const history = node.firstSeen < firstClick - 60_000 ? 'seen before the click' : 'first seen at the click';
      const after = node.lastSeen > firstClick + 2 * 86_400_000 ? 'seen days after' : 'not seen days after';
      clickHeld.add(`${history}, ${after}: ${own ? 'own' : 'someone else\'s'}`);
    }

    // ---- persona pairs kept apart by refused device evidence through two or more distinct devices ----
    const devicesBetween = new Map<string, Set<number>>();
    for (const edge of edges.values()) {
      if (DECISION_NAMES[edge.decision] !== 'refused_weak' || STRENGTH_NAMES[edge.strength] !== 'medium' || !view.keyOf.has(edge.a)) continue;
      const device = typeOf(view.keyOf.get(edge.a)!) === 'device' ? edge.a : typeOf(view.keyOf.get(edge.b)!) === 'device' ? edge.b : 0;
      if (device === 0) continue;
      const ra = view.rootOf.get(edge.a)!;
      const rb = view.rootOf.get(edge.b)!;
      if (ra === rb) continue;
      const k = ra < rb ? `${ra}:${rb}` : `${rb}:${ra}`;
      const set = devicesBetween.get(k) ?? new Set<number>();
      set.add(device);
      devicesBetween.set(k, set);
    }
    const personOfPersona = (root: number): Set<number> => {
      const people = new Set<number>();
      for (const n of view.members.get(root) ?? []) {
        const o = owner(n);
        if (o != null) people.add(o);
      }
      return people;
    };
    for (const [k, devices] of devicesBetween) {
      const [ra, rb] = k.split(':').map(Number);
      const pa = personOfPersona(ra);
      const pb = personOfPersona(rb);
      const same = pa.size === 1 && pb.size === 1 && [...pa][0] === [...pb][0];
      corroborated.add(`${Math.min(devices.size, 3)}${devices.size >= 3 ? '+' : ''} devices: ${same ? 'one person' : 'different people'}`);
    }

    // ---- below the ceiling: the cut true links inside the person's ceiling component ----
    const ceilingOf = ceilingComponents(truth);
    const linksByComponent = new Map<string, [string, string][]>();
    for (const link of truth.trueLinks) {
      const c = ceilingOf(link[0]);
      const list = linksByComponent.get(c) ?? [];
      list.push(link);
      linksByComponent.set(c, list);
    }
    /** Why the engine keeps `from` and `to` apart though the ceiling joins them: the cut true links between their two personas, else all cut ones of the component. */
    const whyApart = (from: string, to: string): string => {
      const a = nodeOfKey.get(from);
      const b = nodeOfKey.get(to);
      if (a === undefined || b === undefined) return 'missing node';
      const ra = view.rootOf.get(a)!;
      const rb = view.rootOf.get(b)!;
      const cut: string[] = [];
      const between: string[] = [];
      for (const [ka, kb] of linksByComponent.get(ceilingOf(from)) ?? []) {
        const x = nodeOfKey.get(ka);
        const y = nodeOfKey.get(kb);
        if (x === undefined || y === undefined || view.rootOf.get(x) === view.rootOf.get(y)) continue;
        const edge = edges.get(pair(x, y));
        const rx = view.rootOf.get(x)!;
        const ry = view.rootOf.get(y)!;
        const what = edge
          ? `${DECISION_NAMES[edge.decision]} ${eventOf(edge)?.type ?? '?'} ${STRENGTH_NAMES[edge.strength]} ${typeOf(ka)}[${composition(view, rx)}]-${typeOf(kb)}[${composition(view, ry)}]`
          : `no edge ${typeOf(ka)}-${typeOf(kb)}`;
        const joins = (rx === ra && ry === rb) || (rx === rb && ry === ra);
        (joins ? between : cut).push(what);
      }
      const chosen = between.length > 0 ? between : cut;
      return `${between.length > 0 ? '' : '(via a third persona) '}${[...new Set(chosen)].sort().join(' + ')}`;
    };
    for (const person of truth.people) {
      if (person.latestEmail === null || person.anchor === null) continue;
      const want = `email:${canonicalEmail(person.latestEmail)}`;
      if (ceilingOf(want) !== ceilingOf(person.anchor)) continue; // the ceiling misses it too
      const anchor = nodeOfKey.get(person.anchor);
      const latestNode = nodeOfKey.get(want);
      if (anchor === undefined || latestNode === undefined || view.rootOf.get(anchor) === view.rootOf.get(latestNode)) continue;
      latestGap.add(whyApart(person.anchor, want));
    }
    const subsByPerson = new Map<number, string[]>();
    for (const s of truth.emailSubscriptions) {
      if (!s.consent) continue;
      const list = subsByPerson.get(s.person) ?? [];
      list.push(`subscriber:${s.subscriber}`);
      subsByPerson.set(s.person, list);
    }
    for (const keys of subsByPerson.values()) {
      for (let i = 1; i < keys.length; i++) {
        const a = nodeOfKey.get(keys[0]);
        const b = nodeOfKey.get(keys[i]);
        if (a === undefined || b === undefined || view.rootOf.get(a) === view.rootOf.get(b)) continue;
        if (ceilingOf(keys[0]) !== ceilingOf(keys[i])) continue;
        twiceGap.add(whyApart(keys[0], keys[i]));
      }
    }

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
  corroborated.print('persona pairs kept apart by refused medium device evidence, by distinct devices carrying it');
  deviceRefusals.print('refused device evidence: other side (has a device of its own?) and truth', 30);
  latestGap.print('latest-email misses the ceiling gets right: cut true links between anchor and latest address', 30);
  twiceGap.print('subscriptions of one person apart that the ceiling joins: cut true links between them', 30);
}

main();
