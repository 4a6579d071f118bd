// Shared test plumbing: throw-away data directories and child processes running TS fixtures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pg-store-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/**
 * Runs a fixture with `npx tsx` as the leader of its own process group, so that killing the
 * group reaches the node process tsx starts underneath npx.
 */
export function spawnFixture(name: string, args: string[]): ChildProcess {
  return spawn('npx', ['tsx', fixturePath(name), ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  process.kill(-child.pid!, signal);
}

/** Calls `onLine` for each stdout line; resolves with the exit code/signal and collected stderr. */
export function watchLines(
  child: ChildProcess,
  onLine: (line: string) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let pending = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    lines.forEach(onLine);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}
