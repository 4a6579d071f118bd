// Typed access to the shard's records (nodes, personas, edges, tenants, arena bytes) and the two
// open-addressing hash tables that index them (identifiers and persona ids share one: see identifierHash).
import {
  KIND_NODES, KIND_EDGES, KIND_TENANTS, KIND_ARENA, KIND_VALUES, ARENA_PAGE_SHIFT,
  TABLE_PTR, TABLE_CAPACITY, TABLE_COUNT, OK, ERR_OUT_OF_MEMORY, ERR_CAPACITY,
  NODE_TENANT, NODE_TYPE, NODE_FLAGS, NODE_FLAG_DISPLAY, NODE_VALUE, NODE_FIRST_EDGE, VALUE_LEN_BYTES, EDGE_A, EDGE_B, EDGE_NEXT_A, EDGE_NEXT_B, PARENT_ROOT,
  PARENT_VALUES, PARENT_REF_MASK, VALUES_FOUNDER, VALUES_FOUNDER_MASK, NODE_FIRST_SEEN, NODE_FLAG_FOUNDER, NODE_FLAG_CREATED,
  DISPLAY_SLOT_BYTES, KIND_CREATED, CREATED_TIME, CREATED_VALUE,
  EDGE_NODE_MASK, EDGE_STRENGTH_SHIFT, EDGE_STRENGTH_MASK, EDGE_DECISION_SHIFT, EDGE_DECISION_MASK, EDGE_CUT_BIT,
  HEADER_EDGE_TABLE, HEADER_IDENT_TABLE, NODE_FLAG_ERASED, TENANT_NAME, TENANT_NAME_LEN,
} from './layout';
import {
  header, elementAddress, allocBlock, freeBlock, kindCount, setKindCount, reserveElements, takeElements, setError, parentsBase,
} from './memory';
import { xxh64 } from './hash';

// @ts-ignore: decorator
@inline export function nodeAt(n: u32): usize { return elementAddress(KIND_NODES, n); }
// @ts-ignore: decorator
@inline export function valuesAt(v: u32): usize { return elementAddress(KIND_VALUES, v); }
// @ts-ignore: decorator
@inline export function edgeAt(e: u32): usize { return elementAddress(KIND_EDGES, e); }
// @ts-ignore: decorator
@inline export function tenantAt(t: u32): usize { return elementAddress(KIND_TENANTS, t); }
// @ts-ignore: decorator
@inline export function arenaAt(offset: u32): usize { return elementAddress(KIND_ARENA, offset); }

// ---- evidence edge fields packed in the word at EDGE_B (records hold an edge's address) ----

// @ts-ignore: decorator
@inline export function edgeB(e: usize): u32 { return load<u32>(e, EDGE_B) & EDGE_NODE_MASK; }
// @ts-ignore: decorator
@inline export function edgeStrength(e: usize): u8 { return <u8>((load<u32>(e, EDGE_B) >> EDGE_STRENGTH_SHIFT) & EDGE_STRENGTH_MASK); }
// @ts-ignore: decorator
@inline export function edgeDecision(e: usize): u8 { return <u8>((load<u32>(e, EDGE_B) >> EDGE_DECISION_SHIFT) & EDGE_DECISION_MASK); }
// @ts-ignore: decorator
@inline export function edgeCut(e: usize): bool { return (load<u32>(e, EDGE_B) & EDGE_CUT_BIT) != 0; }

export function setEdgeStrength(e: usize, strength: u8): void {
  const word = load<u32>(e, EDGE_B) & ~(EDGE_STRENGTH_MASK << EDGE_STRENGTH_SHIFT);
  store<u32>(e, word | (<u32>strength << EDGE_STRENGTH_SHIFT), EDGE_B);
}

export function setEdgeDecision(e: usize, decision: u8): void {
  const word = load<u32>(e, EDGE_B) & ~(EDGE_DECISION_MASK << EDGE_DECISION_SHIFT);
  store<u32>(e, word | (<u32>decision << EDGE_DECISION_SHIFT), EDGE_B);
}

