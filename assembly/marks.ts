// Traversal marks: which nodes a writer traversal has reached, and how (a few small values per
// traversal). They live in an open-addressing table sized to the traversal, cleared when one
// begins, rather than in a stamp field of every node record. Writer-only scratch.
import { HEADER_MARKS, ERR_OUT_OF_MEMORY } from './layout';
import { header, allocBlock, freeBlock, setError } from './memory';

const MARKS_PTR: u32 = 0;
const MARKS_BLOCK_SLOTS: u32 = 4; // slots the allocated block holds
const MARKS_SLOTS: u32 = 8; // slots the current traversal uses (a power of two, ≤ the block's)
const MARKS_COUNT: u32 = 12;
const ENTRY_BYTES: u32 = 8; // node u32 (0 = empty: node 0 is never a real one), mark u32
const MIN_SLOTS: u32 = 256;
/** Grow past half full: short probe runs. */
const LOAD_DENOMINATOR: u32 = 2;
/** Doubling growth keeps the old block until the copy is done, and earlier blocks were at most as big again. */
const GROWTH_SLACK: u64 = 4;
const NODE_MIX: u32 = 0x9E3779B1; // golden-ratio multiplier: spreads node numbers over the slots

function slotsFor(nodes: u64): u32 {
  let slots = <u64>MIN_SLOTS;
  while (slots < nodes * LOAD_DENOMINATOR) slots <<= 1;
  return <u32>slots;
}

/** Memory to keep free so that a traversal marking `nodes` nodes cannot run out. */
export function marksHeadroom(nodes: u64): u64 {
  return GROWTH_SLACK * <u64>slotsFor(nodes) * ENTRY_BYTES;
}

// @ts-ignore: decorator
@inline function home(node: u32, mask: u32): u32 {
  const h = node * NODE_MIX;
  return (h ^ (h >> 16)) & mask;
}

/** Starts a traversal expected to mark about `expected` nodes (it may mark more): no node is marked. False when memory is out. */
export function beginMarks(expected: u32): bool {
  const d = header(HEADER_MARKS);
  const slots = slotsFor(expected);
  if (load<u32>(d, MARKS_BLOCK_SLOTS) < slots) {
    const ptr = allocBlock(slots * ENTRY_BYTES);
    if (ptr == 0) {
      setError(ERR_OUT_OF_MEMORY);
      return false;
    }
    const old = load<u32>(d, MARKS_PTR);
    if (old != 0) freeBlock(old, load<u32>(d, MARKS_BLOCK_SLOTS) * ENTRY_BYTES);
    store<u32>(d, ptr, MARKS_PTR);
    store<u32>(d, slots, MARKS_BLOCK_SLOTS);
  } else {
    memory.fill(<usize>load<u32>(d, MARKS_PTR), 0, slots * ENTRY_BYTES);
  }
  store<u32>(d, slots, MARKS_SLOTS);
  store<u32>(d, 0, MARKS_COUNT);
  return true;
}

/** Slot of `node`: its entry, or the empty slot ending its probe run. */
function slotOf(ptr: usize, mask: u32, node: u32): usize {
  let i = home(node, mask);
  while (true) {
    const slot = ptr + <usize>(i * ENTRY_BYTES);
    const at = load<u32>(slot);
    if (at == node || at == 0) return slot;
    i = (i + 1) & mask;
  }
}

/** The node's mark in the current traversal, 0 when unmarked. */
export function markOf(node: u32): u32 {
  const d = header(HEADER_MARKS);
  const slot = slotOf(<usize>load<u32>(d, MARKS_PTR), load<u32>(d, MARKS_SLOTS) - 1, node);
  return load<u32>(slot) == node ? load<u32>(slot, 4) : 0;
}

/** Marks `node` with `mark` (non-zero); false when the table had to grow and memory is out. */
export function setMark(node: u32, mark: u32): bool {
  const d = header(HEADER_MARKS);
  let slot = slotOf(<usize>load<u32>(d, MARKS_PTR), load<u32>(d, MARKS_SLOTS) - 1, node);
  if (load<u32>(slot) == 0) {
    const count = load<u32>(d, MARKS_COUNT) + 1;
    if (count * LOAD_DENOMINATOR > load<u32>(d, MARKS_SLOTS)) {
      if (!grow(d)) return false;
      slot = slotOf(<usize>load<u32>(d, MARKS_PTR), load<u32>(d, MARKS_SLOTS) - 1, node);
    }
    store<u32>(slot, node);
    store<u32>(d, count, MARKS_COUNT);
  }
  store<u32>(slot, mark, 4);
  return true;
}

/** Doubles the slots in use, moving the entries to a new block. */
function grow(d: usize): bool {
  const oldPtr = <usize>load<u32>(d, MARKS_PTR);
  const oldSlots = load<u32>(d, MARKS_SLOTS);
  const slots = oldSlots << 1;
  const ptr = allocBlock(slots * ENTRY_BYTES);
  if (ptr == 0) {
    setError(ERR_OUT_OF_MEMORY);
    return false;
  }
  const mask = slots - 1;
  for (let i: u32 = 0; i < oldSlots; i++) {
    const from = oldPtr + <usize>(i * ENTRY_BYTES);
    const node = load<u32>(from);
    if (node == 0) continue;
    store<u64>(slotOf(<usize>ptr, mask, node), load<u64>(from));
  }
  freeBlock(<u32>oldPtr, load<u32>(d, MARKS_BLOCK_SLOTS) * ENTRY_BYTES);
  store<u32>(d, ptr, MARKS_PTR);
  store<u32>(d, slots, MARKS_BLOCK_SLOTS);
  store<u32>(d, slots, MARKS_SLOTS);
  return true;
}
