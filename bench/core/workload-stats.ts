// Describes the component-size distribution a workload produces, so a report can show the
// workload is the intended shape (mostly small persons, a few large ones).
import { TypedUnionFind } from './typed-uf.js';
import { idCount, unionCount, type Workload } from './workload.js';

export interface ComponentStats {
  components: number;
  singletons: number;
  /** Components of 2..10 ids. */
  small: number;
  /** Components of more than 10 ids. */
  large: number;
  largest: number;
}

const SMALL_MAX = 10;

export function componentStats(w: Workload): ComponentStats {
  const ids = idCount(w);
  const uf = new TypedUnionFind(ids);
  for (let k = 0; k < unionCount(w); k++) uf.union(w.unionPairs[2 * k], w.unionPairs[2 * k + 1]);
  const sizeOfRoot = new Uint32Array(ids);
  for (let i = 0; i < ids; i++) sizeOfRoot[uf.find(i)]++;
  const stats: ComponentStats = { components: 0, singletons: 0, small: 0, large: 0, largest: 0 };
  for (const size of sizeOfRoot) {
    if (size === 0) continue;
    stats.components++;
    if (size === 1) stats.singletons++;
    else if (size <= SMALL_MAX) stats.small++;
    else stats.large++;
    stats.largest = Math.max(stats.largest, size);
  }
  return stats;
}
