// Checks that two implementations computed the same components: their roots may be different
// labels (node ids, strings, pointers), but position i and j share a root in one result exactly
// when they do in the other.
import type { Roots } from './measure.js';

export type PartitionCheck = { same: true } | { same: false; reason: string };

/**
 * Compares two find results (root per find id, same find order). Equivalent to relabelling each
 * by first appearance and comparing: a bijection between the two label sets must hold throughout.
 */
export function verifySameResult(a: Roots, b: Roots): PartitionCheck {
  if (a.length !== b.length) return { same: false, reason: `lengths differ: ${a.length} vs ${b.length}` };
  const aToB = new Map<number | string, number | string>();
  const bToA = new Map<number | string, number | string>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    const seenY = aToB.get(x);
    const seenX = bToA.get(y);
    if (seenY === undefined && seenX === undefined) {
      aToB.set(x, y);
      bToA.set(y, x);
    } else if (seenY !== y || seenX !== x) {
      return {
        same: false,
        reason:
          `find #${i}: first result has root ${String(x)} (paired with ${String(seenY)}), ` +
          `second has root ${String(y)} (paired with ${String(seenX)})`,
      };
    }
  }
  return { same: true };
}

