// GDPR erasure records: salted hashes of erased identifier values, so replay and ingest can
// refuse them without the store ever holding the values themselves.
import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { ErasureStore } from './types.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { requireArray, requireNonEmptyString, requireTenant } from './validate.js';

const SALT_BYTES = 32;

export class SqliteErasureStore implements ErasureStore {
  private readonly insertErased: Statement<[string, string, string]>;
  private readonly selectErased: Statement<[string, string, string], number>;
  private readonly countErased: Statement<[string], number>;
  private readonly insertSalt: Statement<[string, Buffer]>;
  private readonly selectSalt: Statement<[string], Buffer>;
  private readonly recordTransaction: (tenant: string, type: string, valueHashes: string[]) => void;

  constructor(db: SqliteDatabase) {
    this.insertErased = db.prepare('INSERT OR IGNORE INTO erased_values (tenant, type, hash) VALUES (?, ?, ?)');
    this.selectErased = db
      .prepare<[string, string, string], number>('SELECT 1 FROM erased_values WHERE tenant = ? AND type = ? AND hash = ?')
      .pluck();
    this.countErased = db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM erased_values WHERE tenant = ?)').pluck();
    // OR IGNORE: the first salt ever written for a tenant wins, also across racing connections.
    this.insertSalt = db.prepare('INSERT OR IGNORE INTO erasure_salts (tenant, salt) VALUES (?, ?)');
    this.selectSalt = db.prepare<[string], Buffer>('SELECT salt FROM erasure_salts WHERE tenant = ?').pluck();
    this.recordTransaction = db.transaction((tenant: string, type: string, valueHashes: string[]) => {
      for (const hash of valueHashes) this.insertErased.run(tenant, type, hash);
    }).immediate;
  }

  recordErased(tenant: string, type: string, valueHashes: string[]): void {
    requireTenant(tenant);
    requireNonEmptyString(type, 'type');
    requireArray(valueHashes, 'valueHashes');
    valueHashes.forEach((hash, i) => requireNonEmptyString(hash, `valueHashes[${i}]`));
    this.recordTransaction(tenant, type, valueHashes);
  }

  isErased(tenant: string, type: string, valueHash: string): boolean {
    requireTenant(tenant);
    requireNonEmptyString(type, 'type');
    requireNonEmptyString(valueHash, 'valueHash');
    return this.selectErased.get(tenant, type, valueHash) !== undefined;
  }

  hasErased(tenant: string): boolean {
    requireTenant(tenant);
    return this.countErased.get(tenant) === 1;
  }

  erasedSalt(tenant: string): Buffer {
    requireTenant(tenant);
    const existing = this.selectSalt.get(tenant);
    if (existing !== undefined) return existing;
    this.insertSalt.run(tenant, randomBytes(SALT_BYTES));
    return this.selectSalt.get(tenant)!;
  }
}
