// The diagnostics of where the engine falls below the ceiling, and of what a rule that closed the
// gap would cost: the device evidence the rules refused, judged against the truth; the devices a
// persona holds on click evidence alone; and, for every latest-email miss and every person
// reached twice that the ceiling gets right, the true links the engine cut between the two ends.
import { DECISION_NAMES, NODE_FLAG, STRENGTH_NAMES } from '../../host/engine/layout.js';
import { canonicalEmail } from './normalize.js';
import type { TenantTruth } from './types.js';
import { KeyUnionFind } from './union-find.js';
import { composition, ownerOf, pair, typeOf, type DiagnoseContext, type Tally, type TenantView } from './diagnose-view.js';

const CLICK_HISTORY_MARGIN_MS = 60_000;
const DAY_MS = 86_400_000;
const DAYS_AFTER_CLICK_MS = 2 * DAY_MS;

/**
 * Refused evidence between a device and a person identifier, by event, by whether the other side
 * holds a device of its own, and by the truth: the person's own link, a family tablet or kiosk
 * (marked shared by now or not), or another person's device.
 */
export function tallyDeviceRefusals(context: DiagnoseContext, view: TenantView, tally: Tally): void {
  const { sim, shard, edges, eventOf, sharedDevices } = context;
  const owner = (node: number) => ownerOf(sim, view.truth, view.keyOf.get(node)!);
  for (const edge of edges.values()) {
    if (DECISION_NAMES[edge.decision] !== 'refused_weak' || !view.keyOf.has(edge.a)) continue;
    const [device, other] = typeOf(view.keyOf.get(edge.a)!) === 'device' ? [edge.a, edge.b] : [edge.b, edge.a];
    if (typeOf(view.keyOf.get(device)!) !== 'device' || typeOf(view.keyOf.get(other)!) === 'device') continue;
    const deviceOwner = owner(device);
    let truth: string;
    if (deviceOwner !== null) truth = deviceOwner === owner(other) ? 'TRUE' : 'other person';
    else if (!sharedDevices.has(view.keyOf.get(device)!)) truth = 'device?';
    else truth = (shard.node(device).flags & NODE_FLAG.SHARED) ? 'shared device, marked' : 'shared device, unmarked';
    const otherSide = composition(view, view.rootOf.get(other)!).includes('D') ? 'has device' : 'no device';
    tally.add(`${eventOf(edge)?.type ?? '?'} ${STRENGTH_NAMES[edge.strength]} other side ${otherSide}: ${truth}`);
  }
}

/**
 * Devices whose every merged edge inside their persona is weak (a campaign click): whether the
 * persona is the device owner's, by whether the device was seen before the click and days after.
 */
export function tallyClickHeldDevices(context: DiagnoseContext, view: TenantView, tally: Tally): void {
  const { sim, shard, edgesOfNode } = context;
  const owner = (node: number) => ownerOf(sim, view.truth, view.keyOf.get(node)!);
  for (const [n, key] of view.keyOf) {
    if (typeOf(key) !== 'device' || owner(n) == null) continue;
    let merged = 0;
    let weak = 0;
    let firstClick = Infinity;
    for (const edge of edgesOfNode.get(n) ?? []) {
      const decision = DECISION_NAMES[edge.decision];
      if ((decision !== 'merged' && decision !== 'same') || view.rootOf.get(edge.a) !== view.rootOf.get(edge.b)) continue;
      merged++;
      if (STRENGTH_NAMES[edge.strength] === 'weak') {
        weak++;
        firstClick = Math.min(firstClick, edge.time);
      }
    }
    if (merged === 0 || weak < merged) continue;
    const own = (view.members.get(view.rootOf.get(n)!) ?? []).every((m) => owner(m) == null || owner(m) === owner(n));
    const node = shard.node(n);
    const history = node.firstSeen < firstClick - CLICK_HISTORY_MARGIN_MS ? 'seen before the click' : 'first seen at the click';
    const after = node.lastSeen > firstClick + DAYS_AFTER_CLICK_MS ? 'seen days after' : 'not seen days after';
    tally.add(`${history}, ${after}: ${own ? 'own' : "someone else's"}`);
  }
}

/**
 * Timing and other evidence behind refused medium device evidence, once per device and other
 * persona: the device's persona A (its person identifiers on the device) and the refused persona B.
 * Whether all of A's identifiers on the device came before B's first (the owner switched to a new
 * address, or a household member took the tablet), whether B was seen on the device again a day or
 * more later, whether B holds a device of its own, and whether any evidence besides this device
 * joins A and B; by the truth. What a rule that told the device's owner from a tablet's other user
 * by timing would gain (TRUE) and cost (shared device: two people merged).
 */
