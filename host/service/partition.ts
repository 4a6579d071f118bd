// Tenant → shard: a stable hash, so a tenant's graph and log entries always meet in one shard.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the tenant id's UTF-16 code units (tenant ids are ASCII by the contract). */
export function tenantHash(tenant: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < tenant.length; i++) {
    hash ^= tenant.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

export function shardOf(tenant: string, shards: number): number {
  return tenantHash(tenant) % shards;
}