export function setEdgeCut(e: usize): void {
  store<u32>(e, load<u32>(e, EDGE_B) | EDGE_CUT_BIT, EDGE_B);
}

// ---- the parent column (writer side; readers use unify.ts's read-only walks) ----

// @ts-ignore: decorator
@inline export function parentSlot(node: u32): usize { return parentsBase() + (<usize>node << 2); }

// @ts-ignore: decorator
@inline export function isRoot(node: u32): bool { return (load<u32>(parentSlot(node)) & PARENT_ROOT) != 0; }

/** The node's parent, or the node itself when it is a root (what a parent field would hold). */
// @ts-ignore: decorator
@inline export function parentOf(node: u32): u32 {
  const slot = load<u32>(parentSlot(node));
  return (slot & PARENT_ROOT) != 0 ? node : slot;
}

/** Values record in a root's parent slot word (0 = none: one member, or no persona yet). */
// @ts-ignore: decorator
@inline export function valuesOfSlot(slot: u32): u32 { return (slot & PARENT_VALUES) != 0 ? slot & PARENT_REF_MASK : 0; }

/** Persona a root's parent slot word names (0 = none yet): the founder its values record names, or the slot's own. */
// @ts-ignore: decorator
@inline export function personaOfSlot(slot: u32): u32 {
  return (slot & PARENT_VALUES) != 0 ? load<u32>(valuesAt(slot & PARENT_REF_MASK), VALUES_FOUNDER) & VALUES_FOUNDER_MASK : slot & PARENT_REF_MASK;
}

/** Persona a root carries (0 = none yet); meaningless for a node that is not a root. */
// @ts-ignore: decorator
@inline export function personaOfRoot(root: u32): u32 { return personaOfSlot(load<u32>(parentSlot(root))); }

/** Values record of a root's persona (0 = one member, or no persona yet). */
// @ts-ignore: decorator
@inline export function valuesOfRoot(root: u32): u32 { return valuesOfSlot(load<u32>(parentSlot(root))); }

/** Makes `rec` the persona of a root, one without a values record (keeping it a root). */
// @ts-ignore: decorator
@inline export function setPersonaOfRoot(root: u32, rec: u32): void { store<u32>(parentSlot(root), PARENT_ROOT | rec); }

/** Gives a root's persona the values record `values` (which names the persona). */
// @ts-ignore: decorator
@inline export function setValuesOfRoot(root: u32, values: u32): void { store<u32>(parentSlot(root), PARENT_ROOT | PARENT_VALUES | values); }

/** Evidence edges touching a node (its adjacency list's length). */
export function degreeOf(node: u32): u32 {
  let degree: u32 = 0;
  let e = load<u32>(nodeAt(node), NODE_FIRST_EDGE);
  while (e != 0) {
    degree++;
    const at = edgeAt(e);
    e = load<u32>(at, EDGE_A) == node ? load<u32>(at, EDGE_NEXT_A) : load<u32>(at, EDGE_NEXT_B);
  }
  return degree;
}

// ---- arena: value bytes, never crossing a page so a value is contiguous in memory ----

const ARENA_PAGE: u32 = 1 << ARENA_PAGE_SHIFT;

/**
 * Bytes the arena may need to store values totalling `bytes`, none longer than `longest`: a value
 * that does not fit in the current page skips the page's tail (shorter than the value), and that
 * happens at most once per page the values reach, plus once for the page they start in.
 */
export function arenaWorstCase(bytes: u64, longest: u32): u64 {
  if (bytes == 0) return 0;
  const usable = <u64>(ARENA_PAGE - longest);
  const skips = (bytes + usable - 1) / usable + 1;
  return bytes + skips * <u64>longest;
}

