// PG_STARTUP_TRACE=1: one stderr line per startup stage (modules loaded, WASM compiled, snapshot
// read, log tail replayed, listening), with milliseconds since the process started, from every thread.
// Lets an operator see where a slow restart spends its time; costs one env lookup when off.
import { threadId } from 'node:worker_threads';

const ENABLED = Boolean(process.env.PG_STARTUP_TRACE);
/** Workers inherit the environment: they measure from the process start too, not from their own. */
const ORIGIN_VARIABLE = 'PG_STARTUP_TRACE_ORIGIN';

if (ENABLED && process.env[ORIGIN_VARIABLE] === undefined) process.env[ORIGIN_VARIABLE] = String(performance.timeOrigin);
const origin = Number(process.env[ORIGIN_VARIABLE] ?? performance.timeOrigin);

export const startupTraceEnabled = ENABLED;

/** Writes `startup <ms> ms [thread <id>] <stage>` to stderr when PG_STARTUP_TRACE is set. */
export function traceStartup(stage: string): void {
  if (!ENABLED) return;
  const ms = performance.timeOrigin + performance.now() - origin;
  process.stderr.write(`startup ${ms.toFixed(0)} ms [thread ${threadId}] ${stage}\n`);
}
