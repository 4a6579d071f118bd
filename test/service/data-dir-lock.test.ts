// One open PersonaGraph per data directory: a second one, in this thread, another thread or another
// process, would apply the same log to a separate graph and lose the other's writes.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonaGraph } from '../../host/index.js';

const FIXTURE = new URL('./fixtures/open-data-dir.mjs', import.meta.url);
const HOST = new URL('../../host/index.ts', import.meta.url).href;

/** Runs a child process that opens the directory, reports, and holds it until killed. */
function openInProcess(dataDir: string): { child: ReturnType<typeof spawn>; reply: Promise<string> } {
  const code = `import(${JSON.stringify(HOST)}).then(({ PersonaGraph }) => PersonaGraph.open({ dataDir: ${JSON.stringify(dataDir)}, shards: 1 }))
    .then(() => console.log('opened'), (error) => { console.log(error.message); process.exit(0); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const reply = new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { child, reply };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'pg-lock-'));

function openInWorker(dataDir: string): { worker: Worker; reply: Promise<{ opened: boolean; message?: string }> } {
  const worker = new Worker(FIXTURE, { workerData: { dataDir } });
  const reply = new Promise<{ opened: boolean; message?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, reply };
}

describe('data directory lock', () => {
  it('refuses a second open in the same thread, naming the directory, and allows it after close', async () => {
    const dataDir = tempDir();
    const first = await PersonaGraph.open({ dataDir, shards: 1 });
    try {
      await expect(PersonaGraph.open({ dataDir, shards: 1 })).rejects.toThrow(dataDir);
    } finally {
      await first.close();
    }
    const again = await PersonaGraph.open({ dataDir, shards: 1 });
    await again.close();
  });

  it('refuses a second open from another worker thread while the first is open', async () => {
    const dataDir = tempDir();
    const first = openInWorker(dataDir);
    expect(await first.reply).toEqual({ opened: true });
    const second = openInWorker(dataDir);
    try {
      const answer = await second.reply;
      expect(answer.opened).toBe(false);
      expect(answer.message).toContain(dataDir);
    } finally {
      const closed = new Promise((resolve) => first.worker.once('message', resolve));
      first.worker.postMessage('close');
      await closed;
      await Promise.all([first.worker.terminate(), second.worker.terminate()]);
    }
    // and the thread of this test can take it once the worker has closed its graph
    const after = await PersonaGraph.open({ dataDir, shards: 1 });
    await after.close();
  }, 60_000);

  it('refuses an open from another process, and takes over the lock once that process is killed', async () => {
    const dataDir = tempDir();
    const holder = openInProcess(dataDir);
    try {
      expect(await holder.reply).toBe('opened');
      await expect(PersonaGraph.open({ dataDir, shards: 1 })).rejects.toThrow(dataDir);
    } finally {
      const exited = new Promise((resolve) => holder.child.once('exit', resolve));
      holder.child.kill('SIGKILL');
      await exited;
    }
    const after = await PersonaGraph.open({ dataDir, shards: 1 });
    // and now the other way round: a process cannot open it while this one holds it
    const second = openInProcess(dataDir);
    try {
      expect(await second.reply).toContain(dataDir);
    } finally {
      second.child.kill('SIGKILL');
      await after.close();
    }
  }, 60_000);
});
