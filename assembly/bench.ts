// Bench-only entry points: unions and finds over node numbers already in memory, so a benchmark
// can time the union-find (with its persona values) without the event encoding around it.
import { STRENGTH_STRONG, DECISION_MERGED, HEADER_IDENT_TABLE } from './layout';
import { header } from './memory';
import { identifierHash, identifierSlot, slotRef } from './records';
import { attemptUnion, find, personaOfNodeReadOnly } from './unify';

const NO_EVIDENCE: u32 = 0;

/** Unites the `count` node pairs (u32 a, u32 b) at `pairs`; returns how many unions merged two personas. */
export function unitePairs(pairs: usize, count: u32): u32 {
  let merged: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const at = pairs + <usize>(i * 8);
    if (attemptUnion(load<u32>(at), load<u32>(at, 4), STRENGTH_STRONG, NO_EVIDENCE) == DECISION_MERGED) merged++;
  }
  return merged;
}

/** Writes the root of each of the `count` nodes at `nodes` to `out` (both u32 arrays; may be the same). */
export function findRoots(nodes: usize, count: u32, out: usize): void {
  for (let i: u32 = 0; i < count; i++) {
    store<u32>(out + <usize>(i * 4), find(load<u32>(nodes + <usize>(i * 4))));
  }
}

/**
 * resolveBatch's per-key steps on their own, over keys laid out as resolveBatch takes them: `upTo` 1
 * hashes each key, 2 also probes the identifier table (writing the node, 0 = unknown), 3 also finds
 * the persona record (the whole of resolveBatch). Lets a benchmark split a probe's cost.
 */
export function resolveSteps(tenant: u32, ptr: usize, count: u32, out: usize, upTo: u32): void {
  const desc = header(HEADER_IDENT_TABLE);
  let at = ptr;
  for (let i: u32 = 0; i < count; i++) {
    const type = <u32>load<u8>(at);
    const len = <u32>load<u16>(at, 2);
    const tag = <u32>identifierHash(tenant, type, at + 4, len);
    let result = tag;
    if (upTo >= 2) result = slotRef(identifierSlot(desc, tenant, type, at + 4, len, tag));
    if (upTo >= 3 && result != 0) result = personaOfNodeReadOnly(result);
    store<u32>(out + <usize>(i * 4), result);
    at += 4 + ((len + 3) & ~3);
  }
}
