// What changed during a writer call (merges, re-clusters, erasures), read by the host afterwards
// to feed the changes API, and cleared by it. Room is reserved before a call changes anything;
// entries past that room are dropped and the journal says so, rather than allocate half-way
// through a write: the graph stays right, only the account of what changed is incomplete.
import { HEADER_JOURNAL, JOURNAL_ENTRY_SIZE, ERR_OUT_OF_MEMORY, OK } from './layout';
import { header, allocBlock, freeBlock, setError } from './memory';

const JOURNAL_PTR: u32 = 0;
const JOURNAL_CAPACITY: u32 = 4;
const JOURNAL_COUNT: u32 = 8;
const JOURNAL_OVERFLOWED: u32 = 12;
const MIN_ENTRIES: u32 = 256;

/** Room for `entries` more entries; OK or ERR_OUT_OF_MEMORY (then nothing changed). */
export function journalReserve(entries: u64): i32 {
  const d = header(HEADER_JOURNAL);
  const count = load<u32>(d, JOURNAL_COUNT);
  const capacity = load<u32>(d, JOURNAL_CAPACITY);
  const needed = <u64>count + entries + <u64>MIN_ENTRIES;
  if (needed <= <u64>capacity) return OK;
  let grown = <u64>(capacity == 0 ? MIN_ENTRIES : capacity);
  while (grown < needed) grown <<= 1;
  if (grown * <u64>JOURNAL_ENTRY_SIZE > <u64>0xFFFFFFF0) return setError(ERR_OUT_OF_MEMORY);
  const ptr = allocBlock(<u32>grown * JOURNAL_ENTRY_SIZE);
  if (ptr == 0) return ERR_OUT_OF_MEMORY;
  const old = load<u32>(d, JOURNAL_PTR);
  if (old != 0) {
    memory.copy(<usize>ptr, <usize>old, count * JOURNAL_ENTRY_SIZE);
    freeBlock(old, capacity * JOURNAL_ENTRY_SIZE);
  }
  store<u32>(d, ptr, JOURNAL_PTR);
  store<u32>(d, <u32>grown, JOURNAL_CAPACITY);
  return OK;
}

export function journal(kind: u32, a: u32, b: u32): void {
  const d = header(HEADER_JOURNAL);
  const count = load<u32>(d, JOURNAL_COUNT);
  if (count >= load<u32>(d, JOURNAL_CAPACITY)) {
    store<u32>(d, 1, JOURNAL_OVERFLOWED);
    return;
  }
  const entry = <usize>load<u32>(d, JOURNAL_PTR) + <usize>(count * JOURNAL_ENTRY_SIZE);
  store<u32>(entry, kind);
  store<u32>(entry, a, 4);
  store<u32>(entry, b, 8);
  store<u32>(d, count + 1, JOURNAL_COUNT);
}

export function journalCount(): u32 {
  return load<u32>(header(HEADER_JOURNAL), JOURNAL_COUNT);
}

export function journalEntries(): u32 {
  return load<u32>(header(HEADER_JOURNAL), JOURNAL_PTR);
}

/** 1 when entries were dropped since the last clear. */
export function journalOverflowed(): u32 {
  return load<u32>(header(HEADER_JOURNAL), JOURNAL_OVERFLOWED);
}

export function journalClear(): void {
  const d = header(HEADER_JOURNAL);
  const ptr = load<u32>(d, JOURNAL_PTR);
  if (ptr != 0) memory.fill(<usize>ptr, 0, load<u32>(d, JOURNAL_COUNT) * JOURNAL_ENTRY_SIZE);
  store<u32>(d, 0, JOURNAL_COUNT);
  store<u32>(d, 0, JOURNAL_OVERFLOWED);
}
