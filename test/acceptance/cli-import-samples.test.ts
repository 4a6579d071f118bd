// README "Command line": `import` prints a summary with sample rejected lines. An operator reads them
// as the first problems of the file: they must come in line order, and be the first ones by line
// (a malformed JSON line was listed before every bad value of its batch, whatever their lines).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'pg-cli-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sample { line: number; code: string }

async function importSamples(lines: string[]): Promise<Sample[]> {
  const file = join(dir, `f-${lines.length}.ndjson`);
  writeFileSync(file, lines.join('\n'));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'host/cli.ts'), 'import', file, '--tenant', 'shop-a', '--data', join(dir, `data-${lines.length}`)], { cwd: ROOT, timeout: 120_000 });
  return (JSON.parse(stdout) as { samples: Sample[] }).samples.map(({ line, code }) => ({ line, code }));
}

const good = (i: number) => JSON.stringify({ identifiers: { customer: `c-${i}` } });
const badPhone = JSON.stringify({ identifiers: { phone: 'abc' } });

describe('persona-graph import: sample rejected lines', () => {
  it('are listed in line order', async () => {
    const samples = await importSamples([good(1), badPhone, good(2), '{not json', good(3)]);
    expect(samples).toEqual([
      { line: 2, code: 'invalid_phone' }, { line: 2, code: 'no_identifiers' }, { line: 4, code: 'invalid_json' },
    ]);
  }, 150_000);

  it('are the first problems of the file by line', async () => {
    const samples = await importSamples([...Array.from({ length: 25 }, () => badPhone), '{not json']);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.map((s) => s.line)).toEqual([...samples.map((s) => s.line)].sort((a, b) => a - b));
    expect(samples[0]).toEqual({ line: 1, code: 'invalid_phone' });
    expect(samples.some((s) => s.code === 'invalid_json')).toBe(false);
  }, 150_000);
});
