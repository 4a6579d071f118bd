// A shard: one shared WebAssembly.Memory holding the identity graphs of many tenants, and this
// thread's instance of the core over it. One thread writes at a time; readers on other threads use
// the seqlock (`readVersion`) to detect a read that overlapped a write.
import { BoundedCache } from '../util/bounded-cache.js';
import { createShardMemory, instantiateCore, WASM_PAGE_BYTES, type CoreConstants, type CoreExports } from './core.js';
import {
  NODE, NODE_FLAG, VALUES, EDGE, TENANT, TENANT_FLAG_GUARDRAILS, HEADER, JOURNAL,
  TYPE_COUNT, TYPE_CODES, ERRORS, EVENT_CLASS, MAX_LOG_SEQ, MAX_EVENT_ITEM, MAX_EVENT_IDENTIFIERS, MAX_VALUE_BYTES, SHARD_MAGIC, LAYOUT_VERSION,
  ARENA_LENGTH_BYTES,
} from './layout.js';
import { encodeEvents, encodedSizeBound, encodeKeys, setBatchTenant, type EncodedEvent, type EncodedKey } from './codec.js';

export type { EncodedEvent, EncodedIdentifier, EncodedKey } from './codec.js';

export interface TenantSettings {
  guardrails: boolean;
  /** Max identifiers of each type (by type code) in one persona; 0 = no limit. */
  limits: number[];
  /** Distinct linked person identifiers at which an identifier of each type counts as shared; 0 = never. */
  sharedAt: number[];
}

export interface NodeView {
  node: number;
  tenant: number;
  type: number;
  value: string;
  /** The form an email was last typed in, when it differs from the matching form. */
  display: string | null;
  flags: number;
  firstSeen: number;
  lastSeen: number;
  partners: number;
}

export interface PersonaRecordView {
  record: number;
  id: string;
  active: boolean;
  founder: number;
  /** Root node while active (0 when retired). */
  root: number;
  tenant: number;
  createdAt: number;
  updatedAt: number;
  members: number;
  counts: number[];
  latestEmail: number;
  latestPhone: number;
}

export interface EdgeView {
  edge: number;
  a: number;
  b: number;
  seq: number;
  item: number;
  time: number;
  /** Latest event time the pair was seen together. */
  lastTime: number;
  strength: number;
  decision: number;
  cut: boolean;
}

export interface TenantStats {
  personas: number; identifiers: number; merges: number; refused: number; splits: number; edges: number; shared: number;
}

/** `overflow`: the shard was too full to record every change of the call (the graph itself is right). */
export type JournalKind = 'merge' | 'recluster_from' | 'recluster_to' | 'shared' | 'erase' | 'overflow';
export interface JournalEntry { kind: JournalKind; a: number; b: number }
const JOURNAL_KINDS: Record<number, JournalKind> = {
  [JOURNAL.MERGE]: 'merge', [JOURNAL.RECLUSTER_FROM]: 'recluster_from', [JOURNAL.RECLUSTER_TO]: 'recluster_to',
  [JOURNAL.SHARED]: 'shared', [JOURNAL.ERASE]: 'erase',
};

/** The structures assembly/footprint.ts measures, in the order it writes them. */
export const FOOTPRINT_NAMES = [
  'nodes', 'edges', 'tenants', 'arena', 'values', 'created', 'identifierTable', 'edgeTable',
  'header', 'readerSlots', 'workBuffer', 'inbox', 'journal', 'freeList', 'parents', 'marks',
] as const;
export type FootprintName = (typeof FOOTPRINT_NAMES)[number];

export class ShardError extends Error {
  constructor(readonly code: number, what: string) {
    super(`${what}: ${ERRORS[code] ?? `core error ${code}`}`);
    this.name = 'ShardError';
  }
}

/**
 * Snapshot bytes written by a core of another memory layout: not damage, but unreadable by this
 * core. Recovery should skip such a snapshot (with a warning) and rebuild from the log instead.
 */
export class SnapshotLayoutError extends Error {
  constructor(readonly found: number, readonly expected: number) {
    super(`snapshot has shard layout ${found}; this core reads layout ${expected}: skip it and replay the log`);
    this.name = 'SnapshotLayoutError';
  }
}

