// Prometheus metrics of one app (own registry, so several apps in a process never collide).
// Labels stay bounded: routes by template (never the raw path), tenants only up to
// MAX_TENANT_SERIES, and graph counters are read from the facade when Prometheus scrapes.
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { GraphApi } from '../service/graph-api.js';
import type { TenantStats } from '../engine/shard.js';
import { exportedMetric, histogramValues, RequestMetrics, type MetricValue } from './request-metrics.js';
import { STEP_BUCKETS_SECONDS, type TimedStep } from '../service/writer-timings.js';
import type { ShardOperations } from '../service/shards.js';

/** Tenants whose graph counters are exported (least recently used beyond this are dropped). */
const MAX_TENANT_SERIES = 1000;
// From 0.5 ms: a resolve takes well under a millisecond, so the default buckets would hide it.
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Writer step histograms: step → metric name and help. */
const STEP_HISTOGRAMS: Record<TimedStep, { name: string; help: string }> = {
  log_append: { name: 'persona_log_append_seconds', help: 'Durable appends of event batches to the log (one per group of batches), per shard' },
  snapshot_write: { name: 'persona_snapshot_write_seconds', help: 'Snapshot writes of a shard memory (temp file, fsync, rename), per shard' },
};

/** Graph counters exported per tenant: stat name → metric help. */
const GRAPH_GAUGES: Partial<Record<keyof TenantStats, string>> = {
  personas: 'Personas in the tenant\'s graph',
  identifiers: 'Identifiers in the tenant\'s graph',
  merges: 'Merges applied in the tenant\'s graph',
  refused: 'Merges refused by guardrails in the tenant\'s graph',
  shared: 'Identifiers found to be shared between people',
  splits: 'Splits applied in the tenant\'s graph',
};

export type IngestSource = 'events' | 'segment' | 'posthog';

export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly events: Counter<'source' | 'outcome'>;
  private readonly itemErrors: Counter<'source'>;
  /** Served tenants, least recently served first. */
  private readonly tenants = new Set<string>();
  private scrape: Promise<Map<string, TenantStats>> | null = null;
  /** The tenant noted last: most requests come from the one before them. */
  private lastTenant: string | undefined;

  constructor(private readonly graph: GraphApi, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestMetrics(this.registry, {
      requests: { name: 'persona_http_requests_total', help: 'HTTP requests by route template and status' },
      latency: { name: 'persona_http_request_duration_seconds', help: 'HTTP request latency by route template and status', buckets: LATENCY_BUCKETS_SECONDS },
    });
    this.events = new Counter({
      name: 'persona_events_total', help: 'Events taken in, by endpoint family and outcome (accepted, duplicate)',
      labelNames: ['source', 'outcome'], registers,
    });
    this.itemErrors = new Counter({
      name: 'persona_event_errors_total', help: 'Per-item errors reported (rejected events and dropped values)',
      labelNames: ['source'], registers,
    });
    if (graph.operations) this.registerShardMetrics(graph.operations.bind(graph));
    for (const [stat, help] of Object.entries(GRAPH_GAUGES) as [keyof TenantStats, string][]) {
      const metrics = this;
      new Gauge({
        name: `persona_graph_${stat}`, help, labelNames: ['tenant'], registers,
        async collect() {
          this.reset();
          for (const [tenant, stats] of await metrics.tenantStats()) this.set({ tenant }, stats[stat]);
        },
      });
    }
  }

  /** Shard memory and writer step timings, read from the graph when Prometheus scrapes. */
  private registerShardMetrics(operations: () => ShardOperations[]): void {
    const perShard = (values: (shard: ShardOperations, labels: { shard: string }) => MetricValue[]) =>
      () => operations().flatMap((shard) => values(shard, { shard: String(shard.shard) }));
    this.registry.registerMetric(exportedMetric(
      { name: 'persona_shard_memory_bytes', help: 'Size of each shard\'s WebAssembly memory' }, 'gauge',
      perShard((shard, labels) => [{ labels, value: shard.memoryBytes }]),
    ) as unknown as Metric);
    for (const [step, names] of Object.entries(STEP_HISTOGRAMS) as [TimedStep, { name: string; help: string }][]) {
      this.registry.registerMetric(exportedMetric(names, 'histogram',
        perShard((shard, labels) => histogramValues(names.name, STEP_BUCKETS_SECONDS, labels, shard.steps[step])),
      ) as unknown as Metric);
    }
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.requests.observe(method, route, status, seconds);
  }

  /** Counts what one request ingested. */
  countEvents(source: IngestSource, result: { accepted: number; duplicates: number; errors: unknown[] }): void {
    if (result.accepted > 0) this.events.inc({ source, outcome: 'accepted' }, result.accepted);
    if (result.duplicates > 0) this.events.inc({ source, outcome: 'duplicate' }, result.duplicates);
    if (result.errors.length > 0) this.itemErrors.inc({ source }, result.errors.length);
  }

  /** A tenant that was served: its graph counters are exported from now on. */
  noteTenant(tenant: string): void {
    if (tenant === this.lastTenant) return; // already the most recent
    this.lastTenant = tenant;
    this.tenants.delete(tenant);
    this.tenants.add(tenant);
    if (this.tenants.size > MAX_TENANT_SERIES) this.tenants.delete(this.tenants.values().next().value as string);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // One read of the graph per scrape, shared by every gauge's collect.
  private tenantStats(): Promise<Map<string, TenantStats>> {
    this.scrape ??= this.readTenantStats().finally(() => { this.scrape = null; });
    return this.scrape;
  }

  private async readTenantStats(): Promise<Map<string, TenantStats>> {
    const stats = new Map<string, TenantStats>();
    for (const tenant of [...this.tenants]) {
      const tenantStats = await this.graph.stats(tenant);
      if (tenantStats) stats.set(tenant, tenantStats);
    }
    return stats;
  }
}
