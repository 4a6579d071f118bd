// Reference 1: plain TypeScript on typed arrays. The same job as the WASM core (intern identifier
// bytes → node ids, union, find) with the same data layout ideas, without WASM.
import { fnv1a32 } from './fnv1a.js';
import type { PhaseRunner, UnionFindImplementation } from './measure.js';
import { idCount, unionCount, type Workload } from './workload.js';

/** Slots per key: the table stays at most half full, so linear-probe runs stay short. */
const SLOTS_PER_KEY = 2;
/**
 * A slot is two 32-bit words: [hash, node + 1]; node word 0 marks an empty slot. Int32 rather than
 * Uint32 words so the signed hash compares without conversion (see fnv1a32).
 */
const SLOT_WORDS = 2;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Key bytes move and compare a 32-bit word at a time: a byte loop is ~3x slower in V8. */
const WORD_BYTES = 4;

/**
 * Identifier table: open addressing with linear probing over one Int32Array; key bytes are
 * copied into an arena and compared on every hash hit, so two different keys never share a node.
 * Sized up front for `maxKeys` keys of `arenaBytes` bytes in total (a benchmark knows both).
 */
export class IdentifierTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly arena: Uint8Array;
  private readonly arenaView: DataView;
  /** Node n's bytes are arena[keyStart[n] .. keyStart[n+1]). */
  private readonly keyStart: Uint32Array;
  private count = 0;
  /** A DataView over the last source buffer, rebuilt only when the caller passes another one. */
  private source: Uint8Array = new Uint8Array(0);
  private sourceView = new DataView(this.source.buffer);

  constructor(
    readonly maxKeys: number,
    arenaBytes: number,
  ) {
    const capacity = nextPowerOfTwo(Math.max(1, maxKeys * SLOTS_PER_KEY));
    this.mask = capacity - 1;
    this.slots = new Int32Array(capacity * SLOT_WORDS);
    this.arena = new Uint8Array(arenaBytes);
    this.arenaView = new DataView(this.arena.buffer);
    this.keyStart = new Uint32Array(maxKeys + 1);
    // Touch every page now so first-touch page faults land outside the timed phases
    // (uf.c memsets its buffers for the same reason).
    this.slots.fill(0);
    this.arena.fill(0);
    this.keyStart.fill(0);
  }

  get size(): number {
    return this.count;
  }

  /** The node of key bytes src[start, end): the existing one, or a new one numbered size. */
  intern(src: Uint8Array, start: number, end: number): number {
    if (src !== this.source) {
      this.source = src;
      this.sourceView = new DataView(src.buffer, src.byteOffset, src.byteLength);
    }
    const hash = fnv1a32(src, start, end);
    const slots = this.slots;
    let slot = hash & this.mask;
    for (;;) {
      const entry = slots[slot * SLOT_WORDS + 1];
      if (entry === 0) return this.insert(slot, hash, start, end);
      if (slots[slot * SLOT_WORDS] === hash && this.keyEquals(entry - 1, start, end)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(slot: number, hash: number, start: number, end: number): number {
    const node = this.count;
    if (node === this.maxKeys) throw new Error(`identifier table is full (${this.maxKeys} keys)`);
    const at = this.keyStart[node];
    const length = end - start;
    if (at + length > this.arena.length) throw new Error(`identifier arena is full (${this.arena.length} bytes)`);
    const from = this.sourceView;
    const to = this.arenaView;
    let i = 0;
    for (; i + WORD_BYTES <= length; i += WORD_BYTES) to.setInt32(at + i, from.getInt32(start + i));
    for (; i < length; i++) to.setUint8(at + i, from.getUint8(start + i));
    this.keyStart[node + 1] = at + length;
    this.slots[slot * SLOT_WORDS] = hash;
    this.slots[slot * SLOT_WORDS + 1] = node + 1;
    this.count = node + 1;
    return node;
  }

  private keyEquals(node: number, start: number, end: number): boolean {
    const at = this.keyStart[node];
    const length = end - start;
    if (this.keyStart[node + 1] - at !== length) return false;
    const stored = this.arenaView;
    const candidate = this.sourceView;
    let i = 0;
    for (; i + WORD_BYTES <= length; i += WORD_BYTES) {
      if (stored.getInt32(at + i) !== candidate.getInt32(start + i)) return false;
    }
    for (; i < length; i++) if (stored.getUint8(at + i) !== candidate.getUint8(start + i)) return false;
    return true;
  }
}

/** Union-find over nodes 0..n-1: union by size, path halving. */
export class TypedUnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const parent = this.parent;
    let p = parent[x];
    while (p !== x) {
      const grandparent = parent[p];
      parent[x] = grandparent;
      x = grandparent;
      p = parent[x];
    }
    return x;
  }

  /** Joins the sets of a and b; the larger set's root stays root (a's on a tie). False if already one set. */
  union(a: number, b: number): boolean {
    let root = this.find(a);
    let child = this.find(b);
    if (root === child) return false;
    if (this.size[root] < this.size[child]) {
      const t = root;
      root = child;
      child = t;
    }
    this.parent[child] = root;
    this.size[root] += this.size[child];
    return true;
  }
}

export function typedReference(w: Workload): UnionFindImplementation {
  const ids = idCount(w);
  const unions = unionCount(w);
  const { keys, keyOffsets, unionPairs, findIds } = w;
  return {
    name: 'TS typed arrays',
    newRun(): PhaseRunner {
      const table = new IdentifierTable(ids, keys.length);
      const uf = new TypedUnionFind(ids);
      const nodeOfId = new Int32Array(ids).fill(0);
      const roots = new Uint32Array(findIds.length).fill(0);
      return {
        intern() {
          for (let i = 0; i < ids; i++) nodeOfId[i] = table.intern(keys, keyOffsets[i], keyOffsets[i + 1]);
        },
        union() {
          for (let k = 0; k < unions; k++) uf.union(nodeOfId[unionPairs[2 * k]], nodeOfId[unionPairs[2 * k + 1]]);
        },
        find() {
          for (let k = 0; k < roots.length; k++) roots[k] = uf.find(nodeOfId[findIds[k]]);
          return roots;
        },
      };
    },
  };
}