export interface ShardOptions {
  /** Cap on the shard's memory in 64 KiB pages (default and most: 65,536 = 4 GiB); for tests of a full shard. */
  maximumPages?: number;
}

/** Settings limits and thresholds are stored as u16. */
const MAX_SETTING = 0xffff;
/** A read that keeps overlapping writes waits this long for the writer before looking again. */
const READ_RETRY_WAIT_MS = 1;

const PERSONA_ID_PREFIX = 'psn_';
const PERSONA_ID_CACHE_SIZE = 200_000;
const PERSONA_ID_PATTERN = /^psn_([0-9a-f]{8})([0-9a-f]{8})$/;
const UINT32_BYTES = 4;

export class Shard {
  readonly memory: WebAssembly.Memory;
  private readonly core: CoreExports;
  private readonly constants: CoreConstants;
  private readonly headerAddress: number;
  private bytes!: Buffer;
  private view!: DataView;
  private words!: Int32Array;
  private readonly tenantIndex = new Map<string, number>();
  private readonly personaIds = new BoundedCache<number, string>(PERSONA_ID_CACHE_SIZE);

  private constructor(memory: WebAssembly.Memory, private readonly readerSlot: number) {
    this.memory = memory;
    const { exports, constants } = instantiateCore(memory);
    this.core = exports;
    this.constants = constants;
    this.headerAddress = exports.headerAddress();
    this.refreshViews();
  }

  /** A new, empty shard in fresh memory (this thread becomes its writer). */
  static create(options: ShardOptions = {}): Shard {
    const shard = new Shard(createShardMemory(options.maximumPages), 0);
    const status = shard.core.initShard();
    if (status !== 0) throw new ShardError(status, 'cannot lay out a new shard');
    shard.refreshViews();
    return shard;
  }

  /** This thread's view of an existing shard memory; `readerSlot` must be unique per thread. */
  static attach(memory: WebAssembly.Memory, readerSlot = 0): Shard {
    const shard = new Shard(memory, readerSlot);
    if (!Number.isInteger(readerSlot) || readerSlot < 0 || readerSlot >= shard.constants.READER_SLOTS) {
      throw new RangeError(`readerSlot must be an integer in 0..${shard.constants.READER_SLOTS - 1}`);
    }
    shard.checkHeader('memory');
    shard.core.initShard(); // installs this instance's hooks; the layout already exists
    return shard;
  }

  /** Memory can grow under us (another thread's write): re-wrap views when it did. */
  private refreshViews(): void {
    const buffer = this.memory.buffer;
    if (this.bytes && this.bytes.length === buffer.byteLength) return;
    this.bytes = Buffer.from(buffer);
    this.view = new DataView(buffer);
    this.words = new Int32Array(buffer);
  }

  private ensureViews(end: number): void {
    if (end > this.bytes.length) this.refreshViews();
  }

  // ---- reading ----

  /**
   * Runs `read` until it ran entirely between two writes, and returns its result: for readers on
   * other threads than the writer. A read that overlapped a write may have seen a torn state, so
   * its result, or any error it threw, is discarded and the read runs again once the write ended.
   * `read` must only read (every read method of Shard qualifies).
   */
  readConsistent<T>(read: () => T): T {
    for (;;) {
      const before = this.readVersion();
      if ((before & 1) === 1) {
        Atomics.wait(this.words, this.seqlockIndex(), before, READ_RETRY_WAIT_MS);
        continue;
      }
      let result: T;
      try {
        result = read();
      } catch (error) {
        if (this.readVersion() === before) throw error;
        continue;
      }
      if (this.readVersion() === before) return result;
    }
  }

  private seqlockIndex(): number {
    return (this.headerAddress + HEADER.SEQLOCK) / UINT32_BYTES;
  }

  /** Seqlock value: odd while a writer is inside a call; a read is consistent if it saw the same even value before and after. */
  readVersion(): number {
    return Atomics.load(this.words, this.seqlockIndex());
  }

  usedBytes(): number {
    return this.core.usedBytes();
  }

  appliedSeq(): number {
    this.ensureViews(this.headerAddress + HEADER.APPLIED_SEQ + 8);
    return this.view.getFloat64(this.headerAddress + HEADER.APPLIED_SEQ, true);
  }

