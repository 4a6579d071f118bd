// Tenant → shard or partition: one stable hash, so a tenant's graph, log entries and partition
// stream always meet in one place. Lives in the store layer because both the service's shards and
// the JetStream partitions map tenants with it.

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
