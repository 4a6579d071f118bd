// Persona values: what a union-find root carries, how two of them merge, and when they must not.
// `mergePersonaValues` is the one place that may refuse a union; every guardrail lives there.
import {
  NODE_TYPE, NODE_FLAGS, NODE_TENANT, NODE_FIRST_SEEN, NODE_LAST_SEEN,
  NODE_FLAG_FOUNDER, NODE_FLAG_ACTIVE,
  VALUES_SIZE, VALUES_UPDATED, VALUES_COUNTS, VALUES_LATEST_EMAIL, VALUES_LATEST_PHONE, VALUES_LATEST_EMAIL_TIME,
  VALUES_LATEST_PHONE_TIME, VALUES_DEGREE, VALUES_FOUNDER, VALUES_FOUNDER_MASK, VALUES_FLAG_BRIDGED, VALUES_NEXT_FREE,
  TYPE_EMAIL, TYPE_PHONE, TYPE_DEVICE, TYPE_CUSTOMER, TYPE_SUBSCRIBER, TYPE_COUNT,
  TENANT_FLAGS, TENANT_FLAG_GUARDRAILS, TENANT_LIMITS, TENANT_PERSONAS,
  KIND_VALUES, HEADER_IDENT_TABLE, HEADER_VALUES_FREE,
  STRENGTH_WEAK, STRENGTH_MEDIUM, DECISION_MERGED, DECISION_REFUSED_LIMIT, DECISION_REFUSED_WEAK, DECISION_MERGED_BRIDGE,
} from './layout';
import { header, takeElements } from './memory';
import {
  nodeAt, valuesAt, edgeAt, tenantAt, valueBytes, valueLen, tableProbe, slotRef, degreeOf, isRoot,
  setPersonaOfRoot, setValuesOfRoot, valuesOfRoot, personaOfRoot, founderId, personaIdOf, createdAt,
} from './records';
import { sameSession, deviceEnd } from './sessions';

const UNLIMITED: u32 = 0;
/**
 * mergePersonaValues' answer for a union through a device that later evidence may undo (across two
 * complementary identities, or bringing a lone identifier): merge, and mark the persona bridged.
 */
export { DECISION_MERGED_BRIDGE };

/** Lower rank = more stable identifier: phone, customer, email, subscriber, device. */
export function typeRank(type: u32): u32 {
  if (type == TYPE_PHONE) return 0;
  if (type == TYPE_CUSTOMER) return 1;
  if (type == TYPE_EMAIL) return 2;
  if (type == TYPE_SUBSCRIBER) return 3;
  return 4;
}

// ---- values ----

/**
 * Fills values from one identifier alone: what a one-member persona's values are (its node's
 * times move with every sighting, and its degree is its adjacency list's length).
 */
export function valuesFromNode(values: usize, node: u32): void {
  memory.fill(values, 0, VALUES_SIZE);
  const n = nodeAt(node);
  const type = <u32>load<u8>(n, NODE_TYPE);
  store<u32>(values + <usize>(VALUES_COUNTS + type * 4), 1);
  store<f64>(values, load<f64>(n, NODE_LAST_SEEN), VALUES_UPDATED);
  store<u32>(values, degreeOf(node), VALUES_DEGREE);
  if (type == TYPE_EMAIL) {
    store<u32>(values, node, VALUES_LATEST_EMAIL);
    store<f64>(values, load<f64>(n, NODE_LAST_SEEN), VALUES_LATEST_EMAIL_TIME);
  } else if (type == TYPE_PHONE) {
    store<u32>(values, node, VALUES_LATEST_PHONE);
    store<f64>(values, load<f64>(n, NODE_LAST_SEEN), VALUES_LATEST_PHONE_TIME);
  }
}

// ---- where a persona's values are: in its root's parent slot (records.ts) ----

/** Values of the persona rooted at `root` to update in place, or 0 for one member or none (whose values follow its node by themselves). */
export function storedValuesOfRoot(root: u32): usize {
  const values = valuesOfRoot(root);
  return values != 0 ? valuesAt(values) : 0;
}

