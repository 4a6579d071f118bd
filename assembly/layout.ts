// Memory layout of one shard. Every structure is a flat record in linear memory at a known offset;
// the host reads records directly with the same offsets (host/engine/layout.ts checks they agree).
// Nothing here is allocated through the AssemblyScript runtime.

// ---- identifier types (the contract's five, plus an internal key space for tenant names) ----
export const TYPE_EMAIL: u32 = 0;
export const TYPE_PHONE: u32 = 1;
export const TYPE_DEVICE: u32 = 2;
export const TYPE_CUSTOMER: u32 = 3;
export const TYPE_SUBSCRIBER: u32 = 4;
export const TYPE_COUNT: u32 = 5;
export const TYPE_TENANT: u32 = 15;

// ---- node: one identifier (tenant, type, normalized value) ----
// The union-find parent is not in the record: it lives in the dense parent column (HEADER_PARENTS),
// where a root's slot holds PARENT_ROOT | its persona record, so a find hop touches 4 bytes.
export const NODE_SIZE: u32 = 32;
export const NODE_FIRST_SEEN: u32 = 0; // f64 ms, event time
export const NODE_LAST_SEEN: u32 = 8; // f64 ms, event time
export const NODE_NEXT: u32 = 16; // next member in the persona's circular member ring
export const NODE_VALUE: u32 = 20; // arena offset of the value entry (see below)
export const NODE_FIRST_EDGE: u32 = 24; // head of the adjacency list (0 = none)
export const NODE_TENANT: u32 = 28; // u16: tenant records stop at 2^16 (TENANT_MAX_PAGES << TENANT_PAGE_SHIFT)
export const NODE_TYPE: u32 = 30; // u8
export const NODE_FLAGS: u32 = 31; // u8, NODE_FLAG_*
// NODE_VALUE: with NODE_FLAG_CREATED, the node's created record (see below), else the entry's arena offset.
// The value entry in the arena: u16 length, the value bytes, then, when the node has NODE_FLAG_DISPLAY,
// a u32 arena offset of the length-prefixed form an email was last typed in (0 = the value itself).
// The length and the display slot are there rather than in the node because only a hash hit and a
// read of the identifier need them; the slot is added (the entry written again) when a first display form comes.
export const VALUE_LEN_BYTES: u32 = 2;
export const DISPLAY_SLOT_BYTES: u32 = 4;
// Not stored: a node's person partners (shared detection) are counted from its adjacency list, and
// traversal marks live in a scratch table sized to the traversal (marks.ts).

// ---- parent column: u32 per node, indexed by node number ----
// A root's slot holds PARENT_ROOT and its persona: PARENT_VALUES | its values record for a persona of
// two or more members (the record names the founder), else the persona itself, its founder node
// (0 = none yet). So a union finds a persona's values with no read between the slot and the record.
export const PARENT_ROOT: u32 = 0x80000000;
export const PARENT_VALUES: u32 = 0x40000000;
export const PARENT_REF_MASK: u32 = 0x3FFFFFFF;
export const PARENT_INITIAL_CAPACITY: u32 = 1 << 14;

export const NODE_FLAG_FOUNDER: u8 = 1; // founded a persona: its persona id exists forever
export const NODE_FLAG_BLOCKED: u8 = 2; // junk value: interned but never links
export const NODE_FLAG_SHARED: u8 = 4; // seen with too many identities: stopped linking
export const NODE_FLAG_ERASED: u8 = 8; // erased for good (GDPR); a founder's value entry then holds its persona id (u64)
export const NODE_FLAG_DISPLAY: u8 = 16; // the value entry has a display slot
export const NODE_FLAG_ACTIVE: u8 = 32; // the persona this node founded is active
export const NODE_FLAG_CREATED: u8 = 64; // NODE_VALUE holds a created record, which holds the value entry's offset

