// Re-clustering: recompute the personas of a set of identifiers from their evidence alone —
// strongest evidence first, then in log order, unions through a device across two identities or
// to a lone identifier last — and give every resulting piece the id of the oldest persona founded inside it. Used when
// a device held on weak evidence is seen with someone else, when a persona joined through a
// device grows an address, when an identifier is found to be shared, on a split, and on erasure.
import {
  NODE_NEXT, NODE_FLAGS, NODE_TYPE, NODE_TENANT,
  NODE_FLAG_FOUNDER, NODE_FLAG_BLOCKED, NODE_FLAG_SHARED, NODE_FLAG_ERASED,
  EDGE_A, EDGE_SEQ_ITEM,
  VALUES_SIZE, KIND_VALUES, OK,
  HEADER_WORK, TENANT_SPLITS,
  DECISION_MERGED, DECISION_SAME, DECISION_IGNORED, DECISION_CUT, DECISION_REFUSED_WEAK,
  JOURNAL_RECLUSTER_FROM, JOURNAL_RECLUSTER_TO, ERR_OUT_OF_MEMORY,
} from './layout';
import { header, allocBlock, freeBlock, setError, ensureHeadroom, reserveElements } from './memory';
import {
  nodeAt, edgeAt, personaOfRoot, setPersonaOfRoot, edgeB, edgeStrength, edgeDecision,
  setEdgeDecision, edgeCut,
} from './records';
import { find, makeSingleton, linkRoots, setReclusterBoth, bump } from './unify';
import {
  valuesFromNode, mergePersonaValues, mergeValuesInto, foundPersona, olderPersona,
  typeRank, adjustActivePersonas, markBridged, membersOf, membersOfRoot, degreeOfRoot, giveValues, dropValuesOfRoot,
  setActive, DECISION_MERGED_BRIDGE,
} from './personas';
import { firstEdge, nextEdge, otherEnd } from './evidence';
import { journal, journalReserve } from './journal';
import { beginMarks, markOf, setMark, marksHeadroom } from './marks';

/** Returned by a union that re-clustered: the decision stands on the edge itself. */
export const DECISION_RECLUSTERED: u8 = 0;

const NOT_LINKING: u8 = NODE_FLAG_BLOCKED | NODE_FLAG_SHARED | NODE_FLAG_ERASED;
/** Doubling growth hands out at most 2× the need, and earlier, smaller blocks at most as much again. */
const WORK_GROWTH_SLACK: u64 = 4;
/** Journal room per member: at most one new persona per member, plus the retired ones. */
const JOURNAL_ENTRIES_PER_MEMBER: u64 = 2;

// ---- writer work buffer: members, then edges, then one scratch value record per member ----

/** The writer's scratch memory, at least `bytes` long (its content is not kept); 0 when memory is out. */
export function workBuffer(bytes: u32): usize {
  const d = header(HEADER_WORK);
  const capacity = load<u32>(d, 4);
  if (capacity >= bytes) return <usize>load<u32>(d);
  let grown = capacity == 0 ? <u32>4096 : capacity;
  while (grown < bytes) grown <<= 1;
  const ptr = allocBlock(grown);
  if (ptr == 0) {
    setError(ERR_OUT_OF_MEMORY);
    return 0;
  }
  const old = load<u32>(d);
  if (old != 0) {
    memory.copy(<usize>ptr, <usize>old, capacity);
    freeBlock(old, capacity);
  }
  store<u32>(d, ptr);
  store<u32>(d, grown, 4);
  return <usize>ptr;
}

/** The mark of a re-cluster's members. */
const MEMBER: u32 = 1;

function ringLength(root: u32): u32 {
  let count: u32 = 0;
  let x = root;
  do {
    count++;
    x = load<u32>(nodeAt(x), NODE_NEXT);
  } while (x != root);
  return count;
}

/** Writes the ring of `root` into the member list from index `count`, marking each member; returns the new count. */
function collectRing(work: usize, root: u32, count: u32): u32 {
  let x = root;
  do {
    store<u32>(work + <usize>(count * 4), x);
    setMark(x, MEMBER); // the table was sized for every member: cannot fail
    count++;
    x = load<u32>(nodeAt(x), NODE_NEXT);
  } while (x != root);
  return count;
}

/**
 * Work-buffer bytes a re-cluster of `members` identifiers holding `degree` edge ends may need:
 * the member list, the internal edges (each has two ends among the members) and one scratch value
 * record per member.
 */
export function reclusterWorkBytes(members: u64, degree: u64): u64 {
  return members * <u64>(4 + VALUES_SIZE) + (degree / 2 + 1) * 4;
}

/**
 * Memory to keep free so that every re-cluster of at most `members` identifiers in one writer call
 * succeeds: the work buffer grows by doubling and keeps its old block until the copy is done.
 */
export function reclusterHeadroom(members: u64, degree: u64): u64 {
  return WORK_GROWTH_SLACK * reclusterWorkBytes(members, degree) + marksHeadroom(members);
}