/** Members of the persona rooted at `root` (1 for a node with no persona yet). */
export function membersOfRoot(root: u32): u32 {
  const values = valuesOfRoot(root);
  return values != 0 ? membersOf(valuesAt(values)) : 1;
}

/** Evidence edge ends held by the members of the persona rooted at `root`. */
export function degreeOfRoot(root: u32): u32 {
  const values = valuesOfRoot(root);
  return values != 0 ? load<u32>(valuesAt(values), VALUES_DEGREE) : degreeOf(root);
}

/** Names persona `rec` in the values record at `values`, keeping its flags. */
export function setValuesFounder(values: usize, rec: u32): void {
  store<u32>(values, (load<u32>(values, VALUES_FOUNDER) & ~VALUES_FOUNDER_MASK) | rec, VALUES_FOUNDER);
}

/**
 * Gives the persona `rec` rooted at `root` a values record, from the free list first, holding `source`'s
 * values (VALUES_SIZE bytes), or its one member's when `source` is 0; returns its address. For a
 * persona about to gain members, or a re-cluster's piece. The caller reserved room.
 */
export function giveValues(root: u32, rec: u32, source: usize): usize {
  let fresh = load<u32>(header(HEADER_VALUES_FREE));
  if (fresh != 0) store<u32>(header(HEADER_VALUES_FREE), load<u32>(valuesAt(fresh), VALUES_NEXT_FREE));
  else fresh = takeElements(KIND_VALUES, 1);
  const at = valuesAt(fresh);
  if (source != 0) memory.copy(at, source, VALUES_SIZE);
  else valuesFromNode(at, root);
  setValuesFounder(at, rec);
  setValuesOfRoot(root, fresh);
  return at;
}

/** Puts values record `values` back on the free list. */
export function freeValues(values: u32): void {
  const at = valuesAt(values);
  memory.fill(at, 0, VALUES_SIZE);
  store<u32>(at, load<u32>(header(HEADER_VALUES_FREE)), VALUES_NEXT_FREE);
  store<u32>(header(HEADER_VALUES_FREE), values);
}

/** Gives back the values record of the persona rooted at `root`, which keeps its persona (if any) with none. */
export function dropValuesOfRoot(root: u32): void {
  const values = valuesOfRoot(root);
  if (values == 0) return;
  setPersonaOfRoot(root, personaOfRoot(root));
  freeValues(values);
}

export function isActive(rec: u32): bool {
  return (load<u8>(nodeAt(rec), NODE_FLAGS) & NODE_FLAG_ACTIVE) != 0;
}

export function setActive(rec: u32, active: bool): void {
  const n = nodeAt(rec);
  const flags = load<u8>(n, NODE_FLAGS);
  store<u8>(n, active ? flags | NODE_FLAG_ACTIVE : flags & ~NODE_FLAG_ACTIVE, NODE_FLAGS);
}

/** Whether candidate (node, time) beats current as "latest": later event time, ties to the smaller value. */
export function beatsLatest(current: u32, currentTime: f64, candidate: u32, candidateTime: f64): bool {
  if (candidate == 0) return false;
  if (current == 0 || candidateTime > currentTime) return true;
  if (candidateTime < currentTime || candidate == current) return false;
  return compareValues(candidate, current) < 0;
}

function compareValues(a: u32, b: u32): i32 {
  const na = nodeAt(a);
  const nb = nodeAt(b);
  const la = valueLen(na);
  const lb = valueLen(nb);
  const c = memory.compare(valueBytes(na), valueBytes(nb), la < lb ? la : lb);
  return c != 0 ? c : <i32>la - <i32>lb;
}

