// `persona-graph serve --log nats://…` options (and their PERSONA_* environment fallbacks).
import type { ClusterGraphOptions } from './cluster-graph.js';

export const CLUSTER_SERVE_FLAGS = {
  log: { type: 'string' },
  replicas: { type: 'string' },
  partitions: { type: 'string' },
  node: { type: 'string' },
  'lease-ms': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
} as const;

export type ClusterServeValues = Partial<Record<keyof typeof CLUSTER_SERVE_FLAGS, string>>;

/** Cluster options, or null when no log URL is given (the embedded store is used). */
export function clusterOptionsFrom(values: ClusterServeValues, env: NodeJS.ProcessEnv = process.env): ClusterGraphOptions | null {
  const log = values.log ?? env.PERSONA_LOG;
  if (!log) return null;
  const servers = log.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (servers.some((s) => !/^nats:\/\/[^\s/]+$/.test(s))) throw new RangeError(`--log takes nats://host:port[,nats://host:port…], got ${log}`);
  const int = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got ${raw}`);
    return n;
  };
  return {
    servers,
    replicas: int('replicas', values.replicas ?? env.PERSONA_LOG_REPLICAS),
    partitions: int('partitions', values.partitions ?? env.PERSONA_PARTITIONS),
    nodeId: values.node ?? env.PERSONA_NODE,
    leaseMs: int('lease-ms', values['lease-ms'] ?? env.PERSONA_LEASE_MS),
    requestTimeoutMs: int('request-timeout-ms', values['request-timeout-ms'] ?? env.PERSONA_LOG_TIMEOUT_MS),
  };
}
