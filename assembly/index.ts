// The WASM core's exports. Writer calls (init, tenants, batches, split, erase) must come from one
// thread at a time and bracket themselves with the shard's seqlock; reader calls write nothing to
// shared memory and may run on any thread.
import {
  MAGIC, LAYOUT_VERSION, HEADER_MAGIC, HEADER_VERSION, HEADER_SEQLOCK, HEADER_BUMP, HEADER_SIZE,
  HEADER_IDENT_TABLE, HEADER_EDGE_TABLE, HEADER_READERS, HEADER_PAGE_TABLES,
  HEADER_ERROR, HEADER_INBOX,
  KIND_NODES, KIND_EDGES, KIND_TENANTS, KIND_ARENA, KIND_VALUES, KIND_CREATED, CREATED_SIZE,
  NODE_SIZE, EDGE_SIZE, TENANT_SIZE, VALUES_SIZE,
  NODE_PAGE_SHIFT, EDGE_PAGE_SHIFT, TENANT_PAGE_SHIFT, ARENA_PAGE_SHIFT, VALUES_PAGE_SHIFT, CREATED_PAGE_SHIFT,
  NODE_MAX_PAGES, EDGE_MAX_PAGES, TENANT_MAX_PAGES, ARENA_MAX_PAGES, VALUES_MAX_PAGES, CREATED_MAX_PAGES,
  READER_SLOTS, READER_SLOT_BYTES, WASM_PAGE, OK, ERR_BAD_INPUT,
  TENANT_NAME, TENANT_NAME_LEN, TENANT_FLAGS, TENANT_LIMITS, TYPE_COUNT,
  NODE_FLAGS, NODE_TENANT, NODE_TYPE,
  NODE_FLAG_ERASED, NODE_FLAG_FOUNDER, NODE_FLAG_DISPLAY, VALUE_LEN_BYTES, JOURNAL_ERASE, TENANT_IDENTIFIERS,
  ERR_OUT_OF_MEMORY,
} from './layout';
import { base, header, allocBlock, freeBlock, initKind, kindCount, takeElements, setError } from './memory';
import {
  nodeAt, valuesAt, edgeAt, tenantAt, arenaAt, arenaPut, arenaPutPrefixed, valueBytes, valueLen, displaySlot, tableInit,
  tableRemove, identifierHash, identifierSlot, slotRef, INITIAL_TABLE_CAPACITY, personaOfRoot, setEdgeCut, personaIdHash, personaIdOf,
  createdAt, setValueOffset, valueEntryAddress, warmHome,
} from './records';
import { recordById, recordOfFounder } from './personas';
import { find, findReadOnly, personaOfNodeReadOnly, valuesOfNodeReadOnly } from './unify';
import { firstEdge, nextEdge, otherEnd, partnersOf } from './evidence';
import { recluster, installRecluster, reserveRecluster } from './recluster';
import { beginMarks, markOf, setMark } from './marks';
import { applyBatch } from './ingest';
import { journal } from './journal';
import { unitePairs, findRoots, resolveSteps } from './bench';

const INBOX_INITIAL_BYTES: u32 = 1 << 16;

export {
  NODE_SIZE, EDGE_SIZE, TENANT_SIZE, VALUES_SIZE, HEADER_SIZE, READER_SLOTS, READER_SLOT_BYTES, LAYOUT_VERSION,
};
export { journalCount, journalEntries, journalClear, journalOverflowed } from './journal';
export { xxh64 } from './hash';
export { footprint, FOOTPRINT_FIGURES } from './footprint';

const PAGE_TABLE_BYTES_PER_ENTRY: u32 = 4;

/** Address of the shard header: the host reads the seqlock and counters relative to it. */
export function headerAddress(): u32 {
  return base();
}

