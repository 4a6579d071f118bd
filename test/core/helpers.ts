// Shared fixtures for the core tests: shards with a tenant, event builders, key ↔ node helpers,
// canonical partitions, and a small seeded random generator.
import type { EventEvidence } from '../../host/engine/layout.js';
import { Shard, type EncodedEvent, type EncodedKey, type ShardOptions, type TenantSettings } from '../../host/engine/shard.js';
import { mulberry32 } from '../../bench/seeded-random.js';

export const EMAIL = 0;
export const PHONE = 1;
export const DEVICE = 2;
export const CUSTOMER = 3;
export const SUBSCRIBER = 4;

/** Guardrails off: plain connected components. */
export const PLAIN: TenantSettings = { guardrails: false, limits: [0, 0, 0, 0, 0], sharedAt: [0, 0, 0, 0, 0] };

export interface Fixture {
  shard: Shard;
  tenant: number;
}

export function newShard(tenantName = 'shop-a', settings: TenantSettings = PLAIN, options: ShardOptions = {}): Fixture {
  const shard = Shard.create(options);
  const tenant = shard.registerTenant(tenantName);
  shard.configureTenant(tenant, settings);
  return { shard, tenant };
}

export type Id = readonly [type: number, value: string];

export interface EventSpec {
  ids: readonly Id[];
  time?: number;
  item?: number;
  /** What the event proves; default `authenticated`. */
  evidence?: EventEvidence;
}

export function event(tenant: number, spec: EventSpec): EncodedEvent {
  return {
    tenant,
    evidence: spec.evidence ?? 'authenticated',
    item: spec.item ?? 0,
    time: spec.time ?? 0,
    identifiers: spec.ids.map(([type, value]) => ({ type, value })),
  };
}

/** Applies events one log entry at a time (each its own seq), numbering items within the entry. */
export function ingest(f: Fixture, specs: readonly EventSpec[], seq = 1): void {
  f.shard.applyEvents(specs.map((spec, item) => event(f.tenant, { item, ...spec })), seq);
}

export function key([type, value]: Id): EncodedKey {
  return { type, value };
}

export function keyString([type, value]: Id): string {
  return `${type}:${value}`;
}

/** Active persona record of an identifier (0 = unknown). */
export function recordOf(f: Fixture, id: Id): number {
  return f.shard.resolveRecords(f.tenant, [key(id)])[0];
}

export function nodeOf(f: Fixture, id: Id): number {
  return f.shard.lookupNode(f.tenant, key(id));
}

export function personaIdOf(f: Fixture, id: Id): string {
  const record = recordOf(f, id);
  if (record === 0) throw new Error(`${keyString(id)} is unknown`);
  return f.shard.personaId(record);
}

/**
 * Canonical form of a partition given a label per element: each element's label becomes the index
 * of the first element with the same label, so two labellings of one partition compare equal.
 * `0` labels (unknown) stay `-1`.
 */
export function canonical(labels: ArrayLike<number | string>): Int32Array {
  const first = new Map<number | string, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === 0) {
      out[i] = -1;
      continue;
    }
    let at = first.get(label);
    if (at === undefined) {
      at = i;
      first.set(label, i);
    }
    out[i] = at;
  }
  return out;
}

/** Index of the first element where two canonical partitions differ, or -1. */
export function firstDifference(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** A small seeded generator, so every random test is reproducible from its seed. */
export const rng = mulberry32;

export function randomInt(next: () => number, below: number): number {
  return Math.floor(next() * below);
}

/** A plain union-find over small integers: the test's own oracle, independent of the core. */
export class OracleUnionFind {
  private readonly parent: Int32Array;

  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
  }

  find(x: number): number {
    while (this.parent[x] !== x) x = this.parent[x];
    return x;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** What a persona looks like from outside, in values rather than record numbers. */
export interface PersonaSnapshot {
  id: string;
  members: string[];
  counts: number[];
  latestEmail: string | null;
  latestPhone: string | null;
  createdAt: number;
  updatedAt: number;
}

export function describePersona(shard: Shard, record: number): PersonaSnapshot {
  const p = shard.persona(record);
  const value = (node: number) => (node === 0 ? null : shard.node(node).value);
  return {
    id: p.id,
    members: shard.members(p.root).map((n) => {
      const node = shard.node(n);
      return `${node.type}:${node.value}`;
    }).sort(),
    counts: p.counts,
    latestEmail: value(p.latestEmail),
    latestPhone: value(p.latestPhone),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/**
 * Checks the invariants every active persona holds, throwing on the first broken one: its root is
 * a root that points back at it, its member ring lists exactly `members` nodes that all find that
 * root, the counts per type add up to the members, and latest email/phone are members of that type.
 */
export function checkPersonaInvariants(shard: Shard, record: number): void {
  const p = shard.persona(record);
  const fail = (what: string) => {
    throw new Error(`persona ${p.id} (record ${record}): ${what}`);
  };
  if (!p.active) fail('is not active');
  if (shard.rootOf(p.root) !== p.root) fail(`root ${p.root} is not a root`);
  if (shard.personaOfNode(p.root) !== record) fail('its root points at another persona');
  const members = shard.members(p.root);
  if (members.length !== p.members) fail(`ring holds ${members.length} members, record says ${p.members}`);
  const counts = [0, 0, 0, 0, 0];
  for (const m of members) {
    if (shard.rootOf(m) !== p.root) fail(`member ${m} finds another root`);
    counts[shard.node(m).type]++;
  }
  if (counts.some((c, t) => c !== p.counts[t])) fail(`counts ${p.counts} but members have ${counts}`);
  if (p.latestEmail !== 0 && (shard.node(p.latestEmail).type !== EMAIL || shard.rootOf(p.latestEmail) !== p.root)) fail('latest email is not a member email');
  if (p.latestPhone !== 0 && (shard.node(p.latestPhone).type !== PHONE || shard.rootOf(p.latestPhone) !== p.root)) fail('latest phone is not a member phone');
  if ((p.latestEmail === 0) !== (counts[EMAIL] === 0)) fail('latest email missing or extra');
  if ((p.latestPhone === 0) !== (counts[PHONE] === 0)) fail('latest phone missing or extra');
}
