// README "Command line": `import` reads NDJSON, one contract event per line. Windows tools write a
// UTF-8 byte order mark before the first line: that line was rejected as invalid JSON (CSV already
// skipped the mark).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { importFile } from '../../host/service/importer.js';

const BOM = '\uFEFF';
const dir = mkdtempSync(join(tmpdir(), 'pg-import-bom-'));
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
