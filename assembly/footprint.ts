// Where a shard's bytes go: allocated bytes per structure, for the core benchmark's breakdown.
// Reader-side: reads the header only.
import {
  HEADER_SIZE, HEADER_IDENT_TABLE, HEADER_EDGE_TABLE, HEADER_WORK, HEADER_INBOX,
  HEADER_JOURNAL, HEADER_PARENTS, HEADER_MARKS, HEADER_FREE_COUNT, HEADER_FREE_LIST, HEADER_KINDS, KIND_DESCRIPTOR_SIZE, KIND_COUNT,
  TABLE_CAPACITY, READER_SLOTS, READER_SLOT_BYTES, JOURNAL_ENTRY_SIZE,
} from './layout';
import { header } from './memory';
import { SLOT_SIZE } from './records';

/** Order of the figures `footprint` writes (host/engine/shard.ts names them the same way). */
export const FOOTPRINT_FIGURES: u32 = 16;
const FREE_ENTRY_SIZE: u32 = 8;
const PARENT_SLOT_BYTES: u32 = 4;
const MARK_ENTRY_BYTES: u32 = 8;

function kindAllocatedBytes(kind: u32): u32 {
  const d = header(HEADER_KINDS + kind * KIND_DESCRIPTOR_SIZE);
  const elementSize = load<u32>(d, 4);
  const shift = <u32>load<u16>(d, 8);
  const maxPages = <u32>load<u16>(d, 10);
  const table = <usize>load<u32>(d, 12);
  let pages: u32 = 0;
  for (let p: u32 = 0; p < maxPages; p++) if (load<u32>(table + (p << 2)) != 0) pages++;
  return pages * ((<u32>1 << shift) * elementSize);
}

function tableBytes(desc: u32): u32 {
  return load<u32>(header(desc), TABLE_CAPACITY) * SLOT_SIZE;
}

function freeBytes(): u32 {
  let total: u32 = 0;
  const count = load<u32>(header(HEADER_FREE_COUNT));
  for (let i: u32 = 0; i < count; i++) total += load<u32>(header(HEADER_FREE_LIST + i * FREE_ENTRY_SIZE), 4);
  return total;
}

/**
 * Writes FOOTPRINT_FIGURES u32 at `out`: allocated bytes of the paged arrays (KIND_COUNT of them:
 * nodes, edges, tenants, arena, values, created), the identifier (and persona-id) and edge tables, the header
 * with its page tables, the reader slots, the writer work buffer, the inbox, the journal, and the
 * blocks on the free list, the parent column, and the traversal marks.
 */
export function footprint(out: usize): void {
  let at = out;
  for (let kind: u32 = 0; kind < KIND_COUNT; kind++) at = put(at, kindAllocatedBytes(kind));
  // no arrays: the AssemblyScript heap would start where the shard header lives
  at = put(at, tableBytes(HEADER_IDENT_TABLE));
  at = put(at, tableBytes(HEADER_EDGE_TABLE));
  at = put(at, HEADER_SIZE);
  at = put(at, READER_SLOTS * READER_SLOT_BYTES);
  at = put(at, load<u32>(header(HEADER_WORK), 4));
  at = put(at, load<u32>(header(HEADER_INBOX), 4));
  at = put(at, load<u32>(header(HEADER_JOURNAL), 4) * JOURNAL_ENTRY_SIZE);
  at = put(at, freeBytes());
  at = put(at, load<u32>(header(HEADER_PARENTS), 4) * PARENT_SLOT_BYTES);
  put(at, load<u32>(header(HEADER_MARKS), 4) * MARK_ENTRY_BYTES);
}

function put(at: usize, value: u32): usize {
  store<u32>(at, value);
  return at + 4;
}
