// Runs a simulation straight into one in-process shard: the same normalization, encoding and core
// as the library facade, without the store, the writer threads or link-token signing (a link
// click gets its recipient appended as a verified token would add it). Seconds instead of minutes,
// and the shard stays open for inspection: used by the diagnostics and for quick rule iterations.
// The published figures come from the facade (engine.ts).
import { IDENTIFIER_TYPES, type Identifier } from '../../host/types.js';
import { Shard } from '../../host/engine/shard.js';
import { TYPE_CODES } from '../../host/engine/layout.js';
import { completeConfig, engineSettings, updateConfig, type TenantConfig } from '../../host/service/config.js';
import { normalizeEvents, normalizeIdentifier, type LoggedEvent } from '../../host/service/events.js';
import { encodeEvents } from '../../host/service/writer.js';
import { buildAudience } from '../../host/service/audience.js';
import { buildPersona, locateById } from '../../host/service/views.js';
import { toIncomingEvent } from './simulator.js';
import type { Resolver, SimulatedEvent, Simulation } from './types.js';

const BATCH = 1_000;

export interface DirectRun {
  shard: Shard;
  configs: Map<string, TenantConfig>;
  /** Tenant name → tenant index in the shard. */
  tenants: Map<string, number>;
  /** Event id → the logged (normalized) event and where the core saw it (seq, item). */
  logged: Map<string, { event: LoggedEvent; seq: number; item: number }>;
  /** Event (seq, item) → simulated event id. */
  bySeqItem: Map<string, string>;
  resolver: Resolver;
  eventsPerSecond: number;
  /** Events per second of this thread's CPU time: steadier than wall time on a busy machine. */
  eventsPerCpuSecond: number;
}

/** Ingests `sim` into a fresh shard with the given tenant settings (a partial config, as PUT /config takes). */
export function runDirect(sim: Simulation, settings: Record<string, unknown> = {}): DirectRun {
  const shard = Shard.create();
  const configs = new Map<string, TenantConfig>();
  const tenants = new Map<string, number>();
  for (const name of sim.tenants) {
    const config = updateConfig(completeConfig(null), settings);
    configs.set(name, config);
    const index = shard.registerTenant(name);
    shard.configureTenant(index, engineSettings(config));
    tenants.set(name, index);
  }
  const logged = new Map<string, { event: LoggedEvent; seq: number; item: number }>();
  const bySeqItem = new Map<string, string>();
  const byTenant = new Map<string, SimulatedEvent[]>();
  for (const event of sim.events) {
    const list = byTenant.get(event.tenant) ?? [];
    list.push(event);
    byTenant.set(event.tenant, list);
  }
  let seq = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (const [name, events] of byTenant) {
    const config = configs.get(name)!;
    for (let i = 0; i < events.length; i += BATCH) {
      const chunk = events.slice(i, i + BATCH);
      const { events: normalized } = normalizeEvents(chunk.map((e) => toIncomingEvent(e)), config, null);
      const batch = normalized.map(({ index, event }) => {
        const recipient = chunk[index].recipient;
        if (recipient && !event.ids.some(([t, v]) => t === recipient.type && v === recipient.value)) {
          event.ids.push([recipient.type, recipient.value, '', 0]);
        }
        return { id: chunk[index].id, event };
      });
      seq++;
      batch.forEach(({ id, event }, item) => {
        logged.set(id, { event, seq, item });
        bySeqItem.set(`${seq}:${item}`, id);
      });
      shard.applyEvents(encodeEvents(tenants.get(name)!, batch.map((b) => b.event)), seq);
    }
  }
  const eventsPerSecond = sim.events.length / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuStarted);
  const eventsPerCpuSecond = sim.events.length / ((cpu.user + cpu.system) / 1e6);
  return { shard, configs, tenants, logged, bySeqItem, resolver: shardResolver(shard, tenants, configs), eventsPerSecond, eventsPerCpuSecond };
}

function shardResolver(shard: Shard, tenants: Map<string, number>, configs: Map<string, TenantConfig>): Resolver {
  const key = (tenant: string, id: Identifier) => {
    const normalized = IDENTIFIER_TYPES.includes(id.type) ? normalizeIdentifier(id.type, id.value, configs.get(tenant)!) : null;
    return normalized ? { type: id.type, value: normalized.value } : null;
  };
  const records = (tenant: string, ids: Identifier[]) => {
    const keys = ids.map((id) => key(tenant, id));
    const found = shard.resolveRecords(tenants.get(tenant)!, keys.map((k) => (k ? { type: TYPE_CODES[k.type], value: k.value } : { type: 0xff, value: '' })));
    return { keys, found };
  };
  return {
    async resolve(tenant, identifiers) {
      const { found } = records(tenant, identifiers);
      return Array.from(found, (record) => (record === 0 ? null : shard.personaId(record)));
    },
    async persona(tenant, id) {
      const located = locateById(shard, tenants.get(tenant)!, id);
      return { email: located ? buildPersona(shard, located).email : null };
    },
    async audience(tenant, recipients) {
      const { keys, found } = records(tenant, recipients);
      return buildAudience(shard, 'email', keys, found);
    },
  };
}
