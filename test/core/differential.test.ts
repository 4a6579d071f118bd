// Differential test: with guardrails off the core's personas must be exactly the connected
// components of the evidence graph, which graphology-components computes independently. Checked
// on random graphs of ≥ 100k edges, after ingestion, after random operator splits (the oracle drops
// the cut edges), and after more ingestion (cuts are sticky).
import { describe, expect, it } from 'vitest';
import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import type { Shard } from '../../host/engine/shard.js';
import {
  newShard, event, canonical, firstDifference, rng, randomInt, keyString, type Fixture, type Id,
} from './helpers.js';

const MIN_EDGES = 100_000;
const BATCH_EVENTS = 5000;
const SPLITS = 40;
const SEEDS = [1, 2, 3];

interface RandomGraph {
  ids: Id[];
  events: number[][]; // identifier indices per event
}

/**
 * Identifiers laid out in blocks of random size; an event links an identifier with 1–3 near
 * neighbours in its block, and rarely with a random identifier anywhere, so the graph has many
 * components of many sizes and a few larger ones. Stops once the distinct pairs reach `minEdges`.
 */
function randomGraph(seed: number, minEdges: number): RandomGraph {
  const next = rng(seed);
  const ids: Id[] = [];
  const blockOf: number[] = [];
  const blockStart: number[] = [];
  const blockSize: number[] = [];
  const nodeCount = 45_000;
  while (ids.length < nodeCount) {
    const size = 1 + Math.floor(next() ** 2 * 40);
    blockStart.push(ids.length);
    blockSize.push(size);
    for (let i = 0; i < size; i++) {
      const n = ids.length;
      blockOf.push(blockStart.length - 1);
      ids.push([n % 5, n % 7 === 0 ? `ïd-${seed}-${n}-ü` : `id-${seed}-${n}`]);
    }
  }
  const pairs = new Set<number>();
  const events: number[][] = [];
  while (pairs.size < minEdges) {
    const a = randomInt(next, ids.length);
    const block = blockOf[a];
    const members = new Set([a]);
    const extra = 1 + randomInt(next, 3);
    for (let k = 0; k < extra; k++) {
      const offset = randomInt(next, 13) - 6;
      const b = Math.min(Math.max(a + offset, blockStart[block]), blockStart[block] + blockSize[block] - 1);
      members.add(b);
    }
    if (next() < 0.003) members.add(randomInt(next, ids.length));
    const list = [...members];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) pairs.add(Math.min(list[i], list[j]) * ids.length + Math.max(list[i], list[j]));
    }
    events.push(list);
  }
  return { ids, events };
}

/** The oracle: the evidence graph in graphology, minus the pairs an operator cut. */
class Oracle {
  readonly graph = new UndirectedGraph();
  private readonly cut = new Set<string>();

  constructor(ids: Id[]) {
    for (const id of ids) this.graph.addNode(keyString(id));
  }

