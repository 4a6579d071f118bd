// A data directory belongs to one open PersonaGraph at a time: two graphs applying the same log
// to separate in-memory graphs would each miss the other's writes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, takeExclusiveFileLock, type KeyStore } from '../store/index.js';

/**
 * Never deleted: a process could otherwise lock a file that another has just unlinked while a
 * third creates and locks a new one. (Versions before the lock database used a text file `LOCK`.)
 */
const LOCK_FILE = 'LOCK.db';

/**
 * Takes the directory's lock for one open graph; returns the function that releases it. A second
 * open of the directory, in this thread, another thread or another process, fails until then; the
 * lock of a process that died is gone with it.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = takeExclusiveFileLock(join(dataDir, LOCK_FILE));
  if (!lock) {
    throw new Error(`data directory ${dataDir} is already open (by this or another process): close that PersonaGraph or stop that process first, or use another --data`);
  }
  return () => lock.release();
}

/** The API keys of a data directory, without opening the graph (the CLI's `keys` commands). */
export function openKeyStore(dataDir: string): { keys: KeyStore; close(): void } {
  const store = openStore(dataDir);
  return { keys: store.keys, close: () => store.close() };
}
