import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { HEADER_SIZE, crcOfChunks, encodeHeader } from '../../host/store/snapshot-format.js';

/** The shard header's magic ("PGSH", u32 LE) and the snapshot file header's fields (see snapshot-format.ts). */
const SHARD_MAGIC_BYTES = Buffer.from([0x48, 0x53, 0x47, 0x50]);
const UINT32_BYTES = 4;
const SHARD_OFFSET = 8;
const SEQ_OFFSET = 16;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-durability-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the ingest child until it acknowledged at least `minAcks` batches, then SIGKILLs it. */
function ingestUntilKilled(dataDir: string, tenant: string, minAcks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/ingest-forever.ts'), dataDir, tenant], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let acks = 0;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('ack ')) continue;
        acked.push(...line.slice(4).split(','));
        if (++acks === minAcks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

describe('durability', () => {
  it('keeps every acknowledged event across SIGKILL, none applied twice', async () => {
    const dataDir = tempDir();
    const acked = await ingestUntilKilled(dataDir, 'shop-a', 12);
    expect(acked.length).toBeGreaterThanOrEqual(600);
    const graph = await PersonaGraph.open({ dataDir });
    try {
      const ids = acked.map((id) => Number(id.slice(3)));
      const personas = await graph.resolve('shop-a', ids.map((n) => ({ type: 'customer' as const, value: `c-${n}` })));
      expect(personas.every((p) => p !== null)).toBe(true);
      // replaying the acknowledged events again must find every one of them already there
      const again = await graph.ingest('shop-a', ids.map((n) => ({ id: `ev-${n}`, identifiers: { customer: `c-${n}` } })));
      expect(again).toMatchObject({ accepted: 0, duplicates: ids.length });
      // applied once: customers and emails are each counted once
      const stats = await graph.stats('shop-a');
      const maxId = Math.max(...ids);
      expect(stats!.identifiers).toBeGreaterThanOrEqual(ids.length + Math.min(997, ids.length));
      expect(stats!.identifiers).toBeLessThanOrEqual(maxId + 1 + 997 + 100); // at most one unacked batch more
    } finally {
      await graph.close();
    }
  }, 120_000);

  it('skips a damaged snapshot and still recovers everything from the log', async () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    let graph = await PersonaGraph.open({ dataDir, shards: 1 });
    await graph.ingest('shop-a', [{ id: 'a', type: 'login', identifiers: { email: 'anna@mail.bg', customer: 'c-a' } }]);
    await graph.close(); // writes a snapshot
    graph = await PersonaGraph.open({ dataDir });
    await graph.ingest('shop-a', [{ id: 'b', type: 'login', identifiers: { email: 'boris@mail.bg', customer: 'c-a' } }]);
    await graph.close(); // a second, newer snapshot
    const snapshots = readdirSync(join(dataDir, 'snapshots')).filter((f) => !f.includes('tmp')).sort();
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    const newest = join(dataDir, 'snapshots', snapshots[snapshots.length - 1]);
    const bytes = readFileSync(newest);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(newest, bytes);
    graph = await PersonaGraph.open({ dataDir });
    try {
      const [a, b] = await graph.resolve('shop-a', [{ type: 'email', value: 'anna@mail.bg' }, { type: 'email', value: 'boris@mail.bg' }]);
      expect(a).not.toBeNull();
      expect(b).toBe(a);
    } finally {
      await graph.close();
    }
    void warnings;
  });

  it('after an upgrade of the core layout, skips the old snapshot and rebuilds from the log; refuses when the log was pruned', async () => {
    const dataDir = tempDir();
    let graph = await PersonaGraph.open({ dataDir, shards: 1 });
    await graph.ingest('shop-a', [{ id: 'a', type: 'login', identifiers: { email: 'anna@mail.bg', customer: 'c-a' } }]);
    await graph.close(); // writes a snapshot
    const rewriteAsOtherLayout = () => {
      const dir = join(dataDir, 'snapshots');
      for (const name of readdirSync(dir).filter((f) => f.endsWith('.snap'))) {
        const path = join(dir, name);
        const file = readFileSync(path);
        const body = Buffer.from(file.subarray(HEADER_SIZE));
        const header = body.indexOf(SHARD_MAGIC_BYTES);
        body.writeUInt32LE(body.readUInt32LE(header + UINT32_BYTES) - 1, header + UINT32_BYTES); // the layout version
        const seq = Number(file.readBigUInt64LE(SEQ_OFFSET));
        writeFileSync(path, Buffer.concat([encodeHeader({ shard: file.readUInt32LE(SHARD_OFFSET), seq, length: body.length, bodyCrc: crcOfChunks([body]) }), body]));
      }
    };
    rewriteAsOtherLayout();
    graph = await PersonaGraph.open({ dataDir });
    try {
      expect(await graph.resolve('shop-a', [{ type: 'customer', value: 'c-a' }])).toEqual(await graph.resolve('shop-a', [{ type: 'email', value: 'anna@mail.bg' }]));
      expect((await graph.resolve('shop-a', [{ type: 'customer', value: 'c-a' }]))[0]).not.toBeNull();
      await graph.snapshot();
      expect((await graph.compact()).entries).toBeGreaterThan(0); // the log before the snapshot is gone
    } finally {
      await graph.close();
    }
    rewriteAsOtherLayout();
    await expect(PersonaGraph.open({ dataDir })).rejects.toThrow(/core layout .* pruned/);
  });

  it('rebuilds the same graph from the log whether or not it restarted in between', async () => {
    const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 40 }, (_, i) => ({
      id: `e-${b}-${i}`, type: i % 3 === 0 ? 'page' : 'login', timestamp: new Date(1_700_000_000_000 + (b * 40 + i) * 7919 % 100_000_000).toISOString(),
      identifiers: { device: `00000000-0000-4000-8000-${String((b * 7 + i) % 50).padStart(12, '0')}`, customer: `c-${(b * 13 + i) % 60}` },
    })));
    const once = tempDir();
    const twice = tempDir();
    let graph = await PersonaGraph.open({ dataDir: once, shards: 1 });
    for (const batch of batches) await graph.ingest('shop-a', batch);
    await graph.close();
    graph = await PersonaGraph.open({ dataDir: twice, shards: 1 });
    for (const batch of batches.slice(0, 3)) await graph.ingest('shop-a', batch);
    await graph.close();
    graph = await PersonaGraph.open({ dataDir: twice, shards: 1 });
    for (const batch of batches.slice(3)) await graph.ingest('shop-a', batch);
    await graph.close();
    const newest = (dir: string) => {
      const files = readdirSync(join(dir, 'snapshots')).filter((f) => !f.includes('tmp')).sort();
      return readFileSync(join(dir, 'snapshots', files[files.length - 1]));
    };
    expect(newest(twice).equals(newest(once))).toBe(true);
  });
});

