// Evidence edges: one record per pair of identifiers ever seen together, with the event that first
// linked them, the strongest evidence seen, and the last rule decision. Without them a merge could
// not be explained, split, or re-clustered.
import {
  KIND_EDGES, HEADER_EDGE_TABLE,
  EDGE_A, EDGE_B, EDGE_NEXT_A, EDGE_NEXT_B, EDGE_SEQ_ITEM, EDGE_ITEM_BITS, EDGE_TIME, EDGE_LAST_TIME,
  NODE_FIRST_EDGE, NODE_TYPE, NODE_TENANT, VALUES_DEGREE,
  TYPE_EMAIL, TYPE_PHONE, TYPE_CUSTOMER, TENANT_EDGES,
} from './layout';
import { header, takeElements } from './memory';
import {
  nodeAt, edgeAt, tableProbe, tableFill, slotRef, pairTag, edgeB, edgeStrength, setEdgeStrength,
} from './records';
import { storedValuesOfRoot } from './personas';
import { bump, find } from './unify';

let probeA: u32 = 0;
let probeB: u32 = 0;

function pairMatches(edge: u32): bool {
  const e = edgeAt(edge);
  return load<u32>(e, EDGE_A) == probeA && edgeB(e) == probeB;
}

/** The first event that linked a pair, as one u64 (seq and item were checked to fit: see reserveFor). */
// @ts-ignore: decorator
@inline export function seqItem(seq: f64, item: u32): u64 {
  return (<u64>seq << EDGE_ITEM_BITS) | <u64>item;
}

/** Identifier types that stand for a person; a node's partners of these types reveal sharing. */
function countsAsPartner(type: u32): bool {
  return type == TYPE_EMAIL || type == TYPE_PHONE || type == TYPE_CUSTOMER;
}

/** The edge between x and y, created on first sight (the caller reserved room); strength and last time only grow. */
export function edgeBetween(x: u32, y: u32, seq: f64, item: u32, time: f64, strength: u8): u32 {
  const a = x < y ? x : y;
  const b = x < y ? y : x;
  probeA = a;
  probeB = b;
  const tag = pairTag(a, b);
  const desc = header(HEADER_EDGE_TABLE);
  const slot = tableProbe(desc, tag, pairMatches);
  const found = slotRef(slot);
  if (found != 0) {
    const e = edgeAt(found);
    if (strength > edgeStrength(e)) setEdgeStrength(e, strength);
    if (time > load<f64>(e, EDGE_LAST_TIME)) store<f64>(e, time, EDGE_LAST_TIME);
    return found;
  }
  const edge = takeElements(KIND_EDGES, 1);
  const e = edgeAt(edge);
  const na = nodeAt(a);
  const nb = nodeAt(b);
  store<u32>(e, a, EDGE_A);
  store<u32>(e, b, EDGE_B);
  store<u32>(e, load<u32>(na, NODE_FIRST_EDGE), EDGE_NEXT_A);
  store<u32>(e, load<u32>(nb, NODE_FIRST_EDGE), EDGE_NEXT_B);
  store<u64>(e, seqItem(seq, item), EDGE_SEQ_ITEM);
  setEdgeStrength(e, strength);
  store<f64>(e, time, EDGE_TIME);
  store<f64>(e, time, EDGE_LAST_TIME);
  store<u32>(na, edge, NODE_FIRST_EDGE);
  store<u32>(nb, edge, NODE_FIRST_EDGE);
  tableFill(desc, slot, tag, edge);
  bump(<u32>load<u16>(na, NODE_TENANT), TENANT_EDGES);
  addDegree(a);
  addDegree(b);
  return edge;
}

/**
 * Counts a new edge end in the persona holding `node` (an unfounded node counts its edges when
 * founded, and a one-member persona's degree is its node's).
 */
function addDegree(node: u32): void {
  const values = storedValuesOfRoot(find(node));
  if (values == 0) return;
  const at = values + <usize>VALUES_DEGREE;
  store<u32>(at, load<u32>(at) + 1);
}

/** Next edge after `edge` in `node`'s adjacency list. */
// @ts-ignore: decorator
@inline export function nextEdge(edge: u32, node: u32): u32 {
  const e = edgeAt(edge);
  return load<u32>(e, EDGE_A) == node ? load<u32>(e, EDGE_NEXT_A) : load<u32>(e, EDGE_NEXT_B);
}

/** The other end of an edge. */
// @ts-ignore: decorator
@inline export function otherEnd(edge: u32, node: u32): u32 {
  const e = edgeAt(edge);
  const a = load<u32>(e, EDGE_A);
  return a == node ? edgeB(e) : a;
}

export function firstEdge(node: u32): u32 {
  return load<u32>(nodeAt(node), NODE_FIRST_EDGE);
}

/**
 * Whether `node` has more than `most` person partners: evidence edges to emails, phones and
 * customer ids (edges are never removed, so this is the count of partners ever linked).
 */
export function partnersMoreThan(node: u32, most: u32): bool {
  let count: u32 = 0;
  for (let e = firstEdge(node); e != 0; e = nextEdge(e, node)) {
    if (countsAsPartner(<u32>load<u8>(nodeAt(otherEnd(e, node)), NODE_TYPE)) && ++count > most) return true;
  }
  return false;
}

/** Person partners of `node`, for readers: the walk stops after `limit` edges (a list torn by a racing writer). */
export function partnersOf(node: u32, limit: u32): u32 {
  let count: u32 = 0;
  let hops: u32 = 0;
  for (let e = firstEdge(node); e != 0 && hops < limit; e = nextEdge(e, node)) {
    hops++;
    if (countsAsPartner(<u32>load<u8>(nodeAt(otherEnd(e, node)), NODE_TYPE))) count++;
  }
  return count;
}
