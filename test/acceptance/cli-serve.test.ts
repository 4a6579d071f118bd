// `persona-graph serve` as an operator runs it (api-contract "Running the server", "Limits"): flags and
// PERSONA_* variables, the configurable body limit, and SIGTERM exiting 0 with every event durable.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from '../http/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'pg-cli-serve-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Served { child: ChildProcess; url: string; exited: Promise<number | null> }

/** Starts the CLI's `serve` on a free loopback port; resolves once it logs where it listens. */
function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'host/cli.ts'), 'serve', ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`serve did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        done({ child, url: match[1], exited });
      }
    });
    void exited.then((code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
}

const event = (customer: string, padding = 0) => ({ identifiers: { customer }, traits: { note: 'x'.repeat(padding) } });

describe('persona-graph serve', () => {
  it('takes the body limit from --body-limit, then PERSONA_BODY_LIMIT (413 over it)', async () => {
    const flagged = await serve(['--port', '0', '--data', dataDir, '--body-limit', '2048']);
    try {
      expect((await call(flagged, 'POST', '/v1/tenants/shop-a/events', { body: event('small', 100) })).status).toBe(200);
      const over = await call(flagged, 'POST', '/v1/tenants/shop-a/events', { body: event('big', 4000) });
      expect(over.status).toBe(413);
      expect(over.body.error.code).toBe('payload_too_large');
    } finally {
      flagged.child.kill('SIGTERM');
      expect(await flagged.exited).toBe(0);
    }
    const fromEnv = await serve([], { PERSONA_PORT: '0', PERSONA_DATA: dataDir, PERSONA_BODY_LIMIT: '2048' });
    try {
      expect((await call(fromEnv, 'POST', '/v1/tenants/shop-a/events', { body: event('big', 4000) })).status).toBe(413);
    } finally {
      fromEnv.child.kill('SIGTERM');
      expect(await fromEnv.exited).toBe(0);
    }
  }, 180_000);

  it('SIGTERM exits 0, and a restart holds every acknowledged event', async () => {
    const first = await serve(['--port', '0', '--data', dataDir]);
    const sent = await call(first, 'POST', '/v1/tenants/shop-b/events', { body: { events: [event('kept-1'), event('kept-2')] } });
    expect(sent.body.accepted).toBe(2);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await serve(['--port', '0', '--data', dataDir]);
    try {
      const found = await call(second, 'POST', '/v1/tenants/shop-b/resolve', { body: { identifiers: [{ type: 'customer', value: 'kept-1' }, { type: 'customer', value: 'kept-2' }] } });
      expect(found.body.personas.every((p: string | null) => typeof p === 'string')).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 180_000);

  it('--help prints the usage on standard output and exits 0; an unknown option exits non-zero with the usage', async () => {
    const run = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'host/cli.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
      child.once('exit', (code) => done({ code, out, err }));
    });
    const help = await run(['serve', '--help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toContain('persona-graph serve [--host 127.0.0.1]');
    const bad = await run(['serve', '--bogus']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("Unknown option '--bogus'");
    expect(bad.err).toContain('usage:');
  }, 60_000);
});