/** Hands out `len` contiguous arena bytes (within one page); returns their offset (never 0), or 0 on failure. */
function arenaTake(len: u32): u32 {
  let offset = kindCount(KIND_ARENA);
  const inPage = offset & (ARENA_PAGE - 1);
  if (inPage + len > ARENA_PAGE) offset += ARENA_PAGE - inPage;
  const extra = offset + len - kindCount(KIND_ARENA);
  if (reserveElements(KIND_ARENA, extra) != OK) return 0;
  setKindCount(KIND_ARENA, offset + len);
  return offset;
}

/** Copies `len` bytes from `src` into the arena; returns their offset (never 0), or 0 on failure. */
export function arenaPut(src: usize, len: u32): u32 {
  const offset = arenaTake(len);
  if (offset != 0 && len > 0) memory.copy(arenaAt(offset), src, len);
  return offset;
}

/**
 * Like arenaPut, with a u16 length prefix (value entries and display forms), then `tail` zeroed
 * bytes (a value entry's display slot).
 */
export function arenaPutPrefixed(src: usize, len: u32, tail: u32 = 0): u32 {
  const offset = arenaTake(VALUE_LEN_BYTES + len + tail);
  if (offset == 0) return 0;
  const at = arenaAt(offset);
  store<u16>(at, <u16>len);
  memory.copy(at + VALUE_LEN_BYTES, src, len);
  memory.fill(at + VALUE_LEN_BYTES + len, 0, tail);
  return offset;
}

// ---- a node's value entry (layout.ts): u16 length, value bytes, display slot when flagged ----

// @ts-ignore: decorator
@inline function createdRecordAt(c: u32): usize { return elementAddress(KIND_CREATED, c); }

/** Arena offset of the value entry of the node at address `n` (through its created record when it has one). */
// @ts-ignore: decorator
@inline function valueOffset(n: usize): u32 {
  const field = load<u32>(n, NODE_VALUE);
  return (load<u8>(n, NODE_FLAGS) & NODE_FLAG_CREATED) != 0 ? load<u32>(createdRecordAt(field), CREATED_VALUE) : field;
}

// @ts-ignore: decorator
@inline function valueEntry(n: usize): usize { return arenaAt(valueOffset(n)); }

/** Points the node at address `n` to the value entry at arena `offset`. */
export function setValueOffset(n: usize, offset: u32): void {
  if ((load<u8>(n, NODE_FLAGS) & NODE_FLAG_CREATED) != 0) store<u32>(createdRecordAt(load<u32>(n, NODE_VALUE)), offset, CREATED_VALUE);
  else store<u32>(n, offset, NODE_VALUE);
}

/** Address of the value entry (u16 length, bytes, display slot) of the node at address `n`. */
export function valueEntryAddress(n: usize): usize { return valueEntry(n); }

/** Length in bytes of the value of the node at address `n`. */
// @ts-ignore: decorator
@inline export function valueLen(n: usize): u32 { return <u32>load<u16>(valueEntry(n)); }

/** Address of the value bytes of the node at address `n`. */
// @ts-ignore: decorator
@inline export function valueBytes(n: usize): usize { return valueEntry(n) + VALUE_LEN_BYTES; }

/** Address of the display slot of the node at address `n` (a u32 arena offset, 0 = none), 0 when its entry has none. */
export function displaySlot(n: usize): usize {
  if ((load<u8>(n, NODE_FLAGS) & NODE_FLAG_DISPLAY) == 0) return 0;
  const entry = valueEntry(n);
  return entry + VALUE_LEN_BYTES + <usize>load<u16>(entry);
}

/**
 * Writes the value entry of the node at address `n` again with a display slot after it (zeroed), and
 * returns the slot. The old entry is zeroed: an erased identifier must leave no copy of its value
 * behind. The caller reserved the arena bytes.
 */