/** Lays out an empty shard in fresh memory; a no-op on memory that already holds one. */
export function initShard(): i32 {
  installRecluster();
  if (load<u32>(header(HEADER_MAGIC)) == MAGIC) return OK;
  const end = <u64>base() + <u64>HEADER_SIZE;
  const have = <u64>memory.size() * <u64>WASM_PAGE;
  if (end > have && memory.grow(<i32>((end - have + WASM_PAGE - 1) / WASM_PAGE)) < 0) return -1;
  store<u32>(header(HEADER_BUMP), <u32>end);
  let table = HEADER_PAGE_TABLES;
  initKind(KIND_NODES, NODE_SIZE, NODE_PAGE_SHIFT, <u32>header(table), NODE_MAX_PAGES);
  table += NODE_MAX_PAGES * PAGE_TABLE_BYTES_PER_ENTRY;
  initKind(KIND_EDGES, EDGE_SIZE, EDGE_PAGE_SHIFT, <u32>header(table), EDGE_MAX_PAGES);
  table += EDGE_MAX_PAGES * PAGE_TABLE_BYTES_PER_ENTRY;
  initKind(KIND_TENANTS, TENANT_SIZE, TENANT_PAGE_SHIFT, <u32>header(table), TENANT_MAX_PAGES);
  table += TENANT_MAX_PAGES * PAGE_TABLE_BYTES_PER_ENTRY;
  initKind(KIND_ARENA, 1, ARENA_PAGE_SHIFT, <u32>header(table), ARENA_MAX_PAGES);
  table += ARENA_MAX_PAGES * PAGE_TABLE_BYTES_PER_ENTRY;
  initKind(KIND_VALUES, VALUES_SIZE, VALUES_PAGE_SHIFT, <u32>header(table), VALUES_MAX_PAGES);
  table += VALUES_MAX_PAGES * PAGE_TABLE_BYTES_PER_ENTRY;
  initKind(KIND_CREATED, CREATED_SIZE, CREATED_PAGE_SHIFT, <u32>header(table), CREATED_MAX_PAGES); // no "none" record: a flag says
  // index 0 means "none" everywhere: hand it out once so no real record gets it
  takeElements(KIND_NODES, 1);
  takeElements(KIND_EDGES, 1);
  takeElements(KIND_TENANTS, 1);
  takeElements(KIND_ARENA, 16);
  takeElements(KIND_VALUES, 1);
  if (tableInit(header(HEADER_IDENT_TABLE), INITIAL_TABLE_CAPACITY) != OK) return -1;
  if (tableInit(header(HEADER_EDGE_TABLE), INITIAL_TABLE_CAPACITY) != OK) return -1;
  const readers = allocBlock(READER_SLOTS * READER_SLOT_BYTES);
  if (readers == 0) return -1;
  store<u32>(header(HEADER_READERS), readers);
  store<u32>(header(HEADER_VERSION), LAYOUT_VERSION);
  store<u32>(header(HEADER_MAGIC), MAGIC);
  return OK;
}

// ---- writer calls ----

function beginWrite(): void {
  atomic.add<u32>(header(HEADER_SEQLOCK), 1);
  store<i32>(header(HEADER_ERROR), OK);
}

function endWrite(): void {
  atomic.add<u32>(header(HEADER_SEQLOCK), 1);
  atomic.notify(header(HEADER_SEQLOCK), WAKE_ALL); // readers waiting for the write to end
}

const WAKE_ALL: i32 = -1;

/** The tenant record for a name, registering it with guardrails off until configured. */
export function registerTenant(ptr: usize, len: u32): u32 {
  const count = kindCount(KIND_TENANTS);
  for (let t: u32 = 1; t < count; t++) {
    const rec = tenantAt(t);
    if (load<u32>(rec, TENANT_NAME_LEN) == len && memory.compare(arenaAt(load<u32>(rec, TENANT_NAME)), ptr, len) == 0) return t;
  }
  beginWrite();
  // the name first: if the record then cannot be had, only unreferenced arena bytes remain
  const name = arenaPut(ptr, len);
  const t = name == 0 ? 0xFFFFFFFF : takeElements(KIND_TENANTS, 1);
  if (t == 0xFFFFFFFF) {
    endWrite();
    return 0;
  }
  const rec = tenantAt(t);
  store<u32>(rec, name, TENANT_NAME);
  store<u32>(rec, len, TENANT_NAME_LEN);
  endWrite();
  return t;
}

/** Sets a tenant's flags and its limits / shared thresholds (2 × TYPE_COUNT u16 at `settings`). */
export function configureTenant(tenant: u32, flags: u32, settings: usize): void {
  beginWrite();
  const rec = tenantAt(tenant);
  store<u32>(rec, flags, TENANT_FLAGS);
  memory.copy(rec + <usize>TENANT_LIMITS, settings, TYPE_COUNT * 2 * 2);
  endWrite();
}

