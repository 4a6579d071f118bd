// Throw-away nats-server processes for the JetStream store tests: each on free loopback ports with
// its own store directory, never the shared server on 4222. A test file starts what it needs and
// stops everything in afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const LOOPBACK = '127.0.0.1';
/** How long a server may take to say it is ready. */
const READY_TIMEOUT_MS = 15_000;
const READY_LINE = 'Server is ready';

/** Every server this process started and has not seen exit: killed if the test process exits first. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface NatsServer {
  name: string;
  port: number;
  url: string;
  clusterPort: number | null;
  storeDir: string;
  process: ChildProcess;
  /** Everything the server printed so far (it logs to stderr). */
  log(): string;
}

/** A port the OS had free a moment ago (listen on 0, read it back, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface StartOptions {
  name: string;
  port: number;
  storeDir: string;
  cluster?: { name: string; port: number; routes: number[] };
}

/**
 * Starts one server from a config file (the 2.9 form: `server_name`, `jetstream { store_dir }`,
 * `cluster { name, listen, routes }`) and waits for its ready line.
 */
async function startServer(options: StartOptions): Promise<NatsServer> {
  if (!existsSync(NATS_SERVER_BIN)) {
    throw new Error(`no nats-server at ${NATS_SERVER_BIN}: install Debian's package (apt-get install nats-server) or set NATS_SERVER_BIN`);
  }
  const lines = [
    `server_name: ${options.name}`,
    `listen: "${LOOPBACK}:${options.port}"`,
    `jetstream { store_dir: "${options.storeDir}" }`,
  ];
  if (options.cluster) {
    const routes = options.cluster.routes.map((port) => `"nats-route://${LOOPBACK}:${port}"`).join(', ');
    lines.push(`cluster { name: ${options.cluster.name}, listen: "${LOOPBACK}:${options.cluster.port}", routes: [${routes}] }`);
  }
  const configFile = join(options.storeDir, 'server.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`);
  const child = spawn(NATS_SERVER_BIN, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`nats-server ${options.name} not ready after ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
    const onData = () => {
      if (output.includes(READY_LINE)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`nats-server ${options.name} exited with ${code}:\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stderr!.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
  return {
    name: options.name,
    port: options.port,
    url: `nats://${LOOPBACK}:${options.port}`,
    clusterPort: options.cluster?.port ?? null,
    storeDir: options.storeDir,
    process: child,
    log: () => output,
  };
}

function makeStoreDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pg-nats-${name}-`));
}

/** One JetStream server on a free port. */
export async function startSingleServer(name = 'single'): Promise<NatsServer> {
  const [server] = await withFreshPorts(async () => [await startServer({ name, port: await freePort(), storeDir: makeStoreDir(name) })]);
  return server;
}

/** Attempts at starting servers when a port picked free was taken before the server bound it. */
const PORT_ATTEMPTS = 3;

/**
 * Runs `start` again on fresh ports when a server lost its port in the moment between `freePort` and
 * its bind (another test's listener, or a peer's outgoing route connection drawn from the same
 * ephemeral range); any other failure is reported at once.
 */
async function withFreshPorts(start: (started: NatsServer[]) => Promise<NatsServer[]>): Promise<NatsServer[]> {
  for (let attempt = 1; ; attempt++) {
    const started: NatsServer[] = [];
    try {
      return await start(started);
    } catch (error) {
      await stopAll(started);
      if (attempt >= PORT_ATTEMPTS || !String((error as Error).message).includes('address already in use')) throw error;
    }
  }
}

/** `size` servers routed to each other as one JetStream cluster. */
export async function startCluster(size: number, clusterName = 'pgtest'): Promise<NatsServer[]> {
  return withFreshPorts(async (started) => {
    const ports: { client: number; cluster: number }[] = [];
    for (let i = 0; i < size; i++) ports.push({ client: await freePort(), cluster: await freePort() });
    const clusterPorts = ports.map((p) => p.cluster);
    const starting = ports.map(async (p, i) => {
      const name = `${clusterName}-n${i + 1}`;
      const server = await startServer({
        name,
        port: p.client,
        storeDir: makeStoreDir(name),
        cluster: { name: clusterName, port: p.cluster, routes: clusterPorts.filter((port) => port !== p.cluster) },
      });
      started.push(server);
      return server;
    });
    // every start settles before a failure is reported, so a retry leaves no server of this attempt running
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<NatsServer>).value);
  });
}

/** Stops a server (SIGKILL by default: the crash the tests are about) and waits for it to exit. */
export async function stopServer(server: NatsServer, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const child = server.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/** Stops every server and removes its store directory. */
export async function stopAll(servers: readonly NatsServer[]): Promise<void> {
  await Promise.all(servers.map((server) => stopServer(server)));
  for (const server of servers) rmSync(server.storeDir, { recursive: true, force: true });
}