export function addDisplaySlot(n: usize): usize {
  const len = valueLen(n);
  const old = valueBytes(n);
  setValueOffset(n, arenaPutPrefixed(old, len, DISPLAY_SLOT_BYTES));
  memory.fill(old - VALUE_LEN_BYTES, 0, VALUE_LEN_BYTES + len);
  store<u8>(n, load<u8>(n, NODE_FLAGS) | NODE_FLAG_DISPLAY, NODE_FLAGS);
  return displaySlot(n);
}

/** createdAt of the persona `node` founded: its first-seen, or what its created record kept when that moved. */
export function createdAt(node: u32): f64 {
  const n = nodeAt(node);
  if ((load<u8>(n, NODE_FLAGS) & NODE_FLAG_CREATED) == 0) return load<f64>(n, NODE_FIRST_SEEN);
  return load<f64>(createdRecordAt(load<u32>(n, NODE_VALUE)), CREATED_TIME);
}

/**
 * Keeps a founder's first-seen as its persona's createdAt, in a created record, before an earlier
 * sighting moves it (once per founder). The caller reserved the record.
 */
export function freezeCreated(n: usize): void {
  if ((load<u8>(n, NODE_FLAGS) & (NODE_FLAG_FOUNDER | NODE_FLAG_CREATED)) != NODE_FLAG_FOUNDER) return;
  const c = takeElements(KIND_CREATED, 1);
  const at = createdRecordAt(c);
  store<f64>(at, load<f64>(n, NODE_FIRST_SEEN), CREATED_TIME);
  store<u32>(at, load<u32>(n, NODE_VALUE), CREATED_VALUE);
  store<u32>(n, c, NODE_VALUE);
  store<u8>(n, load<u8>(n, NODE_FLAGS) | NODE_FLAG_CREATED, NODE_FLAGS);
}

// ---- hash tables: u32 slots holding a record index and a few check bits of its key's tag ----
//
// A slot is (check << REF_BITS) | ref, 0 when empty; linear probing from the tag's home slot. The
// check bits (the tag's top bits) let a probe skip most foreign entries without touching their
// records; a rehash or a removal recomputes an entry's tag from its record (tagOfRecord). Tables
// grow by half (capacity need not be a power of two: homeSlot scales a mixed tag to the capacity),
// so a table is at least half full after growing, and growth briefly needs 2.5× rather than 3× the table.

export const SLOT_SIZE: u32 = 4;
/** Bits of a record index: edges reach 2^27 (EDGE_MAX_PAGES << EDGE_PAGE_SHIFT), nodes and personas 2^26. */
const REF_BITS: u32 = 27;
const REF_MASK: u32 = (1 << REF_BITS) - 1;
const LOAD_NUMERATOR: u32 = 3; // grow beyond 3/4 full
const LOAD_DENOMINATOR: u32 = 4;
export const INITIAL_TABLE_CAPACITY: u32 = 1024;
/** Capacities are multiples of this, so a table's bytes are a whole number of 16-byte allocation units. */
const CAPACITY_ROUNDING: u32 = 4;
const TAG_MIX: u32 = 0x9E3779B1; // odd golden-ratio multiplier: the home slot leans on every tag bit, not the check bits alone

/** Home slot of a tag in a table of `capacity` slots: multiply-shift range reduction of the mixed tag. */
// @ts-ignore: decorator
@inline function homeSlot(tag: u32, capacity: u32): u32 {
  return <u32>((<u64>(tag * TAG_MIX) * <u64>capacity) >> 32);
}

// @ts-ignore: decorator
@inline function nextSlot(i: u32, capacity: u32): u32 {
  return i + 1 == capacity ? 0 : i + 1;
}

export function tableInit(desc: usize, capacity: u32): i32 {
  const ptr = allocBlock(capacity * SLOT_SIZE);
  if (ptr == 0) return ERR_OUT_OF_MEMORY;
  store<u32>(desc, ptr, TABLE_PTR);
  store<u32>(desc, capacity, TABLE_CAPACITY);
  store<u32>(desc, 0, TABLE_COUNT);
  return OK;
}

