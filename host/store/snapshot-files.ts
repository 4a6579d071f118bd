// Snapshots as files under <dataDir>/snapshots/, one per (shard, seq). A file is written under a
// temporary name, fsynced, renamed into place and the directory fsynced, so a crash leaves
// either the whole new snapshot or none of it. Each shard has exactly one writer at a time.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { LoadedSnapshot, Logger, SnapshotInfo, SnapshotStore } from './types.js';
import { checkSnapshotArgs, crcOfChunks, encodeHeader, HEADER_SIZE, requireShard, verifySnapshot } from './snapshot-format.js';
import { requirePositiveInt } from './validate.js';

export const DEFAULT_KEEP_SNAPSHOTS = 2;
const FILE_PATTERN = /^shard-(\d+)-(\d+)\.snap$/;
const TEMP_MARKER = '.tmp-';
/** Zero-padded so a directory listing sorts by seq. */
const SEQ_DIGITS = 16;

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
    const name = fileName(shard, seq);
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
    for (const { seq, name } of this.stored(shard)) {
      const path = join(this.dir, name);
      try {
        return { seq, bytes: verifySnapshot(readFileSync(path), { shard, seq }) };
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

function fileName(shard: number, seq: number): string {
  return `shard-${shard}-${String(seq).padStart(SEQ_DIGITS, '0')}.snap`;
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