function retireRootRecord(root: u32): u32 {
  const rec = personaOfRoot(root);
  if (rec == 0) return 0;
  // a retired persona stands for no one until a re-cluster revives it: it needs no values
  setActive(rec, false);
  dropValuesOfRoot(root);
  adjustActivePersonas(<u32>load<u16>(nodeAt(root), NODE_TENANT), -1);
  journal(JOURNAL_RECLUSTER_FROM, rec, 0);
  return 1;
}

/** Strongest evidence first, then the order the log brought it in. */
function edgeBefore(x: u32, y: u32): bool {
  const ex = edgeAt(x);
  const ey = edgeAt(y);
  const sx = edgeStrength(ex);
  const sy = edgeStrength(ey);
  if (sx != sy) return sx > sy;
  // seq, then item: one comparison of the packed u64
  const qx = load<u64>(ex, EDGE_SEQ_ITEM);
  const qy = load<u64>(ey, EDGE_SEQ_ITEM);
  if (qx != qy) return qx < qy;
  return x < y;
}

/** In-place heap sort of edge indices (deterministic, no recursion, no allocation). */
function sortEdges(ptr: usize, n: u32): void {
  if (n < 2) return;
  for (let i = <i32>(n >> 1) - 1; i >= 0; i--) siftDown(ptr, <u32>i, n);
  for (let end = n - 1; end > 0; end--) {
    const top = load<u32>(ptr);
    store<u32>(ptr, load<u32>(ptr + <usize>(end * 4)));
    store<u32>(ptr + <usize>(end * 4), top);
    siftDown(ptr, 0, end);
  }
}

function siftDown(ptr: usize, start: u32, n: u32): void {
  let root = start;
  while (true) {
    let child = root * 2 + 1;
    if (child >= n) return;
    const right = child + 1;
    // max-heap on "comes later", so the sorted array ascends in edgeBefore order
    if (right < n && edgeBefore(load<u32>(ptr + <usize>(child * 4)), load<u32>(ptr + <usize>(right * 4)))) child = right;
    const r = load<u32>(ptr + <usize>(root * 4));
    const c = load<u32>(ptr + <usize>(child * 4));
    if (!edgeBefore(r, c)) return;
    store<u32>(ptr + <usize>(root * 4), c);
    store<u32>(ptr + <usize>(child * 4), r);
    root = child;
  }
}

/**
 * Room for re-clustering the persona rooted at `root` outside a batch (split, erase): values
 * records for every piece, and work-buffer headroom. OK or an error code; changes nothing.
 */
export function reserveRecluster(root: u32): i32 {
  const members = membersOfRoot(root);
  const degree = degreeOfRoot(root);
  let status = reserveElements(KIND_VALUES, members);
  if (status == OK) status = journalReserve(JOURNAL_ENTRIES_PER_MEMBER * <u64>members);
  if (status == OK) status = ensureHeadroom(reclusterHeadroom(members, degree));
  return status;
}

/**
 * Re-clusters the members of the components rooted at ra and rb (rb may be 0). Every edge between
 * two members is replayed through mergePersonaValues, strongest first; edges to outside nodes stay
 * as they are. Returns the number of resulting personas, 0 on failure. It allocates only before it
 * changes anything, so a failure leaves the graph as it was; callers reserve values records first
 * (a piece's persona is keyed by its founder's identifier already).
 */
