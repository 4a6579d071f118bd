// The embedded database's tables. `PRAGMA user_version` records which schema a file holds, so a
// later version can migrate it step by step.

export const SCHEMA_VERSION = 3;

export const SCHEMA_V1 = `
-- The ordered log. AUTOINCREMENT: a sequence is never reused, not even after pruning.
CREATE TABLE log (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT    NOT NULL,
  kind   TEXT    NOT NULL,
  at     INTEGER NOT NULL,
  items  TEXT    NOT NULL  -- JSON array of the kept item bodies
);
CREATE INDEX log_by_tenant ON log (tenant, seq);

-- Every item id accepted before schema 3 (later ones: event_ids); outlives the log rows so a
-- retried old event stays a duplicate.
CREATE TABLE idempotency (
  tenant TEXT NOT NULL,
  id     TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE api_keys (
  id         TEXT    PRIMARY KEY,
  hash       BLOB    NOT NULL UNIQUE,  -- SHA-256 of the secret; the secret itself is never stored
  tenant     TEXT    NOT NULL,
  role       TEXT    NOT NULL CHECK (role IN ('write', 'secret', 'admin')),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

-- Monotonic counters other processes poll, e.g. keys_version.
CREATE TABLE counters (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('keys_version', 0);

CREATE TABLE tenant_config (
  tenant     TEXT    PRIMARY KEY,
  config     TEXT    NOT NULL,  -- JSON object
  updated_at INTEGER NOT NULL
);

CREATE TABLE link_secrets (
  tenant     TEXT    NOT NULL,
  version    INTEGER NOT NULL,  -- 1, 2, ...: the highest is the current secret
  secret     BLOB    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, version)
);

CREATE TABLE campaign_claims (
  tenant   TEXT NOT NULL,
  campaign TEXT NOT NULL,
  id       TEXT NOT NULL,  -- one persona id or alias
  PRIMARY KEY (tenant, campaign, id)
) WITHOUT ROWID;

CREATE TABLE erasure_salts (
  tenant TEXT PRIMARY KEY,
  salt   BLOB NOT NULL
);

CREATE TABLE erased_values (
  tenant TEXT NOT NULL,
  type   TEXT NOT NULL,
  hash   TEXT NOT NULL,  -- salted hash of the erased value; the value itself is never stored
  PRIMARY KEY (tenant, type, hash)
) WITHOUT ROWID;
`;

/** Version 2: the changes feed (merges, splits, erasures), keyed by the log entry that made them. */
export const SCHEMA_V2 = `
CREATE TABLE changes (
  tenant TEXT    NOT NULL,
  seq    INTEGER NOT NULL,  -- the log entry whose application made the change
  pos    INTEGER NOT NULL,  -- its place among that entry's changes
  change TEXT    NOT NULL,  -- JSON
  PRIMARY KEY (tenant, seq, pos)
) WITHOUT ROWID;
`;

/**
 * Version 3: accepted item ids as one row per append (sequential writes), replacing the per-id
 * `idempotency` table for new ids; ids already in that table stay there and keep counting.
 */
export const SCHEMA_V3 = `
CREATE TABLE event_ids (
  seq    INTEGER PRIMARY KEY,  -- the log entry that accepted them; the row outlives its pruning
  tenant TEXT    NOT NULL,
  ids    TEXT    NOT NULL      -- JSON array of the entry's new item ids
);
CREATE INDEX event_ids_by_tenant ON event_ids (tenant, seq);
`;

/** Migration steps: MIGRATIONS[v] takes a database from version v to v + 1. */
export const MIGRATIONS: readonly string[] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3];
