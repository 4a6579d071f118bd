// API keys shared by every node of a cluster: a NATS KV bucket (key id → {hash, tenant, role,
// dates}), mirrored in memory so each request's key check stays a local lookup. Only a SHA-256
// hash of each secret is stored, as in the embedded store. `create` and `revoke` resolve once
// JetStream acknowledged the change; every node sees it through its watch within milliseconds.
import { createHash, randomBytes } from 'node:crypto';
import { ANY_TENANT, KEY_ID_PREFIX, KEY_ROLES, type CreatedKey, type FoundKey, type KeyInfo, type KeyRole, type KeyStore } from '../../store/index.js';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import { requireNonEmptyString, requireTenant } from '../../store/validate.js';
import { KvMirror } from './kv-mirror.js';

export const KEY_BUCKET = 'pg-keys';
/** Same shapes as the embedded store's keys: 32 base64url secret characters, `key_` + 8. */
const SECRET_BYTES = 24;
const ID_BYTES = 6;
const MAX_PRESENTED_LENGTH = 256;

interface StoredKey extends KeyInfo {
  /** SHA-256 of the secret, hex. */
  hash: string;
}

export class ClusterKeyStore implements KeyStore {
  /** Active keys by hash, rebuilt when the mirror moved on. */
  private byHash = new Map<string, StoredKey>();
  private indexedVersion = -1;

  private constructor(private readonly mirror: KvMirror<StoredKey>) {}

  static async open(conn: JetStreamConnection): Promise<ClusterKeyStore> {
    return new ClusterKeyStore(await KvMirror.open<StoredKey>(conn, KEY_BUCKET));
  }

  /** Creates a key; the secret is returned once and only its hash is stored. */
  async create(tenant: string, role: KeyRole): Promise<CreatedKey> {
    if (!KEY_ROLES.includes(role)) throw new RangeError(`role must be one of ${KEY_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    if (!(role === 'admin' && tenant === ANY_TENANT)) requireTenant(tenant);
    const key = randomBytes(SECRET_BYTES).toString('base64url');
    const id = KEY_ID_PREFIX + randomBytes(ID_BYTES).toString('base64url');
    await this.mirror.put(id, { id, hash: hashKey(key), tenant, role, createdAt: Date.now(), revokedAt: null });
    return { id, key };
  }

  /** True when an active key with this id was revoked now. */
  async revoke(id: string): Promise<boolean> {
    requireNonEmptyString(id, 'key id');
    let revoked = false;
    await this.mirror.update(id, (current) => {
      if (!current || current.revokedAt !== null) return null;
      revoked = true;
      return { ...current, revokedAt: Date.now() };
    });
    return revoked;
  }

  /** KeyStore's synchronous create cannot wait for the cluster: use `create`. */
  createKey(_tenant: string, _role: KeyRole): CreatedKey {
    throw new Error('in cluster mode keys are created with `persona-graph keys create --log nats://…` (ClusterKeyStore.create)');
  }

  revokeKey(_id: string): boolean {
    throw new Error('in cluster mode keys are revoked with `persona-graph keys revoke KEY_ID --log nats://…` (ClusterKeyStore.revoke)');
  }

  listKeys(): KeyInfo[] {
    return this.mirror.values()
      .map(({ id, tenant, role, createdAt, revokedAt }) => ({ id, tenant, role, createdAt, revokedAt }))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  findKey(presented: string): FoundKey | null {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > MAX_PRESENTED_LENGTH) return null;
    if (this.indexedVersion !== this.mirror.version) {
      this.indexedVersion = this.mirror.version;
      this.byHash = new Map(this.mirror.values().filter((k) => k.revokedAt === null).map((k) => [k.hash, k]));
    }
    const found = this.byHash.get(hashKey(presented));
    return found ? { id: found.id, tenant: found.tenant, role: found.role } : null;
  }

  keyCount(): number {
    return this.mirror.values().filter((k) => k.revokedAt === null).length;
  }

  keysVersion(): number {
    return this.mirror.version;
  }

  close(): void {
    this.mirror.close();
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
