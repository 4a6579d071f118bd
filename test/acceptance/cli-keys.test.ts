// `persona-graph keys` as an operator scripts it (api-contract "Keys"): what each subcommand prints
// and its exit status (0 done, 1 failed, 2 usage), and revoking a key by its id or by the key itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'pg-cli-keys-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function keys(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'host/cli.ts'), 'keys', ...args, '--data', dataDir], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
  });
}

/** `keys list` rows as [id, tenant, role, createdAt, state]. */
const listed = () => keys('list').stdout.trim().split('\n').map((line) => line.split('\t'));

describe('persona-graph keys', () => {
  it('creates, lists and revokes by id, with the exit status a script can rely on', () => {
    const created = keys('create', '--tenant', 'shop-a', '--role', 'write');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^[A-Za-z0-9_-]{24,}\n$/);
    const [[id, tenant, role, , state]] = listed();
    expect([tenant, role, state]).toEqual(['shop-a', 'write', 'active']);
    expect(listed().flat().join(' ')).not.toContain(created.stdout.trim());

    expect(keys('revoke', id).status).toBe(0);
    expect(listed()[0][4]).toMatch(/^revoked /);
    const again = keys('revoke', id);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(id);
  }, 120_000);

  it('revokes by the key itself (what a leak exposes), without echoing it', () => {
    const key = keys('create', '--tenant', 'shop-b', '--role', 'secret').stdout.trim();
    const revoked = keys('revoke', key);
    expect(revoked.status).toBe(0);
    expect(listed().find((row) => row[1] === 'shop-b')?.[4]).toMatch(/^revoked /);
    const again = keys('revoke', key);
    expect(again.status).toBe(1);
    expect(again.stderr).not.toContain(key);
  }, 120_000);

  it('exits 2 with the usage for every usage mistake, unknown options included', () => {
    for (const args of [['create', '--tenant', 'shop-a', '--role', 'owner'], ['frob'], ['revoke'], ['list', '--bogus']]) {
      const run = keys(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('usage:');
      expect(run.stdout).toBe('');
    }
  }, 120_000);
});
