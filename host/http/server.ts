// Starting and stopping the HTTP server (what `persona-graph serve` runs).
import type { Duplex } from 'node:stream';
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PersonaGraph, type PersonaGraphOptions } from '../service/persona-graph.js';
import type { GraphApi } from '../service/graph-api.js';
import { createHttpApi, type AppOptions } from './app.js';
import { createLogger } from './logging.js';
import { traceStartup } from '../util/startup-trace.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** In-flight requests get this long to finish on shutdown before their connections are cut. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const IDLE_REAP_INTERVAL_MS = 50;

export interface ServerOptions extends Omit<AppOptions, 'ready' | 'openWhenNoKeys'> {
  /** A graph to serve; closed by `shutdown()`. */
  graph?: GraphApi;
  /** Or options to open one with (ignored when `graph` is given). */
  graphOptions?: PersonaGraphOptions;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  server: Server;
  graph: GraphApi;
  host: string;
  port: number;
  /** `http://host:port`, for clients and logs. */
  url: string;
  /** Graceful shutdown: stop accepting, let in-flight requests finish, then close the graph. Idempotent. */
  shutdown(): Promise<void>;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (address.startsWith('::ffff:')) return isLoopback(address.slice('::ffff:'.length));
  return address === '::1';
}

export function openModeRefusal(host: string): string {
  return `no API keys configured: refusing to listen on ${host}; create a key with ` +
    '`persona-graph keys create --tenant T --role secret` or bind 127.0.0.1';
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const logger = options.logger ?? createLogger();
  const graph: GraphApi = options.graph ?? await PersonaGraph.open(options.graphOptions);
  traceStartup('graph open');
  const loopback = isLoopback(host);
  if (!loopback && graph.keys.keyCount() === 0) {
    if (!options.graph) await graph.close();
    throw new Error(openModeRefusal(host));
  }

  let accepting = true;
  const { app } = createHttpApi(graph, { ...options, logger, ready: () => accepting && !graph.overloaded(), openWhenNoKeys: loopback });
  const server = createServer(app.callback());
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    if (!options.graph) await graph.close();
    throw error;
  });
  const bound = server.address() as AddressInfo;
  const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  logger.info({ url, open: graph.keys.keyCount() === 0 }, 'listening');
  traceStartup('listening');

  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= (async () => {
    accepting = false;
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection turns idle once its request is answered: close it then, not at its timeout.
    const reaper = setInterval(() => server.closeIdleConnections(), IDLE_REAP_INTERVAL_MS);
    const timeout = setTimeout(() => {
      logger.warn('shutdown timeout: closing connections with requests in flight');
      server.closeAllConnections();
    }, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    await drained;
    clearInterval(reaper);
    clearTimeout(timeout);
    await graph.close();
    logger.info('closed');
  })());
  return { server, graph, host, port: bound.port, url, shutdown };
}

/** Requests Node rejects before Koa sees them (header floods, malformed request lines) still get the error shape. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify({ error: tooLarge
    ? { code: 'headers_too_large', message: 'request headers are too large' }
    : { code: 'bad_request', message: 'the request could not be parsed as HTTP' } });
  socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
