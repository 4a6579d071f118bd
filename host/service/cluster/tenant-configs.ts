// Tenant settings shared by every node: a NATS KV bucket, mirrored into memory by a watch so the
// facade's synchronous `config()` can answer on any node. The log's config entries stay the
// source of truth for the graph engine; this bucket serves the settings the facade itself needs
// (normalization: default country, email canonicalization, block lists).
import type { KV } from '@nats-io/kv';
import { openBucket, STARTUP_RETRY_MS } from './kv-mirror.js';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import { retryWithin } from '../../store/jetstream-retry.js';
import type { TenantConfig, TenantConfigStore } from '../../store/index.js';

export const TENANT_CONFIG_BUCKET = 'pg-tenants';

export class TenantConfigs implements TenantConfigStore {
  private readonly cache = new Map<string, { revision: number; config: TenantConfig }>();
  private stopWatch: (() => void) | undefined;

  private constructor(private readonly kv: KV) {}

  static async open(conn: JetStreamConnection): Promise<TenantConfigs> {
    const kv = await openBucket(conn, TENANT_CONFIG_BUCKET);
    const configs = new TenantConfigs(kv);
    await configs.load();
    return configs;
  }

  /** Reads every stored config, then follows changes made by any node. */
  private async load(): Promise<void> {
    const watch = await retryWithin(STARTUP_RETRY_MS, () => this.kv.watch());
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT') this.remember(entry.key, entry.revision, entry.json<TenantConfig>());
      }
    })();
    const keys: string[] = [];
    for await (const key of await retryWithin(STARTUP_RETRY_MS, () => this.kv.keys())) keys.push(key);
    await Promise.all(keys.map(async (key) => {
      const entry = await retryWithin(STARTUP_RETRY_MS, () => this.kv.get(key));
      if (entry?.operation === 'PUT') this.remember(key, entry.revision, entry.json<TenantConfig>());
    }));
  }

  private remember(tenant: string, revision: number, config: TenantConfig): void {
    const known = this.cache.get(tenant);
    if (!known || known.revision < revision) this.cache.set(tenant, { revision, config });
  }

  getTenantConfig(tenant: string): TenantConfig | null {
    return this.cache.get(tenant)?.config ?? null;
  }

  /** The facade calls this after the owner already stored the config durably (see `save`). */
  putTenantConfig(tenant: string, config: TenantConfig): void {
    const known = this.cache.get(tenant);
    this.cache.set(tenant, { revision: known?.revision ?? 0, config });
  }

  /** Stores the config in the bucket; resolves once JetStream acknowledged it. */
  async save(tenant: string, config: object): Promise<void> {
    const revision = await this.kv.put(tenant, JSON.stringify(config));
    this.remember(tenant, revision, config as TenantConfig);
  }

  listTenants(): string[] {
    return [...this.cache.keys()].sort();
  }

  close(): void {
    this.stopWatch?.();
  }
}