export function tenantCount(): u32 {
  return kindCount(KIND_TENANTS);
}

/** Applies a batch of events (see ingest.ts for the buffer format) covering log sequence `seq`. */
export function applyEvents(ptr: usize, len: u32, seq: f64): i32 {
  beginWrite();
  const status = applyBatch(ptr, len, seq);
  if (status != OK) setError(status);
  // leave no trace of the request bytes: snapshots must depend on the log alone
  memory.fill(ptr, 0, len);
  endWrite();
  return load<i32>(header(HEADER_ERROR));
}

/**
 * An operator's split of the persona holding `root`: the `nodeCount` nodes at `nodes` are cut from
 * the rest (edges among them stay), the `edgeCount` edges at `edges` are cut, and the persona is
 * re-clustered. Cuts are sticky. Returns the number of resulting personas (0 with the error set
 * when the shard has no room, and then nothing was cut). The host checks that the nodes and edges
 * belong to the persona.
 */
export function splitPersona(root: u32, nodes: usize, nodeCount: u32, edges: usize, edgeCount: u32): u32 {
  beginWrite();
  const top = find(root);
  let pieces: u32 = 0;
  if (reserveRecluster(top) == OK && beginMarks(nodeCount)) {
    // sized for every node: marking cannot fail
    for (let i: u32 = 0; i < nodeCount; i++) setMark(load<u32>(nodes + <usize>(i * 4)), CUT_OFF);
    for (let i: u32 = 0; i < nodeCount; i++) {
      const node = load<u32>(nodes + <usize>(i * 4));
      for (let e = firstEdge(node); e != 0; e = nextEdge(e, node)) {
        if (markOf(otherEnd(e, node)) != CUT_OFF) cutEdge(e);
      }
    }
    for (let i: u32 = 0; i < edgeCount; i++) cutEdge(load<u32>(edges + <usize>(i * 4)));
    pieces = recluster(top, 0);
  }
  memory.fill(nodes, 0, nodeCount * 4);
  memory.fill(edges, 0, edgeCount * 4);
  endWrite();
  return pieces;
}

/** The mark of the nodes a split cuts from the rest of their persona. */
const CUT_OFF: u32 = 1;

function cutEdge(edge: u32): void {
  const e = edgeAt(edge);
  setEdgeCut(e);
}

/** Bytes an erased founder's value entry keeps: its persona id, which must resolve for ever. */
const ERASED_ID_BYTES: u32 = 8;

/**
 * Erases an identifier for good: gone from the index, its bytes zeroed, its persona re-clustered
 * without it; the erased node keeps no persona. A founder's value entry keeps its persona id instead
 * of the bytes (a fresh entry when the value is shorter than the id). With no room for the re-cluster
 * or that entry, nothing changes.
 */
export function eraseNode(node: u32): i32 {
  const n = nodeAt(node);
  if ((load<u8>(n, NODE_FLAGS) & NODE_FLAG_ERASED) != 0) return OK;
  beginWrite();
  const root = find(node);
  const len = valueLen(n);
  const founder = (load<u8>(n, NODE_FLAGS) & NODE_FLAG_FOUNDER) != 0;
  let idEntry: u32 = 0;
  let status = reserveRecluster(root);
  if (status == OK && founder && len < ERASED_ID_BYTES) {
    idEntry = arenaPutPrefixed(0, 0, ERASED_ID_BYTES);
    if (idEntry == 0) status = setError(ERR_OUT_OF_MEMORY);
    else store<u16>(arenaAt(idEntry), <u16>ERASED_ID_BYTES);
  }
  if (status == OK) {
    const tenant = <u32>load<u16>(n, NODE_TENANT);
    const type = <u32>load<u8>(n, NODE_TYPE);
    const value = valueBytes(n);
    const id = founder ? personaIdHash(node) : 0;
    const desc = header(HEADER_IDENT_TABLE);
    // a founder stays keyed by its id (the value's hash, kept below), so the id keeps resolving
    if (!founder) {
      const slot = identifierSlot(desc, tenant, type, value, len, <u32>identifierHash(tenant, type, value, len));
      if (slotRef(slot) == node) tableRemove(desc, slot);
    }
    const displayAt = displaySlot(n);
    const display = displayAt != 0 ? load<u32>(displayAt) : 0;
    if (display != 0) memory.fill(arenaAt(display), 0, 2 + <u32>load<u16>(arenaAt(display)));
    if (displayAt != 0) store<u32>(displayAt, 0);
    memory.fill(value, 0, len); // the length stays: the entry still spans its bytes
    if (idEntry != 0) {
      store<u16>(value - VALUE_LEN_BYTES, 0);
      setValueOffset(n, idEntry);
      store<u8>(n, load<u8>(n, NODE_FLAGS) & ~NODE_FLAG_DISPLAY, NODE_FLAGS); // the fresh entry has no display slot
    }
    if (founder) store<u64>(valueBytes(n), id);
    store<u8>(n, load<u8>(n, NODE_FLAGS) | NODE_FLAG_ERASED, NODE_FLAGS);
    const t = tenantAt(tenant);
    store<u32>(t, load<u32>(t, TENANT_IDENTIFIERS) - 1, TENANT_IDENTIFIERS);
    journal(JOURNAL_ERASE, personaOfRoot(root), node);
    recluster(root, 0);
  }
  endWrite();
  return load<i32>(header(HEADER_ERROR));
}

