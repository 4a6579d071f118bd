// Bench-only entry points: unions and finds over node numbers already in memory, so a benchmark
// can time the union-find (with its persona values) without the event encoding around it.
import { STRENGTH_STRONG, DECISION_MERGED } from './layout';
import { attemptUnion, find } from './unify';

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
