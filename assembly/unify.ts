// Union-find over identifier nodes: union by size, path halving, and a circular member ring per
// component (ena's child/sibling idea) so a persona's identifiers are listed in O(size).
import {
  NODE_NEXT, NODE_TYPE, PARENT_ROOT, NODE_TENANT, NODE_FIRST_EDGE,
  VALUES_SIZE, VALUES_COUNTS,
  EDGE_A, EDGE_NEXT_A, EDGE_NEXT_B,
  HEADER_TEMP_VALUES, TENANT_MERGES, TENANT_REFUSED, TYPE_DEVICE,
  DECISION_MERGED, DECISION_SAME, DECISION_REFUSED_WEAK, DECISION_IGNORED, JOURNAL_MERGE,
} from './layout';
import { header, parentsBase, parentsBaseAtomic } from './memory';
import {
  nodeAt, tenantAt, edgeAt, valuesAt, parentSlot, personaOfSlot, valuesOfSlot, setPersonaOfRoot, setValuesOfRoot,
  edgeB, edgeStrength, edgeDecision, edgeCut,
} from './records';
import {
  mergePersonaValues, mergeValuesInto, mergeNodeInto, foundPersona, olderPersona, typeRank,
  adjustActivePersonas, regrowsBridge, markBridged, giveValues, freeValues, setActive, membersOf,
  guardrailsOn, storedValuesOfRoot, bridged,
  DECISION_MERGED_BRIDGE,
} from './personas';
import { journal } from './journal';

/** Longest parent chain a reader follows before deciding it raced a writer (union by size keeps real chains ≤ 32). */
const READER_MAX_HOPS: u32 = 64;

/** Root of a node, halving the path on the way (writer only). */
export function find(node: u32): u32 {
  const base = parentsBase();
  let x = node;
  let parent = load<u32>(base + (<usize>x << 2));
  while ((parent & PARENT_ROOT) == 0) {
    const grand = load<u32>(base + (<usize>parent << 2));
    if ((grand & PARENT_ROOT) != 0) return parent;
    store<u32>(base + (<usize>x << 2), grand); // path halving
    x = grand;
    parent = load<u32>(base + (<usize>x << 2));
  }
  return x;
}

/** Root lookup for readers on other threads: writes nothing; 0 when the chain looks torn. */
export function findReadOnly(node: u32): u32 {
  const base = parentsBaseAtomic();
  let x = node;
  for (let hops: u32 = 0; hops < READER_MAX_HOPS; hops++) {
    const parent = atomic.load<u32>(base + (<usize>x << 2));
    if ((parent & PARENT_ROOT) != 0) return x;
    x = parent;
  }
  return 0;
}

/** The parent slot word of a node's root for readers on other threads; 0 for a torn chain. */
function rootSlotReadOnly(node: u32): u32 {
  const base = parentsBaseAtomic();
  let x = node;
  for (let hops: u32 = 0; hops < READER_MAX_HOPS; hops++) {
    const parent = atomic.load<u32>(base + (<usize>x << 2));
    if ((parent & PARENT_ROOT) != 0) return parent;
    x = parent;
  }
  return 0;
}

/** Persona of a node's root for readers on other threads (0 for none or a torn chain): its root's slot, or the values record it names. */
export function personaOfNodeReadOnly(node: u32): u32 {
  return personaOfSlot(rootSlotReadOnly(node));
}

/** Values record of a node's persona for readers on other threads (0 for one member, none, or a torn chain). */
export function valuesOfNodeReadOnly(node: u32): u32 {
  return valuesOfSlot(rootSlotReadOnly(node));
}

export function makeSingleton(node: u32): void {
  setPersonaOfRoot(node, 0);
  store<u32>(nodeAt(node), node, NODE_NEXT);
}

/** Links two roots by size; returns the new root. `sizeA`/`sizeB` are the components' sizes. */
export function linkRoots(ra: u32, rb: u32, sizeA: u32, sizeB: u32): u32 {
  return linkRootsAfter(ra, rb, load<u32>(nodeAt(ra), NODE_NEXT), load<u32>(nodeAt(rb), NODE_NEXT), sizeA, sizeB);
}

/**
 * linkRoots given the roots' `next` members, read earlier: splices the two disjoint member rings into
 * one (swapping the two pointers), then hangs the smaller component under the larger one's root.
 */
