// Figures of a load run: per-operation counts and latency percentiles per reporting window, the
// server's RSS over time, and the verdict on whether RSS stayed flat after the warm-up.
import { OPERATIONS, type Done, type Operation } from './mix.js';

interface OperationWindow {
  latencies: number[];
  failures: number;
  /** A few failing answers, for the report. */
  examples: string[];
}

const EXAMPLES_KEPT = 3;

export class Window {
  private readonly byOperation = new Map<Operation, OperationWindow>();
  private started = performance.now();

  record(done: Done): void {
    let window = this.byOperation.get(done.operation);
    if (!window) {
      window = { latencies: [], failures: 0, examples: [] };
      this.byOperation.set(done.operation, window);
    }
    window.latencies.push(done.reply.ms);
    if (!done.ok) {
      window.failures++;
      if (window.examples.length < EXAMPLES_KEPT) window.examples.push(`${done.reply.status} ${done.reply.body.slice(0, 160)}`);
    }
  }

  /** Operations per second, p99 and failures per operation since the window began; starts a new window. */
  close(): { seconds: number; total: number; failures: number; lines: string[] } {
    const seconds = (performance.now() - this.started) / 1000;
    const lines: string[] = [];
    let total = 0;
    let failures = 0;
    for (const operation of OPERATIONS) {
      const window = this.byOperation.get(operation);
      if (!window) continue;
      total += window.latencies.length;
      failures += window.failures;
      const rate = window.latencies.length / seconds;
      lines.push(`${operation.padEnd(12)} ${rate.toFixed(1).padStart(8)}/s  p50 ${percentile(window.latencies, 0.5).toFixed(1).padStart(7)} ms  ` +
        `p99 ${percentile(window.latencies, 0.99).toFixed(1).padStart(7)} ms${window.failures ? `  FAILED ${window.failures}: ${window.examples.join(' | ')}` : ''}`);
    }
    this.byOperation.clear();
    this.started = performance.now();
    return { seconds, total, failures, lines };
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export interface RssSample {
  /** Seconds since the measured run began. */
  at: number;
  bytes: number;
}

export interface Flatness {
  flat: boolean;
  atWarmUpBytes: number;
  atEndBytes: number;
  growthBytes: number;
  /** Least-squares slope after the warm-up, bytes per minute. */
  slopePerMinute: number;
  limitBytes: number;
}

/** Median of the samples within `span` seconds before `at`: one stray sample does not decide. */
function rssAround(samples: RssSample[], at: number, span: number): number {
  const near = samples.filter((s) => s.at <= at && s.at > at - span).map((s) => s.bytes);
  return percentile(near.length > 0 ? near : [samples[samples.length - 1].bytes], 0.5);
}

/**
 * Whether RSS stayed flat after the warm-up: the growth from the end of the warm-up to the end of
 * the run (medians over `span` seconds) is at most `allowedGrowth` of the warm RSS.
 */
export function judgeFlatness(samples: RssSample[], warmUpSeconds: number, endSeconds: number, span: number, allowedGrowth: number): Flatness {
  const atWarmUpBytes = rssAround(samples, warmUpSeconds, span);
  const atEndBytes = rssAround(samples, endSeconds, span);
  const after = samples.filter((s) => s.at >= warmUpSeconds);
  const limitBytes = atWarmUpBytes * allowedGrowth;
  return {
    flat: atEndBytes - atWarmUpBytes <= limitBytes,
    atWarmUpBytes, atEndBytes,
    growthBytes: atEndBytes - atWarmUpBytes,
    slopePerMinute: slope(after) * 60,
    limitBytes,
  };
}

/** Least-squares slope of bytes over seconds. */
function slope(samples: RssSample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const meanX = samples.reduce((a, s) => a + s.at, 0) / n;
  const meanY = samples.reduce((a, s) => a + s.bytes, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - meanX) * (s.bytes - meanY);
    den += (s.at - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
