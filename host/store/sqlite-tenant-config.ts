// Per-tenant settings, stored as one JSON object per tenant. What the settings mean is the
// service's business; the store only keeps the latest object.
import type { Statement } from 'better-sqlite3';
import type { TenantConfig, TenantConfigStore } from './types.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { requireTenant, toJson } from './validate.js';

export class SqliteTenantConfigStore implements TenantConfigStore {
  private readonly selectConfig: Statement<[string], string>;
  private readonly upsertConfig: Statement<[string, string, number]>;
  private readonly selectTenants: Statement<[], string>;

  constructor(db: SqliteDatabase) {
    this.selectConfig = db.prepare<[string], string>('SELECT config FROM tenant_config WHERE tenant = ?').pluck();
    this.upsertConfig = db.prepare(
      `INSERT INTO tenant_config (tenant, config, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (tenant) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
    );
    this.selectTenants = db.prepare<[], string>('SELECT tenant FROM tenant_config ORDER BY tenant').pluck();
  }

  getTenantConfig(tenant: string): TenantConfig | null {
    requireTenant(tenant);
    const json = this.selectConfig.get(tenant);
    return json === undefined ? null : (JSON.parse(json) as TenantConfig);
  }

  putTenantConfig(tenant: string, config: TenantConfig): void {
    requireTenant(tenant);
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new TypeError('tenant config must be a plain JSON object');
    }
    this.upsertConfig.run(tenant, toJson(config, 'tenant config'), Date.now());
  }

  listTenants(): string[] {
    return this.selectTenants.all();
  }
}
