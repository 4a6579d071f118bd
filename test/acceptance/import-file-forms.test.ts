// README "Command line": `import` reads NDJSON (one contract event per line) or CSV with a header row
// whose columns name identifier types, as spreadsheet and Windows tools write them. A UTF-8 byte order
// mark before the first NDJSON line rejected that line as invalid JSON (CSV already skipped it). A CSV
// header naming no identifier column (";"-separated as European spreadsheets write it, or misnamed
// columns) rejected every row one by one, a million times for a million rows, instead of refusing the
// file at its header.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { importFile } from '../../host/service/importer.js';

const BOM = '\uFEFF';
const dir = mkdtempSync(join(tmpdir(), 'pg-import-forms-'));
let graph: PersonaGraph;
beforeAll(async () => { graph = await PersonaGraph.open(); });
afterAll(async () => {
  await graph.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('import of NDJSON written with a byte order mark', () => {
  it('skips a byte order mark before the first NDJSON line', async () => {
    const path = file('bom.ndjson', `${BOM}{"identifiers":{"customer":"n-1"}}\n{"identifiers":{"customer":"n-2"}}\n`);
    const summary = await importFile(graph, 'import-bom', path);
    expect(summary).toMatchObject({ lines: 2, accepted: 2, rejected: 0, samples: [] });
    expect(await graph.resolve('import-bom', [{ type: 'customer', value: 'n-1' }])).toEqual([expect.stringMatching(/^psn_/)]);
  });
});

describe('import of a CSV whose header names no identifier', () => {
  it.each([
    ['";" separated', 'Email;Customer\nana@shop.bg;c-1\nbob@shop.bg;c-2\n'],
    ['misnamed columns', 'mail,client\nana@shop.bg,c-1\n'],
  ])('refuses a CSV whose header names no identifier column (%s) at the header, storing nothing', async (_name, text) => {
    const tenant = `import-header-${text.length}`;
    await expect(importFile(graph, tenant, file(`header-${text.length}.csv`, text))).rejects.toMatchObject({ status: 400, code: 'no_identifier_columns' });
    expect(await graph.resolve(tenant, [{ type: 'email', value: 'ana@shop.bg' }])).toEqual([null]);
  });
});
