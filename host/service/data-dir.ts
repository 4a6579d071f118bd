// A data directory belongs to one running PersonaGraph at a time: two processes applying the same
// log to separate in-memory graphs would each miss the other's writes.
import { closeSync, openSync, readFileSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type KeyStore } from '../store/index.js';

const LOCK_FILE = 'LOCK';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock (taking over a stale one); returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
        throw new Error(`data directory ${dataDir} is in use by process ${owner} (stop it first, or use another --data)`);
      }
      rmSync(path, { force: true }); // left by a process that died
    }
  }
  throw new Error(`cannot lock data directory ${dataDir}`);
}

/** The API keys of a data directory, without opening the graph (the CLI's `keys` commands). */
export function openKeyStore(dataDir: string): { keys: KeyStore; close(): void } {
  const store = openStore(dataDir);
  return { keys: store.keys, close: () => store.close() };
}