  /** Allocated bytes per structure of the shard (see FOOTPRINT_NAMES), and what the bump pointer covers in all. */
  footprint(): { used: number; structures: Record<FootprintName, number> } {
    const slot = this.slotAddress();
    this.core.footprint(slot);
    this.ensureViews(slot + FOOTPRINT_NAMES.length * UINT32_BYTES);
    const structures = {} as Record<FootprintName, number>;
    FOOTPRINT_NAMES.forEach((name, i) => { structures[name] = this.view.getUint32(slot + i * UINT32_BYTES, true); });
    return { used: this.core.usedBytes(), structures };
  }

  counts(): { nodes: number; edges: number; personaRecords: number } {
    return { nodes: this.core.nodeCount(), edges: this.core.edgeCount(), personaRecords: this.core.personaRecordCount() };
  }

  /** Tenant index for a name, or 0 when the tenant has no data in this shard. */
  tenant(name: string): number {
    const known = this.tenantIndex.get(name);
    if (known !== undefined) return known;
    this.scanTenants();
    return this.tenantIndex.get(name) ?? 0;
  }

  tenantNames(): string[] {
    this.scanTenants();
    return [...this.tenantIndex.keys()];
  }

  private scanTenants(): void {
    const count = this.core.tenantCount();
    for (let t = this.tenantIndex.size + 1; t < count; t++) {
      const at = this.core.tenantAddress(t);
      this.ensureViews(at + TENANT.SIZE);
      const name = this.arenaString(this.view.getUint32(at + TENANT.NAME, true), this.view.getUint32(at + TENANT.NAME_LEN, true));
      this.tenantIndex.set(name, t);
    }
  }

  tenantStats(tenant: number): TenantStats {
    const at = this.core.tenantAddress(tenant);
    this.ensureViews(at + TENANT.SIZE);
    const u32 = (offset: number) => this.view.getUint32(at + offset, true);
    return {
      personas: u32(TENANT.PERSONAS), identifiers: u32(TENANT.IDENTIFIERS), merges: u32(TENANT.MERGES),
      refused: u32(TENANT.REFUSED), splits: u32(TENANT.SPLITS), edges: u32(TENANT.EDGES), shared: u32(TENANT.SHARED),
    };
  }

  tenantSettings(tenant: number): TenantSettings {
    const at = this.core.tenantAddress(tenant);
    this.ensureViews(at + TENANT.SIZE);
    const u16s = (offset: number) => Array.from({ length: TYPE_COUNT }, (_, i) => this.view.getUint16(at + offset + i * 2, true));
    return {
      guardrails: (this.view.getUint32(at + TENANT.FLAGS, true) & TENANT_FLAG_GUARDRAILS) !== 0,
      limits: u16s(TENANT.LIMITS),
      sharedAt: u16s(TENANT.SHARED_AT),
    };
  }

  private slotAddress(): number {
    return this.core.readerSlot(this.readerSlot);
  }

  /** Active persona record per key (0 = unknown), in key order. */
  resolveRecords(tenant: number, keys: EncodedKey[]): Uint32Array {
    const result = new Uint32Array(keys.length);
    if (tenant === 0 || keys.length === 0) return result;
    const slot = this.slotAddress();
    const half = this.constants.READER_SLOT_BYTES / 2;
    const out = slot + half;
    this.ensureViews(slot + this.constants.READER_SLOT_BYTES);
    let start = 0;
    while (start < keys.length) {
      const { count } = encodeKeys(this.bytes, slot, half, keys, start, half / UINT32_BYTES);
      this.core.resolveBatch(tenant, slot, count, out);
      for (let i = 0; i < count; i++) result[start + i] = this.view.getUint32(out + i * UINT32_BYTES, true);
      start += count;
    }
    return result;
  }

  /** Node of one identifier, or 0. */
  lookupNode(tenant: number, key: EncodedKey): number {
    if (tenant === 0) return 0;
    const slot = this.slotAddress();
    this.ensureViews(slot + this.constants.READER_SLOT_BYTES);
    encodeKeys(this.bytes, slot, this.constants.READER_SLOT_BYTES, [key], 0, 1);
    const len = this.view.getUint16(slot + 2, true);
    return this.core.lookup(tenant, key.type, slot + UINT32_BYTES, len);
  }