/**
 * Probes for a slot whose ref satisfies `matches`; returns the slot address, or the empty slot
 * ending the run. A table is never full, so only a reader that raced a rehash can probe every slot
 * without meeting an empty one: it gets 0, and its seqlock check discards the read.
 */
export function tableProbe(desc: usize, tag: u32, matches: (ref: u32) => bool): usize {
  const ptr = <usize>load<u32>(desc, TABLE_PTR);
  const capacity = load<u32>(desc, TABLE_CAPACITY);
  let i = homeSlot(tag, capacity);
  for (let probes: u32 = 0; probes < capacity; probes++) {
    const slot = ptr + <usize>(i * SLOT_SIZE);
    const entry = load<u32>(slot);
    if (entry == 0) return slot;
    if (((entry ^ tag) & ~REF_MASK) == 0 && matches(entry & REF_MASK)) return slot;
    i = nextSlot(i, capacity);
  }
  return 0;
}

/**
 * Loads what probing `tag` will read first, up to `depth`: 1 its home slot; 2 also, when the tag bits
 * there match, that identifier's node record; 3 also its value entry (what identifierMatches reads).
 * Returns a word of them.
 */
export function warmHome(desc: usize, tag: u32, depth: u32): u32 {
  const entry = load<u32>(<usize>load<u32>(desc, TABLE_PTR) + <usize>(homeSlot(tag, load<u32>(desc, TABLE_CAPACITY)) * SLOT_SIZE));
  if (depth == 1 || entry == 0 || ((entry ^ tag) & ~REF_MASK) != 0) return entry;
  const n = nodeAt(entry & REF_MASK);
  return depth == 2 ? load<u32>(n, NODE_VALUE) : <u32>load<u16>(valueEntry(n));
}

/** The record a probed slot holds: 0 for an empty slot or a probe that found no slot. */
// @ts-ignore: decorator
@inline export function slotRef(slot: usize): u32 {
  return slot == 0 ? 0 : load<u32>(slot) & REF_MASK;
}

/** Room for `extra` more entries without a rehash in the middle of a batch. */
export function tableReserve(desc: usize, extra: u32): i32 {
  const capacity = load<u32>(desc, TABLE_CAPACITY);
  const needed = <u64>load<u32>(desc, TABLE_COUNT) + <u64>extra;
  if (needed * LOAD_DENOMINATOR <= <u64>capacity * LOAD_NUMERATOR) return OK;
  let grown = <u64>capacity;
  while (needed * LOAD_DENOMINATOR > grown * LOAD_NUMERATOR) grown += grown >> 1;
  grown = (grown + CAPACITY_ROUNDING - 1) & ~(<u64>CAPACITY_ROUNDING - 1); // whole allocation units: no unlisted padding
  if (grown * SLOT_SIZE > <u64>0xFFFFFFFF) return setError(ERR_CAPACITY);
  return tableRehash(desc, <u32>grown);
}

/** The tag a table's entry was filled with, recomputed from the record it holds. */
function tagOfRecord(desc: usize, ref: u32): u32 {
  if (desc == header(HEADER_EDGE_TABLE)) {
    const e = edgeAt(ref);
    return pairTag(load<u32>(e, EDGE_A), edgeB(e));
  }
  // an identifier's key is the id it founds (or would found); an erased founder keeps that id
  return <u32>founderId(ref);
}

/** Whether the identifier table holds `node`: every node but an erased one that founded nothing. */
// @ts-ignore: decorator
@inline function keyed(node: u32): bool {
  return (load<u8>(nodeAt(node), NODE_FLAGS) & (NODE_FLAG_ERASED | NODE_FLAG_FOUNDER)) != NODE_FLAG_ERASED;
}

/** Puts record `ref` with tag `tag` in the first free slot of its probe run (a rehash: no match can be there). */
function placeEntry(ptr: usize, capacity: u32, tag: u32, ref: u32): void {
  let j = homeSlot(tag, capacity);
  while (load<u32>(ptr + <usize>(j * SLOT_SIZE)) != 0) j = nextSlot(j, capacity);
  store<u32>(ptr + <usize>(j * SLOT_SIZE), (tag & ~REF_MASK) | ref);
}

