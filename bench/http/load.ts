// One load run with autocannon (in this process) against a target (in its child process).
import { readFileSync } from 'node:fs';
import autocannon, { type Request } from 'autocannon';

export interface LoadRun {
  url: string;
  /** The server's process, whose CPU time per request is reported (robust to a busy machine). */
  pid: number;
  connections: number;
  seconds: number;
  requests: Request[];
  /** Work items per request (lookups, events), to report items/s. */
  itemsPerRequest?: number;
  /** Profiles the server during the measured run (not the warm-up); returns the stop function. */
  profile?: () => Promise<() => Promise<string>>;
}

export interface LoadFigures {
  requestsPerSecond: number;
  itemsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that did not get a 2xx, plus connection errors and timeouts. */
  failures: number;
  /** CPU time of the server process (all its threads) per answered request, in µs. */
  serverCpuMicrosPerRequest: number;
  /** Answered (2xx) requests of the measured run. */
  answered: number;
  /** The CPU profile of the measured run, when one was asked for. */
  profileFile?: string;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process and all its threads, in µs (Linux /proc). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** A short unmeasured run first: JIT tier-up and caches warm, as they are in production. */
const WARMUP_SECONDS = 2;

async function run(load: LoadRun, seconds: number) {
  return autocannon({ url: load.url, connections: load.connections, duration: seconds, requests: load.requests, timeout: 30 });
}

export async function measure(load: LoadRun): Promise<LoadFigures> {
  await run(load, WARMUP_SECONDS);
  const stopProfile = await load.profile?.();
  const cpuBefore = cpuMicros(load.pid);
  const result = await run(load, load.seconds);
  const cpu = cpuMicros(load.pid) - cpuBefore;
  const profileFile = await stopProfile?.();
  const ok = result['2xx'];
  return {
    requestsPerSecond: ok / result.duration,
    itemsPerSecond: (ok * (load.itemsPerRequest ?? 1)) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    serverCpuMicrosPerRequest: cpu / Math.max(ok, 1),
    answered: ok,
    profileFile,
  };
}
