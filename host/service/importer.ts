// Bulk import of a file into one tenant: NDJSON events (the contract's event shape, one per line)
// or CSV of subscribers/customers with a header row naming identifier columns.
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { IDENTIFIER_TYPES, RequestError, type IdentifierType, type ItemError } from '../types.js';
import type { PersonaGraph } from './persona-graph.js';
import { MAX_EVENTS_PER_BATCH } from './events.js';

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  lines: number;
  accepted: number;
  rejected: number;
  duplicates: number;
}

export interface ImportSummary extends ImportProgress {
  /** The first few problems, with their line numbers in the file. */
  samples: { line: number; field: string; code: string; message: string }[];
}

export type ImportFormat = 'ndjson' | 'csv';

/** The facade's batch limit: every batch is one log entry and one sync of the log. */
const BATCH_EVENTS = MAX_EVENTS_PER_BATCH;
/** Batches in flight: the next ones are parsed and normalized while the writer syncs and applies. */
const BATCHES_IN_FLIGHT = 4;
const MAX_SAMPLES = 20;

export function formatOf(path: string): ImportFormat {
  return /\.csv$/i.test(path) ? 'csv' : 'ndjson';
}

interface Line {
  line: number;
  event: unknown;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BYTE_ORDER_MARK = 0xfeff;
/** Large reads: fewer chunks to stitch lines across. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Lines of an NDJSON file, parsed, those of each read chunk together. Splits the raw bytes at newlines
 * itself (readline's per-line events cost more than the JSON.parse of a typical event), decoding
 * each line once; one yield per chunk, not per line (an async generator's step costs ~0.3 µs).
 */
async function* ndjsonLines(path: string, onBytes: (n: number) => void): AsyncGenerator<Line[]> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  let line = 0;
  let carry: Buffer | null = null;
  const parsed = (bytes: Buffer, start: number, end: number): Line | null => {
    line++;
    if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
    let text = bytes.toString('utf8', start, end);
    // a byte order mark, as Windows tools write before the first line, is not part of the JSON
    if (line === 1 && text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1);
    if (text.trim() === '') return null;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      event = { __invalidJson: true };
    }
    return { line, event };
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    const lines: Line[] = [];
    let start = 0;
    if (carry) {
      // only the line cut at the chunk boundary is stitched, not the whole chunk copied behind it
      const end = chunk.indexOf(NEWLINE);
      if (end < 0) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const stitched = Buffer.concat([carry, chunk.subarray(0, end)]);
      const item = parsed(stitched, 0, stitched.length);
      if (item) lines.push(item);
      start = end + 1;
    }
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      const item = parsed(chunk, start, end);
      if (item) lines.push(item);
      start = end + 1;
    }
    carry = start < chunk.length ? chunk.subarray(start) : null;
    if (lines.length > 0) yield lines;
  }
  if (carry) {
    const item = parsed(carry, 0, carry.length);
    if (item) yield [item];
  }
}

/**
 * The header's column names, lower-cased. One naming no identifier type refuses the file here: every
 * row would be rejected alike (a ";"-separated file reads as one unknown column).
 */
function csvColumns(header: string[]): string[] {
  const columns = header.map((h) => h.trim().toLowerCase());
  if (!columns.some((c) => (IDENTIFIER_TYPES as readonly string[]).includes(c))) {
    const found = JSON.stringify(header.join(',').slice(0, 200));
    throw new RequestError(400, 'no_identifier_columns', `the CSV header names no identifier column (${IDENTIFIER_TYPES.join(', ')}); it reads ${found}`);
  }
  return columns;
}

/** CSV rows become events whose identifiers are the columns named like identifier types (one row per yield). */
async function* csvLines(path: string, onBytes: (n: number) => void): AsyncGenerator<Line[]> {
  const stream = createReadStream(path);
  stream.on('data', (chunk) => onBytes(chunk.length));
  const parser = stream.pipe(parse({ columns: csvColumns, skip_empty_lines: true, trim: true, relax_column_count: true }));
  let line = 1; // the header
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    line++;
    const identifiers: Partial<Record<IdentifierType, string>> = {};
    for (const type of IDENTIFIER_TYPES) if (row[type]) identifiers[type] = row[type];
    yield [{
      line,
      event: {
        ...(row.id ? { id: row.id } : {}),
        type: row.type || 'import',
        ...(row.timestamp ? { timestamp: row.timestamp } : {}),
        identifiers,
      },
    }];
  }
}

/** A batch handed to the facade, with what its summary needs once the write is acknowledged. */
interface StartedBatch {
  ingest: ReturnType<PersonaGraph['ingest']>;
  events: number;
  lines: number;
  /** Line number of each event sent, by its index in the batch. */
  lineOf: number[];
  invalid: ItemError[];
}

/**
 * Sends a batch's events to the facade. Not async: the parsed lines are unreachable once their
 * write is queued (kept across the wait, four batches of them were copied by every scavenge).
 */
function startBatch(graph: PersonaGraph, tenant: string, current: Line[]): StartedBatch {
  const invalid: ItemError[] = [];
  const events: unknown[] = [];
  const lineOf: number[] = [];
  for (const { line, event } of current) {
    if ((event as { __invalidJson?: boolean }).__invalidJson) {
      invalid.push({ index: line, field: 'line', error: { code: 'invalid_json', message: 'not a JSON object' } });
      continue;
    }
    events.push(event);
    lineOf.push(line);
  }
  return { ingest: graph.ingest(tenant, events), events: events.length, lines: current.length, lineOf, invalid };
}

/** Imports a file in batches through the facade; every accepted event is durable when this resolves. */
export async function importFile(
  graph: PersonaGraph,
  tenant: string,
  path: string,
  options: { format?: ImportFormat; onProgress?: (p: ImportProgress) => void } = {},
): Promise<ImportSummary> {
  graph.config(tenant); // validates the tenant id before any work
  const summary: ImportSummary = { bytesRead: 0, totalBytes: statSync(path).size, lines: 0, accepted: 0, rejected: 0, duplicates: 0, samples: [] };
  const format = options.format ?? formatOf(path);
  const source = format === 'csv' ? csvLines(path, (n) => { summary.bytesRead += n; }) : ndjsonLines(path, (n) => { summary.bytesRead += n; });
  let batch: Line[] = [];
  const inFlight: Promise<void>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    inFlight.push(settle(startBatch(graph, tenant, batch)));
    batch = [];
    if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
  };
  const settle = async ({ ingest, events, lines, lineOf, invalid }: StartedBatch) => {
    const result = await ingest;
    summary.accepted += result.accepted;
    summary.duplicates += result.duplicates;
    summary.rejected += events - result.accepted - result.duplicates + invalid.length;
    summary.lines += lines;
    // the first problems by line, whichever batch or check found them (a stable sort keeps a line's own order)
    const problems = [...invalid.map((i) => ({ ...i, line: i.index })), ...result.errors.map((e) => ({ ...e, line: lineOf[e.index] }))];
    summary.samples.push(...problems.map((e) => ({ line: e.line, field: e.field, code: e.error.code, message: e.error.message })));
    summary.samples = summary.samples.sort((a, b) => a.line - b.line).slice(0, MAX_SAMPLES);
    options.onProgress?.({ ...summary });
  };
  for await (const lines of source) {
    for (const line of lines) {
      batch.push(line);
      if (batch.length >= BATCH_EVENTS) await flush();
    }
  }
  await flush();
  await Promise.all(inFlight);
  summary.bytesRead = summary.totalBytes;
  return summary;
}