  personaOfNode(node: number): number {
    return this.core.personaOfNode(node);
  }

  rootOf(node: number): number {
    return this.core.rootOf(node);
  }

  personaId(record: number): string {
    // a record's id is fixed when it is founded and records are never reused: cache the string,
    // once it was computed between two writes (a read racing a write may hash a value being rewritten)
    const cached = this.personaIds.get(record);
    if (cached !== undefined) return cached;
    const before = this.readVersion();
    const id = BigInt.asUintN(64, this.core.personaId(record));
    const text = PERSONA_ID_PREFIX + id.toString(16).padStart(16, '0');
    if (id !== 0n && (before & 1) === 0 && this.readVersion() === before) this.personaIds.set(record, text);
    return text;
  }

  /** Record of a persona id (active or retired), or 0 for an unknown or malformed id. */
  recordById(id: string): number {
    const match = PERSONA_ID_PATTERN.exec(id);
    if (!match) return 0;
    return this.core.personaRecordById(parseInt(match[2], 16), parseInt(match[1], 16));
  }

  /**
   * The active persona record an id stands for, or 0: the persona itself, or for an alias (a persona
   * merged into another) the one that now holds its founding identifier.
   */
  activeRecordById(id: string): number {
    const record = this.recordById(id);
    if (record === 0) return 0;
    if (this.personaActive(record)) return record;
    return this.core.personaOfNode(record); // the founder: an alias's record is its founder node
  }

  /** Record of the persona a founder node founded (active or retired), or 0. */
  recordOfFounderNode(node: number): number {
    return this.core.personaRecordOfFounder(node);
  }

  /** Whether the persona `record` (a founder node) is active. */
  private personaActive(record: number): boolean {
    const at = this.core.nodeAddress(record);
    this.ensureViews(at + NODE.SIZE);
    return (this.view.getUint8(at + NODE.FLAGS) & NODE_FLAG.ACTIVE) !== 0;
  }

  persona(record: number): PersonaRecordView {
    const at = this.core.nodeAddress(record);
    this.ensureViews(at + NODE.SIZE);
    const flags = this.view.getUint8(at + NODE.FLAGS);
    const active = (flags & NODE_FLAG.ACTIVE) !== 0;
    const founder = (flags & NODE_FLAG.FOUNDER) !== 0 ? record : 0;
    const values = active ? this.core.personaValues(record) : 0;
    return {
      record,
      id: this.personaId(record),
      active,
      founder,
      // the founder stays in its persona while that is active: its root is the persona's
      root: active ? this.core.rootOf(founder) : 0,
      tenant: founder === 0 ? 0 : this.u16(this.core.nodeAddress(founder) + NODE.TENANT),
      createdAt: founder === 0 ? 0 : this.core.personaCreated(record),
      ...(values !== 0 ? this.storedValues(values) : this.founderValues(founder)),
    };
  }

  private storedValues(values: number): Pick<PersonaRecordView, 'updatedAt' | 'members' | 'counts' | 'latestEmail' | 'latestPhone'> {
    const at = this.core.valuesAddress(values);
    this.ensureViews(at + VALUES.SIZE);
    const v = this.view;
    const counts = Array.from({ length: TYPE_COUNT }, (_, i) => v.getUint32(at + VALUES.COUNTS + i * UINT32_BYTES, true));
    return {
      updatedAt: v.getFloat64(at + VALUES.UPDATED, true),
      members: counts.reduce((sum, n) => sum + n, 0),
      counts,
      latestEmail: v.getUint32(at + VALUES.LATEST_EMAIL, true),
      latestPhone: v.getUint32(at + VALUES.LATEST_PHONE, true),
    };
  }

  /** A one-member persona's values: its founder's (as the core's valuesFromNode). */
  private founderValues(founder: number): Pick<PersonaRecordView, 'updatedAt' | 'members' | 'counts' | 'latestEmail' | 'latestPhone'> {
    const counts = new Array<number>(TYPE_COUNT).fill(0);
    if (founder === 0) return { updatedAt: 0, members: 0, counts, latestEmail: 0, latestPhone: 0 };
    const at = this.core.nodeAddress(founder);
    this.ensureViews(at + NODE.SIZE);
    const type = this.view.getUint8(at + NODE.TYPE);
    counts[type] = 1;
    return {
      updatedAt: this.view.getFloat64(at + NODE.LAST_SEEN, true),
      members: 1,
      counts,
      latestEmail: type === TYPE_CODES.email ? founder : 0,
      latestPhone: type === TYPE_CODES.phone ? founder : 0,
    };
  }

