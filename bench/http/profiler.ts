// CPU profile of the serving phase only (seeding excluded), via the inspector: what
// `node --cpu-prof` records, started when the server is ready.
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
    const file = join(dir, `${name}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    return file;
  };
}
