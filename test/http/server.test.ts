// startServer: the open-mode safety rule, a durable data directory with keys made by another
// process, and graceful shutdown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PersonaGraph } from '../../host/index.js';
import { isLoopback, startServer } from '../../host/http/index.js';
import { call, expectError } from './helpers.js';

const silent = pino({ level: 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pg-http-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Creates a key the way the CLI does: in another process, on the same data directory. */
function createKeyInAnotherProcess(tenant: string, role: string): string {
  const script = `const { openKeyStore } = await import(${JSON.stringify(new URL('../../host/service/data-dir.ts', import.meta.url).pathname)});
const { keys, close } = openKeyStore(${JSON.stringify(dataDir)});
process.stdout.write(keys.createKey(${JSON.stringify(tenant)}, ${JSON.stringify(role)}).key);
close();`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
}

/** Starts a POST and sends the first part of its body; `finish` sends the rest and awaits the answer. */
function postInTwoParts(url: string, key: string, firstPart: Buffer) {
  const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(firstPart);
  return {
    finish(rest: Buffer) {
      req.end(rest);
      return answer;
    },
  };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('open mode', () => {
  it('knows which hosts are loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '', '10.0.0.1', '192.168.1.2', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(host), host).toBe(false);
  });

  it('refuses to listen on a public address while no key exists, and serves it once one does', async () => {
    const graph = await PersonaGraph.open({ shards: 1 });
    await expect(startServer({ graph, host: '0.0.0.0', port: 0, logger: silent }))
      .rejects.toThrow('no API keys configured: refusing to listen on 0.0.0.0; create a key with `persona-graph keys create');
    const { key, id } = graph.keys.createKey('shop-a', 'secret');
    const server = await startServer({ graph, host: '0.0.0.0', port: 0, logger: silent, processMetrics: false });
    const local = { url: `http://127.0.0.1:${server.port}` };
    try {
      expect((await call(local, 'GET', '/v1/tenants/shop-a/config', { key })).status).toBe(200);
      expectError(await call(local, 'GET', '/v1/tenants/shop-a/config'), 401);
      // revoking the last key locks a public server instead of opening it
      graph.keys.revokeKey(id);
      expect(await eventually(async () => (await call(local, 'GET', '/v1/tenants/shop-a/config', { key })).status === 401)).toBe(true);
      expectError(await call(local, 'GET', '/v1/tenants/shop-a/config'), 401, 'unauthorized');
    } finally {
      await server.shutdown();
    }
  });
});

describe('a durable data directory', () => {
  it('picks up keys another process creates, keeps data across restarts, and shuts down gracefully', async () => {
    const first = await startServer({ graphOptions: { dataDir, shards: 1 }, port: 0, logger: silent, processMetrics: false });
    const events = Array.from({ length: 2000 }, (_, i) => ({ identifiers: { customer: `d-${i}` } }));
    expect((await call(first, 'POST', '/v1/tenants/shop-d/events', { body: { events } })).status).toBe(200);

    const key = createKeyInAnotherProcess('shop-d', 'secret');
    expect(key).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    // open until the server notices the key (within about a second), then the key is required
    expect(await eventually(async () => (await call(first, 'GET', '/v1/tenants/shop-d/resolve?customer=d-1')).status === 401)).toBe(true);
    expect((await call(first, 'GET', '/v1/tenants/shop-d/resolve?customer=d-1', { key })).status).toBe(200);

    // a request in flight when shutdown starts (half its body sent) is answered; the port is closed afterwards
    const body = Buffer.from(JSON.stringify({ events: events.map((e, i) => ({ ...e, id: `late-${i}` })) }));
    const half = body.length >> 1;
    const inFlight = postInTwoParts(`${first.url}/v1/tenants/shop-d/events`, key, body.subarray(0, half));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = first.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await inFlight.finish(body.subarray(half));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ accepted: 2000 });
    await stopping;
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    const second = await startServer({ graphOptions: { dataDir }, port: 0, logger: silent, processMetrics: false });
    try {
      expect((await call(second, 'GET', '/v1/tenants/shop-d/resolve?customer=d-1999', { key })).status).toBe(200);
      expect((await call(second, 'POST', '/v1/tenants/shop-d/events', { key, body: { id: 'late-0', identifiers: { customer: 'x' } } })).body)
        .toMatchObject({ accepted: 0, duplicates: 1 });
    } finally {
      await second.shutdown();
    }
  });
});