// ---- reader calls: no writes to shared memory ----

/** Node of (tenant, type, value), or 0. */
export function lookup(tenant: u32, type: u32, ptr: usize, len: u32): u32 {
  return slotRef(identifierSlot(header(HEADER_IDENT_TABLE), tenant, type, ptr, len, <u32>identifierHash(tenant, type, ptr, len)));
}

/** Root of a node's persona; 0 if the read raced a writer. */
export function rootOf(node: u32): u32 {
  return findReadOnly(node);
}

/** Active persona record of a node, or 0. */
export function personaOfNode(node: u32): u32 {
  return personaOfNodeReadOnly(node);
}

/** Person partners of a node (emails, phones, customer ids it was linked with). */
export function nodePartners(node: u32): u32 {
  return partnersOf(node, kindCount(KIND_EDGES));
}

/** Record of a persona id (active or retired), or 0. */
export function personaRecordById(lo: u32, hi: u32): u32 {
  return recordById(lo, hi);
}

/** Keys resolveBatch warms the memory of before probing them. */
const RESOLVE_GROUP: u32 = 16;
/** warmHome's levels: home slot, node record, value entry. */
const WARM_DEPTH: u32 = 3;
/** Sum of what the warming pass loaded: kept so the engine cannot drop those loads. */
let warmSink: u32 = 0;

/**
 * Resolves `count` keys laid out at `ptr` as (u8 type, u8 0, u16 len, bytes, pad to 4) for one tenant,
 * writing the active persona record of each (0 = unknown) as u32 at `out`.
 * Keys go in groups: a first pass hashes each key of the group (keeping the tag in its `out` word)
 * and loads its home slot, node record and value entry, independent loads the CPU overlaps; the
 * probe pass then finds them in cache. Scattered hits otherwise wait for each miss in turn.
 */
export function resolveBatch(tenant: u32, ptr: usize, count: u32, out: usize): i32 {
  const desc = header(HEADER_IDENT_TABLE);
  let at = ptr;
  for (let first: u32 = 0; first < count; first += RESOLVE_GROUP) {
    const end = min(count, first + RESOLVE_GROUP);
    const groupAt = at;
    for (let i = first; i < end; i++) {
      const len = <u32>load<u16>(at, 2);
      store<u32>(out + <usize>(i * 4), <u32>identifierHash(tenant, <u32>load<u8>(at), at + 4, len));
      at += 4 + ((len + 3) & ~3);
    }
    // one level per pass, so a pass's loads do not wait on each other
    for (let depth: u32 = 1; depth <= WARM_DEPTH; depth++) {
      for (let i = first; i < end; i++) warmSink += warmHome(desc, load<u32>(out + <usize>(i * 4)), depth);
    }
    at = groupAt;
    for (let i = first; i < end; i++) {
      const type = <u32>load<u8>(at);
      const len = <u32>load<u16>(at, 2);
      const node = slotRef(identifierSlot(desc, tenant, type, at + 4, len, load<u32>(out + <usize>(i * 4))));
      store<u32>(out + <usize>(i * 4), node == 0 ? 0 : personaOfNode(node));
      at += 4 + ((len + 3) & ~3);
    }
  }
  return OK;
}