// ---- personas: one per founding node, named by it ----
// A persona has no record of its own: it is its founder node (the number the host and the journal
// call a persona record). The node's flags say it founded (NODE_FLAG_FOUNDER) and whether the persona
// is active (NODE_FLAG_ACTIVE); its createdAt is the founder's first-seen, or its created record once
// that moved (NODE_FLAG_CREATED); an active persona's root is the founder's root, whose parent slot
// holds its values record when it has two or more members (a one-member persona's values follow from
// its one node: valuesFromNode). Members are the sum of the counts and the tenant is the founder's.
// The persona id is a hash of the founder's tenant and value (personaIdOf), recomputed when asked;
// it is also the founder's key in the identifier table, where recordById finds the founder. An
// erased founder keeps it in its zeroed value entry (NODE_FLAG_ERASED) and its slot, so an id once
// handed out always resolves.

// ---- created record: the createdAt of a founder's persona, once it is no longer the founder's first-seen ----
// A founder's first-seen is its persona's createdAt until an earlier-timed event moves it: touch()
// first keeps the old one in a created record, which NODE_VALUE then points to (NODE_FLAG_CREATED),
// so only the founders an out-of-order event reached pay for it. Never freed: createdAt is for ever.
export const CREATED_SIZE: u32 = 12;
export const CREATED_TIME: u32 = 0; // f64
export const CREATED_VALUE: u32 = 8; // u32: the arena offset of the node's value entry

// ---- values record: what a persona of two or more members carries; freed records are reused ----
export const VALUES_SIZE: u32 = 60;
export const VALUES_UPDATED: u32 = 0; // f64
export const VALUES_LATEST_EMAIL_TIME: u32 = 8; // f64
export const VALUES_LATEST_PHONE_TIME: u32 = 16; // f64
export const VALUES_COUNTS: u32 = 24; // u32 × TYPE_COUNT
export const VALUES_LATEST_EMAIL: u32 = 44;
export const VALUES_LATEST_PHONE: u32 = 48;
export const VALUES_DEGREE: u32 = 52; // evidence edge ends held by the members: bounds a re-cluster's work
export const VALUES_FOUNDER: u32 = 56; // u32: the persona (its founder node) in VALUES_FOUNDER_MASK, flags above
export const VALUES_FOUNDER_MASK: u32 = (1 << 26) - 1; // nodes stay below 2^26 (NODE_MAX_PAGES << NODE_PAGE_SHIFT)
export const VALUES_NEXT_FREE: u32 = 0; // u32, while on the free list

// joined through a device across two identities, or to a lone identifier (see mergePersonaValues):
// weighed again when it grows an address
export const VALUES_FLAG_BRIDGED: u32 = 0x80000000;

// ---- evidence edge: two identifiers seen together in an event ----
export const EDGE_SIZE: u32 = 40;
export const EDGE_A: u32 = 0;
export const EDGE_B: u32 = 4; // B's node in the low EDGE_NODE_BITS, then strength, last decision, cut (see below)
export const EDGE_NEXT_A: u32 = 8; // next edge in A's adjacency list
export const EDGE_NEXT_B: u32 = 12;
export const EDGE_SEQ_ITEM: u32 = 16; // u64: log sequence of the first event that linked the pair << EDGE_ITEM_BITS | its index in the entry
export const EDGE_TIME: u32 = 24; // f64: event time of that first event
export const EDGE_LAST_TIME: u32 = 32; // f64: latest event time the pair was seen together (sessions)

// the word at EDGE_B: node numbers stay below 2^26 (NODE_MAX_PAGES << NODE_PAGE_SHIFT), so its top
// bits hold the strongest evidence seen for the pair, the last rule decision and the cut flag
export const EDGE_NODE_BITS: u32 = 26;
export const EDGE_NODE_MASK: u32 = (1 << EDGE_NODE_BITS) - 1;
export const EDGE_STRENGTH_SHIFT: u32 = 26; // 2 bits
export const EDGE_STRENGTH_MASK: u32 = 3;
export const EDGE_DECISION_SHIFT: u32 = 28; // 3 bits
export const EDGE_DECISION_MASK: u32 = 7;
export const EDGE_CUT_BIT: u32 = 0x80000000; // cut by an operator's split: sticky
// a log sequence and an event index packed in one u64: seq below 2^40, item below 2^24 (checked on input)
export const EDGE_ITEM_BITS: u64 = 24;
export const MAX_EVENT_ITEM: u32 = (1 << 24) - 1;
export const MAX_LOG_SEQ: f64 = 1099511627775; // 2^40 - 1

