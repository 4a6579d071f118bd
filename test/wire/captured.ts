// Loads the captured client traffic in ./fixtures (copied from /work/shared/fixtures/wire; see
// its README.md) and rebuilds each request's bytes as the client sent them.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');

export interface CapturedRequest {
  /** `file:scenario#n`, n counting the scenario's requests from 0. */
  name: string;
  file: string;
  scenario: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** What the capturing server noted, e.g. `gzip-magic` (gzip body without Content-Encoding). */
  note: string[];
  /** Arrival time in ms, when the capture recorded one. */
  t?: number;
  /** The decoded JSON body, when the request had one. */
  body?: unknown;
}

type Json = Record<string, unknown>;

export function readFixture(file: string): Json {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Json;
}

/** Every request of every scenario (`{requests: [...], bodies?: [...]}`) in every fixture file. */
export function capturedRequests(): CapturedRequest[] {
  const files = readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.json')).sort();
  return files.flatMap((file) =>
    Object.entries(readFixture(file)).flatMap(([scenario, value]) => {
      if (!isJson(value) || !Array.isArray(value.requests)) return [];
      const bodies = Array.isArray(value.bodies) ? value.bodies : [];
      return (value.requests as Json[]).map((request, n): CapturedRequest => ({
        name: `${file}:${scenario}#${n}`,
        file,
        scenario,
        method: String(request.method),
        url: String(request.url),
        headers: request.headers as Record<string, string>,
        note: Array.isArray(request.note) ? (request.note as string[]) : [],
        t: typeof request.t === 'number' ? request.t : undefined,
        body: request.json ?? bodies[n],
      }));
    }),
  );
}

/** Whether the client gzipped the body (announced by the header, or noticed by its magic bytes). */
export function wasGzipped(request: CapturedRequest): boolean {
  return request.headers['content-encoding'] === 'gzip' || request.note.includes('gunzip');
}

/** The body bytes as the client sent them: JSON, gzipped when the client gzipped it. */
export function rawBody(request: CapturedRequest): Buffer {
  const json = Buffer.from(JSON.stringify(request.body), 'utf8');
  return wasGzipped(request) ? gzipSync(json) : json;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
