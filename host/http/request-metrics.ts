// Request counts and latency histograms per route template and status, counted in plain numbers
// per request and handed to prom-client only when Prometheus scrapes. prom-client's own
// Counter#inc and Histogram#observe validate and hash the label set on every call (~1.5 µs per
// request together, as much as the rest of a cached GET /resolve's routing); here a request costs
// two Map lookups and a bucket search. The exported text is what those prom-client metrics wrote.
import type { Metric, Registry } from 'prom-client';
import { bucketOf } from '../util/histogram-bucket.js';

/** Route label of requests no route matched (404s of random paths must not create series). */
export const UNMATCHED_ROUTE = 'unmatched';
const KNOWN_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
/** Method label of any other method (methods come from clients: they must not create series). */
const OTHER_METHOD = 'OTHER';
const METHOD_INDEX = new Map(KNOWN_METHODS.map((method, i) => [method, i]));
const METHOD_LABELS = [...KNOWN_METHODS, OTHER_METHOD];

type Labels = { method: string; route: string; status: string };

/** One label set's tallies. */
interface Series {
  labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  buckets: Float64Array;
}

/** One value line of a metric, as prom-client's Registry formats it. */
export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What prom-client's Registry asks of a metric it exports. */
export interface ExportedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>;
  reset(): void;
}

export interface RequestMetricNames {
  requests: { name: string; help: string };
  latency: { name: string; help: string; buckets: number[] };
}

export class RequestMetrics {
  /** Series by route, then by status × method slot. */
  private readonly byRoute = new Map<string, Map<number, Series>>();
  private readonly bounds: number[];

  constructor(registry: Registry, names: RequestMetricNames) {
    this.bounds = [...names.latency.buckets].sort((a, b) => a - b);
    registry.registerMetric(this.exported(names.requests, 'counter', (series) => [{ labels: series.labels, value: series.count }]) as unknown as Metric);
    registry.registerMetric(this.exported(names.latency, 'histogram', (series) => histogramValues(names.latency.name, this.bounds, series.labels, series)) as unknown as Metric);
  }

  /** Counts one answered request and its latency. */
  observe(method: string, route: string | undefined, status: number, seconds: number): void {
    const routeLabel = route ?? UNMATCHED_ROUTE;
    let byStatus = this.byRoute.get(routeLabel);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.byRoute.set(routeLabel, byStatus);
    }
    const methodIndex = METHOD_INDEX.get(method) ?? KNOWN_METHODS.length;
    const slot = status * METHOD_LABELS.length + methodIndex;
    let series = byStatus.get(slot);
    if (series === undefined) {
      series = { labels: { method: METHOD_LABELS[methodIndex], route: routeLabel, status: String(status) }, count: 0, sum: 0, buckets: new Float64Array(this.bounds.length + 1) };
      byStatus.set(slot, series);
    }
    series.count++;
    series.sum += seconds;
    series.buckets[bucketOf(this.bounds, seconds)]++;
  }

  private *series(): Iterable<Series> {
    for (const byStatus of this.byRoute.values()) yield* byStatus.values();
  }

  private exported(names: { name: string; help: string }, type: ExportedMetric['type'], values: (series: Series) => MetricValue[]): ExportedMetric {
    return exportedMetric(names, type, () => [...this.series()].flatMap(values), () => this.byRoute.clear());
  }
}

/** A metric whose values are computed when Prometheus scrapes, for `Registry#registerMetric`. */
export function exportedMetric(names: { name: string; help: string }, type: ExportedMetric['type'], values: () => MetricValue[], reset: () => void = () => undefined): ExportedMetric {
  return {
    name: names.name, help: names.help, type, aggregator: 'sum',
    get: async () => ({ name: names.name, help: names.help, type, values: values(), aggregator: 'sum' }),
    reset,
  };
}

/** A histogram's lines from per-bucket tallies: cumulative buckets (`le` first, as prom-client writes them), +Inf, sum and count. */
export function histogramValues(name: string, bounds: readonly number[], labels: Record<string, string>, tally: { count: number; sum: number; buckets: ArrayLike<number> }): MetricValue[] {
  const values: MetricValue[] = [];
  let cumulative = 0;
  bounds.forEach((bound, i) => {
    cumulative += tally.buckets[i];
    values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${name}_bucket` });
  });
  values.push(
    { labels: { le: '+Inf', ...labels }, value: tally.count, metricName: `${name}_bucket` },
    { labels, value: tally.sum, metricName: `${name}_sum` },
    { labels, value: tally.count, metricName: `${name}_count` },
  );
  return values;
}
