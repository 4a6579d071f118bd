// Reference 2: what a first JavaScript version would write. The same algorithm (union by size,
// path halving) with the identifiers themselves as nodes: JS strings in Maps.
import type { PhaseRunner, UnionFindImplementation } from './measure.js';
import { idCount, unionCount, type Workload } from './workload.js';

export class NaiveUnionFind {
  private readonly parent = new Map<string, string>();
  private readonly size = new Map<string, number>();

  /** Registers a key as its own set (no-op when known). */
  add(key: string): void {
    if (this.parent.has(key)) return;
    this.parent.set(key, key);
    this.size.set(key, 1);
  }

  find(key: string): string {
    const parent = this.parent;
    let x = key;
    let p = this.parentOf(x);
    while (p !== x) {
      const grandparent = this.parentOf(p);
      parent.set(x, grandparent);
      x = grandparent;
      p = this.parentOf(x);
    }
    return x;
  }

  /** Joins the sets of a and b; the larger set's root stays root (a's on a tie). False if already one set. */
  union(a: string, b: string): boolean {
    let root = this.find(a);
    let child = this.find(b);
    if (root === child) return false;
    const rootSize = this.size.get(root)!;
    const childSize = this.size.get(child)!;
    if (rootSize < childSize) {
      const t = root;
      root = child;
      child = t;
    }
    this.parent.set(child, root);
    this.size.set(root, rootSize + childSize);
    return true;
  }

  private parentOf(key: string): string {
    const p = this.parent.get(key);
    if (p === undefined) throw new Error(`unknown key ${JSON.stringify(key)}`);
    return p;
  }
}

/** Decodes every key to a JS string: done once per workload, outside any timed region. */
export function decodeKeys(w: Workload): string[] {
  const decoder = new TextDecoder();
  const out = new Array<string>(idCount(w));
  for (let i = 0; i < out.length; i++) out[i] = decoder.decode(w.keys.subarray(w.keyOffsets[i], w.keyOffsets[i + 1]));
  return out;
}

export function naiveReference(w: Workload): UnionFindImplementation {
  const keys = decodeKeys(w);
  const unions = unionCount(w);
  const { unionPairs, findIds } = w;
  return {
    name: 'TS naive Map<string>',
    newRun(): PhaseRunner {
      const uf = new NaiveUnionFind();
      const roots = new Array<string>(findIds.length).fill('');
      return {
        intern() {
          for (let i = 0; i < keys.length; i++) uf.add(keys[i]);
        },
        union() {
          for (let k = 0; k < unions; k++) uf.union(keys[unionPairs[2 * k]], keys[unionPairs[2 * k + 1]]);
        },
        find() {
          for (let k = 0; k < roots.length; k++) roots[k] = uf.find(keys[findIds[k]]);
          return roots;
        },
      };
    },
  };
}
