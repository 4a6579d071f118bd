// Tenant settings shared by every node: a NATS KV bucket mirrored into memory (KvMirror), so the
// facade's synchronous `config()` can answer on any node. The log's config entries stay the
// source of truth for the graph engine; this bucket serves the settings the facade itself needs
// (normalization: default country, email canonicalization, block lists).
import { KvMirror } from './kv-mirror.js';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import type { TenantConfig, TenantConfigStore } from '../../store/index.js';

export const TENANT_CONFIG_BUCKET = 'pg-tenants';

export class TenantConfigs implements TenantConfigStore {
  private constructor(private readonly mirror: KvMirror<TenantConfig>) {}

  static async open(conn: JetStreamConnection): Promise<TenantConfigs> {
    return new TenantConfigs(await KvMirror.open<TenantConfig>(conn, TENANT_CONFIG_BUCKET));
  }

  getTenantConfig(tenant: string): TenantConfig | null {
    return this.mirror.get(tenant) ?? null;
  }

  /** The facade calls this after the owner already stored the config durably (see `save`). */
  putTenantConfig(tenant: string, config: TenantConfig): void {
    this.mirror.replaceLocally(tenant, config);
  }

  /** Stores the config in the bucket; resolves once JetStream acknowledged it. */
  async save(tenant: string, config: object): Promise<void> {
    await this.mirror.put(tenant, config as TenantConfig);
  }

  listTenants(): string[] {
    return this.mirror.keys().sort();
  }

  close(): void {
    this.mirror.close();
  }
}