export function tallyRefusalTiming(context: DiagnoseContext, view: TenantView, tally: Tally): void {
  const { sim, shard, edges, edgesOfNode } = context;
  const owner = (node: number) => ownerOf(sim, view.truth, view.keyOf.get(node)!);
  const isDevice = (node: number) => typeOf(view.keyOf.get(node)!) === 'device';
  const seen = new Set<string>();
  for (const edge of edges.values()) {
    if (DECISION_NAMES[edge.decision] !== 'refused_weak' || STRENGTH_NAMES[edge.strength] !== 'medium' || !view.keyOf.has(edge.a)) continue;
    const [device, other] = isDevice(edge.a) ? [edge.a, edge.b] : [edge.b, edge.a];
    const a = view.rootOf.get(device)!;
    const b = view.rootOf.get(other)!;
    if (!isDevice(device) || isDevice(other) || a === b || seen.has(pair(device, b))) continue;
    seen.add(pair(device, b));
    let lastA = -Infinity;
    let firstB = Infinity;
    let lastB = -Infinity;
    for (const e of edgesOfNode.get(device) ?? []) {
      const x = e.a === device ? e.b : e.a;
      if (isDevice(x) || e.cut) continue;
      const decision = DECISION_NAMES[e.decision];
      if (view.rootOf.get(x) === a && (decision === 'merged' || decision === 'same')) lastA = Math.max(lastA, e.lastTime);
      if (view.rootOf.get(x) === b) {
        firstB = Math.min(firstB, e.time);
        lastB = Math.max(lastB, e.lastTime);
      }
    }
    let otherEvidence = false;
    for (const n of view.members.get(b) ?? []) {
      for (const e of edgesOfNode.get(n) ?? []) {
        const x = e.a === n ? e.b : e.a;
        if (x !== device && view.rootOf.get(x) === a) otherEvidence = true;
      }
    }
    const deviceOwner = owner(device);
    const truth = deviceOwner === null
      ? (shard.node(device).flags & NODE_FLAG.SHARED ? 'shared device, marked' : 'shared device, unmarked')
      : deviceOwner === owner(other) ? 'TRUE' : 'other person';
    if (lastA === -Infinity) {
      tally.add(`A has no identifier on the device: ${truth}`);
      continue;
    }
    tally.add([
      lastA < firstB ? 'A then B' : 'A and B interleave',
      lastB - firstB >= DAY_MS ? 'B again a day+ later' : 'B once',
      (view.members.get(b) ?? []).some(isDevice) ? 'B has a device' : 'B no device',
      otherEvidence ? 'other evidence' : 'nothing else',
    ].join(', ') + `: ${truth}`);
  }
}

