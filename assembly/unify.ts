// Union-find over identifier nodes: union by size, path halving, and a circular member ring per
// component (ena's child/sibling idea) so a persona's identifiers are listed in O(size).
import {
  NODE_PARENT, NODE_NEXT, NODE_PERSONA, NODE_TYPE, NODE_TENANT,
  PERSONA_SIZE, PERSONA_SIZE_FIELD, PERSONA_FLAGS, PERSONA_ROOT, PERSONA_FLAG_ACTIVE,
  HEADER_TEMP_PERSONA, TENANT_MERGES, TENANT_REFUSED,
  DECISION_MERGED, DECISION_SAME, JOURNAL_MERGE,
} from './layout';
import { header } from './memory';
import { nodeAt, personaAt, tenantAt } from './records';
import {
  valuesFromNode, mergePersonaValues, mergeValuesInto, foundPersona, olderPersona, typeRank,
  adjustActivePersonas, identified, guardrailsOn,
} from './personas';
import { journal } from './journal';

/** Longest parent chain a reader follows before deciding it raced a writer (union by size keeps real chains ≤ 32). */
const READER_MAX_HOPS: u32 = 64;

export function find(node: u32): u32 {
  let x = node;
  while (true) {
    const a = nodeAt(x);
    const parent = load<u32>(a, NODE_PARENT);
    if (parent == x) return x;
    const grand = load<u32>(nodeAt(parent), NODE_PARENT);
    store<u32>(a, grand, NODE_PARENT); // path halving
    x = grand;
  }
  return 0;
}

/** Root lookup for readers on other threads: writes nothing; 0 when the chain looks torn. */
export function findReadOnly(node: u32): u32 {
  let x = node;
  for (let hops: u32 = 0; hops < READER_MAX_HOPS; hops++) {
    const parent = atomic.load<u32>(nodeAt(x), NODE_PARENT);
    if (parent == x) return x;
    x = parent;
  }
  return 0;
}

export function makeSingleton(node: u32): void {
  const a = nodeAt(node);
  store<u32>(a, node, NODE_PARENT);
  store<u32>(a, node, NODE_NEXT);
  store<u32>(a, 0, NODE_PERSONA);
}

/** Splices two disjoint member rings into one (swapping one `next` pointer each). */
function spliceRings(a: u32, b: u32): void {
  const na = nodeAt(a);
  const nb = nodeAt(b);
  const nextA = load<u32>(na, NODE_NEXT);
  store<u32>(na, load<u32>(nb, NODE_NEXT), NODE_NEXT);
  store<u32>(nb, nextA, NODE_NEXT);
}

/** Links two roots by size; returns the new root. `sizeA`/`sizeB` are the components' sizes. */
export function linkRoots(ra: u32, rb: u32, sizeA: u32, sizeB: u32): u32 {
  spliceRings(ra, rb);
  if (sizeA < sizeB || (sizeA == sizeB && rb < ra)) {
    store<u32>(nodeAt(ra), rb, NODE_PARENT);
    return rb;
  }
  store<u32>(nodeAt(rb), ra, NODE_PARENT);
  return ra;
}

// ---- values of a root: its persona record, or a scratch record for a node that founded nothing yet ----

const TEMP_A: u32 = 0;
const TEMP_B: u32 = 1;

function valuesOfRoot(root: u32, temp: u32): usize {
  const rec = load<u32>(nodeAt(root), NODE_PERSONA);
  if (rec != 0) return personaAt(rec);
  const scratch = header(HEADER_TEMP_PERSONA + temp * PERSONA_SIZE);
  valuesFromNode(scratch, root);
  return scratch;
}

/**
 * Callback for unions that would join two identified personas; the re-cluster module installs it.
 * Returns the decision taken. Kept as a hook so this module does not depend on re-clustering.
 */
let joinIdentified: (ra: u32, rb: u32) => u8 = defaultJoin;
function defaultJoin(ra: u32, rb: u32): u8 { return DECISION_MERGED; }
export function setJoinIdentified(fn: (ra: u32, rb: u32) => u8): void { joinIdentified = fn; }

/**
 * Tries to put nodes a and b in one persona on evidence of `strength`. The persona values decide
 * through mergePersonaValues; a refused union leaves both personas untouched.
 */
export function attemptUnion(a: u32, b: u32, strength: u8): u8 {
  const ra = find(a);
  const rb = find(b);
  if (ra == rb) return DECISION_SAME;
  const tenant = load<u32>(nodeAt(ra), NODE_TENANT);
  const va = valuesOfRoot(ra, TEMP_A);
  const vb = valuesOfRoot(rb, TEMP_B);
  const decision = mergePersonaValues(va, vb, strength, tenant);
  if (decision != DECISION_MERGED) {
    bump(tenant, TENANT_REFUSED);
    return decision;
  }
  // Two identified personas: weigh all their evidence again rather than trusting arrival order,
  // so a device that joined one person on a weak click can move to the person who logs in on it.
  // (A lone identifier has no evidence to weigh, so it simply joins.)
  if (guardrailsOn(tenant) && hasHistory(va) && hasHistory(vb) && identified(va) && identified(vb)) {
    return joinIdentified(ra, rb);
  }
  mergeRoots(ra, rb);
  return DECISION_MERGED;
}

function hasHistory(values: usize): bool {
  return load<u32>(values, PERSONA_SIZE_FIELD) > 1;
}

/** Unconditionally merges two roots' personas (founding one if neither has a persona yet). */
export function mergeRoots(ra: u32, rb: u32): u32 {
  let recA = load<u32>(nodeAt(ra), NODE_PERSONA);
  let recB = load<u32>(nodeAt(rb), NODE_PERSONA);
  if (recA == 0 && recB == 0) {
    // neither has a persona yet: the more stable identifier founds it
    const rankA = typeRank(<u32>load<u8>(nodeAt(ra), NODE_TYPE));
    const rankB = typeRank(<u32>load<u8>(nodeAt(rb), NODE_TYPE));
    if (rankA < rankB || (rankA == rankB && ra < rb)) recA = foundPersona(ra);
    else recB = foundPersona(rb);
  }
  const tenant = load<u32>(nodeAt(ra), NODE_TENANT);
  let survivor: u32;
  let absorbed: u32 = 0;
  let absorbedValues: usize;
  if (recA != 0 && recB != 0) {
    const pa = personaAt(recA);
    const pb = personaAt(recB);
    survivor = olderPersona(pa, pb) ? recA : recB;
    absorbed = survivor == recA ? recB : recA;
    absorbedValues = personaAt(absorbed);
  } else {
    survivor = recA != 0 ? recA : recB;
    absorbedValues = valuesOfRoot(recA != 0 ? rb : ra, TEMP_A);
  }
  const sp = personaAt(survivor);
  const sizeA = recA != 0 ? load<u32>(personaAt(recA), PERSONA_SIZE_FIELD) : 1;
  const sizeB = recB != 0 ? load<u32>(personaAt(recB), PERSONA_SIZE_FIELD) : 1;
  mergeValuesInto(sp, absorbedValues);
  const root = linkRoots(ra, rb, sizeA, sizeB);
  store<u32>(nodeAt(root), survivor, NODE_PERSONA);
  store<u32>(sp, root, PERSONA_ROOT);
  if (absorbed != 0) {
    const ap = personaAt(absorbed);
    store<u32>(ap, load<u32>(ap, PERSONA_FLAGS) & ~PERSONA_FLAG_ACTIVE, PERSONA_FLAGS);
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