  node(node: number): NodeView {
    const at = this.core.nodeAddress(node);
    this.ensureViews(at + NODE.SIZE);
    const v = this.view;
    const flags = v.getUint8(at + NODE.FLAGS);
    const type = v.getUint8(at + NODE.TYPE);
    const tenant = v.getUint16(at + NODE.TENANT, true);
    const firstSeen = v.getFloat64(at + NODE.FIRST_SEEN, true);
    const lastSeen = v.getFloat64(at + NODE.LAST_SEEN, true);
    // the value entry (and a display form) are in the arena, which may lie beyond the node's view
    const entry = this.core.nodeValueEntry(node);
    const len = this.u16(entry);
    const value = this.arenaStringAt(entry + ARENA_LENGTH_BYTES, len);
    const display = (flags & NODE_FLAG.DISPLAY) !== 0 ? this.u32(entry + ARENA_LENGTH_BYTES + len) : 0;
    return {
      node,
      tenant,
      type,
      flags,
      value,
      display: display !== 0 ? this.lengthPrefixedString(this.core.arenaAddress(display)) : null,
      firstSeen,
      lastSeen,
      partners: this.core.nodePartners(node),
    };
  }

  /** Member nodes of the persona rooted at `root`, walking its member ring. */
  members(root: number): number[] {
    const members: number[] = [];
    const limit = this.core.nodeCount() + 1; // a torn ring (racing a writer) cannot loop forever
    let x = root;
    do {
      members.push(x);
      x = this.u32(this.core.nodeAddress(x) + NODE.NEXT);
    } while (x !== root && members.length <= limit);
    return members;
  }

  /** Evidence edges touching the persona rooted at `root`, each once (internal and to outside nodes). */
  edges(root: number): EdgeView[] {
    const edges: EdgeView[] = [];
    for (const member of this.members(root)) {
      let e = this.u32(this.core.nodeAddress(member) + NODE.FIRST_EDGE);
      while (e !== 0) {
        const view = this.edge(e);
        const other = view.a === member ? view.b : view.a;
        const inside = this.core.rootOf(other) === root;
        if (!inside || view.a === member) edges.push(view);
        e = this.u32(this.core.edgeAddress(e) + (view.a === member ? EDGE.NEXT_A : EDGE.NEXT_B));
      }
    }
    return edges;
  }

  private u32(at: number): number {
    this.ensureViews(at + UINT32_BYTES);
    return this.view.getUint32(at, true);
  }

  private u16(at: number): number {
    this.ensureViews(at + ARENA_LENGTH_BYTES);
    return this.view.getUint16(at, true);
  }

  /** A string stored in the arena after its u16 length. */
  private lengthPrefixedString(at: number): string {
    return this.arenaStringAt(at + ARENA_LENGTH_BYTES, this.u16(at));
  }

  edge(edge: number): EdgeView {
    const at = this.core.edgeAddress(edge);
    this.ensureViews(at + EDGE.SIZE);
    const v = this.view;
    const b = v.getUint32(at + EDGE.B, true);
    const seqItem = v.getBigUint64(at + EDGE.SEQ_ITEM, true);
    return {
      edge,
      a: v.getUint32(at + EDGE.A, true),
      b: b & (2 ** EDGE.NODE_BITS - 1),
      seq: Number(seqItem >> BigInt(EDGE.ITEM_BITS)),
      item: Number(seqItem & BigInt(MAX_EVENT_ITEM)),
      time: v.getFloat64(at + EDGE.TIME, true),
      lastTime: v.getFloat64(at + EDGE.LAST_TIME, true),
      strength: (b >>> EDGE.STRENGTH_SHIFT) & EDGE.STRENGTH_MASK,
      decision: (b >>> EDGE.DECISION_SHIFT) & EDGE.DECISION_MASK,
      cut: b >>> EDGE.CUT_SHIFT === 1,
    };
  }

