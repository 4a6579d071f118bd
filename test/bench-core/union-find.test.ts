import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import { describe, expect, it } from 'vitest';
import { fnv1a32 } from '../../bench/core/fnv1a.js';
import { fnvCollision } from './fnv-collision.js';
import { naiveReference, NaiveUnionFind } from '../../bench/core/naive-uf.js';
import { verifySameResult } from '../../bench/core/partition.js';
import { IdentifierTable, TypedUnionFind, typedReference } from '../../bench/core/typed-uf.js';
import { idCount, makeWorkload, unionCount, type Workload } from '../../bench/core/workload.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function runAll(impl: { newRun(): { intern(): void; union(): void; find(): ArrayLike<number | string> } }) {
  const run = impl.newRun();
  run.intern();
  run.union();
  return run.find();
}

/** The oracle: graphology's connected components, as a component index per find id. */
function graphologyRoots(w: Workload): Int32Array {
  const graph = new UndirectedGraph();
  for (let i = 0; i < idCount(w); i++) graph.addNode(String(i));
  for (let k = 0; k < unionCount(w); k++) graph.mergeEdge(String(w.unionPairs[2 * k]), String(w.unionPairs[2 * k + 1]));
  const componentOf = new Int32Array(idCount(w));
  connectedComponents(graph).forEach((members, c) => {
    for (const id of members) componentOf[Number(id)] = c;
  });
  return Int32Array.from(w.findIds, (id) => componentOf[id]);
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    const hash = (s: string) => fnv1a32(ascii(s), 0, s.length) >>> 0;
    expect(hash('')).toBe(0x811c9dc5);
    expect(hash('a')).toBe(0xe40c292c);
    expect(hash('foobar')).toBe(0xbf9cf968);
  });

  it('hashes only the given range', () => {
    const bytes = ascii('xxfoobarxx');
    expect(fnv1a32(bytes, 2, 8)).toBe(fnv1a32(ascii('foobar'), 0, 6));
  });
});

describe('IdentifierTable', () => {
  it('gives a repeated key its first node and a new key the next one', () => {
    const keys = ascii('alice@x.bgbob@x.bgalice@x.bg');
    const table = new IdentifierTable(4, 64);
    expect(table.intern(keys, 0, 10)).toBe(0);
    expect(table.intern(keys, 10, 18)).toBe(1);
    expect(table.intern(keys, 18, 28)).toBe(0);
    expect(table.size).toBe(2);
  });

  it('keeps keys with equal hashes apart by comparing their bytes', () => {
    const [a, b] = fnvCollision();
    const table = new IdentifierTable(4, 64);
    const na = table.intern(ascii(a), 0, a.length);
    const nb = table.intern(ascii(b), 0, b.length);
    expect(nb).not.toBe(na);
    expect(table.intern(ascii(a), 0, a.length)).toBe(na);
    expect(table.intern(ascii(b), 0, b.length)).toBe(nb);
  });

  it('says clearly when it is full', () => {
    const keys = ascii('abc');
    const table = new IdentifierTable(2, 64);
    table.intern(keys, 0, 1);
    table.intern(keys, 1, 2);
    expect(() => table.intern(keys, 2, 3)).toThrow(/identifier table is full \(2 keys\)/);
    const small = new IdentifierTable(2, 2);
    expect(() => small.intern(keys, 0, 3)).toThrow(/identifier arena is full \(2 bytes\)/);
  });
});

describe('TypedUnionFind and NaiveUnionFind', () => {
  it('keep the larger set root and report redundant unions', () => {
    const typed = new TypedUnionFind(4);
    const naive = new NaiveUnionFind();
    for (const k of ['0', '1', '2', '3']) naive.add(k);
    expect(typed.union(0, 1)).toBe(true);
    expect(naive.union('0', '1')).toBe(true);
    expect(typed.union(2, 0)).toBe(true); // {0,1} is larger: 0 stays root
    expect(naive.union('2', '0')).toBe(true);
    expect(typed.find(2)).toBe(0);
    expect(naive.find('2')).toBe('0');
    expect(typed.union(1, 2)).toBe(false);
    expect(naive.union('1', '2')).toBe(false);
    expect(typed.find(3)).toBe(3);
    expect(naive.find('3')).toBe('3');
  });

  it('naive find names an unknown key', () => {
    expect(() => new NaiveUnionFind().find('nobody@x.bg')).toThrow(/unknown key "nobody@x.bg"/);
  });
});

describe('references on a 10k-id workload', () => {
  const w = makeWorkload({ ids: 10_000, unions: 15_000, finds: 25_000, seed: 7 });
  const typedRoots = runAll(typedReference(w));
  const naiveRoots = runAll(naiveReference(w));
  const oracle = graphologyRoots(w);

  it('typed-uf agrees with graphology-components', () => {
    expect(verifySameResult(typedRoots, oracle)).toEqual({ same: true });
  });

  it('naive-uf agrees with graphology-components', () => {
    expect(verifySameResult(naiveRoots, oracle)).toEqual({ same: true });
  });

  it('typed-uf and naive-uf agree with each other', () => {
    expect(verifySameResult(typedRoots, naiveRoots)).toEqual({ same: true });
  });

  it('a result missing one union is caught', () => {
    // The last pair may have been redundant: drop more until the partition changes.
    let changed = false;
    for (let drop = 1; drop <= 50 && !changed; drop++) {
      const fewer = { ...w, unionPairs: w.unionPairs.slice(0, -2 * drop) };
      changed = !verifySameResult(runAll(typedReference(fewer)), oracle).same;
    }
    expect(changed).toBe(true);
  });
});
