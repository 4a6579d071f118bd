// Opens the whole durability layer: the embedded database (log and side tables) plus snapshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store, StoreOptions } from './types.js';
import { IN_MEMORY, openDatabase } from './sqlite-database.js';
import { SqliteChangeStore } from './sqlite-changes.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteKeyStore } from './sqlite-keys.js';
import { SqliteTenantConfigStore } from './sqlite-tenant-config.js';
import { SqliteLinkSecretStore } from './sqlite-link-secrets.js';
import { SqliteClaimStore } from './sqlite-claims.js';
import { SqliteErasureStore } from './sqlite-erasure.js';
import { FileSnapshotStore } from './snapshot-files.js';
import { MemorySnapshotStore } from './memory-snapshots.js';

export * from './types.js';
export { SqliteEventLog } from './sqlite-event-log.js';
export { SqliteKeyStore } from './sqlite-keys.js';
export { SqliteTenantConfigStore } from './sqlite-tenant-config.js';
export { SqliteLinkSecretStore } from './sqlite-link-secrets.js';
export { SqliteClaimStore } from './sqlite-claims.js';
export { SqliteErasureStore } from './sqlite-erasure.js';
export { SqliteChangeStore } from './sqlite-changes.js';
export { FileSnapshotStore, DEFAULT_KEEP_SNAPSHOTS } from './snapshot-files.js';
export { MemorySnapshotStore } from './memory-snapshots.js';
export { openDatabase, DEFAULT_BUSY_TIMEOUT_MS } from './sqlite-database.js';
export { takeExclusiveFileLock } from './sqlite-lock.js';
export { TENANT_PATTERN } from './validate.js';

export const DATABASE_FILE = 'store.db';
export const SNAPSHOT_DIR = 'snapshots';

/**
 * Opens the store kept under `dataDir` (created if missing): `<dataDir>/store.db` and
 * `<dataDir>/snapshots/`. Each thread opens its own store on the same directory.
 * `null` opens a private in-memory store: an in-memory database and in-memory snapshots, all
 * gone on close, and not shared with any other thread or store.
 */
export function openStore(dataDir: string | null, options: StoreOptions = {}): Store {
  if (dataDir !== null && (typeof dataDir !== 'string' || dataDir.length === 0)) {
    throw new TypeError('dataDir must be a directory path, or null for an in-memory store');
  }
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  const snapshots =
    dataDir === null
      ? new MemorySnapshotStore(options.keepSnapshots)
      : new FileSnapshotStore(join(dataDir, SNAPSHOT_DIR), { keep: options.keepSnapshots, logger: options.logger });
  const db = openDatabase(dataDir === null ? IN_MEMORY : join(dataDir, DATABASE_FILE), options);
  const log = new SqliteEventLog(db);
  return {
    log,
    keys: new SqliteKeyStore(db),
    tenants: new SqliteTenantConfigStore(db),
    links: new SqliteLinkSecretStore(db),
    claims: new SqliteClaimStore(db),
    erasure: new SqliteErasureStore(db),
    changes: new SqliteChangeStore(db),
    snapshots,
    // Every sqlite part shares the log's connection; snapshots hold no open resources.
    close: () => log.close(),
  };
}