/** Offers a touched identifier as the persona's latest email or phone. */
export function offerLatest(values: usize, node: u32): void {
  const n = nodeAt(node);
  const type = <u32>load<u8>(n, NODE_TYPE);
  const time = load<f64>(n, NODE_LAST_SEEN);
  if (type == TYPE_EMAIL) {
    const current = load<u32>(values, VALUES_LATEST_EMAIL);
    const currentTime = current == node ? -Infinity : load<f64>(values, VALUES_LATEST_EMAIL_TIME);
    if (current == node || beatsLatest(current, currentTime, node, time)) {
      store<u32>(values, node, VALUES_LATEST_EMAIL);
      store<f64>(values, time, VALUES_LATEST_EMAIL_TIME);
    }
  } else if (type == TYPE_PHONE) {
    const current = load<u32>(values, VALUES_LATEST_PHONE);
    const currentTime = current == node ? -Infinity : load<f64>(values, VALUES_LATEST_PHONE_TIME);
    if (current == node || beatsLatest(current, currentTime, node, time)) {
      store<u32>(values, node, VALUES_LATEST_PHONE);
      store<f64>(values, time, VALUES_LATEST_PHONE_TIME);
    }
  }
  const updated = load<f64>(values, VALUES_UPDATED);
  if (time > updated) store<f64>(values, time, VALUES_UPDATED);
}

/** Adds src's values into dst (dst keeps its founder; a bridge stays a bridge). */
export function mergeValuesInto(dst: usize, src: usize): void {
  store<u32>(dst, load<u32>(dst, VALUES_FOUNDER) | (load<u32>(src, VALUES_FOUNDER) & VALUES_FLAG_BRIDGED), VALUES_FOUNDER);
  store<u32>(dst, load<u32>(dst, VALUES_DEGREE) + load<u32>(src, VALUES_DEGREE), VALUES_DEGREE);
  for (let t: u32 = 0; t < TYPE_COUNT; t++) {
    const at = <usize>(VALUES_COUNTS + t * 4);
    store<u32>(dst + at, load<u32>(dst + at) + load<u32>(src + at));
  }
  const srcUpdated = load<f64>(src, VALUES_UPDATED);
  if (srcUpdated > load<f64>(dst, VALUES_UPDATED)) store<f64>(dst, srcUpdated, VALUES_UPDATED);
  takeLatest(dst, VALUES_LATEST_EMAIL, VALUES_LATEST_EMAIL_TIME, load<u32>(src, VALUES_LATEST_EMAIL), load<f64>(src, VALUES_LATEST_EMAIL_TIME));
  takeLatest(dst, VALUES_LATEST_PHONE, VALUES_LATEST_PHONE_TIME, load<u32>(src, VALUES_LATEST_PHONE), load<f64>(src, VALUES_LATEST_PHONE_TIME));
}

/**
 * Adds one identifier's own values into dst: mergeValuesInto(dst, valuesFromNode(node)) without
 * building them in scratch first (a one-member persona joining another).
 */
export function mergeNodeInto(dst: usize, node: u32): void {
  const n = nodeAt(node);
  const type = <u32>load<u8>(n, NODE_TYPE);
  const seen = load<f64>(n, NODE_LAST_SEEN);
  store<u32>(dst, load<u32>(dst, VALUES_DEGREE) + degreeOf(node), VALUES_DEGREE);
  const count = dst + <usize>(VALUES_COUNTS + type * 4);
  store<u32>(count, load<u32>(count) + 1);
  if (seen > load<f64>(dst, VALUES_UPDATED)) store<f64>(dst, seen, VALUES_UPDATED);
  if (type == TYPE_EMAIL) takeLatest(dst, VALUES_LATEST_EMAIL, VALUES_LATEST_EMAIL_TIME, node, seen);
  else if (type == TYPE_PHONE) takeLatest(dst, VALUES_LATEST_PHONE, VALUES_LATEST_PHONE_TIME, node, seen);
}

/** Makes (candidate, time) dst's latest of the kind at `field` / `timeField` when it beats the current one. */
// @ts-ignore: decorator
@inline function takeLatest(dst: usize, field: u32, timeField: u32, candidate: u32, time: f64): void {
  if (beatsLatest(load<u32>(dst + <usize>field), load<f64>(dst + <usize>timeField), candidate, time)) {
    store<u32>(dst + <usize>field, candidate);
    store<f64>(dst + <usize>timeField, time);
  }
}

