// API keys. Only a SHA-256 hash of each secret is stored: the secrets are 192 random bits, so a
// plain fast hash suffices, and looking a key up by its hash leaves no timing channel to compare.
import { createHash, randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { ANY_TENANT, KEY_ID_PREFIX, KEY_ROLES } from './types.js';
import type { CreatedKey, FoundKey, KeyInfo, KeyRole, KeyStore } from './types.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { requireNonEmptyString, requireTenant } from './validate.js';

/** 24 random bytes = 32 base64url characters, all from [A-Za-z0-9_-]. */
const SECRET_BYTES = 24;
/** 6 random bytes = 8 base64url characters after the prefix. */
const ID_BYTES = 6;
/** Longer presented strings cannot be a key; skip hashing them. */
const MAX_PRESENTED_LENGTH = 256;

interface KeyRow {
  id: string;
  tenant: string;
  role: KeyRole;
  created_at: number;
  revoked_at: number | null;
}

export class SqliteKeyStore implements KeyStore {
  private readonly insertKey: Statement<[string, Buffer, string, string, number]>;
  private readonly selectAll: Statement<[], KeyRow>;
  private readonly revoke: Statement<[number, string]>;
  private readonly selectByHash: Statement<[Buffer], FoundKey>;
  private readonly countActive: Statement<[], number>;
  private readonly bumpVersion: Statement<[]>;
  private readonly selectVersion: Statement<[], number>;
  private readonly createTransaction: (tenant: string, role: KeyRole) => CreatedKey;
  private readonly revokeTransaction: (id: string) => boolean;

  constructor(db: SqliteDatabase) {
    this.insertKey = db.prepare('INSERT INTO api_keys (id, hash, tenant, role, created_at) VALUES (?, ?, ?, ?, ?)');
    this.selectAll = db.prepare('SELECT id, tenant, role, created_at, revoked_at FROM api_keys ORDER BY created_at, rowid');
    this.revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.selectByHash = db.prepare('SELECT id, tenant, role FROM api_keys WHERE hash = ? AND revoked_at IS NULL');
    this.countActive = db.prepare<[], number>('SELECT count(*) FROM api_keys WHERE revoked_at IS NULL').pluck();
    this.bumpVersion = db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'keys_version'");
    this.selectVersion = db.prepare<[], number>("SELECT value FROM counters WHERE name = 'keys_version'").pluck();
    // The version moves in the same transaction as the change, so a reader never sees one without the other.
    this.createTransaction = db.transaction((tenant: string, role: KeyRole) => {
      const key = randomBytes(SECRET_BYTES).toString('base64url');
      const id = KEY_ID_PREFIX + randomBytes(ID_BYTES).toString('base64url');
      this.insertKey.run(id, hashKey(key), tenant, role, Date.now());
      this.bumpVersion.run();
      return { id, key };
    }).immediate;
    this.revokeTransaction = db.transaction((id: string) => {
      const revoked = this.revoke.run(Date.now(), id).changes > 0;
      if (revoked) this.bumpVersion.run();
      return revoked;
    }).immediate;
  }

  createKey(tenant: string, role: KeyRole): CreatedKey {
    if (!KEY_ROLES.includes(role)) {
      throw new RangeError(`role must be one of ${KEY_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    }
    if (!(role === 'admin' && tenant === ANY_TENANT)) requireTenant(tenant);
    return this.createTransaction(tenant, role);
  }

  listKeys(): KeyInfo[] {
    return this.selectAll.all().map((row) => ({
      id: row.id,
      tenant: row.tenant,
      role: row.role,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    }));
  }

  revokeKey(id: string): boolean {
    requireNonEmptyString(id, 'key id');
    return this.revokeTransaction(id);
  }

  findKey(presented: string): FoundKey | null {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > MAX_PRESENTED_LENGTH) {
      return null;
    }
    return this.selectByHash.get(hashKey(presented)) ?? null;
  }

  keyCount(): number {
    return this.countActive.get() ?? 0;
  }

  keysVersion(): number {
    return this.selectVersion.get() ?? 0;
  }
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
