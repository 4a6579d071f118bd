// The ordered, durable event log over the embedded database. An append is one write transaction:
// find the duplicate item ids, store the kept bodies as one row and the new ids as one row; the
// commit (synced per the durability setting) has happened when append returns.
import type { Statement } from 'better-sqlite3';
import type { AppendResult, EventLog, GroupAppend, LogEntry, LogItem } from './types.js';
import { prepareItems, prepareSerialized, type PreparedItems, type PreparedSerialized } from './log-items.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { SqliteIdRegistry } from './sqlite-id-registry.js';
import {
  requireArray,
  requireNonEmptyString,
  requirePositiveInt,
  requireSeq,
  requireTenant,
  toJson,
} from './validate.js';

/** Items ready to store: their bodies' JSON as text, or as UTF-8 bytes serialized by the caller. */
type StoredItems = PreparedItems | PreparedSerialized;

interface LogRow {
  seq: number;
  tenant: string;
  kind: string;
  at: number;
  items: string;
}

/**
 * The checked input of one append. The bodies are serialized together before the transaction
 * (one JSON.stringify call is ~2x faster than one per item, and a bad body then writes nothing).
 */
export class SqliteEventLog implements EventLog {
  private readonly ids: SqliteIdRegistry;
  private readonly insertEntry: Statement<[string, string, number, string | Uint8Array]>;
  private readonly selectAfter: Statement<[number, number], LogRow>;
  private readonly selectTenantAfter: Statement<[string, number, number], LogRow>;
  private readonly selectLastSeq: Statement<[], number>;
  private readonly updateItems: Statement<[string, number]>;
  private readonly deleteThrough: Statement<[number]>;
  private readonly appendTransaction: (tenant: string, kind: string, input: StoredItems) => AppendResult;
  private readonly groupTransaction: (appends: (PreparedAppend | Error)[]) => (AppendResult | Error)[];

  /** Uses `db` (opened by openDatabase); `close()` closes it. */
  constructor(private readonly db: SqliteDatabase) {
    this.ids = new SqliteIdRegistry(db);
    // CAST: items given as UTF-8 bytes are stored as the text they are (SQLite would keep a blob a blob)
    this.insertEntry = db.prepare('INSERT INTO log (tenant, kind, at, items) VALUES (?, ?, ?, CAST(? AS TEXT))');
    this.selectAfter = db.prepare('SELECT seq, tenant, kind, at, items FROM log WHERE seq > ? ORDER BY seq LIMIT ?');
    this.selectTenantAfter = db.prepare(
      'SELECT seq, tenant, kind, at, items FROM log WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.selectLastSeq = db.prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'log'").pluck();
    this.updateItems = db.prepare('UPDATE log SET items = ? WHERE seq = ?');
    this.deleteThrough = db.prepare('DELETE FROM log WHERE seq <= ?');
    // IMMEDIATE: take the write lock up front, so a concurrent writer waits (busy timeout)
    // instead of failing when its read would have to be upgraded to a write.
    this.appendTransaction = db.transaction((tenant: string, kind: string, input: StoredItems) =>
      this.appendLocked(tenant, kind, input),
    ).immediate;
    // Inside the group's transaction each append is a savepoint: a failing one is undone alone.
    const nested = db.transaction((tenant: string, kind: string, input: StoredItems) => this.appendLocked(tenant, kind, input));
    this.groupTransaction = db.transaction((appends: (PreparedAppend | Error)[]) => appends.map((append) => {
      if (append instanceof Error) return append;
      try {
        return nested(append.tenant, append.kind, append.input);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    })).immediate;
  }

  append(tenant: string, kind: string, items: LogItem[]): AppendResult {
    requireTenant(tenant);
    requireNonEmptyString(kind, 'kind');
    requireArray(items, 'items');
    if (items.length === 0) return { seq: null, duplicate: [] };
    const input = prepareItems(items);
    this.ids.beginTransaction();
    const result = this.appendTransaction(tenant, kind, input);
    if (result.seq !== null) this.ids.committed(result.seq);
    return result;
  }

  /**
   * Several appends in one transaction, so one sync of the log covers them all; each is its own
   * entry, and one that fails (bad argument or body) is reported in its place without undoing the others.
   * Items given already serialized are stored as their bytes, unless some are duplicates.
   */
  appendGroup(appends: GroupAppend[]): (AppendResult | Error)[] {
    requireArray(appends, 'appends');
    const prepared = appends.map((append): PreparedAppend | Error => {
      try {
        requireTenant(append.tenant);
        requireNonEmptyString(append.kind, 'kind');
        const { items } = append;
        if (Array.isArray(items)) return { tenant: append.tenant, kind: append.kind, input: prepareItems(items) };
        if (typeof items !== 'object' || items === null) throw new TypeError('items must be an array or serialized items');
        return { tenant: append.tenant, kind: append.kind, input: prepareSerialized(items) };
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
    this.ids.beginTransaction();
    const results = this.groupTransaction(prepared);
    for (const result of results) if (!(result instanceof Error) && result.seq !== null) this.ids.committed(result.seq);
    return results;
  }

  read(afterSeq: number, limit: number): LogEntry[] {
    requireSeq(afterSeq, 'afterSeq');
    requirePositiveInt(limit, 'limit');
    return this.selectAfter.all(afterSeq, limit).map(toEntry);
  }

  readTenant(tenant: string, afterSeq: number, limit: number): LogEntry[] {
    requireTenant(tenant);
    requireSeq(afterSeq, 'afterSeq');
    requirePositiveInt(limit, 'limit');
    return this.selectTenantAfter.all(tenant, afterSeq, limit).map(toEntry);
  }

  lastSeq(): number {
    return this.selectLastSeq.get() ?? 0;
  }

  rewrite(seq: number, items: unknown[]): void {
    requireSeq(seq, 'seq');
    requireArray(items, 'items');
    const json = toJson(items, 'items');
    if (this.updateItems.run(json, seq).changes === 0) {
      throw new RangeError(`no log entry with seq ${seq} (never appended, or pruned)`);
    }
  }

  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  pruneThrough(seq: number): number {
    requireSeq(seq, 'seq');
    return this.deleteThrough.run(seq).changes;
  }

  close(): void {
    this.db.close();
  }

  private appendLocked(tenant: string, kind: string, { ids, bodies, bodiesJson }: StoredItems): AppendResult {
    const duplicate = this.ids.duplicates(tenant, ids);
    const newIds: string[] = [];
    let duplicates = 0;
    for (let i = 0; i < ids.length; i++) {
      if (duplicate[i]) duplicates++;
      else if (ids[i] !== undefined) newIds.push(ids[i] as string);
    }
    if (duplicates === ids.length) return { seq: null, duplicate };
    const itemsJson = duplicates === 0 ? bodiesJson : JSON.stringify((typeof bodies === 'function' ? bodies() : bodies).filter((_, i) => !duplicate[i]));
    const seq = Number(this.insertEntry.run(tenant, kind, Date.now(), itemsJson).lastInsertRowid);
    this.ids.write(tenant, seq, newIds);
    return { seq, duplicate };
  }
}

interface PreparedAppend {
  tenant: string;
  kind: string;
  input: StoredItems;
}

/**
 * An entry whose items are parsed when first read: recovery reads every shard's entries but applies
 * only its own, so the others' JSON is never parsed.
 */
function toEntry(row: LogRow): LogEntry {
  let items: unknown[] | undefined;
  return {
    seq: row.seq, tenant: row.tenant, kind: row.kind, at: row.at,
    get items() {
      return (items ??= JSON.parse(row.items) as unknown[]);
    },
  };
}
