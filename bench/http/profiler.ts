// CPU profiles of a target's serving phase (seeding excluded), via the inspector: what
// `node --cpu-prof` records, started and stopped on the benchmark's request over IPC.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Starts profiling this thread; the returned function writes `<dir>/<name>.cpuprofile`. */
export async function startProfiling(dir: string, name: string): Promise<() => Promise<string>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    return file;
  };
}

/** Messages the benchmark sends a target, and the target's answers. */
export type ProfileRequest = { profile: 'start'; dir: string; name: string } | { profile: 'stop' };
export type ProfileAnswer = { profiled: 'started' } | { profiled: 'written'; file: string };
