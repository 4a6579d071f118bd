// Snapshots as files under <dataDir>/snapshots/, one per (shard, seq). A file is written under a
// temporary name, fsynced, renamed into place and the directory fsynced, so a crash leaves
// either the whole new snapshot or none of it. Each shard has exactly one writer at a time.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import type { LoadedSnapshot, Logger, ReadSnapshot, SnapshotInfo, SnapshotStore } from './types.js';
import { checkSnapshotArgs, crcOfChunks, encodeHeader, HEADER_SIZE, requireShard, verifyBodyCrc, verifyHeader } from './snapshot-format.js';
import { requirePositiveInt } from './validate.js';

export const DEFAULT_KEEP_SNAPSHOTS = 2;
const FILE_PATTERN = /^shard-(\d+)-(\d+)\.snap$/;
const TEMP_MARKER = '.tmp-';
/** Zero-padded so a directory listing sorts by seq. */
const SEQ_DIGITS = 16;
/** A snapshot body is read and checksummed this much at a time: each chunk is still in the CPU cache for its CRC. */
const READ_CHUNK_BYTES = 1 << 20;

interface StoredFile {
  name: string;
  seq: number;
  size: number;
}

export interface FileSnapshotOptions {
  keep?: number;
  logger?: Logger;
}

export class FileSnapshotStore implements SnapshotStore {
  private readonly keep: number;
  private readonly logger: Logger;

  constructor(
    /** The snapshots directory itself (created if missing). */
    private readonly dir: string,
    options: FileSnapshotOptions = {},
  ) {
    this.keep = options.keep ?? DEFAULT_KEEP_SNAPSHOTS;
    requirePositiveInt(this.keep, 'keepSnapshots');
    this.logger = options.logger ?? console.warn;
    mkdirSync(dir, { recursive: true });
  }

  save(shard: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): void {
    const chunks = checkSnapshotArgs(shard, seq, bytes);
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const header = encodeHeader({ shard, seq, length, bodyCrc: crcOfChunks(chunks) });
    const name = snapshotFileName(shard, seq);
    const temp = join(this.dir, `${name}${TEMP_MARKER}${process.pid}-${threadId}`);
    try {
      writeSynced(temp, [header, ...chunks]);
      renameSync(temp, join(this.dir, name));
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
    fsyncDirectory(this.dir);
    this.removeOld(shard);
  }

  loadNewest(shard: number): LoadedSnapshot | null {
    let bytes = Buffer.alloc(0);
    const read = this.loadNewestInto(shard, (length) => (bytes = Buffer.allocUnsafe(length)));
    return read && { seq: read.seq, bytes };
  }

  loadNewestInto(shard: number, into: (length: number) => Uint8Array): ReadSnapshot | null {
    for (const { seq, name } of this.stored(shard)) {
      const path = join(this.dir, name);
      try {
        return { seq, length: readSnapshotInto(path, { shard, seq }, into) };
      } catch (err) {
        this.logger(`skipping damaged snapshot ${path}: ${(err as Error).message}`);
      }
    }
    return null;
  }

  list(shard: number): SnapshotInfo[] {
    return this.stored(shard).map(({ seq, size }) => ({ shard, seq, size }));
  }

  dropOlder(shard: number, seq: number): void {
    for (const { name, seq: stored } of this.stored(shard)) if (stored < seq) rmSync(join(this.dir, name), { force: true });
  }

  /** The shard's snapshot files, newest first. */
  private stored(shard: number): StoredFile[] {
    requireShard(shard);
    const found: StoredFile[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = FILE_PATTERN.exec(name);
      if (match === null || Number(match[1]) !== shard) continue;
      // Gone since readdir: a concurrent save of this shard removed it.
      const stat = statSync(join(this.dir, name), { throwIfNoEntry: false });
      if (stat === undefined) continue;
      found.push({ name, seq: Number(match[2]), size: Math.max(stat.size - HEADER_SIZE, 0) });
    }
    return found.sort((a, b) => b.seq - a.seq);
  }

  /** Drops snapshots beyond the newest `keep`, and temp files a crashed save of this shard left. */
  private removeOld(shard: number): void {
    for (const { name } of this.stored(shard).slice(this.keep)) rmSync(join(this.dir, name), { force: true });
    const tempPrefix = `shard-${shard}-`;
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(tempPrefix) && name.includes(TEMP_MARKER)) rmSync(join(this.dir, name), { force: true });
    }
  }
}

/** The file name of shard `shard`'s snapshot at log seq `seq`. */
export function snapshotFileName(shard: number, seq: number): string {
  return `shard-${shard}-${String(seq).padStart(SEQ_DIGITS, '0')}.snap`;
}

/**
 * Reads the body of the snapshot file at `path` into the start of `into(length)`, checking the
 * header first and the body's CRC as it streams in: no buffer of the whole file. Returns the
 * body's length; throws an Error saying what is wrong with a damaged file.
 */
function readSnapshotInto(path: string, expected: { shard: number; seq: number }, into: (length: number) => Uint8Array): number {
  const fd = openSync(path, 'r');
  try {
    const headerBytes = Buffer.alloc(HEADER_SIZE);
    const headerRead = readFully(fd, headerBytes, 0, HEADER_SIZE, 0);
    const header = verifyHeader(headerBytes.subarray(0, headerRead), fstatSync(fd).size - HEADER_SIZE, expected);
    const target = into(header.length);
    if (target.length < header.length) throw new RangeError(`a snapshot of ${header.length} bytes needs as large a buffer, got ${target.length}`);
    let crc = 0;
    for (let offset = 0; offset < header.length; offset += READ_CHUNK_BYTES) {
      const chunk = Math.min(READ_CHUNK_BYTES, header.length - offset);
      const read = readFully(fd, target, offset, chunk, HEADER_SIZE + offset);
      if (read < chunk) throw new Error(`body is ${offset + read} bytes, header says ${header.length}`);
      crc = crc32(target.subarray(offset, offset + chunk), crc);
    }
    verifyBodyCrc(header, crc);
    return header.length;
  } finally {
    closeSync(fd);
  }
}

/** Reads up to `length` bytes at `position` into `target` at `offset`; fewer only at the end of the file. */
function readFully(fd: number, target: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, target, offset + done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

function writeSynced(path: string, buffers: readonly Uint8Array[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const buf of buffers) {
      for (let offset = 0; offset < buf.length; ) offset += writeSync(fd, buf, offset);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename in `dir` durable (POSIX: the directory entry lives in the directory's data). */
function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
