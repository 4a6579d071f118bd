// The durability layer's contracts. The graph sees only an ordered stream of log entries plus
// snapshots keyed by the sequence they cover; the embedded SQLite implementation and a future
// JetStream one (partitioned by tenant) both stand behind these interfaces. Every call is
// synchronous: the embedded database is, and callers run them inside worker threads anyway.

/** One item offered to the log; an item with an `id` is kept at most once per tenant. */
export interface LogItem {
  id?: string;
  /** Any JSON-serializable value. */
  body: unknown;
}

/**
 * Items whose bodies the caller has already serialized (the writer thread receives a batch as the
 * bytes the log stores): per item its id, the JSON array of the bodies as UTF-8, stored as it is
 * unless some items are duplicates, and the bodies, asked for only then (the caller may have to
 * parse them).
 */
export interface SerializedItems {
  ids: (string | undefined)[];
  bodies: () => unknown[];
  json: Uint8Array;
}

/** One append of a group: its items as objects, or already serialized. */
export interface GroupAppend {
  tenant: string;
  kind: string;
  items: LogItem[] | SerializedItems;
}

/** One durable log entry: the kept bodies of one `append` call. */
export interface LogEntry {
  seq: number;
  tenant: string;
  kind: string;
  items: unknown[];
  /** Append time, ms since the epoch. */
  at: number;
}

export interface AppendResult {
  /** Sequence of the new entry, or null when nothing was appended (no items, or all duplicates). */
  seq: number | null;
  /** Per input item: true when its id was already registered (earlier, or earlier in this call). */
  duplicate: boolean[];
}

export interface EventLog {
  /** Registers ids and appends the kept bodies as one entry; durable when it returns. */
  append(tenant: string, kind: string, items: LogItem[]): AppendResult;
  /**
   * Optional: several appends in one transaction (one sync for all), each its own entry; a failing
   * one is returned as its Error in place, the others are kept.
   */
  appendGroup?(appends: GroupAppend[]): (AppendResult | Error)[];
  /** Entries with seq > afterSeq, ascending, at most `limit`. */
  read(afterSeq: number, limit: number): LogEntry[];
  /** Same as `read`, restricted to one tenant. */
  readTenant(tenant: string, afterSeq: number, limit: number): LogEntry[];
  /** Highest sequence ever assigned (0 when none); never goes down, not even after pruning. */
  lastSeq(): number;
  /** Replaces the items of an existing entry (GDPR erase); throws when there is no such entry. */
  rewrite(seq: number, items: unknown[]): void;
  /** Drops entries with seq <= `seq` (a snapshot covers them); returns how many were removed. Ids stay registered. */
  pruneThrough(seq: number): number;
  /** Moves everything written so far into the main file and empties the write-ahead log (after an erasure). */
  checkpoint(): void;
  close(): void;
}

export type KeyRole = 'write' | 'secret' | 'admin';
export const KEY_ROLES: readonly KeyRole[] = ['write', 'secret', 'admin'];
/** The tenant of an admin key that may act on every tenant. */
export const ANY_TENANT = '*';
/** Every key id starts with it (ids are shown by `keys list`; secrets never are). */
export const KEY_ID_PREFIX = 'key_';

export interface CreatedKey {
  id: string;
  /** The secret itself: shown once, stored only as a hash. */
  key: string;
}

export interface KeyInfo {
  id: string;
  tenant: string;
  role: KeyRole;
  createdAt: number;
  revokedAt: number | null;
}

export interface FoundKey {
  id: string;
  tenant: string;
  role: KeyRole;
}

export interface KeyStore {
  createKey(tenant: string, role: KeyRole): CreatedKey;
  /** Every key ever created, revoked ones included, oldest first; never the secrets. */
  listKeys(): KeyInfo[];
  /** True when an active key with this id was revoked now. */
  revokeKey(id: string): boolean;
  /** The active key whose secret is `presented`, or null. */
  findKey(presented: string): FoundKey | null;
  /** Number of active (not revoked) keys. */
  keyCount(): number;
  /** Changes whenever any key is created or revoked, by any process sharing the store. */
  keysVersion(): number;
}

export type TenantConfig = Record<string, unknown>;

export interface TenantConfigStore {
  getTenantConfig(tenant: string): TenantConfig | null;
  putTenantConfig(tenant: string, config: TenantConfig): void;
  /** Tenants that have a stored config, sorted. */
  listTenants(): string[];
}

