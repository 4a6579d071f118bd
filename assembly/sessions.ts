// Sessions: events close together on one device come from one person. A visit that signs up and
// then subscribes a phone is one person even on a device the rules otherwise treat as anybody's.
import {
  NODE_TYPE, NODE_FLAGS, NODE_FIRST_EDGE, NODE_FLAG_BLOCKED, NODE_FLAG_SHARED, NODE_FLAG_ERASED,
  EDGE_A, EDGE_NEXT_A, EDGE_NEXT_B, EDGE_TIME, EDGE_LAST_TIME,
  TYPE_DEVICE, STRENGTH_MEDIUM, DECISION_REFUSED_WEAK,
} from './layout';
import { nodeAt, edgeAt, parentOf, edgeB, edgeStrength, edgeDecision, edgeCut } from './records';

/** One visit: events this close together on one device come from one person (the usual web-analytics session timeout). */
export const SESSION_MS: f64 = 30 * 60 * 1000;
const NOT_LINKING: u8 = NODE_FLAG_BLOCKED | NODE_FLAG_SHARED | NODE_FLAG_ERASED;

/** Root of a node without path halving (this module never writes). */
function rootOf(node: u32): u32 {
  let x = node;
  for (let parent = parentOf(x); parent != x; parent = parentOf(x)) x = parent;
  return x;
}

/** Whether two edges were seen within one session (each knows its first and its latest sighting). */
function sessionsMeet(e: usize, f: usize): bool {
  const e0 = load<f64>(e, EDGE_TIME);
  const e1 = load<f64>(e, EDGE_LAST_TIME);
  const f0 = load<f64>(f, EDGE_TIME);
  const f1 = load<f64>(f, EDGE_LAST_TIME);
  return Math.abs(e0 - f0) <= SESSION_MS || Math.abs(e0 - f1) <= SESSION_MS
    || Math.abs(e1 - f0) <= SESSION_MS || Math.abs(e1 - f1) <= SESSION_MS;
}

/** The device end of the edge record at `e`, 0 when neither end is a device. */
export function deviceEnd(e: usize): u32 {
  const a = load<u32>(e, EDGE_A);
  if (<u32>load<u8>(nodeAt(a), NODE_TYPE) == TYPE_DEVICE) return a;
  const b = edgeB(e);
  return <u32>load<u8>(nodeAt(b), NODE_TYPE) == TYPE_DEVICE ? b : 0;
}

/**
 * Whether `edge` puts a device beside identifiers within one session in which the device also
 * proved a person of its own persona (medium evidence or better, within SESSION_MS): someone who
 * signs up and then subscribes with their phone on one visit is one person, whatever the device.
 */
export function sameSession(edge: u32): bool {
  const e = edgeAt(edge);
  const device = deviceEnd(e);
  if (device == 0) return false;
  const root = rootOf(device);
  let f = load<u32>(nodeAt(device), NODE_FIRST_EDGE);
  while (f != 0) {
    const at = edgeAt(f);
    const fa = load<u32>(at, EDGE_A);
    const other = fa == device ? edgeB(at) : fa;
    const o = nodeAt(other);
    if (f != edge && edgeStrength(at) >= STRENGTH_MEDIUM && !edgeCut(at)
      && <u32>load<u8>(o, NODE_TYPE) != TYPE_DEVICE && (load<u8>(o, NODE_FLAGS) & NOT_LINKING) == 0
      && sessionsMeet(e, at) && rootOf(other) == root) return true;
    f = fa == device ? load<u32>(at, EDGE_NEXT_A) : load<u32>(at, EDGE_NEXT_B);
  }
  return false;
}

/** Medium evidence the rules refused, seen within a session of `time`. */
export function refusedInSession(edge: u32, time: f64): bool {
  const at = edgeAt(edge);
  if (edgeDecision(at) != DECISION_REFUSED_WEAK || edgeStrength(at) != STRENGTH_MEDIUM) return false;
  return Math.abs(load<f64>(at, EDGE_TIME) - time) <= SESSION_MS || Math.abs(load<f64>(at, EDGE_LAST_TIME) - time) <= SESSION_MS;
}