  private arenaString(offset: number, len: number): string {
    return this.arenaStringAt(this.core.arenaAddress(offset), len);
  }

  private arenaStringAt(at: number, len: number): string {
    this.ensureViews(at + len);
    return this.bytes.toString('utf8', at, at + len);
  }

  // ---- writing (one thread at a time) ----

  registerTenant(name: string): number {
    const known = this.tenant(name);
    if (known !== 0) return known;
    const encoded = Buffer.from(name, 'utf8');
    if (encoded.length === 0 || encoded.length > MAX_VALUE_BYTES) throw new RangeError(`a tenant name takes 1..${MAX_VALUE_BYTES} bytes`);
    const inbox = this.inbox(encoded.length);
    this.bytes.set(encoded, inbox);
    const index = this.core.registerTenant(inbox, encoded.length);
    if (index === 0) throw new ShardError(this.core.lastError() || -2, `cannot register tenant ${name}`);
    this.tenantIndex.set(name, index);
    return index;
  }

  configureTenant(tenant: number, settings: TenantSettings): void {
    this.checkTenant(tenant);
    for (const [name, list] of [['limits', settings.limits], ['sharedAt', settings.sharedAt]] as const) {
      if (!Array.isArray(list) || list.length > TYPE_COUNT) throw new RangeError(`${name} must be an array of at most ${TYPE_COUNT} numbers`);
      for (const value of list) {
        if (!Number.isInteger(value) || value < 0 || value > MAX_SETTING) throw new RangeError(`${name} values must be integers in 0..${MAX_SETTING}, got ${value}`);
      }
    }
    const inbox = this.inbox(TYPE_COUNT * 4);
    for (let i = 0; i < TYPE_COUNT; i++) {
      this.view.setUint16(inbox + i * 2, settings.limits[i] ?? 0, true);
      this.view.setUint16(inbox + TYPE_COUNT * 2 + i * 2, settings.sharedAt[i] ?? 0, true);
    }
    this.core.configureTenant(tenant, settings.guardrails ? TENANT_FLAG_GUARDRAILS : 0, inbox);
  }

  private inbox(bytes: number): number {
    const at = this.core.writerInbox(bytes);
    if (at === 0) throw new ShardError(-1, 'cannot grow the writer inbox');
    this.ensureViews(at + bytes);
    return at;
  }

  private checkSeq(seq: number): void {
    if (!Number.isInteger(seq) || seq < 0 || seq > MAX_LOG_SEQ) throw new RangeError(`seq must be an integer in 0..2^40-1, got ${seq}`);
  }

  private checkTenant(tenant: number): void {
    if (!Number.isInteger(tenant) || tenant < 1 || tenant >= this.core.tenantCount()) {
      throw new RangeError(`unknown tenant index ${tenant}: register the tenant first`);
    }
  }

  private checkNode(node: number): void {
    if (!Number.isInteger(node) || node < 1 || node > this.core.nodeCount()) throw new RangeError(`unknown identifier node ${node}`);
  }

  private checkEvent(event: EncodedEvent, index: number): void {
    this.checkTenant(event.tenant);
    if (!Number.isFinite(event.time)) throw new RangeError(`event ${index}: time must be a finite number of ms, got ${event.time}`);
    if (!Number.isInteger(event.item) || event.item < 0 || event.item > MAX_EVENT_ITEM) {
      throw new RangeError(`event ${index}: item must be a u32 below 2^24 (an event's index in its log entry), got ${event.item}`);
    }
    if (!Object.hasOwn(EVENT_CLASS, event.evidence)) throw new RangeError(`event ${index}: evidence must be one of ${Object.keys(EVENT_CLASS).join(', ')}, got ${String(event.evidence)}`);
    if (event.identifiers.length > MAX_EVENT_IDENTIFIERS) throw new RangeError(`event ${index}: an event holds at most ${MAX_EVENT_IDENTIFIERS} identifiers`);
    for (const id of event.identifiers) {
      if (!Number.isInteger(id.type) || id.type < 0 || id.type >= TYPE_COUNT) throw new RangeError(`event ${index}: unknown identifier type code ${id.type}`);
    }
  }

