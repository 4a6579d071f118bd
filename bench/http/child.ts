// Starting and stopping a benchmark target in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileAnswer, ProfileRequest } from './profiler.js';
import type { TargetKind, TargetReady } from './targets.js';

const TARGET_FILE = fileURLToPath(new URL('./targets.ts', import.meta.url));
const START_TIMEOUT_MS = 120_000;

export interface RunningTarget extends TargetReady {
  pid: number;
  /** Starts a CPU profile of the target's main thread; the returned function ends it and names its file. */
  profile(dir: string, name: string): Promise<() => Promise<string>>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  dataDir?: string;
  /** Where the child's stdout and stderr (its request log) go. */
  logFile: string;
  /** Another checkout of the project whose target runs (A/B runs against main); default this one. */
  checkout?: string;
}

export async function startTarget(kind: TargetKind, options: TargetOptions): Promise<RunningTarget> {
  const log = openSync(options.logFile, 'a');
  const file = options.checkout === undefined ? TARGET_FILE : join(options.checkout, 'bench/http/targets.ts');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file, kind, ...(options.dataDir ? [options.dataDir] : [])], {
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const ready = await new Promise<TargetReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within ${START_TIMEOUT_MS} ms (see ${options.logFile})`)), START_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as TargetReady);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before listening (see ${options.logFile})`));
    });
  });
  child.removeAllListeners('exit');
  const ask = (request: ProfileRequest) => new Promise<ProfileAnswer>((resolve) => {
    child.once('message', (answer) => resolve(answer as ProfileAnswer));
    child.send(request);
  });
  return {
    ...ready,
    pid: child.pid!,
    profile: async (dir, name) => {
      await ask({ profile: 'start', dir, name });
      return async () => {
        const answer = await ask({ profile: 'stop' });
        return answer.profiled === 'written' ? answer.file : '';
      };
    },
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