function tableRehash(desc: usize, capacity: u32): i32 {
  const oldPtr = <usize>load<u32>(desc, TABLE_PTR);
  const oldCapacity = load<u32>(desc, TABLE_CAPACITY);
  const ptr = allocBlock(capacity * SLOT_SIZE);
  if (ptr == 0) return ERR_OUT_OF_MEMORY;
  if (desc == header(HEADER_IDENT_TABLE)) {
    // walking the nodes in order reads the values their keys are recomputed from in about the order
    // they were laid out, where the old slots' order would miss the cache on each; and of two
    // founders with one id (an erased one and a newer node of its value), the older stays first
    const nodes = kindCount(KIND_NODES);
    for (let node: u32 = 1; node < nodes; node++) {
      if (keyed(node)) placeEntry(<usize>ptr, capacity, <u32>founderId(node), node);
    }
  } else {
    for (let i: u32 = 0; i < oldCapacity; i++) {
      const entry = load<u32>(oldPtr + <usize>(i * SLOT_SIZE));
      if (entry != 0) placeEntry(<usize>ptr, capacity, tagOfRecord(desc, entry & REF_MASK), entry & REF_MASK);
    }
  }
  store<u32>(desc, ptr, TABLE_PTR);
  store<u32>(desc, capacity, TABLE_CAPACITY);
  freeBlock(<u32>oldPtr, oldCapacity * SLOT_SIZE);
  return OK;
}

/** Fills an empty slot returned by tableProbe. The caller reserved room first. */
export function tableFill(desc: usize, slot: usize, tag: u32, ref: u32): void {
  store<u32>(slot, (tag & ~REF_MASK) | ref);
  store<u32>(desc, load<u32>(desc, TABLE_COUNT) + 1, TABLE_COUNT);
}

/** Slots from `from` forward to `to`, wrapping around the table's end. */
// @ts-ignore: decorator
@inline function cyclicDistance(from: u32, to: u32, capacity: u32): u32 {
  return to >= from ? to - from : to + capacity - from;
}

/** Removes an occupied slot with backward-shift deletion, so probe runs stay unbroken without tombstones. */
export function tableRemove(desc: usize, slot: usize): void {
  const ptr = <usize>load<u32>(desc, TABLE_PTR);
  const capacity = load<u32>(desc, TABLE_CAPACITY);
  let hole = <u32>((slot - ptr) / SLOT_SIZE);
  let i = hole;
  while (true) {
    i = nextSlot(i, capacity);
    const next = ptr + <usize>(i * SLOT_SIZE);
    const entry = load<u32>(next);
    if (entry == 0) break;
    const home = homeSlot(tagOfRecord(desc, entry & REF_MASK), capacity);
    // move the entry back when the hole lies on its probe path (cyclic range home..i)
    const distanceToHole = cyclicDistance(home, hole, capacity);
    const distanceToSlot = cyclicDistance(home, i, capacity);
    if (distanceToHole < distanceToSlot) {
      store<u32>(ptr + <usize>(hole * SLOT_SIZE), entry);
      hole = i;
    }
  }
  store<u32>(ptr + <usize>(hole * SLOT_SIZE), 0);
  store<u32>(desc, load<u32>(desc, TABLE_COUNT) - 1, TABLE_COUNT);
}

// ---- persona ids ----

const PERSONA_ID_SEED: u64 = 0x70736e5f69647331; // "psn_ids1": persona ids (and identifier keys) are hashed with it