/** Persona pairs kept apart by refused medium device evidence, by how many distinct devices carry it, and whether they are one person. */
export function tallyDevicesBetween(context: DiagnoseContext, view: TenantView, tally: Tally): void {
  const { sim, edges } = context;
  const devicesBetween = new Map<string, Set<number>>();
  for (const edge of edges.values()) {
    if (DECISION_NAMES[edge.decision] !== 'refused_weak' || STRENGTH_NAMES[edge.strength] !== 'medium' || !view.keyOf.has(edge.a)) continue;
    const device = typeOf(view.keyOf.get(edge.a)!) === 'device' ? edge.a : typeOf(view.keyOf.get(edge.b)!) === 'device' ? edge.b : 0;
    const ra = view.rootOf.get(edge.a)!;
    const rb = view.rootOf.get(edge.b)!;
    if (device === 0 || ra === rb) continue;
    const key = pair(ra, rb);
    const devices = devicesBetween.get(key) ?? new Set<number>();
    devices.add(device);
    devicesBetween.set(key, devices);
  }
  const peopleIn = (root: number): Set<number> => {
    const people = new Set<number>();
    for (const n of view.members.get(root) ?? []) {
      const o = ownerOf(sim, view.truth, view.keyOf.get(n)!);
      if (o != null) people.add(o);
    }
    return people;
  };
  for (const [key, devices] of devicesBetween) {
    const [a, b] = key.split(':').map(Number);
    const people = new Set([...peopleIn(a), ...peopleIn(b)]);
    tally.add(`${devices.size >= 3 ? '3+' : devices.size} devices: ${people.size === 1 ? 'one person' : 'different people'}`);
  }
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

/**
 * For every latest-email miss and every pair of one person's consenting subscriptions in two
 * personas that the ceiling gets right: the true links the engine cut between the two personas
 * (else, marked "via a third persona", every cut true link of the person's ceiling component),
 * with what each side held.
 */
export function tallyBelowCeiling(context: DiagnoseContext, view: TenantView, nodeOfKey: Map<string, number>, latestGap: Tally, twiceGap: Tally): void {
  const { edges, eventOf } = context;
  const { truth } = view;
  const ceilingOf = ceilingComponents(truth);
  const linksByComponent = new Map<string, [string, string][]>();
  for (const link of truth.trueLinks) {
    const component = ceilingOf(link[0]);
    const list = linksByComponent.get(component) ?? [];
    list.push(link);
    linksByComponent.set(component, list);
  }
  const apart = (from: string, to: string): boolean => {
    const a = nodeOfKey.get(from);
    const b = nodeOfKey.get(to);
    return a !== undefined && b !== undefined && ceilingOf(from) === ceilingOf(to) && view.rootOf.get(a) !== view.rootOf.get(b);
  };
  const whyApart = (from: string, to: string): string => {
    const ra = view.rootOf.get(nodeOfKey.get(from)!)!;
    const rb = view.rootOf.get(nodeOfKey.get(to)!)!;
    const between = new Set<string>();
    const elsewhere = new Set<string>();
    for (const [ka, kb] of linksByComponent.get(ceilingOf(from)) ?? []) {
      const x = nodeOfKey.get(ka);
      const y = nodeOfKey.get(kb);
      if (x === undefined || y === undefined) continue;
      const rx = view.rootOf.get(x)!;
      const ry = view.rootOf.get(y)!;
      if (rx === ry) continue;
      const edge = edges.get(pair(x, y));
      const what = edge
        ? `${DECISION_NAMES[edge.decision]} ${eventOf(edge)?.type ?? '?'} ${STRENGTH_NAMES[edge.strength]} ${typeOf(ka)}[${composition(view, rx)}]-${typeOf(kb)}[${composition(view, ry)}]`
        : `no edge ${typeOf(ka)}-${typeOf(kb)}`;
      ((rx === ra && ry === rb) || (rx === rb && ry === ra) ? between : elsewhere).add(what);
    }
    return between.size > 0 ? [...between].sort().join(' + ') : `(via a third persona) ${[...elsewhere].sort().join(' + ')}`;
  };

  for (const person of truth.people) {
    if (person.latestEmail === null || person.anchor === null) continue;
    const latest = `email:${canonicalEmail(person.latestEmail)}`;
    if (apart(person.anchor, latest)) latestGap.add(whyApart(person.anchor, latest));
  }
  const subscriptionsOf = new Map<number, string[]>();
  for (const s of truth.emailSubscriptions) {
    if (!s.consent) continue;
    const list = subscriptionsOf.get(s.person) ?? [];
    list.push(`subscriber:${s.subscriber}`);
    subscriptionsOf.set(s.person, list);
  }
  for (const keys of subscriptionsOf.values()) {
    for (const other of keys.slice(1)) if (apart(keys[0], other)) twiceGap.add(whyApart(keys[0], other));
  }
}

/**
 * What the ceiling itself misses, and why no resolver could do better: for every person whose
 * consenting subscriptions fall in two ceiling components, what each subscription carried (its
 * device: own, shared or none; the account; whether its address was used in any other event);
 * for every latest-email miss of the ceiling, the events the latest address was used in.
 */
export function tallyCeilingMisses(context: DiagnoseContext, view: TenantView, twice: Tally, latest: Tally): void {
  const { sim } = context;
  const { truth } = view;
  const ceilingOf = ceilingComponents(truth);
  const events = sim.events.filter((e) => e.tenant === truth.tenant);
  const eventsOfEmail = new Map<string, typeof events>();
  for (const event of events) {
    const raw = event.identifiers.email;
    const key = raw === undefined ? null : sim.keys.email.get(raw) ?? null;
    if (key === null) continue;
    const list = eventsOfEmail.get(key) ?? [];
    list.push(event);
    eventsOfEmail.set(key, list);
  }
  const deviceKind = (event: (typeof events)[number]): string => {
    const device = event.identifiers.device;
    if (device === undefined) return 'no device';
    return truth.profiles.get(`device:${device}`) === null ? 'shared device' : 'own device';
  };
  const subscribeEvents = new Map<string, (typeof events)[number]>();
  for (const event of events) if (event.type === 'subscribe' && event.identifiers.subscriber) subscribeEvents.set(event.identifiers.subscriber, event);

  const subscriptionsOf = new Map<number, { subscriber: string; address: string }[]>();
  for (const s of truth.emailSubscriptions) {
    if (!s.consent) continue;
    const list = subscriptionsOf.get(s.person) ?? [];
    list.push(s);
    subscriptionsOf.set(s.person, list);
  }
  for (const subscriptions of subscriptionsOf.values()) {
    if (new Set(subscriptions.map((s) => ceilingOf(`subscriber:${s.subscriber}`))).size < 2) continue;
    const described = subscriptions.map((s) => {
      const event = subscribeEvents.get(s.subscriber)!;
      const address = sim.keys.email.get(event.identifiers.email!) ?? '';
      const usedElsewhere = (eventsOfEmail.get(address) ?? []).some((e) => e !== event);
      return `${deviceKind(event)}${event.identifiers.customer ? '+account' : ''}, address ${usedElsewhere ? 'used elsewhere' : 'only here'}`;
    });
    twice.add(described.sort().join(' | '));
  }
  for (const person of truth.people) {
    if (person.latestEmail === null || person.anchor === null) continue;
    const address = `email:${canonicalEmail(person.latestEmail)}`;
    if (ceilingOf(address) === ceilingOf(person.anchor)) continue;
    const uses = [...new Set((eventsOfEmail.get(address) ?? []).map((e) => `${e.type} (${deviceKind(e)}${e.identifiers.phone ? ', phone' : ''})`))].sort();
    latest.add(`anchor ${person.anchor.replace(/-\d+$/, '')}; latest address in ${uses.join(', ')}`);
  }
}
