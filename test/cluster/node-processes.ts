// persona-graph cluster nodes as child processes (`persona-graph serve --log …`), so a test can
// SIGKILL one the way a machine dies. Each listens on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, type NatsServer } from '../cluster-store/nats-servers.js';
import { sleep } from './helpers.js';

const CLI = fileURLToPath(new URL('../../host/cli.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface NodeProcess {
  id: string;
  url: string;
  process: ChildProcess;
  log(): string;
}

export interface NodeProcessOptions {
  replicas: number;
  partitions: number;
  leaseMs: number;
  requestTimeoutMs: number;
}

export async function startNode(id: string, servers: readonly NatsServer[], options: NodeProcessOptions): Promise<NodeProcess> {
  const port = await freePort();
  const args = [
    '--import', 'tsx', CLI, 'serve', '--port', String(port), '--node', id,
    '--log', servers.map((s) => s.url).join(','), '--replicas', String(options.replicas),
    '--partitions', String(options.partitions), '--lease-ms', String(options.leaseMs),
    '--request-timeout-ms', String(options.requestTimeoutMs),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node ${id} exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`node ${id} not ready after ${READY_TIMEOUT_MS} ms:\n${output}`);
    await sleep(READY_POLL_MS);
  }
  return { id, url, process: child, log: () => output };
}

/** SIGKILL by default: the crash the tests are about. */
export async function stopNode(node: NodeProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const child = node.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
