// An exclusive lock on a file, held by a SQLite connection for as long as it stays open. SQLite's
// lock is both an OS lock (fcntl on POSIX) that other processes see and the OS drops when the
// holder dies, however it dies, and an in-process lock table that every connection of this
// process sees, from any thread, so a second holder in the same process is refused too.
// Only SQLite may open the file while it is held: closing any other descriptor of it (fs.readFile)
// drops a POSIX lock of the whole process.
import Database from 'better-sqlite3';

/** Takes the lock on `file` (creating it); null if another connection, here or elsewhere, holds it. */
export function takeExclusiveFileLock(file: string): { release(): void } | null {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE'); // a transaction's locks are kept until the connection closes
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return null;
    throw error;
  }
  return { release: () => db.close() };
}
