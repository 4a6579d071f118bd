// Starting and stopping a benchmark target in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TargetKind, TargetReady } from './targets.js';

const TARGET_FILE = fileURLToPath(new URL('./targets.ts', import.meta.url));
const START_TIMEOUT_MS = 120_000;

export interface RunningTarget extends TargetReady {
  pid: number;
  stop(): Promise<void>;
}

export interface TargetOptions {
  dataDir?: string;
  /** Where the child's stdout and stderr (its request log) go. */
  logFile: string;
  /** Directory for a CPU profile of the child's serving phase. */
  profileDir?: string;
}

export async function startTarget(kind: TargetKind, options: TargetOptions): Promise<RunningTarget> {
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', TARGET_FILE, kind, ...(options.dataDir ? [options.dataDir] : [])], {
    stdio: ['ignore', log, log, 'ipc'],
    env: options.profileDir ? { ...process.env, PROFILE_DIR: options.profileDir } : process.env,
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
  return {
    ...ready,
    pid: child.pid!,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