function linkRootsAfter(ra: u32, rb: u32, nextA: u32, nextB: u32, sizeA: u32, sizeB: u32): u32 {
  store<u32>(nodeAt(ra), nextB, NODE_NEXT);
  store<u32>(nodeAt(rb), nextA, NODE_NEXT);
  const base = parentsBase();
  if (sizeA < sizeB || (sizeA == sizeB && rb < ra)) {
    store<u32>(base + (<usize>ra << 2), rb);
    return rb;
  }
  store<u32>(base + (<usize>rb << 2), ra);
  return ra;
}

// ---- scratch values for a root without a values record (a one-member persona, or a node that
// founded nothing yet): its component is the root alone ----

const TEMP_A: u32 = 0;
const TEMP_B: u32 = 1;

/**
 * What a union's decision reads of a one-member root (mergePersonaValues, regrowsBridge): its one
 * identifier counted under its type, no flags. Times, latest values and degree are left zero: the
 * degree would walk the node's adjacency list, and a merge takes them from the node (mergeNodeInto).
 */
function decisionValuesOfNode(root: u32, temp: u32): usize {
  const scratch = header(HEADER_TEMP_VALUES + temp * VALUES_SIZE);
  memory.fill(scratch, 0, VALUES_SIZE);
  store<u32>(scratch + <usize>(VALUES_COUNTS + <u32>load<u8>(nodeAt(root), NODE_TYPE) * 4), 1);
  return scratch;
}

/**
 * Callback that re-clusters two personas together (the re-cluster module installs it); returns the
 * decision taken. Kept as a hook so this module does not depend on re-clustering.
 */
let reclusterBoth: (ra: u32, rb: u32) => u8 = defaultJoin;
function defaultJoin(ra: u32, rb: u32): u8 { return DECISION_MERGED; }
export function setReclusterBoth(fn: (ra: u32, rb: u32) => u8): void { reclusterBoth = fn; }

/**
 * Tries to put nodes a and b in one persona on evidence of `strength` (`edge`: its record, 0 for
 * none). The persona values decide through mergePersonaValues; a refused union leaves both
 * personas untouched. Two cases weigh both personas again instead (a re-cluster, strongest
 * evidence first): a refused device that its persona holds on weaker evidence than this (a device
 * that joined a person on a forwarded click moves to the person who logs in on it), and a union
 * that brings an address to a persona joined through a device (the tablet's second user turns out
 * to have an address of the kind the first one has, so the two do not complement each other, or
 * the account their login brought checks out with an address of its own).
 */
export function attemptUnion(a: u32, b: u32, strength: u8, edge: u32): u8 {
  const ra = find(a);
  const rb = find(b);
  if (ra == rb) return DECISION_SAME;
  // Everything a union reads is loaded here, both sides before anything is decided, so that the
  // cache misses overlap instead of queueing: the roots' slots name the values records (which name
  // the personas), and the roots' nodes hold the tenant and the member rings a merge splices.
  const slotA = load<u32>(parentSlot(ra));
  const slotB = load<u32>(parentSlot(rb));
  const tenant = <u32>load<u16>(nodeAt(ra), NODE_TENANT);
  const nextA = load<u32>(nodeAt(ra), NODE_NEXT);
  const nextB = load<u32>(nodeAt(rb), NODE_NEXT);
  const valuesA = valuesOfSlot(slotA);
  const valuesB = valuesOfSlot(slotB);
  const storedA = valuesA != 0 ? valuesAt(valuesA) : 0;
  const storedB = valuesB != 0 ? valuesAt(valuesB) : 0;
  const recA = personaOfSlot(slotA);
  const recB = personaOfSlot(slotB);
  // without guardrails the values decide nothing (mergePersonaValues merges), and only a bridged
  // persona, which has a values record, could turn the union into a re-cluster: skip building them
  const bridgedA = storedA != 0 && bridged(storedA);
  const bridgedB = storedB != 0 && bridged(storedB);
  if (!guardrailsOn(tenant) && !bridgedA && !bridgedB) {
    mergeRoots(ra, rb, nextA, nextB, recA, recB, storedA, storedB, tenant);
    return DECISION_MERGED;
  }
  const va = storedA != 0 ? storedA : decisionValuesOfNode(ra, TEMP_A);
  const vb = storedB != 0 ? storedB : decisionValuesOfNode(rb, TEMP_B);
  const decision = mergePersonaValues(va, vb, strength, tenant, edge);
  if (decision == DECISION_MERGED || decision == DECISION_MERGED_BRIDGE) {
    if (regrowsBridge(va, vb) || regrowsBridge(vb, va)) return reclusterBoth(ra, rb);
    const root = mergeRoots(ra, rb, nextA, nextB, recA, recB, storedA, storedB, tenant);
    if (decision == DECISION_MERGED_BRIDGE) markBridged(storedValuesOfRoot(root));
    return DECISION_MERGED;
  }
  if (decision == DECISION_REFUSED_WEAK && (heldOnWeaker(a, ra, strength) || heldOnWeaker(b, rb, strength))) {
    return reclusterBoth(ra, rb);
  }
  bump(tenant, TENANT_REFUSED);
  return decision;
}

