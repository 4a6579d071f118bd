// Snapshots kept in process memory, for the library's no-dataDir mode: the same contract as the
// files (newest few per shard, newest first) without disk, and gone when the process ends.
import type { LoadedSnapshot, ReadSnapshot, SnapshotInfo, SnapshotStore } from './types.js';
import { checkSnapshotArgs, requireShard } from './snapshot-format.js';
import { DEFAULT_KEEP_SNAPSHOTS } from './snapshot-files.js';
import { requirePositiveInt } from './validate.js';

export class MemorySnapshotStore implements SnapshotStore {
  /** Per shard, newest first. */
  private readonly byShard = new Map<number, LoadedSnapshot[]>();

  constructor(private readonly keep: number = DEFAULT_KEEP_SNAPSHOTS) {
    requirePositiveInt(keep, 'keepSnapshots');
  }

  save(shard: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): void {
    const chunks = checkSnapshotArgs(shard, seq, bytes);
    // Copy: the caller's buffers (a shard's live memory) keep changing after this returns.
    const snapshot = { seq, bytes: Buffer.concat(chunks) };
    const kept = (this.byShard.get(shard) ?? []).filter((s) => s.seq !== seq);
    kept.push(snapshot);
    kept.sort((a, b) => b.seq - a.seq);
    this.byShard.set(shard, kept.slice(0, this.keep));
  }

  loadNewest(shard: number): LoadedSnapshot | null {
    requireShard(shard);
    return this.byShard.get(shard)?.[0] ?? null;
  }

  loadNewestInto(shard: number, into: (length: number) => Uint8Array): ReadSnapshot | null {
    const newest = this.loadNewest(shard);
    if (!newest) return null;
    into(newest.bytes.length).set(newest.bytes);
    return { seq: newest.seq, length: newest.bytes.length };
  }

  dropOlder(shard: number, seq: number): void {
    requireShard(shard);
    this.byShard.set(shard, (this.byShard.get(shard) ?? []).filter((s) => s.seq >= seq));
  }

  list(shard: number): SnapshotInfo[] {
    requireShard(shard);
    return (this.byShard.get(shard) ?? []).map(({ seq, bytes }) => ({ shard, seq, size: bytes.length }));
  }
}