/** A persona is identified when it holds anything beyond devices: a person stands behind it. */
export function identified(values: usize): bool {
  return load<u32>(values + <usize>(VALUES_COUNTS + TYPE_DEVICE * 4)) < membersOf(values);
}

export function bridged(values: usize): bool {
  return (load<u32>(values, VALUES_FOUNDER) & VALUES_FLAG_BRIDGED) != 0;
}

export function markBridged(values: usize): void {
  store<u32>(values, load<u32>(values, VALUES_FOUNDER) | VALUES_FLAG_BRIDGED, VALUES_FOUNDER);
}

/**
 * Whether joining `other` to the bridged persona with `values` must weigh everything again: it brings an
 * email or a phone, so the two identities the bridge joined may no longer complement each other
 * (the tablet's second user turns out to have an email too).
 */
export function regrowsBridge(values: usize, other: usize): bool {
  return bridged(values) && countOf(other, TYPE_EMAIL) + countOf(other, TYPE_PHONE) > 0;
}

/** Identifiers in the persona: every member counts once under its type. */
export function membersOf(values: usize): u32 {
  let members: u32 = 0;
  for (let type: u32 = 0; type < TYPE_COUNT; type++) members += load<u32>(values + <usize>(VALUES_COUNTS + type * 4));
  return members;
}

export function countOf(values: usize, type: u32): u32 {
  return load<u32>(values + <usize>(VALUES_COUNTS + type * 4));
}

export function guardrailsOn(tenant: u32): bool {
  return (load<u32>(tenantAt(tenant), TENANT_FLAGS) & TENANT_FLAG_GUARDRAILS) != 0;
}

/** Identified and backed by evidence: a person identifier with at least one other identifier. */
export function established(values: usize): bool {
  return identified(values) && membersOf(values) > 1;
}

/**
 * Whether two personas hold different kinds of address: one the emails, the other the phones (a
 * person's account and their SMS subscription). Two people on one tablet both bring an email.
 */
function complementary(a: usize, b: usize): bool {
  return (countOf(a, TYPE_EMAIL) == 0 || countOf(b, TYPE_EMAIL) == 0) && (countOf(a, TYPE_PHONE) == 0 || countOf(b, TYPE_PHONE) == 0);
}

/** Whether one side is established and the other one identifier of a person, seen with nothing else yet. */
function joinsLoneIdentifier(a: usize, b: usize): bool {
  return (established(a) && lone(b)) || (established(b) && lone(a));
}

function lone(values: usize): bool {
  return membersOf(values) == 1 && identified(values);
}

/**
 * Decides whether the personas with values `a` and `b` may become one, given the strength of the
 * evidence (`edge`: its record, or 0 for evidence that has none). Never mutates. In order:
 * - limit: the persona would hold more identifiers of one type than the tenant allows (no person
 *   has five phones): refused, strong evidence included, since a junk value typed by many is
 *   strong too. The union is refused as a whole; the event's other links still apply.
 * - weak evidence (a link click, a device beside values in an ordinary event) only brings in an
 *   anonymous persona (devices alone): it never joins two personas that each name a person;
 * - medium evidence (a device in a login or checkout, values in an ordinary event) also brings in
 *   a lone identifier, but joins two established personas only when
 *   - it is one visit: the device proved a person of its own persona within SESSION_MS (see
 *     sameSession): a sign-up, then an SMS subscription minutes later, is one person; or
 *   - the two complement each other, one holding the emails and the other the phones: the answer
 *     is DECISION_MERGED_BRIDGE, and the persona is weighed again if it later grows an address;
 *   otherwise it is refused: a family tablet or a kiosk sees many people log in, each with an
 *   address, and must not make them one. A lone identifier a device brings to an established
 *   persona is DECISION_MERGED_BRIDGE too: a tablet's second user logging in with an account seen
 *   nowhere else yet, whose own checkout will show an address the first user's evidence does not
 *   share (a re-cluster then weighs their strong evidence before the device's). A lone address of
 *   a kind the persona already holds (an email beside a persona with an email) is refused, as
 *   between two established personas, unless in the owner's visit: a tablet's users logging in
 *   with an email only stay apart.
 * Strong evidence (person identifiers together in an authenticated event) joins any two personas.
 */
