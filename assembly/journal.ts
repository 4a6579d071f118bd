// What changed during a writer call (merges, re-clusters, erasures), read by the host afterwards
// to feed the changes API. Cleared by the host; grows by doubling.
import { HEADER_JOURNAL, JOURNAL_ENTRY_SIZE, ERR_OUT_OF_MEMORY } from './layout';
import { header, allocBlock, freeBlock, setError } from './memory';

const JOURNAL_PTR: u32 = 0;
const JOURNAL_CAPACITY: u32 = 4;
const JOURNAL_COUNT: u32 = 8;
const INITIAL_ENTRIES: u32 = 256;

export function journal(kind: u32, a: u32, b: u32): void {
  const d = header(HEADER_JOURNAL);
  const count = load<u32>(d, JOURNAL_COUNT);
  let capacity = load<u32>(d, JOURNAL_CAPACITY);
  if (count == capacity) {
    const grown = capacity == 0 ? INITIAL_ENTRIES : capacity << 1;
    const ptr = allocBlock(grown * JOURNAL_ENTRY_SIZE);
    if (ptr == 0) {
      setError(ERR_OUT_OF_MEMORY);
      return;
    }
    const old = load<u32>(d, JOURNAL_PTR);
    if (old != 0) {
      memory.copy(<usize>ptr, <usize>old, count * JOURNAL_ENTRY_SIZE);
      freeBlock(old, capacity * JOURNAL_ENTRY_SIZE);
    }
    store<u32>(d, ptr, JOURNAL_PTR);
    store<u32>(d, grown, JOURNAL_CAPACITY);
    capacity = grown;
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

export function journalClear(): void {
  const d = header(HEADER_JOURNAL);
  const ptr = load<u32>(d, JOURNAL_PTR);
  if (ptr != 0) memory.fill(<usize>ptr, 0, load<u32>(d, JOURNAL_COUNT) * JOURNAL_ENTRY_SIZE);
  store<u32>(d, 0, JOURNAL_COUNT);
}
