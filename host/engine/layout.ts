// Record layouts of the WASM core (assembly/layout.ts), for reading records in place.
// `checkLayout` compares the sizes the core exports with these at load time.

export const TYPE_CODES = { email: 0, phone: 1, device: 2, customer: 3, subscriber: 4 } as const;
export const TYPE_NAMES = ['email', 'phone', 'device', 'customer', 'subscriber'] as const;
export const TYPE_COUNT = 5;

/**
 * The union-find parent and a root's persona live in the core's parent column, not here;
 * person partners are counted from the adjacency list (core export nodePartners). TENANT is a u16.
 * VALUE leads to the value entry (core export nodeValueEntry: with NODE_FLAG.CREATED through the
 * record keeping the createdAt of the persona the node founded): u16 length, the bytes, then with
 * NODE_FLAG.DISPLAY a u32 arena offset of the length-prefixed display form (0 = none).
 */
export const NODE = {
  SIZE: 32, FIRST_SEEN: 0, LAST_SEEN: 8, NEXT: 16, VALUE: 20, FIRST_EDGE: 24, TENANT: 28, TYPE: 30, FLAGS: 31,
} as const;
export const NODE_FLAG = { FOUNDER: 1, BLOCKED: 2, SHARED: 4, ERASED: 8, DISPLAY: 16, ACTIVE: 32, CREATED: 64 } as const;
/** Length prefix of a value entry and of a display form in the arena. */
export const ARENA_LENGTH_BYTES = 2;

/**
 * A persona has no record of its own: its "record" number is its founder node, whose flags say it is
 * active (NODE_FLAG.ACTIVE). Its values are in a values record (VALUES; core export personaValues)
 * when it has two or more members; a one-member persona's values follow from its founder node.
 * createdAt (core export personaCreated), members (sum of the counts), tenant (the founder's), root
 * (the founder's, while active) and id (a hash of the founder's tenant and value: core export
 * personaId) are derived, not stored.
 */
export const VALUES = {
  SIZE: 60, UPDATED: 0, LATEST_EMAIL_TIME: 8, LATEST_PHONE_TIME: 16, COUNTS: 24, LATEST_EMAIL: 44, LATEST_PHONE: 48,
} as const;

/**
 * The word at B holds B's node in its low NODE_BITS, then the strength (2 bits), the last decision
 * (3 bits) and the cut flag (top bit); SEQ_ITEM is a u64: seq << ITEM_BITS | item.
 */
export const EDGE = {
  SIZE: 40, A: 0, B: 4, NEXT_A: 8, NEXT_B: 12, SEQ_ITEM: 16, TIME: 24, LAST_TIME: 32,
  NODE_BITS: 26, STRENGTH_SHIFT: 26, STRENGTH_MASK: 3, DECISION_SHIFT: 28, DECISION_MASK: 7, CUT_SHIFT: 31, ITEM_BITS: 24,
} as const;
/** An edge keeps its first event's seq and item in one u64: seq below 2^40, item below 2^24. */
export const MAX_LOG_SEQ = 2 ** 40 - 1;
export const MAX_EVENT_ITEM = 2 ** EDGE.ITEM_BITS - 1;
export const STRENGTH_NAMES = ['none', 'weak', 'medium', 'strong'] as const;
export const DECISION_NAMES = ['pending', 'merged', 'same', 'refused_limit', 'refused_weak', 'ignored', 'cut'] as const;

export const TENANT = {
  SIZE: 64, NAME: 0, NAME_LEN: 4, FLAGS: 8, LIMITS: 12, SHARED_AT: 22, PERSONAS: 32, IDENTIFIERS: 36,
  MERGES: 40, REFUSED: 44, SPLITS: 48, EDGES: 52, SHARED: 56,
} as const;
export const TENANT_FLAG_GUARDRAILS = 1;

export const HEADER = { MAGIC: 0, VERSION: 4, SEQLOCK: 8, ERROR: 12, APPLIED_SEQ: 16, BUMP: 24, READERS: 88 } as const;
/** "PGSH" at the header of every shard, and the layout version it was written with. */
export const SHARD_MAGIC = 0x50475348;
export const LAYOUT_VERSION = 12;

export const JOURNAL = { ENTRY_SIZE: 12, MERGE: 1, RECLUSTER_FROM: 2, RECLUSTER_TO: 3, SHARED: 4, ERASE: 5 } as const;

/** What an event proves, by class (assembly/ingest.ts EVENT_CLASS_*): see host/service/events.ts. */
export const EVENT_CLASS = { click: 0, ordinary: 1, authenticated: 2 } as const;
export type EventEvidence = keyof typeof EVENT_CLASS;
export const ID_FLAG_BLOCKED = 1;
export const MAX_EVENT_IDENTIFIERS = 64;
export const MAX_VALUE_BYTES = 1024;

export const ERRORS: Record<number, string> = {
  [-1]: 'the shard memory is full (it reached its maximum size: the 4 GiB WebAssembly limit unless set lower); nothing was changed',
  [-2]: 'a shard table reached its maximum size',
  [-3]: 'malformed operation buffer',
  [-4]: 'identifier value too long',
};

export interface CoreSizes {
  NODE_SIZE: number; EDGE_SIZE: number; TENANT_SIZE: number; VALUES_SIZE: number;
}

export function checkLayout(sizes: CoreSizes): void {
  const expected: CoreSizes = {
    NODE_SIZE: NODE.SIZE, EDGE_SIZE: EDGE.SIZE, TENANT_SIZE: TENANT.SIZE, VALUES_SIZE: VALUES.SIZE,
  };
  for (const key of Object.keys(expected) as (keyof CoreSizes)[]) {
    if (sizes[key] !== expected[key]) {
      throw new Error(`core layout mismatch: ${key} is ${sizes[key]} in the WASM core, ${expected[key]} in host/engine/layout.ts`);
    }
  }
}