export const STRENGTH_WEAK: u8 = 1; // link click, or a device beside typed values in an ordinary event
export const STRENGTH_MEDIUM: u8 = 2; // a device in an authenticated event; person identifiers in an ordinary one
export const STRENGTH_STRONG: u8 = 3; // person identifiers together in one authenticated event

export const DECISION_MERGED: u8 = 1;
export const DECISION_SAME: u8 = 2;
export const DECISION_REFUSED_LIMIT: u8 = 3;
export const DECISION_REFUSED_WEAK: u8 = 4;
export const DECISION_IGNORED: u8 = 5; // one end is blocked or shared
export const DECISION_CUT: u8 = 6; // cut by an operator's split
/** Internal to re-clustering (a union through a device across two identities or to a lone one, deferred): never left on an edge. */
export const DECISION_MERGED_BRIDGE: u8 = 7;

// ---- tenant record: per-tenant guardrail settings and counters ----
export const TENANT_SIZE: u32 = 64;
export const TENANT_NAME: u32 = 0; // arena offset
export const TENANT_NAME_LEN: u32 = 4;
export const TENANT_FLAGS: u32 = 8;
export const TENANT_LIMITS: u32 = 12; // u16 × TYPE_COUNT: max identifiers of a type in one persona
export const TENANT_SHARED_AT: u32 = 22; // u16 × TYPE_COUNT: most distinct identities an identifier may be seen with
export const TENANT_PERSONAS: u32 = 32; // active personas
export const TENANT_IDENTIFIERS: u32 = 36;
export const TENANT_MERGES: u32 = 40;
export const TENANT_REFUSED: u32 = 44;
export const TENANT_SPLITS: u32 = 48;
export const TENANT_EDGES: u32 = 52;
export const TENANT_SHARED: u32 = 56; // identifiers marked shared

export const TENANT_FLAG_GUARDRAILS: u32 = 1;

// ---- paged arrays: records never move, so readers may hold indices across growth ----
export const KIND_NODES: u32 = 0;
export const KIND_EDGES: u32 = 1;
export const KIND_TENANTS: u32 = 2;
export const KIND_ARENA: u32 = 3; // element = one byte
export const KIND_VALUES: u32 = 4;
export const KIND_CREATED: u32 = 5;
export const KIND_COUNT: u32 = 6;