// ---- addresses, for the host to read records in place ----

export function nodeAddress(node: u32): u32 { return <u32>nodeAt(node); }
/** Address of a node's value entry: u16 length, the bytes, then the display slot when it has one. */
export function nodeValueEntry(node: u32): u32 { return <u32>valueEntryAddress(nodeAt(node)); }
export function valuesAddress(values: u32): u32 { return <u32>valuesAt(values); }
export function edgeAddress(edge: u32): u32 { return <u32>edgeAt(edge); }
export function tenantAddress(tenant: u32): u32 { return <u32>tenantAt(tenant); }
export function arenaAddress(offset: u32): u32 { return <u32>arenaAt(offset); }
export function readerSlot(slot: u32): u32 {
  return slot < READER_SLOTS ? load<u32>(header(HEADER_READERS)) + slot * READER_SLOT_BYTES : 0;
}
export function usedBytes(): u32 { return load<u32>(header(HEADER_BUMP)); }
export function nodeCount(): u32 { return kindCount(KIND_NODES) - 1; }
export function edgeCount(): u32 { return kindCount(KIND_EDGES) - 1; }
/** Persona records are founder nodes: the numbers a persona may have. */
export function personaRecordCount(): u32 { return kindCount(KIND_NODES) - 1; }
export function lastError(): i32 { return load<i32>(header(HEADER_ERROR)); }

/** Writer inbox of at least `bytes`, for the host to pass batches in; grows by doubling. 0 on failure. */
export function writerInbox(bytes: u32): u32 {
  const d = header(HEADER_INBOX);
  const capacity = load<u32>(d, 4);
  if (capacity >= bytes) return load<u32>(d);
  let grown = capacity == 0 ? INBOX_INITIAL_BYTES : capacity;
  while (grown < bytes) grown <<= 1;
  const ptr = allocBlock(grown);
  if (ptr == 0) return 0;
  if (capacity != 0) freeBlock(load<u32>(d), capacity);
  store<u32>(d, ptr);
  store<u32>(d, grown, 4);
  return ptr;
}

/**
 * Fault injection (tests only): applies a batch inside a write that never ends, the state a writer
 * that dies mid-batch leaves behind (seqlock odd, batch half applied), so readers must never see it.
 */
export function applyEventsUnfinished(ptr: usize, len: u32, seq: f64): void {
  beginWrite();
  applyBatch(ptr, len, seq);
}

/** Bench only: unites node pairs already in memory, as one writer call (see bench.ts). */
export function benchUnitePairs(pairs: usize, count: u32): u32 {
  beginWrite();
  const merged = unitePairs(pairs, count);
  endWrite();
  return merged;
}

/** Bench only: roots of nodes already in memory, with the writer's path halving. */
export function benchFindRoots(nodes: usize, count: u32, out: usize): void {
  beginWrite();
  findRoots(nodes, count, out);
  endWrite();
}

/** Bench only: resolveBatch's steps up to `upTo` (see bench.ts resolveSteps); a reader call. */
export function benchResolveSteps(tenant: u32, ptr: usize, count: u32, out: usize, upTo: u32): void {
  resolveSteps(tenant, ptr, count, out, upTo);
}

export const BAD_INPUT: i32 = ERR_BAD_INPUT;
export const SEQLOCK_OFFSET: u32 = HEADER_SEQLOCK;

/** Persona id of a record (0 while a reader races its founding): the host prints it as psn_<16 hex digits>. */
export function personaId(rec: u32): u64 {
  return personaIdOf(rec);
}

/** createdAt of persona `rec` (a founder node; see records.ts createdAt). */
export function personaCreated(rec: u32): f64 {
  return createdAt(rec);
}

/** Values record of active persona `rec` (0 = one member, or a read that raced a writer). */
export function personaValues(rec: u32): u32 {
  return valuesOfNodeReadOnly(rec);
}

/** Record of the persona a founder node founded (active or retired), or 0. */
export function personaRecordOfFounder(node: u32): u32 {
  return recordOfFounder(node);
}