  /** Applies normalized events covering log sequence `seq`; returns what changed. Nothing changes when it throws. */
  applyEvents(events: EncodedEvent[], seq: number): JournalEntry[] {
    const { inbox, size } = this.encodeBatch(events, seq);
    const status = this.core.applyEvents(inbox, size, seq);
    if (status !== 0) throw new ShardError(status, 'cannot apply events');
    return this.takeJournal();
  }

  /**
   * Applies a batch the caller encoded with codec.ts's write* functions (as encodeEvents would
   * encode the same events, every value's length checked by identifierSizeBound), all of tenant
   * `tenant`, whatever tenant the bytes name. Nothing changes when it throws.
   */
  applyEncodedEvents(batch: Uint8Array, tenant: number, seq: number): JournalEntry[] {
    this.checkSeq(seq);
    this.checkTenant(tenant);
    const inbox = this.inbox(batch.length);
    this.bytes.set(batch, inbox);
    setBatchTenant(this.bytes, inbox, tenant);
    const status = this.core.applyEvents(inbox, batch.length, seq);
    if (status !== 0) throw new ShardError(status, 'cannot apply events');
    return this.takeJournal();
  }

  /**
   * Tests only (fault injection): applies `events` inside a write that never ends, as a writer
   * that dies mid-batch leaves its memory. Nothing may use this shard afterwards.
   */
  applyEventsUnfinished(events: EncodedEvent[], seq: number): void {
    const { inbox, size } = this.encodeBatch(events, seq);
    this.core.applyEventsUnfinished(inbox, size, seq);
  }

  private encodeBatch(events: EncodedEvent[], seq: number): { inbox: number; size: number } {
    this.checkSeq(seq);
    events.forEach((event, index) => this.checkEvent(event, index));
    const inbox = this.inbox(encodedSizeBound(events));
    return { inbox, size: encodeEvents(this.bytes, inbox, events) };
  }

  /**
   * Operator split: cut `nodes` from the rest of the persona rooted at `root`, and cut `edges`;
   * the persona is then re-clustered from its remaining evidence. The nodes must be members of
   * that persona and the edges must touch it.
   */
  split(root: number, nodes: number[], edges: number[]): JournalEntry[] {
    this.checkNode(root);
    const top = this.core.rootOf(root);
    for (const node of nodes) {
      this.checkNode(node);
      if (this.core.rootOf(node) !== top) throw new RangeError(`node ${node} is not in the persona of node ${root}`);
    }
    for (const edge of edges) {
      if (!Number.isInteger(edge) || edge < 1 || edge > this.core.edgeCount()) throw new RangeError(`unknown evidence edge ${edge}`);
      const view = this.edge(edge);
      if (this.core.rootOf(view.a) !== top && this.core.rootOf(view.b) !== top) throw new RangeError(`edge ${edge} does not touch the persona of node ${root}`);
    }
    const inbox = this.inbox((nodes.length + edges.length) * UINT32_BYTES);
    nodes.forEach((n, i) => this.view.setUint32(inbox + i * UINT32_BYTES, n, true));
    const edgesAt = inbox + nodes.length * UINT32_BYTES;
    edges.forEach((e, i) => this.view.setUint32(edgesAt + i * UINT32_BYTES, e, true));
    this.core.splitPersona(root, inbox, nodes.length, edgesAt, edges.length);
    const status = this.core.lastError();
    if (status !== 0) throw new ShardError(status, 'cannot split');
    return this.takeJournal();
  }

  erase(node: number): JournalEntry[] {
    this.checkNode(node);
    const status = this.core.eraseNode(node);
    if (status !== 0) throw new ShardError(status, 'cannot erase');
    return this.takeJournal();
  }

  private takeJournal(): JournalEntry[] {
    const count = this.core.journalCount();
    const at = this.core.journalEntries();
    const entries: JournalEntry[] = [];
    if (count > 0) this.ensureViews(at + count * JOURNAL.ENTRY_SIZE);
    for (let i = 0; i < count; i++) {
      const entry = at + i * JOURNAL.ENTRY_SIZE;
      entries.push({
        kind: JOURNAL_KINDS[this.view.getUint32(entry, true)],
        a: this.view.getUint32(entry + 4, true),
        b: this.view.getUint32(entry + 8, true),
      });
    }
    if (this.core.journalOverflowed() !== 0) entries.push({ kind: 'overflow', a: 0, b: 0 });
    this.core.journalClear();
    return entries;
  }