  private static pair(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  link(keys: string[]): void {
    for (let i = 0; i < keys.length; i++) {
      for (let j = i + 1; j < keys.length; j++) {
        if (keys[i] !== keys[j] && !this.cut.has(Oracle.pair(keys[i], keys[j]))) this.graph.mergeEdge(keys[i], keys[j]);
      }
    }
  }

  cutPair(a: string, b: string): void {
    this.cut.add(Oracle.pair(a, b));
    if (this.graph.hasEdge(a, b)) this.graph.dropEdge(a, b);
  }

  /** Component label per identifier (the component's index). */
  labels(keys: string[]): Int32Array {
    const label = new Map<string, number>();
    connectedComponents(this.graph).forEach((component, index) => {
      for (const node of component) label.set(node, index + 1);
    });
    return canonical(keys.map((k) => label.get(k)!));
  }
}

function shardLabels(f: Fixture, ids: Id[]): Int32Array {
  return canonical(f.shard.resolveRecords(f.tenant, ids.map(([type, value]) => ({ type, value }))));
}

function expectSamePartition(f: Fixture, oracle: Oracle, ids: Id[], when: string): void {
  const keys = ids.map(keyString);
  const expected = oracle.labels(keys);
  const actual = shardLabels(f, ids);
  const at = firstDifference(expected, actual);
  expect(at, `${when}: first differing identifier ${at >= 0 ? keys[at] : ''}`).toBe(-1);
}

function ingestEvents(f: Fixture, oracle: Oracle, g: RandomGraph, events: number[][], seqBase: number): void {
  for (let start = 0; start < events.length; start += BATCH_EVENTS) {
    const batch = events.slice(start, start + BATCH_EVENTS);
    f.shard.applyEvents(batch.map((e, item) => event(f.tenant, { ids: e.map((i) => g.ids[i]), item, time: seqBase + start + item })), seqBase + start);
    for (const e of batch) oracle.link(e.map((i) => keyString(g.ids[i])));
  }
}

function keyOfNode(shard: Shard, node: number): string {
  const view = shard.node(node);
  return `${view.type}:${view.value}`;
}

/** One random operator split of a random persona with ≥ 3 members: cut some nodes, or some edges. */
function randomSplit(f: Fixture, oracle: Oracle, g: RandomGraph, next: () => number): void {
  let root = 0;
  for (let tries = 0; tries < 1000 && root === 0; tries++) {
    const record = f.shard.resolveRecords(f.tenant, [{ type: g.ids[randomInt(next, g.ids.length)][0], value: g.ids[randomInt(next, g.ids.length)][1] }])[0];
    const candidate = g.ids[randomInt(next, g.ids.length)];
    const rec = record || f.shard.resolveRecords(f.tenant, [{ type: candidate[0], value: candidate[1] }])[0];
    if (rec !== 0 && f.shard.persona(rec).members >= 3) root = f.shard.persona(rec).root;
  }
  expect(root, 'no persona with 3+ members to split').not.toBe(0);
  const members = f.shard.members(root);
  const shard = f.shard;
  if (next() < 0.5) {
    const nodes = members.filter(() => next() < 0.3);
    if (nodes.length === 0) nodes.push(members[randomInt(next, members.length)]);
    const cutSet = new Set(nodes);
    // the oracle: every edge from a cut node to a node outside the cut set is gone
    for (const edge of shard.edges(root)) {
      if (cutSet.has(edge.a) !== cutSet.has(edge.b)) oracle.cutPair(keyOfNode(shard, edge.a), keyOfNode(shard, edge.b));
    }
    shard.split(root, nodes, []);
  } else {
    const edges = shard.edges(root).filter(() => next() < 0.4);
    for (const edge of edges) oracle.cutPair(keyOfNode(shard, edge.a), keyOfNode(shard, edge.b));
    shard.split(root, [], edges.map((e) => e.edge));
  }
}

describe('differential: personas = connected components (guardrails off)', () => {
  it.each(SEEDS)('seed %i: ingestion, random splits, more ingestion', (seed) => {
    const g = randomGraph(seed, MIN_EDGES);
    const f = newShard(`diff-${seed}`);
    const oracle = new Oracle(g.ids);
    const firstPart = Math.floor(g.events.length * 0.8);
    ingestEvents(f, oracle, g, g.events.slice(0, firstPart), 1);
    expect(f.shard.counts().edges).toBe(oracle.graph.size);
    const known = g.ids.filter((id) => oracle.graph.degree(keyString(id)) > 0 || f.shard.lookupNode(f.tenant, { type: id[0], value: id[1] }) !== 0);
    expectSamePartition(f, oracle, known, 'after ingestion');

    const next = rng(seed * 7919);
    for (let s = 0; s < SPLITS; s++) randomSplit(f, oracle, g, next);
    expectSamePartition(f, oracle, known, `after ${SPLITS} splits`);

    // the rest of the events, and replays of earlier ones: cut pairs must stay cut
    const replay = g.events.slice(0, 20_000);
    ingestEvents(f, oracle, g, [...g.events.slice(firstPart), ...replay], 1_000_000);
    expect(oracle.graph.size + 0).toBeGreaterThanOrEqual(MIN_EDGES - 2 * SPLITS * 40);
    const all = g.ids.filter((id) => f.shard.lookupNode(f.tenant, { type: id[0], value: id[1] }) !== 0);
    expectSamePartition(f, oracle, all, 'after more ingestion');
    const stats = f.shard.tenantStats(f.tenant);
    expect(stats.personas).toBe(new Set(f.shard.resolveRecords(f.tenant, all.map(([type, value]) => ({ type, value })))).size);
  });
});
