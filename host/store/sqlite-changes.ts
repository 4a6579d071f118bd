// The changes feed: merges, splits and erasures, in log order, derived while entries are applied.
// Keyed by (log seq, position) so that replaying an entry during recovery records nothing twice.
// The table is created by schema version 2 (sqlite-schema.ts).
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite-database.js';
import type { ChangeRecord, ChangeStore } from './types.js';

/** Cursor = seq * CURSOR_SCALE + pos: one ordered integer per change. */
const CURSOR_SCALE = 1_000_000;

export class SqliteChangeStore implements ChangeStore {
  private readonly insertAll: Statement<[string, number, string]>;
  private readonly select: Statement<[string, number, number, number, number]>;
  private readonly selectLastSeqs: Statement<[], { tenant: string; seq: number }>;
  private readonly recordAllTransaction: (entries: { tenant: string; seq: number; changes: unknown[] }[]) => void;

  constructor(db: SqliteDatabase) {
    // one statement for all of an entry's changes: json_each yields each element's position and JSON text
    this.insertAll = db.prepare(`INSERT OR IGNORE INTO changes (tenant, seq, pos, change)
      SELECT ?, ?, key, CASE type WHEN 'object' THEN value WHEN 'array' THEN value WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
        ELSE json_quote(value) END
      FROM json_each(?)`);
    this.select = db.prepare(
      'SELECT seq, pos, change FROM changes WHERE tenant = ? AND (seq > ? OR (seq = ? AND pos > ?)) ORDER BY seq, pos LIMIT ?',
    );
    // A skip-scan of the primary key (tenant, seq, pos): one index search for each next tenant and
    // one for its highest seq, where GROUP BY would read every change (seconds at millions, on every start).
    this.selectLastSeqs = db.prepare<[], { tenant: string; seq: number }>(`WITH RECURSIVE tenants(tenant) AS (
        SELECT MIN(tenant) FROM changes
        UNION ALL
        SELECT (SELECT MIN(tenant) FROM changes WHERE tenant > tenants.tenant) FROM tenants WHERE tenants.tenant IS NOT NULL
      )
      SELECT tenant, (SELECT MAX(seq) FROM changes WHERE changes.tenant = tenants.tenant) AS seq FROM tenants WHERE tenant IS NOT NULL`);
    this.recordAllTransaction = db.transaction((entries: { tenant: string; seq: number; changes: unknown[] }[]) => {
      for (const { tenant, seq, changes } of entries) this.record(tenant, seq, changes);
    });
  }

  record(tenant: string, seq: number, changes: unknown[]): void {
    if (changes.length >= CURSOR_SCALE) throw new RangeError(`at most ${CURSOR_SCALE - 1} changes per log entry`);
    this.insertAll.run(tenant, seq, JSON.stringify(changes));
  }

  recordAll(entries: { tenant: string; seq: number; changes: unknown[] }[]): void {
    this.recordAllTransaction(entries);
  }

  lastSeqs(): Map<string, number> {
    return new Map(this.selectLastSeqs.all().map((row) => [row.tenant, row.seq]));
  }

  since(tenant: string, cursor: number, limit: number): ChangeRecord[] {
    const seq = Math.floor(cursor / CURSOR_SCALE);
    const pos = cursor % CURSOR_SCALE;
    const rows = this.select.all(tenant, seq, seq, pos, limit) as { seq: number; pos: number; change: string }[];
    return rows.map((row) => ({ cursor: row.seq * CURSOR_SCALE + row.pos, change: JSON.parse(row.change) }));
  }
}
