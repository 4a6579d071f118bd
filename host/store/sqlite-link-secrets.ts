// Per-tenant secrets for HMAC link tokens. Rotation adds a new current secret and keeps the old
// ones, so tokens already sent out keep verifying.
import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { LinkSecret, LinkSecretStore } from './types.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { requireTenant } from './validate.js';

/** 256 bits: SHA-256's output size, the key length RFC 2104 recommends for HMAC-SHA256. */
const SECRET_BYTES = 32;
const FIRST_VERSION = 1;
/** Ids are `v1`, `v2`, ...: short, since a token carries the id of the secret that signed it. */
const ID_PREFIX = 'v';

interface SecretRow {
  version: number;
  secret: Buffer;
  created_at: number;
}

export class SqliteLinkSecretStore implements LinkSecretStore {
  private readonly insertFirst: Statement<[string, number, Buffer, number]>;
  private readonly insertNext: Statement<[string, Buffer, number, string]>;
  private readonly selectSecrets: Statement<[string], SecretRow>;
  private readonly rotateTransaction: (tenant: string) => LinkSecret;

  constructor(db: SqliteDatabase) {
    // OR IGNORE: when two connections create the first secret at once, one wins and both read it.
    this.insertFirst = db.prepare(
      'INSERT OR IGNORE INTO link_secrets (tenant, version, secret, created_at) VALUES (?, ?, ?, ?)',
    );
    this.insertNext = db.prepare(
      `INSERT INTO link_secrets (tenant, version, secret, created_at)
       SELECT ?, coalesce(max(version), 0) + 1, ?, ? FROM link_secrets WHERE tenant = ?`,
    );
    this.selectSecrets = db.prepare(
      'SELECT version, secret, created_at FROM link_secrets WHERE tenant = ? ORDER BY version DESC',
    );
    this.rotateTransaction = db.transaction((tenant: string) => {
      this.insertNext.run(tenant, randomBytes(SECRET_BYTES), Date.now(), tenant);
      return toSecret(this.selectSecrets.get(tenant)!);
    }).immediate;
  }

  linkSecrets(tenant: string): LinkSecret[] {
    requireTenant(tenant);
    let rows = this.selectSecrets.all(tenant);
    if (rows.length === 0) {
      this.insertFirst.run(tenant, FIRST_VERSION, randomBytes(SECRET_BYTES), Date.now());
      rows = this.selectSecrets.all(tenant);
    }
    return rows.map(toSecret);
  }

  existingLinkSecrets(tenant: string): LinkSecret[] {
    requireTenant(tenant);
    return this.selectSecrets.all(tenant).map(toSecret);
  }

  rotateLinkSecret(tenant: string): LinkSecret {
    requireTenant(tenant);
    return this.rotateTransaction(tenant);
  }
}

function toSecret(row: SecretRow): LinkSecret {
  return { id: `${ID_PREFIX}${row.version}`, key: row.secret, createdAt: row.created_at };
}
