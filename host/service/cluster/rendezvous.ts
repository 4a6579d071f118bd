// Partition → owner by rendezvous (highest random weight) hashing over the live nodes: every node
// computes the same owner from the same node list, and when a node joins or leaves only the
// partitions it wins or held move (about 1/N of them), never a reshuffle of the rest.
import { createHash } from 'node:crypto';

/** Weight of (node, partition): the first 6 bytes of SHA-256 as an integer (exact in a double). */
function weight(node: string, partition: number): number {
  return createHash('sha256').update(`${node}\0${partition}`).digest().readUIntBE(0, 6);
}

/** The node that should own `partition`, or null when no node is live. Ties go to the smaller id. */
export function ownerOf(partition: number, nodes: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1;
  for (const node of nodes) {
    const w = weight(node, partition);
    if (w > bestWeight || (w === bestWeight && best !== null && node < best)) {
      best = node;
      bestWeight = w;
    }
  }
  return best;
}
