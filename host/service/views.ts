// Reading personas out of a shard into the contract's shapes. Pure reads: they run on the main
// thread inside ShardSet.read, which retries them if a write overlapped.
import { IDENTIFIER_TYPES, type IdentifierType, type Persona, type PersonaIdentifier } from '../types.js';
import { NODE_FLAG, type NodeView, type Shard } from '../engine/shard.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { TYPE_CODES, TYPE_NAMES, STRENGTH_NAMES, DECISION_NAMES } from '../engine/layout.js';

// Timestamps repeat across identifiers and requests; formatting one costs about a microsecond.
const isoStrings = new BoundedCache<number, string>(100_000);
function iso(ms: number): string {
  let text = isoStrings.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    isoStrings.set(ms, text);
  }
  return text;
}

/** Where a persona lives right now: its active record and root, or null. */
export interface Located {
  record: number;
  root: number;
}

/** The active persona an id resolves to (itself, or what it merged into), or null. */
export function locateById(shard: Shard, tenant: number, id: string): Located | null {
  if (tenant === 0) return null;
  const asked = shard.recordById(id);
  if (asked === 0) return null;
  const view = shard.persona(asked);
  if (view.tenant !== tenant) return null;
  const root = shard.rootOf(view.founder);
  const record = root === 0 ? 0 : shard.personaOfNode(root);
  if (record === 0 || !shard.persona(record).active) return null;
  return { record, root };
}

export function locateByNode(shard: Shard, node: number): Located | null {
  const root = shard.rootOf(node);
  const record = root === 0 ? 0 : shard.personaOfNode(root);
  return record === 0 ? null : { record, root };
}

/** An email is shown as the person typed it; matching uses the canonical form. */
export function shownValue(node: NodeView): string {
  return node.display ?? node.value;
}

export function buildPersona(shard: Shard, { record, root }: Located): Persona {
  const view = shard.persona(record);
  const nodes = shard.members(root).map((n) => shard.node(n)).filter((n) => (n.flags & NODE_FLAG.ERASED) === 0);
  const aliases: string[] = [];
  const identifiers: PersonaIdentifier[] = [];
  for (const node of nodes) {
    if ((node.flags & NODE_FLAG.FOUNDER) !== 0) {
      const own = shard.recordOfFounderNode(node.node);
      if (own !== 0 && own !== record) aliases.push(shard.personaId(own));
    }
    identifiers.push({ type: TYPE_NAMES[node.type], value: shownValue(node), firstSeen: iso(node.firstSeen), lastSeen: iso(node.lastSeen) });
  }
  identifiers.sort((a, b) => TYPE_CODES[a.type] - TYPE_CODES[b.type] || a.value.localeCompare(b.value));
  const counts = Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, view.counts[TYPE_CODES[t]]])) as Record<IdentifierType, number>;
  return {
    id: view.id,
    aliases: aliases.sort(),
    email: view.latestEmail ? shownValue(shard.node(view.latestEmail)) : null,
    phone: view.latestPhone ? shard.node(view.latestPhone).value : null,
    identifiers,
    counts,
    createdAt: iso(view.createdAt),
    updatedAt: iso(view.updatedAt),
  };
}

/**
 * `type:value` of the persona's emails and phones, each in its matching form (gmail dots and +tags
 * folded) and, when it differs, as shown: what a campaign claim is recorded under, so that one
 * mailbox claimed in any spelling counts as claimed.
 */
export function addressClaimKeys(shard: Shard, root: number): string[] {
  const keys: string[] = [];
  for (const n of shard.members(root)) {
    const node = shard.node(n);
    const type = TYPE_NAMES[node.type];
    if ((type !== 'email' && type !== 'phone') || (node.flags & NODE_FLAG.ERASED) !== 0) continue;
    keys.push(`${type}:${node.value}`);
    if (node.display !== null) keys.push(`${type}:${node.display}`);
  }
  return keys;
}

export interface GraphNode { type: IdentifierType; value: string; shared: boolean; blocked: boolean; outside: boolean }
export interface GraphEdge {
  from: number; to: number; eventId: string | null; timestamp: string; strength: string; decision: string;
  seq: number; item: number;
}
export interface PersonaGraphView { persona: string; nodes: GraphNode[]; edges: GraphEdge[] }

/** Identifiers of the persona and the evidence between them (plus refused links to outside identifiers). */
export function buildGraph(shard: Shard, located: Located): PersonaGraphView {
  const members = shard.members(located.root).filter((n) => (shard.node(n).flags & NODE_FLAG.ERASED) === 0);
  const position = new Map<number, number>();
  const nodes: GraphNode[] = [];
  const add = (n: number, outside: boolean) => {
    if (position.has(n)) return;
    const view = shard.node(n);
    position.set(n, nodes.length);
    nodes.push({
      type: TYPE_NAMES[view.type], value: shownValue(view),
      shared: (view.flags & NODE_FLAG.SHARED) !== 0, blocked: (view.flags & NODE_FLAG.BLOCKED) !== 0, outside,
    });
  };
  members.forEach((n) => add(n, false));
  const edges: GraphEdge[] = [];
  for (const edge of shard.edges(located.root)) {
    const ends = [edge.a, edge.b].map((n) => shard.node(n));
    if (ends.some((n) => (n.flags & NODE_FLAG.ERASED) !== 0)) continue;
    add(edge.a, !position.has(edge.a));
    add(edge.b, !position.has(edge.b));
    edges.push({
      from: position.get(edge.a)!, to: position.get(edge.b)!, eventId: null, timestamp: iso(edge.time),
      strength: STRENGTH_NAMES[edge.strength] ?? 'unknown', decision: DECISION_NAMES[edge.decision] ?? 'unknown',
      seq: edge.seq, item: edge.item,
    });
  }
  return { persona: shard.personaId(located.record), nodes, edges };
}
