// CPU seconds used by the calling thread alone (Linux /proc/thread-self/stat, user + system), to
// split a process's CPU between the main thread, the writer threads and the rest (GC helpers).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

export function threadCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN; // not Linux
  }
}
