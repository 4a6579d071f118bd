// Order-free forms of the read views, for comparing two graphs that hold the same events but
// numbered their nodes differently (tenants sharing a shard interleave differently, and log
// sequence numbers count every tenant's entries).
import type { Persona } from '../../host/types.js';
import type { PersonaGraphView } from '../../host/service/views.js';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function canonicalPersona(persona: Persona): Persona {
  return {
    ...persona,
    aliases: [...persona.aliases].sort(byText),
    identifiers: [...persona.identifiers].sort((a, b) => byText(`${a.type}:${a.value}`, `${b.type}:${b.value}`)),
  };
}

export interface CanonicalGraph {
  persona: string;
  nodes: string[];
  /** One line per edge: both ends by value, the event id, time, strength and decision. */
  edges: string[];
}

/** The graph view with nodes named by value and edges by their ends' values; log positions dropped. */
export function canonicalGraph(view: PersonaGraphView): CanonicalGraph {
  const name = (i: number) => `${view.nodes[i].type}:${view.nodes[i].value}`;
  return {
    persona: view.persona,
    nodes: view.nodes.map((n) => `${n.type}:${n.value}${n.shared ? ' shared' : ''}${n.blocked ? ' blocked' : ''}${n.outside ? ' outside' : ''}`).sort(byText),
    edges: view.edges.map((e) => {
      const [a, b] = [name(e.from), name(e.to)].sort(byText);
      return `${a} ~ ${b} ${e.eventId ?? '-'} ${e.timestamp} ${e.strength} ${e.decision}`;
    }).sort(byText),
  };
}