// ---- shard header, at the base address ----
export const HEADER_MAGIC: u32 = 0;
export const HEADER_VERSION: u32 = 4;
export const HEADER_SEQLOCK: u32 = 8; // odd while a writer is inside a batch
export const HEADER_ERROR: u32 = 12; // last error code of a writer call
export const HEADER_APPLIED_SEQ: u32 = 16; // f64: log sequence covered by the state
export const HEADER_BUMP: u32 = 24; // first never-allocated byte
// 28: free (was the traversal stamp counter)
export const HEADER_IDENT_TABLE: u32 = 32; // hash table descriptor: identifiers by value, personas by id (records.ts identifierHash)
export const HEADER_EDGE_TABLE: u32 = 48;
// 64: free (was the persona-id table: the identifier table finds a persona by its id since layout 12)
export const HEADER_WORK: u32 = 80; // writer work buffer: ptr, capacity
export const HEADER_READERS: u32 = 88; // reader scratch: ptr of slot 0
export const HEADER_KINDS: u32 = 96; // per kind: count u32, element size u32, page shift u32, table ptr u32
export const KIND_DESCRIPTOR_SIZE: u32 = 16;
export const HEADER_FREE_COUNT: u32 = 192; // after KIND_COUNT kind descriptors
export const HEADER_FREE_LIST: u32 = 196; // FREE_MAX × (ptr, size), up to 708
export const FREE_MAX: u32 = 64;
export const HEADER_TEMP_VALUES: u32 = 712; // two scratch values records for one-member personas and unfounded nodes (2 × VALUES_SIZE, up to 832)
export const HEADER_EVENT_NODES: u32 = 896; // u32 × MAX_EVENT_IDENTIFIERS: nodes of the event being applied
export const HEADER_INBOX: u32 = 1152; // writer inbox: ptr, capacity
export const HEADER_JOURNAL: u32 = 1408; // ptr, capacity, count, overflowed: what changed, for the host's changes feed
export const HEADER_PARENTS: u32 = 1424; // parent column: ptr, capacity (slots); moves when it grows
export const HEADER_MARKS: u32 = 1432; // traversal marks: ptr, slots in the block, slots in use, count
export const HEADER_VALUES_FREE: u32 = 1448; // first values record on the free list (0 = none)
export const HEADER_PAGE_TABLES: u32 = 2048;
export const HEADER_SIZE: u32 = 131072; // room for the page tables below

export const MAGIC: u32 = 0x50475348; // "PGSH"
export const LAYOUT_VERSION: u32 = 12;

// hash table descriptor: ptr, capacity (any size: tables grow by half), count
export const TABLE_PTR: u32 = 0;
export const TABLE_CAPACITY: u32 = 4;
export const TABLE_COUNT: u32 = 8;

export const READER_SLOTS: u32 = 8;
export const READER_SLOT_BYTES: u32 = 65536;

// page geometry per kind: pages of 16k records keep an empty shard (and its snapshot) small, and
// the page tables reach as far as 4 GiB of memory can hold (67M nodes, 134M edges)
export const NODE_PAGE_SHIFT: u32 = 14;
export const EDGE_PAGE_SHIFT: u32 = 14;
export const TENANT_PAGE_SHIFT: u32 = 10;
export const ARENA_PAGE_SHIFT: u32 = 20;
export const VALUES_PAGE_SHIFT: u32 = 14;
export const CREATED_PAGE_SHIFT: u32 = 14;
export const NODE_MAX_PAGES: u32 = 4096;
export const EDGE_MAX_PAGES: u32 = 8192;
export const TENANT_MAX_PAGES: u32 = 64;
export const ARENA_MAX_PAGES: u32 = 4096;
export const VALUES_MAX_PAGES: u32 = 4096;
export const CREATED_MAX_PAGES: u32 = 4096;

// error codes reported through HEADER_ERROR and return values
export const OK: i32 = 0;
export const ERR_OUT_OF_MEMORY: i32 = -1; // the shard reached the 4 GiB WebAssembly limit
export const ERR_CAPACITY: i32 = -2; // a paged array reached its page-table size
export const ERR_BAD_INPUT: i32 = -3; // malformed operation buffer (host bug)
export const ERR_VALUE_TOO_LONG: i32 = -4;

export const MAX_VALUE_LEN: u32 = 1024;
export const MAX_EVENT_IDENTIFIERS: u32 = 64;

// journal entries: kind u32, persona record u32, other record u32
export const JOURNAL_ENTRY_SIZE: u32 = 12;
export const JOURNAL_MERGE: u32 = 1; // (survivor, absorbed)
export const JOURNAL_RECLUSTER_FROM: u32 = 2; // (record that was active before a re-cluster, 0)
export const JOURNAL_RECLUSTER_TO: u32 = 3; // (record active after it, 0)
export const JOURNAL_SHARED: u32 = 4; // (record of the persona, node marked shared)
export const JOURNAL_ERASE: u32 = 5; // (record the node belonged to, node)
export const WASM_PAGE: u32 = 65536;
