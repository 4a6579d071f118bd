// The machine's floor for a restart, measured in a fresh Node process so that no memory is recycled:
// shared WebAssembly memory (as a shard's) as large as each shard's newest snapshot file, one worker
// thread per shard as the server has, either touched page by page (one write per 4 KiB: the
// first-touch page faults alone) or filled by reading the snapshot file into it (faults, the copy
// from the page cache and the system calls). Timed from spawn to exit, Node's own start included.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FileSnapshotStore, SNAPSHOT_DIR } from '../../host/store/index.js';
import { snapshotFileName } from '../../host/store/snapshot-files.js';

/** The newest snapshot file of each shard under `<dataDir>/snapshots`, with its body's size in bytes. */
export function newestSnapshotFiles(dataDir: string): { path: string; bytes: number }[] {
  const dir = join(dataDir, SNAPSHOT_DIR);
  const store = new FileSnapshotStore(dir);
  const files: { path: string; bytes: number }[] = [];
  // shards are numbered from 0, and every one of them has a snapshot once the server has closed
  for (let shard = 0; ; shard++) {
    const [newest] = store.list(shard);
    if (newest === undefined) return files;
    files.push({ path: join(dir, snapshotFileName(shard, newest.seq)), bytes: newest.size });
  }
}

/** One shard's part, in a worker thread: fresh shared memory of `bytes`, grown as Shard.memoryFor grows it, then touched or read into. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { mode, path, bytes } = workerData;
const WASM_PAGE = 65536, OS_PAGE = 4096, READ_CHUNK = 1 << 20;
const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
if (bytes > WASM_PAGE) memory.grow(Math.ceil(bytes / WASM_PAGE) - 1);
const target = new Uint8Array(memory.buffer, 0, bytes);
if (mode === 'touch') {
  for (let at = 0; at < bytes; at += OS_PAGE) target[at] = 1;
} else {
  const fd = openSync(path, 'r');
  for (let at = 0; at < bytes; ) {
    const read = readSync(fd, target, at, Math.min(READ_CHUNK, bytes - at), at);
    if (read === 0) break;
    at += read;
  }
  closeSync(fd);
}
parentPort.postMessage(0);
`;

const MAIN_SOURCE = `
import { Worker } from 'node:worker_threads';
const { mode, files } = JSON.parse(process.env.PG_MEMORY_FLOOR);
await Promise.all(files.map((file) => new Promise((resolve, reject) => {
  const worker = new Worker(${JSON.stringify(WORKER_SOURCE)}, { eval: true, execArgv: [], workerData: { mode, ...file } });
  worker.once('message', resolve);
  worker.once('error', reject);
})));
process.exit(0);
`;

/**
 * Seconds from spawning a fresh `node` to its exit after it has `touch`ed (or `read` into) fresh
 * shared memory as large as each of `files`, all files in parallel threads.
 */
export function memoryFloorSeconds(mode: 'touch' | 'read', files: { path: string; bytes: number }[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', MAIN_SOURCE], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PG_MEMORY_FLOOR: JSON.stringify({ mode, files }) },
  });
  let errors = '';
  child.stderr.on('data', (data: Buffer) => (errors += data.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`memory floor (${mode}) exited with ${code}: ${errors}`));
    });
  });
}
