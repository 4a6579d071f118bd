// Test plumbing shared by the JetStream store tests.
import { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { partitionOf } from '../../host/store/jetstream-partitions.js';
import type { NatsServer } from './nats-servers.js';

/** A tenant id (with `label` in it) that hashes to `partition`. */
export function tenantIn(partition: number, label: string, partitions = 64): string {
  for (let i = 0; ; i++) {
    const tenant = `${label}-${i}`;
    if (partitionOf(tenant, partitions) === partition) return tenant;
  }
}

export async function connectTo(servers: readonly NatsServer[], replicas = 1, requestTimeoutMs?: number): Promise<JetStreamConnection> {
  return JetStreamConnection.connect({ servers: servers.map((s) => s.url), replicas, requestTimeoutMs });
}

/** Collects logger warnings instead of printing them. */
export function warnings(): { log: (message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { log: (message) => messages.push(message), messages };
}
