// Opens one connection to the store's database file. Every thread opens its own connection to
// the same file; WAL lets readers run beside the one writer, and the busy timeout makes a second
// writer wait for the lock instead of failing.
import Database from 'better-sqlite3';
import type { Durability } from './types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema.js';

export type SqliteDatabase = Database.Database;

export const IN_MEMORY = ':memory:';
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/**
 * Page cache per connection. Writes append (log, event ids, changes: keys ascending), so a small
 * cache holds their working set, and every writer thread's connection fills its cache to the cap:
 * 600k appended events took 110 MB of RSS with 64 MiB, 58 MB with 16 MiB (8 MiB: 44 MB but ~6 %
 * slower appends). Stores from before schema 3 still probe their per-id idempotency index at
 * random, which wants the large cache.
 */
const PAGE_CACHE_KIB = 16 * 1024;
const LEGACY_IDEMPOTENCY_PAGE_CACHE_KIB = 64 * 1024;
/**
 * Pages the WAL may hold before a commit copies them back into the database (SQLite's default
 * is 1,000). A page rewritten by several commits is copied back once per checkpoint: with the
 * per-id idempotency index of schema 1-2, a 1,000-event append into a store holding 200k random ids
 * went from ~44 ms to ~21 ms (p50). Costs up to ~40 MB of WAL on disk.
 */
const WAL_AUTOCHECKPOINT_PAGES = 10_000;

export interface DatabaseOptions {
  durability?: Durability;
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) the database at `file`, or a private in-memory one for ':memory:'. */
export function openDatabase(file: string, options: DatabaseOptions = {}): SqliteDatabase {
  const durability = options.durability ?? 'full';
  if (durability !== 'full' && durability !== 'normal') {
    throw new RangeError(`durability must be 'full' or 'normal', got ${JSON.stringify(durability)}`);
  }
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  try {
    if (file !== IN_MEMORY) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`could not switch ${file} to WAL mode (journal_mode is ${String(mode)})`);
    }
    // In WAL mode FULL syncs the log on every commit; NORMAL only at checkpoints.
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    // erased values must not linger in freed pages of the file (GDPR erase)
    db.pragma('secure_delete = ON');
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    migrate(db, file);
    const legacyIds = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM idempotency)').pluck().get() === 1;
    db.pragma(`cache_size = -${legacyIds ? LEGACY_IDEMPOTENCY_PAGE_CACHE_KIB : PAGE_CACHE_KIB}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Brings the file's schema up to SCHEMA_VERSION; safe when several connections race to do it. */
function migrate(db: SqliteDatabase, file: string): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`${file} holds store schema ${version}, newer than this program's ${SCHEMA_VERSION}`);
    }
    for (let step = version; step < SCHEMA_VERSION; step++) db.exec(MIGRATIONS[step]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
