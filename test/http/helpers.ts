// Shared by the HTTP tests: a real server on 127.0.0.1 (random port) over a memory-only graph,
// and small helpers to call it and check answers.
import { Writable } from 'node:stream';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { pino, type Logger } from 'pino';
import { expect } from 'vitest';
import { PersonaGraph, type PersonaGraphOptions } from '../../host/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../host/http/index.js';

export interface TestServer extends RunningServer {
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log text, to search for things that must never be logged. */
  logText(): string;
}

/** A logger that keeps its lines in memory. */
export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

/**
 * Opens a graph (memory only, one shard unless told otherwise), lets `prepare` set it up (create
 * keys...) and serves it on 127.0.0.1 at a free port.
 */
export async function startTestServer(
  options: { graph?: PersonaGraphOptions; server?: Omit<ServerOptions, 'graph' | 'graphOptions' | 'logger'>; logLevel?: string } = {},
  prepare?: (graph: PersonaGraph) => void | Promise<void>,
): Promise<TestServer> {
  const graph = await PersonaGraph.open({ shards: 1, ...options.graph });
  await prepare?.(graph);
  const { logger, lines } = memoryLogger(options.logLevel);
  const running = await startServer({ graph, host: '127.0.0.1', port: 0, processMetrics: false, ...options.server, logger });
  return {
    ...running,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
  };
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as is (not JSON-encoded). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: any;
}

export async function call(server: { url: string }, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const raw = typeof options.rawBody === 'string' || options.rawBody === undefined ? options.rawBody : new Uint8Array(options.rawBody);
  const body = raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Asserts the contract's error shape and returns the error's code. */
export function expectError(answer: Answer, status: number, code?: string): string {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^[a-z][a-z0-9_]*$/), message: expect.any(String) }) });
  expect(Object.keys(answer.body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  if (code !== undefined) expect(answer.body.error.code).toBe(code);
  return answer.body.error.code as string;
}

/** Asserts a 200 whose JSON body matches the route's documented response schema. */
export function expectOk(answer: Answer, schema: TSchema): any {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const errors = [...Value.Errors(schema, answer.body)].map((e) => `${e.path}: ${e.message}`);
  expect(errors, JSON.stringify(answer.body).slice(0, 500)).toEqual([]);
  return answer.body;
}

export const basicAuth = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
