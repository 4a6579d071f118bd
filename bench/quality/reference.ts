// The two reference lines, computed on a simulation without the engine:
// - plain connected components: every event links all its identifiers (a link click's
//   recipient included, as its token would), over canonical keys, no guardrails;
// - the ceiling: connected components over only the truly correct links.
// Both answer like the engine: a persona is a component, its email is the email seen latest (by
// event timestamp) in the component, and an email audience gets one message per component to
// that address, unknown inputs kept as their own recipients.
import type { AudienceRecipient, AudienceResult, Identifier, IdentifierType } from '../../host/types.js';
import { eventIdentifierKeys, type KeyedIdentifier } from './keys.js';
import { identifierKey, parseKey } from './normalize.js';
import type { Resolver, SimulatedEvent, Simulation } from './types.js';
import { KeyUnionFind } from './union-find.js';

const PERSONA_PREFIX = 'cc_';
const PERSONA_ID = /^cc_\d+$/;

interface TenantComponents {
  graph: KeyUnionFind;
  /** Component root → the email (normalized value) seen latest in it. */
  latestEmail: Map<number, string>;
}

export function plainComponents(sim: Simulation): Resolver {
  return componentResolver(sim, buildComponents(sim, 'events'));
}

export function ceiling(sim: Simulation): Resolver {
  return componentResolver(sim, buildComponents(sim, 'true-links'));
}

function buildComponents(sim: Simulation, links: 'events' | 'true-links'): Map<string, TenantComponents> {
  const graphs = new Map(sim.tenants.map((tenant) => [tenant, new KeyUnionFind()]));
  const emailLastSeen = new Map(sim.tenants.map((tenant) => [tenant, new Map<number, string>()]));
  for (const event of sim.events) {
    const graph = graphs.get(event.tenant);
    if (!graph) throw new Error(`event ${event.id} names tenant ${event.tenant}, which the simulation does not list`);
    const lastSeen = emailLastSeen.get(event.tenant)!;
    let previous: number | undefined;
    for (const { type, key } of eventKeys(sim, event)) {
      const id = graph.add(key);
      if (links === 'events' && previous !== undefined) graph.union(previous, id);
      previous = id;
      if (type === 'email') {
        // ISO-8601 UTC timestamps of one format order correctly as strings.
        const seen = lastSeen.get(id);
        if (seen === undefined || event.timestamp > seen) lastSeen.set(id, event.timestamp);
      }
    }
  }
  if (links === 'true-links') {
    for (const truth of sim.truth.tenants) {
      const graph = graphs.get(truth.tenant)!;
      for (const [a, b] of truth.trueLinks) graph.union(graph.add(a), graph.add(b));
    }
  }

  const components = new Map<string, TenantComponents>();
  for (const [tenant, graph] of graphs) {
    const latestEmail = new Map<number, string>();
    const latestTime = new Map<number, string>();
    for (const [key, id] of graph.entries()) {
      const time = emailLastSeen.get(tenant)!.get(id);
      if (time === undefined) continue;
      const root = graph.find(id);
      const best = latestTime.get(root);
      if (best === undefined || time > best) {
        latestTime.set(root, time);
        latestEmail.set(root, parseKey(key).value);
      }
    }
    components.set(tenant, { graph, latestEmail });
  }
  return components;
}

/** Canonical keys of an event's valid identifiers (and link-click recipient), from `sim.keys`. */
function eventKeys(sim: Simulation, event: SimulatedEvent): KeyedIdentifier[] {
  const keyOf = (type: IdentifierType, raw: string): string | null => {
    const key = sim.keys[type].get(raw);
    if (key === undefined) throw new Error(`event ${event.id}: ${type} ${JSON.stringify(raw)} is missing from sim.keys`);
    return key;
  };
  return eventIdentifierKeys(keyOf, event.identifiers, event.recipient?.value);
}

function componentResolver(sim: Simulation, components: Map<string, TenantComponents>): Resolver {
  const tenantComponents = (tenant: string): TenantComponents => {
    const found = components.get(tenant);
    if (!found) throw new Error(`unknown tenant ${JSON.stringify(tenant)}: the simulation has ${sim.tenants.join(', ')}`);
    return found;
  };
  const rootOf = ({ graph }: TenantComponents, identifier: Identifier): number | undefined => {
    const key = identifierKey(identifier.type, identifier.value);
    const id = key === null ? undefined : graph.idOf(key);
    return id === undefined ? undefined : graph.find(id);
  };

  return {
    async resolve(tenant, identifiers) {
      const tc = tenantComponents(tenant);
      return identifiers.map((identifier) => {
        const root = rootOf(tc, identifier);
        return root === undefined ? null : `${PERSONA_PREFIX}${root}`;
      });
    },

    async persona(tenant, id) {
      const tc = tenantComponents(tenant);
      const root = PERSONA_ID.test(id) ? Number(id.slice(PERSONA_PREFIX.length)) : -1;
      if (root < 0 || root >= tc.graph.size || tc.graph.find(root) !== root) {
        throw new Error(`unknown persona ${JSON.stringify(id)} in tenant ${tenant}`);
      }
      return { email: tc.latestEmail.get(root) ?? null };
    },

    async audience(tenant, recipients) {
      const tc = tenantComponents(tenant);
      const messages = new Map<string, AudienceRecipient>();
      const unreachable: number[] = [];
      recipients.forEach((recipient, index) => {
        const root = rootOf(tc, recipient);
        let group: string;
        let message: AudienceRecipient;
        if (root !== undefined) {
          const address = tc.latestEmail.get(root);
          if (address === undefined) return void unreachable.push(index);
          group = `persona:${root}`;
          message = { persona: `${PERSONA_PREFIX}${root}`, address, inputs: [] };
        } else {
          // Unknown to the graph: kept as its own recipient when it is itself an address.
          const key = recipient.type === 'email' ? identifierKey('email', recipient.value) : null;
          if (key === null) return void unreachable.push(index);
          group = key;
          message = { persona: null, address: parseKey(key).value, inputs: [] };
        }
        const existing = messages.get(group);
        if (existing) existing.inputs.push(index);
        else messages.set(group, { ...message, inputs: [index] });
      });
      return audienceResult(recipients.length, [...messages.values()], unreachable);
    },
  };
}

function audienceResult(input: number, recipients: AudienceRecipient[], unreachable: number[]): AudienceResult {
  return {
    recipients,
    unreachable,
    stats: {
      input,
      recipients: recipients.length,
      duplicatesRemoved: input - recipients.length - unreachable.length,
      unreachable: unreachable.length,
    },
  };
}
