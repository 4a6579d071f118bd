// Region allocation for one shard: a bump pointer over linear memory that grows on demand, a small
// free list for blocks given back by hash-table rehashing, and paged arrays whose records never move.
import {
  HEADER_BUMP, HEADER_ERROR, HEADER_FREE_COUNT, HEADER_FREE_LIST, HEADER_KINDS, KIND_DESCRIPTOR_SIZE,
  HEADER_PARENTS, KIND_NODES, PARENT_INITIAL_CAPACITY, FREE_MAX, WASM_PAGE, ERR_OUT_OF_MEMORY, ERR_CAPACITY, OK,
} from './layout';

const ALIGN: u32 = 16;
const FREE_ENTRY_SIZE: u32 = 8;
const KIND_COUNT_FIELD: u32 = 0;
const KIND_ELEMENT_SIZE: u32 = 4;
const KIND_PAGE_SHIFT: u32 = 8; // u16 shift, then u16 page-table size
const KIND_PAGE_TABLE: u32 = 12;

/** Base of the shard header: the first aligned byte after static data. */
// @ts-ignore: decorator
@inline export function base(): u32 {
  return (<u32>__heap_base + ALIGN - 1) & ~(ALIGN - 1);
}

// @ts-ignore: decorator
@inline export function header(offset: u32): usize {
  return <usize>(base() + offset);
}

export function setError(code: i32): i32 {
  store<i32>(header(HEADER_ERROR), code);
  return code;
}

/** Makes sure linear memory reaches `end`; false when the 4 GiB limit is hit. */
function ensureMemory(end: u64): bool {
  const have = <u64>memory.size() * <u64>WASM_PAGE;
  if (end <= have) return true;
  const pages = <i32>((end - have + <u64>WASM_PAGE - 1) / <u64>WASM_PAGE);
  return memory.grow(pages) >= 0;
}

/**
 * Makes sure `bytes` more can be allocated from the bump pointer without growing past the limit,
 * by growing linear memory now (untouched pages cost no RSS and are not part of snapshots).
 */
export function ensureHeadroom(bytes: u64): i32 {
  if (!ensureMemory(<u64>load<u32>(header(HEADER_BUMP)) + bytes)) return setError(ERR_OUT_OF_MEMORY);
  return OK;
}

/** Allocates `size` bytes (zeroed), first fit from the free list, else from the bump pointer. 0 on failure. */
export function allocBlock(size: u32): u32 {
  size = (size + ALIGN - 1) & ~(ALIGN - 1);
  const count = load<u32>(header(HEADER_FREE_COUNT));
  for (let i: u32 = 0; i < count; i++) {
    const entry = header(HEADER_FREE_LIST + i * FREE_ENTRY_SIZE);
    const ptr = load<u32>(entry);
    const have = load<u32>(entry, 4);
    if (have < size) continue;
    if (have == size) removeFree(i);
    else {
      store<u32>(entry, ptr + size);
      store<u32>(entry, have - size, 4);
    }
    memory.fill(<usize>ptr, 0, size);
    return ptr;
  }
  const ptr = load<u32>(header(HEADER_BUMP));
  const end = <u64>ptr + <u64>size;
  if (!ensureMemory(end)) {
    setError(ERR_OUT_OF_MEMORY);
    return 0;
  }
  store<u32>(header(HEADER_BUMP), <u32>end);
  // memory from grow is zeroed, and the bump region was never handed out
  return ptr;
}

/** Returns a block to the free list; when the list is full the block is simply leaked. */
export function freeBlock(ptr: u32, size: u32): void {
  size = (size + ALIGN - 1) & ~(ALIGN - 1);
  const count = load<u32>(header(HEADER_FREE_COUNT));
  if (count >= FREE_MAX) return;
  const entry = header(HEADER_FREE_LIST + count * FREE_ENTRY_SIZE);
  store<u32>(entry, ptr);
  store<u32>(entry, size, 4);
  store<u32>(header(HEADER_FREE_COUNT), count + 1);
}

function removeFree(index: u32): void {
  const count = load<u32>(header(HEADER_FREE_COUNT));
  const last = count - 1;
  if (index != last) {
    const from = header(HEADER_FREE_LIST + last * FREE_ENTRY_SIZE);
    const to = header(HEADER_FREE_LIST + index * FREE_ENTRY_SIZE);
    store<u64>(to, load<u64>(from));
  }
  store<u32>(header(HEADER_FREE_COUNT), last);
}

// ---- paged arrays ----

// @ts-ignore: decorator
@inline function kindDescriptor(kind: u32): usize {
  return header(HEADER_KINDS + kind * KIND_DESCRIPTOR_SIZE);
}

