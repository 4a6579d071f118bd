// Union-find over string keys, for the reference lines. Chosen over graphology +
// graphology-components: on 500k nodes / 1.2M edges graphology took ~11 s and ~380 MB to build
// the graph here, while the reference lines need nothing but the components.

export class KeyUnionFind {
  private readonly ids = new Map<string, number>();
  private readonly parent: number[] = [];
  private readonly rank: number[] = [];

  /** The node id of `key`, added as its own component when new. */
  add(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.ids.set(key, id);
      this.parent.push(id);
      this.rank.push(0);
    }
    return id;
  }

  /** Number of nodes; node ids are 0..size-1. */
  get size(): number {
    return this.parent.length;
  }

  /** The node id of `key`, or undefined when it was never added. */
  idOf(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** The component root of node `id` (path halving). */
  find(id: number): number {
    const parent = this.parent;
    while (parent[id] !== id) {
      parent[id] = parent[parent[id]];
      id = parent[id];
    }
    return id;
  }

  union(a: number, b: number): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    if (this.rank[rootA] < this.rank[rootB]) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    if (this.rank[rootA] === this.rank[rootB]) this.rank[rootA]++;
  }

  /** Every key with its node id. */
  entries(): IterableIterator<[string, number]> {
    return this.ids.entries();
  }
}