/** Whether `node` is a device whose evidence with the rest of its persona is all weaker than `strength`. */
function heldOnWeaker(node: u32, root: u32, strength: u8): bool {
  if (<u32>load<u8>(nodeAt(node), NODE_TYPE) != TYPE_DEVICE) return false;
  let e = load<u32>(nodeAt(node), NODE_FIRST_EDGE);
  while (e != 0) {
    const at = edgeAt(e);
    const a = load<u32>(at, EDGE_A);
    const other = a == node ? edgeB(at) : a;
    const counts = !edgeCut(at) && edgeDecision(at) != DECISION_IGNORED;
    if (counts && edgeStrength(at) >= strength && find(other) == root) return false;
    e = a == node ? load<u32>(at, EDGE_NEXT_A) : load<u32>(at, EDGE_NEXT_B);
  }
  return true;
}

/**
 * Unconditionally merges two roots' personas (founding one if neither has a persona yet), given what
 * attemptUnion read: the roots' `next` members, their persona records (0 = none yet), their values
 * records' addresses (0 = one member or none) and the tenant.
 */
function mergeRoots(
  ra: u32, rb: u32, nextA: u32, nextB: u32, recA: u32, recB: u32, storedA: usize, storedB: usize, tenant: u32,
): u32 {
  if (recA == 0 && recB == 0) {
    // neither has a persona yet: the more stable identifier founds it
    const rankA = typeRank(<u32>load<u8>(nodeAt(ra), NODE_TYPE));
    const rankB = typeRank(<u32>load<u8>(nodeAt(rb), NODE_TYPE));
    if (rankA < rankB || (rankA == rankB && ra < rb)) recA = foundPersona(ra);
    else recB = foundPersona(rb);
  }
  let survivor: u32;
  let absorbed: u32 = 0;
  if (recA != 0 && recB != 0) {
    survivor = olderPersona(recA, recB) ? recA : recB;
    absorbed = survivor == recA ? recB : recA;
  } else {
    survivor = recA != 0 ? recA : recB;
  }
  const survivorIsA = survivor == recA;
  const survivorRoot = survivorIsA ? ra : rb;
  const absorbedStored = survivorIsA ? storedB : storedA;
  const absorbedValues = valuesOfSlot(load<u32>(parentSlot(survivorIsA ? rb : ra)));
  const sizeA = storedA != 0 ? membersOf(storedA) : 1;
  const sizeB = storedB != 0 ? membersOf(storedB) : 1;
  let survivorStored = survivorIsA ? storedA : storedB;
  // a one-member root is its component's one node: its values are that node's own
  if (survivorStored == 0) survivorStored = giveValues(survivorRoot, survivor, 0);
  const survivorValues = valuesOfSlot(load<u32>(parentSlot(survivorRoot)));
  if (absorbedStored != 0) mergeValuesInto(survivorStored, absorbedStored);
  else mergeNodeInto(survivorStored, survivorIsA ? rb : ra);
  const root = linkRootsAfter(ra, rb, nextA, nextB, sizeA, sizeB);
  setValuesOfRoot(root, survivorValues);
  if (absorbed != 0) {
    // an absorbed persona lives on as an alias: its id resolves through its founder, its values are merged
    setActive(absorbed, false);
    if (absorbedValues != 0) freeValues(absorbedValues);
    adjustActivePersonas(tenant, -1);
    bump(tenant, TENANT_MERGES);
    journal(JOURNAL_MERGE, survivor, absorbed);
  }
  return root;
}

export function bump(tenant: u32, field: u32): void {
  const at = tenantAt(tenant) + <usize>field;
  store<u32>(at, load<u32>(at) + 1);
}
