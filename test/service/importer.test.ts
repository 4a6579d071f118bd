// NDJSON import: line splitting of its own (CRLF, blank lines, a last line without newline, lines
// across read chunks, multi-byte characters), per-line errors with their line numbers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { importFile } from '../../host/service/importer.js';

let graph: PersonaGraph;
let dir: string;

beforeAll(async () => {
  graph = await PersonaGraph.open({ shards: 1 });
  dir = mkdtempSync(join(tmpdir(), 'pg-import-test-'));
});
afterAll(async () => {
  await graph.close();
  rmSync(dir, { recursive: true, force: true });
});

const event = (i: number) => JSON.stringify({ id: `ev-${i}`, type: 'Ŝignup é', identifiers: { customer: `clïent-${i}`, email: `p${i}@exämple.bg` } });

describe('importFile (NDJSON)', () => {
  it('imports every line of a file larger than one read chunk, with CRLF and blank lines', async () => {
    const count = 12_000; // ~1.3 MB: lines cross the 1 MiB read chunk
    const lines = Array.from({ length: count }, (_, i) => event(i));
    const text = `${lines.slice(0, 10).join('\r\n')}\r\n\r\n${lines.slice(10).join('\n')}`; // no final newline
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, text);
    const summary = await importFile(graph, 'shop-a', file);
    expect(summary).toMatchObject({ accepted: count, rejected: 0, duplicates: 0, lines: count });
    const [last] = await graph.resolve('shop-a', [{ type: 'customer', value: `clïent-${count - 1}` }]);
    expect(last).toMatch(/^psn_/);
    const again = await importFile(graph, 'shop-a', file);
    expect(again).toMatchObject({ accepted: 0, duplicates: count });
  });

  it('keeps line numbers across a line longer than several read chunks', async () => {
    // a 2.5 MB line: read chunks with no newline at all, stitched into one line (too large: rejected)
    const huge = JSON.stringify({ id: 'ev-huge', identifiers: { customer: 'c-huge' }, traits: { blob: 'x'.repeat(2_500_000) } });
    const file = join(dir, 'huge-line.ndjson');
    writeFileSync(file, [event(200_001), huge, event(200_002), '{not json', event(200_003)].join('\n'));
    const summary = await importFile(graph, 'shop-d', file);
    expect(summary).toMatchObject({ accepted: 3, rejected: 2, lines: 5 });
    expect(summary.samples.map((s) => [s.line, s.code])).toEqual([[2, 'traits_too_large'], [4, 'invalid_json']]);
  });

  it('reports bad lines by their line number and keeps the good ones', async () => {
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, [event(100_001), '{not json', '', JSON.stringify({ identifiers: { phone: 'abc' } }), event(100_002)].join('\n'));
    const summary = await importFile(graph, 'shop-b', file);
    expect(summary).toMatchObject({ accepted: 2, rejected: 2 });
    expect(summary.samples.map((s) => [s.line, s.code])).toEqual([[2, 'invalid_json'], [4, 'invalid_phone'], [4, 'no_identifiers']]);
  });
});

describe('importFile (CSV)', () => {
  it('imports rows as events of their identifier columns and reports bad rows by line number', async () => {
    const file = join(dir, 'customers.csv');
    writeFileSync(file, 'Email, customer ,note\nana@shop.bg,c-ana,x\n,c-bob,y\nnot-an-email,,z\n');
    const summary = await importFile(graph, 'shop-c', file);
    expect(summary).toMatchObject({ accepted: 2, rejected: 1, lines: 3 });
    expect(summary.samples.map((s) => [s.line, s.code])).toEqual([[4, 'invalid_email'], [4, 'no_identifiers']]);
    const [ana, byCustomer] = await graph.resolve('shop-c', [{ type: 'email', value: 'ana@shop.bg' }, { type: 'customer', value: 'c-ana' }]);
    expect(ana).toMatch(/^psn_/);
    expect(byCustomer).toBe(ana);
  });
});
