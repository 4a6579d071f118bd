// What the diagnostics read from a direct run: per tenant, every node's key in the simulator's
// form and its persona, every evidence edge with the event behind it, and who owns what in truth.
import { NODE_FLAG, TYPE_NAMES } from '../../host/engine/layout.js';
import type { EdgeView, Shard } from '../../host/engine/shard.js';
import type { DirectRun } from './direct.js';
import type { SimulatedEvent, Simulation, TenantTruth } from './types.js';

/** Who a key belongs to: a person, or null for a shared device or a junk value. */
export type Owner = number | null;

/** Counts per description, printed largest first. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }
  print(title: string, top = 15): void {
    const rows = [...this.counts].sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((s, [, n]) => s + n, 0);
    console.log(`\n### ${title} (total ${total})`);
    for (const [what, n] of rows.slice(0, top)) console.log(`${String(n).padStart(8)}  ${what}`);
  }
}

export interface TenantView {
  truth: TenantTruth;
  tenant: number;
  /** Node → its key in the simulator's form (`type:value`). */
  keyOf: Map<number, string>;
  /** Node → root of its persona. */
  rootOf: Map<number, number>;
  members: Map<number, number[]>;
}

/** What every part of a diagnosis shares. */
export interface DiagnoseContext {
  sim: Simulation;
  shard: Shard;
  /** Every evidence edge, by its pair of nodes (`pair`). */
  edges: Map<string, EdgeView>;
  edgesOfNode: Map<number, EdgeView[]>;
  /** The simulated event behind an edge (the one that first linked its ends). */
  eventOf(edge: EdgeView): SimulatedEvent | undefined;
  /** Device keys of family tablets and kiosks. */
  sharedDevices: Set<string>;
}

export function diagnoseContext(sim: Simulation, run: DirectRun): DiagnoseContext {
  const { shard } = run;
  const events = new Map(sim.events.map((e) => [e.id, e]));
  const edges = allEdges(shard);
  const edgesOfNode = new Map<number, EdgeView[]>();
  for (const edge of edges.values()) {
    for (const end of [edge.a, edge.b]) {
      const list = edgesOfNode.get(end) ?? [];
      list.push(edge);
      edgesOfNode.set(end, list);
    }
  }
  const sharedDevices = new Set<string>();
  for (const truth of sim.truth.tenants) for (const [key, owner] of truth.profiles) if (owner === null) sharedDevices.add(key);
  return {
    sim, shard, edges, edgesOfNode, sharedDevices,
    eventOf: (edge) => events.get(run.bySeqItem.get(`${edge.seq}:${edge.item}`) ?? ''),
  };
}

export function ownerOf(sim: Simulation, truth: TenantTruth, key: string): Owner | undefined {
  if (key.startsWith('email:') || key.startsWith('phone:')) return sim.truth.addressOwners.get(key) ?? null;
  return truth.profiles.has(key) ? truth.profiles.get(key)! : undefined;
}

export function tenantView(run: DirectRun, truth: TenantTruth): TenantView {
  const { shard } = run;
  const tenant = run.tenants.get(truth.tenant)!;
  const keyOf = new Map<number, string>();
  const rootOf = new Map<number, number>();
  const members = new Map<number, number[]>();
  const nodes = shard.counts().nodes;
  for (let n = 1; n <= nodes; n++) {
    const node = shard.node(n);
    if (node.tenant !== tenant) continue;
    keyOf.set(n, `${TYPE_NAMES[node.type]}:${node.value}`);
    const root = shard.rootOf(n);
    rootOf.set(n, root);
    const list = members.get(root) ?? [];
    list.push(n);
    members.set(root, list);
  }
  return { truth, tenant, keyOf, rootOf, members };
}

function allEdges(shard: Shard): Map<string, EdgeView> {
  const edges = new Map<string, EdgeView>();
  const count = shard.counts().edges;
  for (let e = 1; e <= count; e++) {
    const edge = shard.edge(e);
    edges.set(pair(edge.a, edge.b), edge);
  }
  return edges;
}

export const pair = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`);
export const typeOf = (key: string): string => key.slice(0, key.indexOf(':'));

/** A node as its type, or what it truly is when it belongs to nobody (`shared-device`, `junk-email`), with its flags. */
export function describeNode(sim: Simulation, view: TenantView, shard: Shard, node: number, sharedDevices: Set<string>): string {
  const key = view.keyOf.get(node)!;
  const flags = shard.node(node).flags;
  const marks = [(flags & NODE_FLAG.SHARED) ? 'shared' : '', (flags & NODE_FLAG.BLOCKED) ? 'blocked' : ''].filter(Boolean).join(',');
  const owner = ownerOf(sim, view.truth, key);
  let what = typeOf(key);
  if (owner === null) what = typeOf(key) === 'device' ? (sharedDevices.has(key) ? 'shared-device' : 'device?') : `junk-${typeOf(key)}`;
  return marks ? `${what}[${marks}]` : what;
}

/** What a persona holds, in short: e.g. `E2 P1 D3 C1 G2 S1` (emails, phones, devices, accounts, guest orders, subscribers). */
export function composition(view: TenantView, root: number): string {
  const counts = new Map<string, number>();
  for (const n of view.members.get(root) ?? []) {
    const key = view.keyOf.get(n)!;
    const letter = key.startsWith('customer:g-') ? 'G' : key.startsWith('customer:') ? 'C' : key[0].toUpperCase();
    counts.set(letter, (counts.get(letter) ?? 0) + 1);
  }
  return ['E', 'P', 'D', 'C', 'G', 'S'].filter((l) => counts.has(l)).map((l) => `${l}${counts.get(l)}`).join(' ');
}