// the tenant's part of the id seed, for the last tenant asked about: every identifier key is hashed
// with it (a rehash of the identifier table recomputes them all), and a shard's identifiers nearly all
// belong to a few tenants. A tenant's name never changes once registered; its arena offset and length
// key the cache too, so neither another shard's tenant nor a reader that raced the registration
// (offset or length not yet written) reuses a seed.
let seedTenant: u32 = 0;
let seedName: u64 = 0; // the name's arena offset << 32 | its length
let seedOfTenant: u64 = 0;

function tenantIdSeed(tenant: u32): u64 {
  const t = tenantAt(tenant);
  const offset = load<u32>(t, TENANT_NAME);
  const len = load<u32>(t, TENANT_NAME_LEN);
  const name = (<u64>offset << 32) | <u64>len;
  if (tenant != seedTenant || name != seedName) {
    seedOfTenant = xxh64(arenaAt(offset), len, PERSONA_ID_SEED);
    seedTenant = tenant;
    seedName = name;
  }
  return seedOfTenant;
}

/** Stable persona id: a hash of the tenant's name and the founding identifier, never of node numbers. */
export function personaIdHash(node: u32): u64 {
  const n = nodeAt(node);
  return identifierHash(<u32>load<u16>(n, NODE_TENANT), <u32>load<u8>(n, NODE_TYPE), valueBytes(n), valueLen(n));
}

/**
 * The id of the persona `node` founded (or would found): the hash of its value, or for an erased
 * founder the id its zeroed value entry keeps (see eraseNode).
 */
export function founderId(node: u32): u64 {
  const n = nodeAt(node);
  if ((load<u8>(n, NODE_FLAGS) & NODE_FLAG_ERASED) != 0) return load<u64>(valueBytes(n));
  return personaIdHash(node);
}

/** Id of persona `rec` (its founder node); 0 for a node that founded nothing (or a reader racing its founding). */
export function personaIdOf(rec: u32): u64 {
  return (load<u8>(nodeAt(rec), NODE_FLAGS) & NODE_FLAG_FOUNDER) != 0 ? founderId(rec) : 0;
}

// ---- evidence pair keys ----

const PAIR_MIX: u64 = 0x9E3779B97F4A7C15; // golden-ratio multiplier: spreads (a, b) over the table

/** Tag of the edge between nodes a < b. */
export function pairTag(a: u32, b: u32): u32 {
  const mixed = ((<u64>a << 32) | <u64>b) * PAIR_MIX;
  return <u32>(mixed >> 32) ^ <u32>mixed;
}

// ---- identifier keys ----

/**
 * Hash of (tenant, type, value bytes): the identifier's key and the id of the persona it founds (or
 * would found), so one table finds a node by its value and a persona by its id. The seed mixes the
 * tenant's name and the type, so tenants never share keys.
 */
export function identifierHash(tenant: u32, type: u32, ptr: usize, len: u32): u64 {
  return xxh64(ptr, len, tenantIdSeed(tenant) ^ <u64>type);
}

// probe context for identifier lookups; globals are per instance, so each thread has its own
let probeTenant: u32 = 0;
let probeType: u32 = 0;
let probePtr: usize = 0;
let probeLen: u32 = 0;

function identifierMatches(node: u32): bool {
  const a = nodeAt(node);
  return <u32>load<u16>(a, NODE_TENANT) == probeTenant
    && <u32>load<u8>(a, NODE_TYPE) == probeType
    && (load<u8>(a, NODE_FLAGS) & NODE_FLAG_ERASED) == 0 // an erased founder stays keyed by its id, not its value
    && valueLen(a) == probeLen
    && memory.compare(valueBytes(a), probePtr, probeLen) == 0;
}

/** Slot of the identifier (tenant, type, bytes): occupied when it exists, else the empty slot to fill. */
export function identifierSlot(desc: usize, tenant: u32, type: u32, ptr: usize, len: u32, tag: u32): usize {
  probeTenant = tenant;
  probeType = type;
  probePtr = ptr;
  probeLen = len;
  return tableProbe(desc, tag, identifierMatches);
}

export function nodeCount(): u32 {
  return kindCount(KIND_NODES);
}