export function initKind(kind: u32, elementSize: u32, pageShift: u32, pageTable: u32, maxPages: u32): void {
  const d = kindDescriptor(kind);
  store<u32>(d, 0, KIND_COUNT_FIELD);
  store<u32>(d, elementSize, KIND_ELEMENT_SIZE);
  store<u16>(d, <u16>pageShift, KIND_PAGE_SHIFT);
  store<u16>(d, <u16>maxPages, KIND_PAGE_SHIFT + 2);
  store<u32>(d, pageTable, KIND_PAGE_TABLE);
}

export function kindCount(kind: u32): u32 {
  return load<u32>(kindDescriptor(kind), KIND_COUNT_FIELD);
}

/** Sets the used length directly; the arena counts bytes and skips page tails itself. */
export function setKindCount(kind: u32, count: u32): void {
  store<u32>(kindDescriptor(kind), count, KIND_COUNT_FIELD);
}

/** Address of element `index` of a paged array. */
// @ts-ignore: decorator
@inline export function elementAddress(kind: u32, index: u32): usize {
  const d = kindDescriptor(kind);
  const shift = <u32>load<u16>(d, KIND_PAGE_SHIFT);
  const page = load<u32>(<usize>load<u32>(d, KIND_PAGE_TABLE) + ((index >> shift) << 2));
  return <usize>page + <usize>((index & ((1 << shift) - 1)) * load<u32>(d, KIND_ELEMENT_SIZE));
}

/**
 * Makes room for `extra` more elements without handing them out, so that a batch that passed this
 * check cannot fail half-way. Returns OK or an error code.
 */
export function reserveElements(kind: u32, extra: u32): i32 {
  const d = kindDescriptor(kind);
  const count = load<u32>(d, KIND_COUNT_FIELD);
  const shift = <u32>load<u16>(d, KIND_PAGE_SHIFT);
  const maxPages = <u32>load<u16>(d, KIND_PAGE_SHIFT + 2);
  const table = <usize>load<u32>(d, KIND_PAGE_TABLE);
  const needed = <u64>count + <u64>extra;
  const pagesNeeded = <u32>((needed + (<u64>1 << shift) - 1) >> shift);
  if (pagesNeeded > maxPages) return setError(ERR_CAPACITY);
  const pageBytes = (<u32>1 << shift) * load<u32>(d, KIND_ELEMENT_SIZE);
  for (let p: u32 = 0; p < pagesNeeded; p++) {
    if (load<u32>(table + (p << 2)) != 0) continue;
    const page = allocBlock(pageBytes);
    if (page == 0) return ERR_OUT_OF_MEMORY;
    store<u32>(table + (p << 2), page);
  }
  return kind == KIND_NODES ? reserveParents(<u32>needed) : OK;
}

// ---- the parent column: one u32 per node, contiguous, so a find hop is one load ----

const PARENTS_PTR: u32 = 0;
const PARENTS_CAPACITY: u32 = 4;
const PARENT_BYTES: u32 = 4;

/** Address of the parent column's first slot (it moves when it grows: read it again after any reserve). */
// @ts-ignore: decorator
@inline export function parentsBase(): usize {
  return <usize>load<u32>(header(HEADER_PARENTS), PARENTS_PTR);
}

/** Base address for readers on other threads: an atomic read, since the writer may move the column. */
// @ts-ignore: decorator
@inline export function parentsBaseAtomic(): usize {
  return <usize>atomic.load<u32>(header(HEADER_PARENTS), PARENTS_PTR);
}

/**
 * Makes the parent column hold at least `slots` slots, doubling. The old block goes to the free
 * list only after the new address is published; a reader still walking it may read reused bytes,
 * which the seqlock (and its hop bound) turns into a retry, as for a rehashed table.
 */
function reserveParents(slots: u32): i32 {
  const d = header(HEADER_PARENTS);
  const capacity = load<u32>(d, PARENTS_CAPACITY);
  if (slots <= capacity) return OK;
  let grown = <u64>(capacity == 0 ? PARENT_INITIAL_CAPACITY : capacity);
  while (grown < <u64>slots) grown <<= 1;
  if (grown * <u64>PARENT_BYTES > <u64>0xFFFFFFF0) return setError(ERR_CAPACITY);
  const ptr = allocBlock(<u32>grown * PARENT_BYTES);
  if (ptr == 0) return ERR_OUT_OF_MEMORY;
  const old = load<u32>(d, PARENTS_PTR);
  if (old != 0) memory.copy(<usize>ptr, <usize>old, capacity * PARENT_BYTES);
  atomic.store<u32>(d, ptr, PARENTS_PTR);
  store<u32>(d, <u32>grown, PARENTS_CAPACITY);
  if (old != 0) freeBlock(old, capacity * PARENT_BYTES);
  return OK;
}

/** Hands out `n` consecutive elements (already reserved or reserving now); returns the first index. */
export function takeElements(kind: u32, n: u32): u32 {
  if (reserveElements(kind, n) != OK) return 0xFFFFFFFF;
  const d = kindDescriptor(kind);
  const first = load<u32>(d, KIND_COUNT_FIELD);
  store<u32>(d, first + n, KIND_COUNT_FIELD);
  return first;
}