  /**
   * The shard's bytes: everything allocated, with per-thread scratch (reader slots) and the
   * seqlock zeroed, so the same log always gives the same bytes.
   */
  snapshot(): Buffer {
    return Buffer.concat(this.snapshotChunks());
  }

  /**
   * The snapshot as views of the live memory plus zeroed stand-ins for the per-thread fields (reader
   * scratch, seqlock, error), so the bytes depend only on the graph. No copy of the graph: the views
   * are valid until this thread's next write, so only a synchronous writer on the writer's thread may
   * use them (a shard of several GiB would otherwise need as much again to be saved).
   */
  snapshotChunks(): Uint8Array[] {
    const used = this.core.usedBytes();
    this.ensureViews(used);
    const readers = this.core.readerSlot(0);
    const volatile = [
      [readers, readers + this.constants.READER_SLOTS * this.constants.READER_SLOT_BYTES],
      [this.headerAddress + HEADER.SEQLOCK, this.headerAddress + HEADER.ERROR + UINT32_BYTES],
    ].map(([from, to]) => [Math.min(from, used), Math.min(to, used)]).sort((a, b) => a[0] - b[0]);
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (const [from, to] of volatile) {
      chunks.push(this.bytes.subarray(at, from), new Uint8Array(to - from));
      at = to;
    }
    chunks.push(this.bytes.subarray(at, used));
    return chunks;
  }

  /** A shard rebuilt from snapshot bytes, in fresh memory. */
  static restore(bytes: Uint8Array, options: ShardOptions = {}): Shard {
    const memory = Shard.memoryFor(bytes.length, options);
    new Uint8Array(memory.buffer).set(bytes);
    return Shard.restoreIn(memory, bytes.length);
  }

  /**
   * Fresh shard memory of at least `length` bytes, for a snapshot of that length to be read straight
   * into (then `restoreIn`): a snapshot of several GiB is then never held twice.
   */
  static memoryFor(length: number, options: ShardOptions = {}): WebAssembly.Memory {
    const memory = createShardMemory(options.maximumPages);
    const pages = Math.ceil(length / WASM_PAGE_BYTES);
    const have = memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (pages > have) {
      try {
        memory.grow(pages - have);
      } catch {
        throw new ShardError(-1, `cannot restore a snapshot of ${length} bytes`);
      }
    }
    return memory;
  }

  /** The shard held by a snapshot in the first `length` bytes of fresh `memory` (see `memoryFor`). */
  static restoreIn(memory: WebAssembly.Memory, length: number): Shard {
    const shard = new Shard(memory, 0);
    shard.checkSnapshot(length);
    const status = shard.core.initShard();
    if (status !== 0) throw new ShardError(status, 'snapshot does not hold a shard');
    return shard;
  }

  /** Refuses memory that holds no shard of this layout (in its first `length` bytes), before the core acts on it. */
  private checkHeader(what: string, length = this.bytes.length): void {
    const header = this.headerAddress;
    const u32 = (offset: number) => (header + offset + UINT32_BYTES <= length ? this.view.getUint32(header + offset, true) : 0);
    if (u32(HEADER.MAGIC) !== SHARD_MAGIC) throw new Error(`${what} does not hold a shard (no shard header)`);
    const version = u32(HEADER.VERSION);
    if (version !== LAYOUT_VERSION) {
      if (what === 'snapshot') throw new SnapshotLayoutError(version, LAYOUT_VERSION);
      throw new Error(`${what} has shard layout ${version}; this core reads layout ${LAYOUT_VERSION}`);
    }
  }

  /** Refuses bytes that are not a whole snapshot of this layout. */
  private checkSnapshot(length: number): void {
    this.checkHeader('snapshot', length);
    const used = this.view.getUint32(this.headerAddress + HEADER.BUMP, true);
    if (used !== length) throw new Error(`snapshot is ${length} bytes but its shard says ${used}: truncated or padded`);
  }

  /** The core's raw exports, for tests and benchmarks that drive it below the batch API. */
  coreExports(): CoreExports {
    return this.core;
  }
}

export { NODE_FLAG, MAX_VALUE_BYTES };
