// A persona-graph server in a child process of its own, as an operator runs it: the real CLI
// (`persona-graph serve`), or a small entry that passes options the CLI has no flags for. The
// port is picked by the OS (--port 0) and read back from the server's "listening" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_SOURCE = join(ROOT, 'host/cli.ts');
const CLI_BUILT = join(ROOT, 'dist/host/cli.js');
const START_TIMEOUT_MS = 90_000;
/** Characters of the child's output kept for error messages. */
const KEPT_OUTPUT = 8000;

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT` once listening. */
  url: string;
  /** Milliseconds from spawn to the "listening" line. */
  startupMs: number;
  /** The end of what the child wrote (stdout and stderr), for diagnostics. */
  recentOutput(): string;
  /** Resolves with the exit code or signal once the child is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash or the OOM killer would; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resident set size of the whole process (all threads), in bytes. */
  rssBytes(): number;
  /** Highest resident set size the process has had so far, in bytes. */
  peakRssBytes(): number;
  /** CPU time the process has used so far (all threads, user + system), in seconds. */
  cpuSeconds(): number;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Called with the child as soon as it is spawned (before it listens): lets a test kill it during startup. */
  onSpawn?: (child: ChildProcess) => void;
}

/** The newest mtime of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Node arguments that run the CLI: the compiled one when it is at least as new as every source
 * file (it starts about twice as fast), else the sources through tsx.
 */
export function cliArgs(args: string[]): string[] {
  const builtIsFresh = existsSync(CLI_BUILT) && statSync(CLI_BUILT).mtimeMs >= newestSource(join(ROOT, 'host'));
  return builtIsFresh ? [CLI_BUILT, ...args] : ['--import', 'tsx', CLI_SOURCE, ...args];
}

/** Node arguments that run a TypeScript entry file through tsx. */
export function tsEntryArgs(file: string, args: string[]): string[] {
  return ['--import', 'tsx', file, ...args];
}

/** `persona-graph serve` on 127.0.0.1 at a free port over `dataDir`. */
export function spawnCliServer(dataDir: string, options: SpawnOptions = {}): Promise<ServerProcess> {
  return spawnServer(cliArgs(['serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir]), options);
}

/** Spawns `node ...nodeArgs` and waits for its "listening" log line. */
export function spawnServer(nodeArgs: string[], options: SpawnOptions = {}): Promise<ServerProcess> {
  const started = Date.now();
  const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  options.onSpawn?.(child);
  let tail = '';
  const remember = (text: string) => {
    tail = (tail + text).slice(-KEPT_OUTPUT);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.stderr!.on('data', (chunk: Buffer) => remember(chunk.toString('utf8')));

  return new Promise((resolve, reject) => {
    let url: string | undefined;
    let partial = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms:\n${tail}`));
    }, START_TIMEOUT_MS);
    // Lines are split only until "listening": a busy server logs a line per request, and the
    // load generator shares the CPU.
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      remember(text);
      if (url !== undefined) return;
      partial += text;
      let newline: number;
      while ((newline = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, newline);
        partial = partial.slice(newline + 1);
        if (line.includes('"listening"')) {
          url = (JSON.parse(line) as { url: string }).url;
          clearTimeout(timer);
          resolve(running(url));
        }
      }
    });
    exited.then(({ code, signal }) => {
      if (url !== undefined) return;
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${tail}`));
    });
  });

  function running(url: string): ServerProcess {
    return {
      child,
      pid: child.pid!,
      url,
      startupMs: Date.now() - started,
      recentOutput: () => tail,
      exited,
      kill9: async () => {
        child.kill('SIGKILL');
        await exited;
      },
      stop: async () => {
        child.kill('SIGTERM');
        return (await exited).code;
      },
      rssBytes: () => rssOf(child.pid!),
      peakRssBytes: () => statusKilobytes(child.pid!, 'VmHWM') * KILOBYTE,
      cpuSeconds: () => cpuSecondsOf(child.pid!),
    };
  }
}

const KILOBYTE = 1024;
/** The kernel's unit of process CPU time in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;
/** utime and stime: fields 14 and 15 of /proc/<pid>/stat, indexes 11 and 12 once pid and command name are cut off. */
const UTIME_FIELD = 11;
const STIME_FIELD = 12;

/** VmRSS of a process from /proc (Linux), in bytes. */
export function rssOf(pid: number): number {
  return statusKilobytes(pid, 'VmRSS') * KILOBYTE;
}

/** A kB field of /proc/<pid>/status (Linux). */
function statusKilobytes(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** User + system CPU seconds of a process, all its threads, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  // the command name in parentheses may hold spaces: count fields after it
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[UTIME_FIELD]) + Number(fields[STIME_FIELD])) / CLOCK_TICKS_PER_SECOND;
}
