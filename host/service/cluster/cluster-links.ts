// Link-token secrets shared by every node: a NATS KV bucket (tenant → secrets, current first),
// mirrored in memory. Any node signs links (after `ensure`), any owner verifies the tokens in the
// events it ingests. Rotation is a compare-and-set, so two nodes rotating at once both land.
import { randomBytes } from 'node:crypto';
import type { LinkSecret, LinkSecretStore } from '../../store/index.js';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import { RequestError } from '../../types.js';
import { KvMirror } from './kv-mirror.js';

export const LINK_BUCKET = 'pg-links';
/** As in the embedded store: 256-bit secrets with ids v1, v2, ... */
const SECRET_BYTES = 32;
const ID_PREFIX = 'v';

interface StoredSecret {
  id: string;
  key: string; // base64
  createdAt: number;
}

export class ClusterLinkSecrets implements LinkSecretStore {
  private constructor(private readonly mirror: KvMirror<StoredSecret[]>) {}

  static async open(conn: JetStreamConnection): Promise<ClusterLinkSecrets> {
    return new ClusterLinkSecrets(await KvMirror.open<StoredSecret[]>(conn, LINK_BUCKET));
  }

  /** Makes sure the tenant has a secret in the cluster (creating the first one once). */
  async ensure(tenant: string): Promise<void> {
    if (this.existingLinkSecrets(tenant).length > 0) return;
    await this.mirror.update(tenant, (current) => (current && current.length > 0 ? null : [newSecret(1)]));
  }

  async rotate(tenant: string): Promise<LinkSecret> {
    const next = await this.mirror.update(tenant, (current) => [newSecret((current?.length ?? 0) + 1), ...(current ?? [])]);
    return decode(next![0]);
  }

  /** Synchronous view for the facade: the secrets `ensure` made sure of. */
  linkSecrets(tenant: string): LinkSecret[] {
    const secrets = this.existingLinkSecrets(tenant);
    if (secrets.length === 0) throw new RequestError(503, 'link_secret_pending', 'the tenant\'s link secret is being created; retry', { retryAfterSeconds: 1 });
    return secrets;
  }

  existingLinkSecrets(tenant: string): LinkSecret[] {
    return (this.mirror.get(tenant) ?? []).map(decode);
  }

  /** KeyStore-style synchronous rotation cannot wait for the cluster: use `rotate`. */
  rotateLinkSecret(_tenant: string): LinkSecret {
    throw new Error('in cluster mode link secrets rotate through ClusterLinkSecrets.rotate');
  }

  close(): void {
    this.mirror.close();
  }
}

function newSecret(version: number): StoredSecret {
  return { id: `${ID_PREFIX}${version}`, key: randomBytes(SECRET_BYTES).toString('base64'), createdAt: Date.now() };
}

function decode(secret: StoredSecret): LinkSecret {
  return { id: secret.id, key: Buffer.from(secret.key, 'base64'), createdAt: secret.createdAt };
}
