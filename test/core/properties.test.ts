// Property tests (fast-check) over random histories of batches and operator splits:
// - guardrails off: personas are exactly the components of the uncut evidence;
// - guardrails on: personas only ever refine those components;
// - always: every persona's invariants hold (root, member ring, counts, latest values);
// - snapshot + restore mid-history, then the rest of the history, gives the same bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Shard, type TenantSettings } from '../../host/engine/shard.js';
import type { EventEvidence } from '../../host/engine/layout.js';
import {
  DEVICE, EMAIL, PHONE, CUSTOMER, PLAIN, event, canonical, checkPersonaInvariants, OracleUnionFind, type Id,
} from './helpers.js';

const UNIVERSE: Id[] = [
  ...Array.from({ length: 8 }, (_, i): Id => [EMAIL, `e${i}`]),
  ...Array.from({ length: 6 }, (_, i): Id => [PHONE, `p${i}`]),
  ...Array.from({ length: 8 }, (_, i): Id => [DEVICE, `d${i}`]),
  ...Array.from({ length: 4 }, (_, i): Id => [CUSTOMER, `c${i}`]),
];
const GUARDED: TenantSettings = { guardrails: true, limits: [3, 2, 0, 1, 0], sharedAt: [0, 0, 4, 0, 0] };

type Op =
  | { kind: 'events'; events: { ids: number[]; time: number; evidence: EventEvidence }[] }
  | { kind: 'split'; at: number; byNodes: boolean; choice: number[] };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    kind: fc.constant('events' as const),
    events: fc.array(fc.record({
      ids: fc.uniqueArray(fc.integer({ min: 0, max: UNIVERSE.length - 1 }), { minLength: 1, maxLength: 4 }),
      time: fc.integer({ min: 0, max: 50 }),
      evidence: fc.constantFrom<EventEvidence>('authenticated', 'ordinary', 'click'),
    }), { minLength: 1, maxLength: 6 }),
  }) },
  { weight: 1, arbitrary: fc.record({
    kind: fc.constant('split' as const),
    at: fc.integer({ min: 0, max: UNIVERSE.length - 1 }),
    byNodes: fc.boolean(),
    choice: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  }) },
);

const pairKey = (a: number, b: number) => (a < b ? a * 1000 + b : b * 1000 + a);

/** Applies a history to a shard and to a model of its evidence (seen identifiers, pairs, cut pairs). */
class Run {
  readonly seen = new Set<number>();
  readonly pairs = new Set<number>();
  readonly cut = new Set<number>();
  /** `seq`: log sequences already applied (a restored run continues the numbering). */
  constructor(readonly shard: Shard, readonly tenant: number, private seq = 0) {}

  private indexOfNode(node: number): number {
    const view = this.shard.node(node);
    return UNIVERSE.findIndex(([type, value]) => type === view.type && value === view.value);
  }

  apply(op: Op): void {
    if (op.kind === 'events') {
      this.shard.applyEvents(op.events.map((e, item) => event(this.tenant, { ids: e.ids.map((i) => UNIVERSE[i]), time: e.time, evidence: e.evidence, item })), ++this.seq);
      for (const e of op.events) {
        e.ids.forEach((i) => this.seen.add(i));
        for (const a of e.ids) for (const b of e.ids) if (a < b) this.pairs.add(pairKey(a, b));
      }
      return;
    }
    const node = this.shard.lookupNode(this.tenant, { type: UNIVERSE[op.at][0], value: UNIVERSE[op.at][1] });
    if (node === 0) return;
    const root = this.shard.rootOf(node);
    const members = this.shard.members(root);
    const edges = this.shard.edges(root);
    if (op.byNodes) {
      const nodes = [...new Set(op.choice.map((c) => members[c % members.length]))];
      for (const n of nodes) {
        for (let e = 0; e < edges.length; e++) {
          const { a, b } = edges[e];
          if ((a === n && !nodes.includes(b)) || (b === n && !nodes.includes(a))) this.cut.add(pairKey(this.indexOfNode(a), this.indexOfNode(b)));
        }
      }
      this.shard.split(root, nodes, []);
    } else {
      if (edges.length === 0) return;
      const chosen = [...new Set(op.choice.map((c) => edges[c % edges.length]))];
      for (const e of chosen) this.cut.add(pairKey(this.indexOfNode(e.a), this.indexOfNode(e.b)));
      this.shard.split(root, [], chosen.map((e) => e.edge));
    }
  }