export function mergePersonaValues(a: usize, b: usize, strength: u8, tenant: u32, edge: u32): u8 {
  if (!guardrailsOn(tenant)) return DECISION_MERGED;
  const t = tenantAt(tenant);
  for (let type: u32 = 0; type < TYPE_COUNT; type++) {
    const limit = <u32>load<u16>(t + <usize>(TENANT_LIMITS + type * 2));
    if (limit != UNLIMITED && countOf(a, type) + countOf(b, type) > limit) return DECISION_REFUSED_LIMIT;
  }
  if (strength <= STRENGTH_WEAK) {
    if (identified(a) && identified(b)) return DECISION_REFUSED_WEAK;
  } else if (strength == STRENGTH_MEDIUM) {
    if (established(a) && established(b) && (edge == 0 || !sameSession(edge))) {
      return complementary(a, b) ? DECISION_MERGED_BRIDGE : DECISION_REFUSED_WEAK;
    }
    if (edge != 0 && joinsLoneIdentifier(a, b) && deviceEnd(edgeAt(edge)) != 0) {
      // a lone address of a kind the persona already holds is a second person as likely as a
      // second address, as between two established personas: refused outside the owner's visit
      return complementary(a, b) || sameSession(edge) ? DECISION_MERGED_BRIDGE : DECISION_REFUSED_WEAK;
    }
  }
  return DECISION_MERGED;
}

// ---- persona records and ids ----

let probeId: u64 = 0;

function personaIdMatches(node: u32): bool {
  return (load<u8>(nodeAt(node), NODE_FLAGS) & NODE_FLAG_FOUNDER) != 0 && founderId(node) == probeId;
}

/**
 * The persona with this id (its founder node; active or retired), or 0. Safe for readers. A node's
 * key in the identifier table is the id it founds, so the founder is in its id's probe run.
 */
export function recordById(lo: u32, hi: u32): u32 {
  probeId = (<u64>hi << 32) | <u64>lo;
  return slotRef(tableProbe(header(HEADER_IDENT_TABLE), lo, personaIdMatches));
}

/** The persona `node` founded (itself), or 0 when it founded none. */
export function recordOfFounder(node: u32): u32 {
  return (load<u8>(nodeAt(node), NODE_FLAGS) & NODE_FLAG_FOUNDER) != 0 ? node : 0;
}

/**
 * Founds (or, for a founder whose persona was retired, revives) the persona of `node`: active, of
 * one member, the node, with no values record; its createdAt is the node's first-seen at its first
 * founding. Returns it (the node).
 */
export function foundPersona(node: u32): u32 {
  const n = nodeAt(node);
  // the node is in the identifier table under its id already: the flag makes it a persona
  store<u8>(n, load<u8>(n, NODE_FLAGS) | NODE_FLAG_FOUNDER | NODE_FLAG_ACTIVE, NODE_FLAGS);
  if (isRoot(node)) setPersonaOfRoot(node, node); // the founder is its root until it joins another
  adjustActivePersonas(<u32>load<u16>(n, NODE_TENANT), 1);
  return node;
}

export function adjustActivePersonas(tenant: u32, delta: i32): void {
  const t = tenantAt(tenant);
  store<u32>(t, <u32>(<i32>load<u32>(t, TENANT_PERSONAS) + delta), TENANT_PERSONAS);
}

/** The older persona survives a merge: earlier createdAt, then the smaller id (computed only on a tie). */
export function olderPersona(a: u32, b: u32): bool {
  const ca = createdAt(a);
  const cb = createdAt(b);
  if (ca != cb) return ca < cb;
  return personaIdOf(a) <= personaIdOf(b);
}