export function recluster(ra: u32, rb: u32): u32 {
  const tenant = <u32>load<u16>(nodeAt(ra), NODE_TENANT);
  const both = rb != 0 && rb != ra;
  const membersOfA = ringLength(ra);
  const members = membersOfA + (both ? ringLength(rb) : 0);
  let work = workBuffer(members * 4);
  if (work == 0 || !beginMarks(members)) return 0;
  collectRing(work, ra, 0);
  if (both) collectRing(work, rb, membersOfA);

  // count, then gather, each internal edge once (from its A end)
  let edges: u32 = 0;
  for (let i: u32 = 0; i < members; i++) {
    const m = load<u32>(work + <usize>(i * 4));
    for (let e = firstEdge(m); e != 0; e = nextEdge(e, m)) {
      if (load<u32>(edgeAt(e), EDGE_A) == m && markOf(otherEnd(e, m)) == MEMBER) edges++;
    }
  }
  const edgeBase = members * 4;
  const valuesBase = edgeBase + edges * 4;
  work = workBuffer(valuesBase + members * VALUES_SIZE);
  if (work == 0) return 0;

  // from here on the graph changes, and nothing allocates but reserved values records
  let before = retireRootRecord(ra);
  if (both) before += retireRootRecord(rb);
  let k: u32 = 0;
  for (let i: u32 = 0; i < members; i++) {
    const m = load<u32>(work + <usize>(i * 4));
    for (let e = firstEdge(m); e != 0; e = nextEdge(e, m)) {
      if (load<u32>(edgeAt(e), EDGE_A) == m && markOf(otherEnd(e, m)) == MEMBER) {
        store<u32>(work + <usize>(edgeBase + k * 4), e);
        k++;
      }
    }
  }

  // every member starts alone, with its own values in scratch slot i (kept as its persona record meanwhile)
  for (let i: u32 = 0; i < members; i++) {
    const m = load<u32>(work + <usize>(i * 4));
    makeSingleton(m);
    setPersonaOfRoot(m, i);
    valuesFromNode(work + <usize>(valuesBase + i * VALUES_SIZE), m);
  }

  // every edge in order, except that a union across two identities through a device (a bridge)
  // waits until everything else is weighed: the two sides may turn out not to complement each
  // other. Then the bridges, then the refusals once more: a session is judged on all its evidence.
  sortEdges(work + <usize>edgeBase, edges);
  for (let j: u32 = 0; j < edges; j++) replayEdge(load<u32>(work + <usize>(edgeBase + j * 4)), work + <usize>valuesBase, tenant, true);
  replayDecided(work + <usize>edgeBase, edges, work + <usize>valuesBase, tenant, DECISION_MERGED_BRIDGE);
  replayDecided(work + <usize>edgeBase, edges, work + <usize>valuesBase, tenant, DECISION_REFUSED_WEAK);

  // one persona per resulting component: the oldest founder inside keeps (or gets back) its id
  let after: u32 = 0;
  for (let i: u32 = 0; i < members; i++) {
    const root = load<u32>(work + <usize>(i * 4));
    if (find(root) != root) continue;
    if ((load<u8>(nodeAt(root), NODE_FLAGS) & NODE_FLAG_ERASED) != 0) {
      // an erased identifier links nothing, so it is alone: it keeps no persona
      setPersonaOfRoot(root, 0);
      continue;
    }
    const values = work + <usize>(valuesBase + personaOfRoot(root) * VALUES_SIZE);
    let best: u32 = 0;
    let founder: u32 = root;
    let x = root;
    do {
      const n = nodeAt(x);
      if ((load<u8>(n, NODE_FLAGS) & (NODE_FLAG_FOUNDER | NODE_FLAG_ERASED)) == NODE_FLAG_FOUNDER) {
        if (best == 0 || olderPersona(x, best)) best = x;
      }
      const rank = typeRank(<u32>load<u8>(n, NODE_TYPE));
      const bestRank = typeRank(<u32>load<u8>(nodeAt(founder), NODE_TYPE));
      if (rank < bestRank || (rank == bestRank && x < founder)) founder = x;
      x = load<u32>(n, NODE_NEXT);
    } while (x != root);
    if (best == 0) best = foundPersona(founder);
    else {
      setActive(best, true);
      adjustActivePersonas(tenant, 1);
    }
    if (best == 0) return 0;
    // one member: its values are its node's, the founder's (the only member who founded anything)
    if (membersOf(values) > 1) giveValues(root, best, values);
    else setPersonaOfRoot(root, best);
    journal(JOURNAL_RECLUSTER_TO, best, 0);
    after++;
  }
  if (after > before) bump(tenant, TENANT_SPLITS);
  return after;
}

/**
 * Replays one evidence edge during a re-cluster: its decision goes on the edge. A bridge is left
 * marked DECISION_MERGED_BRIDGE, undone, while `deferBridges`.
 */
function replayEdge(edge: u32, values: usize, tenant: u32, deferBridges: bool): void {
  const e = edgeAt(edge);
  const a = load<u32>(e, EDGE_A);
  const b = edgeB(e);
  let decision: u8;
  if (((load<u8>(nodeAt(a), NODE_FLAGS) | load<u8>(nodeAt(b), NODE_FLAGS)) & NOT_LINKING) != 0) {
    decision = DECISION_IGNORED;
  } else if (edgeCut(e)) {
    decision = DECISION_CUT;
  } else {
    const ra = find(a);
    const rb = find(b);
    if (ra == rb) decision = DECISION_SAME;
    else {
      const va = values + <usize>(personaOfRoot(ra) * VALUES_SIZE);
      const vb = values + <usize>(personaOfRoot(rb) * VALUES_SIZE);
      decision = mergePersonaValues(va, vb, edgeStrength(e), tenant, edge);
      if (decision == DECISION_MERGED || (decision == DECISION_MERGED_BRIDGE && !deferBridges)) {
        const root = linkRoots(ra, rb, membersOf(va), membersOf(vb));
        const into = root == ra ? va : vb;
        mergeValuesInto(into, root == ra ? vb : va);
        if (decision == DECISION_MERGED_BRIDGE) markBridged(into);
        decision = DECISION_MERGED;
      }
    }
  }
  setEdgeDecision(e, decision);
}

/** Replays again, in order, the edges whose decision so far is `decision`. */
function replayDecided(list: usize, edges: u32, values: usize, tenant: u32, decision: u8): void {
  for (let j: u32 = 0; j < edges; j++) {
    const edge = load<u32>(list + <usize>(j * 4));
    if (edgeDecision(edgeAt(edge)) == decision) replayEdge(edge, values, tenant, false);
  }
}

function reclusterTogether(ra: u32, rb: u32): u8 {
  recluster(ra, rb);
  return DECISION_RECLUSTERED;
}

/** Installs re-clustering as the way a device held on weak evidence is weighed again. */
export function installRecluster(): void {
  setReclusterBoth(reclusterTogether);
}