export interface LinkSecret {
  id: string;
  key: Buffer;
  createdAt: number;
}

export interface LinkSecretStore {
  /** The tenant's link-token secrets, current first; creates the first one on first use. */
  linkSecrets(tenant: string): LinkSecret[];
  /** The tenant's secrets, current first, without creating one (for verifying tokens). */
  existingLinkSecrets(tenant: string): LinkSecret[];
  /** Adds a new current secret, keeping the older ones for tokens already handed out. */
  rotateLinkSecret(tenant: string): LinkSecret;
}

export interface ClaimStore {
  /**
   * For each persona (all of its ids: current id and aliases), true when none of its ids was
   * claimed for this campaign before; every id is recorded either way. One atomic transaction.
   */
  claim(tenant: string, campaign: string, personaKeys: string[][]): boolean[];
}

export interface ErasureStore {
  recordErased(tenant: string, type: string, valueHashes: string[]): void;
  isErased(tenant: string, type: string, valueHash: string): boolean;
  /** Whether anything was ever erased for the tenant (lets replay skip the per-value check). */
  hasErased(tenant: string): boolean;
  /** Random per-tenant salt the caller hashes erased values with; created once. */
  erasedSalt(tenant: string): Buffer;
}

export interface ChangeRecord {
  /** Opaque, ordered: pass it back as `since` to get the changes after this one. */
  cursor: number;
  change: unknown;
}

export interface ChangeStore {
  /** Records the changes applying log entry `seq` made; idempotent per (tenant, seq). */
  record(tenant: string, seq: number, changes: unknown[]): void;
  /** Optional: several entries' changes recorded in one transaction (one sync of the database for all). */
  recordAll?(entries: { tenant: string; seq: number; changes: unknown[] }[]): void;
  /** Per tenant, the highest log sequence a change was recorded for: replay up to it records nothing new. */
  lastSeqs(): Map<string, number>;
  /** Changes after `cursor` (0: from the start), oldest first, at most `limit`. */
  since(tenant: string, cursor: number, limit: number): ChangeRecord[];
}

export interface SnapshotInfo {
  shard: number;
  seq: number;
  /** Body length in bytes. */
  size: number;
}

export interface LoadedSnapshot {
  seq: number;
  bytes: Buffer;
}

/** A snapshot read into a caller's buffer: the seq it covers and its body's length. */
export interface ReadSnapshot {
  seq: number;
  length: number;
}

export interface SnapshotStore {
  /** Stores the shard's bytes as covering the log through `seq`; keeps only the newest few. */
  save(shard: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): void;
  /** The newest snapshot that verifies, skipping damaged ones, or null. */
  loadNewest(shard: number): LoadedSnapshot | null;
  /**
   * The same, read straight into the first `length` bytes of the buffer `into(length)` returns
   * (e.g. a shard's memory) instead of a buffer of its own: no second copy of a large snapshot.
   * `into` is called again for an older snapshot when a newer one turns out damaged.
   */
  loadNewestInto(shard: number, into: (length: number) => Uint8Array): ReadSnapshot | null;
  /** Stored snapshots of the shard, newest first (not verified). */
  list(shard: number): SnapshotInfo[];
  /** Deletes the shard's snapshots older than `seq` (after an erasure: none may keep erased values). */
  dropOlder(shard: number, seq: number): void;
}

export type Logger = (message: string) => void;

/** 'full' survives power loss; 'normal' survives a process crash only. */
export type Durability = 'full' | 'normal';

export interface StoreOptions {
  durability?: Durability;
  /** How long a writer waits for another connection's write lock before failing. */
  busyTimeoutMs?: number;
  /** Snapshots kept per shard. */
  keepSnapshots?: number;
  /** Receives warnings such as a damaged snapshot being skipped. */
  logger?: Logger;
}

/** Everything the durability layer offers, opened together. */
export interface Store {
  log: EventLog;
  keys: KeyStore;
  tenants: TenantConfigStore;
  links: LinkSecretStore;
  claims: ClaimStore;
  erasure: ErasureStore;
  changes: ChangeStore;
  snapshots: SnapshotStore;
  /** Closes every part; the store is unusable afterwards. */
  close(): void;
}