describe('log compaction', () => {
  it('prunes only what every shard\'s oldest kept snapshot covers, and recovery still finds everything', async () => {
    const dataDir = tempDir();
    let graph = await PersonaGraph.open({ dataDir, shards: 2, snapshotIntervalMs: 0 });
    const tenants = ['shop-a', 'shop-b', 'shop-c', 'shop-d'];
    for (let round = 0; round < 3; round++) {
      for (const tenant of tenants) {
        await graph.ingest(tenant, Array.from({ length: 20 }, (_, i) => ({ id: `${round}-${i}`, type: 'login', identifiers: { customer: `c-${round}-${i}`, email: `p${round}x${i}@mail.bg` } })));
      }
      await graph.snapshot();
    }
    const { prunedThrough, entries } = await graph.compact();
    expect(prunedThrough).toBeGreaterThan(0);
    expect(entries).toBeGreaterThan(0);
    await graph.close();
    graph = await PersonaGraph.open({ dataDir });
    try {
      for (const tenant of tenants) {
        const ids = await graph.resolve(tenant, Array.from({ length: 3 * 20 }, (_, k) => ({ type: 'customer' as const, value: `c-${Math.floor(k / 20)}-${k % 20}` })));
        expect(ids.every((id) => id !== null)).toBe(true);
      }
      // pruned events stay duplicates
      expect(await graph.ingest('shop-a', [{ id: '0-0', identifiers: { customer: 'other' } }])).toMatchObject({ duplicates: 1 });
    } finally {
      await graph.close();
    }
  });
});
