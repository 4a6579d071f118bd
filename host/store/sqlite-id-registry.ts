// The item ids a tenant has accepted (idempotency), exact, and cheap to extend. Each append's new
// ids are written as one row keyed by the append's log seq (a sequential write), instead of one
// row per id in a B-tree keyed by the id: random keys dirtied a page per id and cost ~7-15 µs per
// event in WAL writes. Lookups go through an in-memory fingerprint table per tenant, loaded on
// first use; a fingerprint hit is confirmed against the row it points to, so a collision never
// turns a new event into a duplicate. Rows written by other connections are picked up at the
// start of every append (inside its write transaction), so several connections stay exact.
import type { Statement } from 'better-sqlite3';
import { FingerprintTable } from '../util/fingerprint-table.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Table value of an id registered in the per-id table of schema versions 1-2. */
const LEGACY = 0;

interface IdRow {
  seq: number;
  tenant: string;
  ids: string;
}

export class SqliteIdRegistry {
  private readonly tables = new Map<string, FingerprintTable>();
  /** Highest event_ids seq this connection has taken into its loaded tables. */
  private seenThrough: number;
  /**
   * Highest seq this connection wrote in the write transaction under way (0: none yet). While the
   * write lock is held, every row after seenThrough is one of these, already in the tables.
   */
  private writtenThrough = 0;
  /** Rows read to confirm a hit during one append (a retried batch hits the same row over and over). */
  private readonly confirmRows = new Map<number, { tenant: string; ids: Set<string> } | null>();
  private readonly selectAfter: Statement<[number], IdRow>;
  private readonly selectTenant: Statement<[string], Omit<IdRow, 'tenant'>>;
  private readonly selectRow: Statement<[number], Omit<IdRow, 'seq'>>;
  private readonly selectLegacyTenant: Statement<[string], string>;
  private readonly selectLegacy: Statement<[string, string], number>;
  private readonly insertRow: Statement<[number, string, string]>;

  constructor(db: SqliteDatabase) {
    this.selectAfter = db.prepare('SELECT seq, tenant, ids FROM event_ids WHERE seq > ? ORDER BY seq');
    this.selectTenant = db.prepare('SELECT seq, ids FROM event_ids WHERE tenant = ?');
    this.selectRow = db.prepare('SELECT tenant, ids FROM event_ids WHERE seq = ?');
    this.selectLegacyTenant = db.prepare<[string], string>('SELECT id FROM idempotency WHERE tenant = ?').pluck();
    this.selectLegacy = db.prepare<[string, string], number>('SELECT 1 FROM idempotency WHERE tenant = ? AND id = ?').pluck();
    this.insertRow = db.prepare('INSERT INTO event_ids (seq, tenant, ids) VALUES (?, ?, ?)');
    this.seenThrough = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM event_ids').pluck().get() ?? 0;
  }

  /** Before each write transaction: rows a rolled-back one wrote are gone, their seqs may be reused by others. */
  beginTransaction(): void {
    this.writtenThrough = 0;
  }

  /**
   * Inside the append's write transaction: per id, whether it was registered before (or appears
   * earlier in `ids`). Undefined ids are never duplicates.
   */
  duplicates(tenant: string, ids: readonly (string | undefined)[]): boolean[] {
    this.catchUp();
    this.confirmRows.clear();
    const table = this.tableOf(tenant);
    const inCall = new Set<string>();
    const duplicate = new Array<boolean>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === undefined) {
        duplicate[i] = false;
        continue;
      }
      const seen = inCall.has(id) || this.registered(tenant, table, id);
      duplicate[i] = seen;
      if (!seen) inCall.add(id);
    }
    return duplicate;
  }

  /** Inside the same transaction: stores the append's new ids under its log seq. */
  write(tenant: string, seq: number, newIds: string[]): void {
    if (newIds.length === 0) return;
    this.insertRow.run(seq, tenant, JSON.stringify(newIds));
    this.remember(tenant, seq, newIds);
    // a later append of this transaction need not read this row back (catchUp): its ids are remembered
    this.writtenThrough = seq;
  }

  /**
   * Inside the same transaction, once the row is written: the new ids join the in-memory table, so
   * a later append of the same transaction sees them. Should the transaction roll back, their
   * entries point at a row that does not hold them, and confirmation ignores them.
   */
  remember(tenant: string, seq: number, newIds: string[]): void {
    const table = this.tables.get(tenant);
    if (table) for (const id of newIds) table.add(id, seq);
  }

  /** After the transaction committed: rows through `seq` are this connection's own, nothing to catch up on. */
  committed(seq: number): void {
    if (seq > this.seenThrough) this.seenThrough = seq;
  }

  private registered(tenant: string, table: FingerprintTable, id: string): boolean {
    const candidates = table.candidates(id);
    for (const where of candidates) {
      if (where === LEGACY ? this.selectLegacy.get(tenant, id) !== undefined : this.rowHolds(where, tenant, id)) return true;
    }
    return false;
  }

  private rowHolds(seq: number, tenant: string, id: string): boolean {
    let row = this.confirmRows.get(seq);
    if (row === undefined) {
      const stored = this.selectRow.get(seq);
      row = stored ? { tenant: stored.tenant, ids: new Set(JSON.parse(stored.ids) as string[]) } : null;
      this.confirmRows.set(seq, row);
    }
    return row !== null && row.tenant === tenant && row.ids.has(id);
  }

  /** Rows other connections wrote since this one last looked (none after this transaction's own). */
  private catchUp(): void {
    for (const row of this.selectAfter.iterate(Math.max(this.seenThrough, this.writtenThrough))) {
      const table = this.tables.get(row.tenant);
      if (table) for (const id of JSON.parse(row.ids) as string[]) table.add(id, row.seq);
      this.seenThrough = row.seq;
    }
  }

  private tableOf(tenant: string): FingerprintTable {
    let table = this.tables.get(tenant);
    if (!table) {
      table = new FingerprintTable();
      for (const id of this.selectLegacyTenant.iterate(tenant)) table.add(id, LEGACY);
      for (const row of this.selectTenant.iterate(tenant)) for (const id of JSON.parse(row.ids) as string[]) table.add(id, row.seq);
      this.tables.set(tenant, table);
    }
    return table;
  }
}
