// The README's library example, run as a newcomer would paste it: it must show what it claims
// (the resolved persona holds what was ingested with the email), not just run.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** The first ```ts block after `heading` in README.md. */
async function readmeBlock(heading: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no ts block after ${heading}`);
  return match[1];
}

describe('README examples', () => {
  it('"As a library": the persona resolved by the email holds the customer ingested with it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-readme-'));
    try {
      const snippet = (await readmeBlock('## As a library'))
        .replace("from 'persona-graph'", `from '${pathToFileURL(join(ROOT, 'host/index.ts')).href}'`)
        .replace("dataDir: './data'", `dataDir: ${JSON.stringify(join(dir, 'data'))}`);
      expect(snippet).toContain('graph.ingest(');
      const file = join(dir, 'example.mts');
      await writeFile(file, `${snippet}\nconsole.log(JSON.stringify(persona));\n`);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, timeout: 60_000 });
      const persona = JSON.parse(stdout.trim().split('\n').at(-1)!);
      const ingested = /identifiers: \{ customer: '([^']+)', email: '([^']+)' \}/.exec(snippet);
      expect(ingested, 'the example ingests a customer with an email').not.toBeNull();
      expect(persona.identifiers).toEqual(expect.arrayContaining([
        expect.objectContaining({ type: 'customer', value: ingested![1] }),
        expect.objectContaining({ type: 'email', value: ingested![2].toLowerCase() }),
      ]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