  /** Persona label per universe identifier (0 = never seen). */
  labels(): Uint32Array {
    return this.shard.resolveRecords(this.tenant, UNIVERSE.map(([type, value]) => ({ type, value })));
  }

  /** Components of the seen identifiers over the pairs never cut. */
  components(): Int32Array {
    const uf = new OracleUnionFind(UNIVERSE.length);
    for (const p of this.pairs) if (!this.cut.has(p)) uf.union(Math.floor(p / 1000), p % 1000);
    return canonical(UNIVERSE.map((_, i) => (this.seen.has(i) ? uf.find(i) + 1 : 0)));
  }

  checkEveryPersona(): void {
    const records = new Set(Array.from(this.labels()).filter((r) => r !== 0));
    for (const r of records) checkPersonaInvariants(this.shard, r);
    expect(this.shard.tenantStats(this.tenant).personas).toBe(records.size);
  }
}

function fresh(settings: TenantSettings): Run {
  const shard = Shard.create();
  const tenant = shard.registerTenant('props');
  shard.configureTenant(tenant, settings);
  return new Run(shard, tenant);
}

describe('union / split / snapshot properties', () => {
  it('guardrails off: personas are the components of the uncut evidence, after every operation', () => {
    fc.assert(fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 20 }), (ops) => {
      const run = fresh(PLAIN);
      for (const op of ops) {
        run.apply(op);
        expect(canonical(run.labels())).toEqual(run.components());
        run.checkEveryPersona();
      }
    }), { numRuns: 80, seed: 1129 });
  });

  it('guardrails on: personas refine the components of the uncut evidence, and keep their invariants', () => {
    fc.assert(fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 20 }), (ops) => {
      const run = fresh(GUARDED);
      for (const op of ops) {
        run.apply(op);
        const labels = run.labels();
        const components = run.components();
        for (let i = 0; i < UNIVERSE.length; i++) {
          expect(labels[i] === 0).toBe(!run.seen.has(i));
          for (let j = 0; j < i; j++) {
            if (labels[i] !== 0 && labels[i] === labels[j]) expect(components[i]).toBe(components[j]);
          }
        }
        run.checkEveryPersona();
      }
    }), { numRuns: 80, seed: 2911 });
  });

  it('snapshot + restore at any point, then the rest of the history, gives the same bytes', () => {
    fc.assert(fc.property(fc.array(opArbitrary, { minLength: 2, maxLength: 16 }), fc.nat(), fc.boolean(), (ops, cutAt, guarded) => {
      const settings = guarded ? GUARDED : PLAIN;
      const straight = fresh(settings);
      ops.forEach((op) => straight.apply(op));
      const at = cutAt % ops.length;
      const first = fresh(settings);
      ops.slice(0, at).forEach((op) => first.apply(op));
      const snapshot = first.shard.snapshot();
      const restored = Shard.restore(snapshot);
      expect(restored.snapshot().equals(snapshot)).toBe(true);
      const resumed = new Run(restored, restored.tenant('props'), ops.slice(0, at).filter((o) => o.kind === 'events').length);
      ops.slice(at).forEach((op) => resumed.apply(op));
      expect(resumed.shard.snapshot().equals(straight.shard.snapshot())).toBe(true);
    }), { numRuns: 25, seed: 9112 });
  });
});
