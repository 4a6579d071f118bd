import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSnapshotStore, MemorySnapshotStore, openStore, type SnapshotStore } from '../../host/store/index.js';
import { makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
let warnings: string[];
let snapshots: FileSnapshotStore;
beforeEach(() => {
  temp = makeTempDir();
  warnings = [];
  snapshots = new FileSnapshotStore(temp.dir, { logger: (msg) => warnings.push(msg) });
});
afterEach(() => temp.remove());

function bytesOf(seed: number, length = 1000): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

function snapFiles(): string[] {
  return readdirSync(temp.dir).filter((n) => n.endsWith('.snap'));
}

/** Path of the stored snapshot file of (shard, seq). */
function pathOf(shard: number, seq: number): string {
  const name = snapFiles().find((n) => n.startsWith(`shard-${shard}-`) && n.endsWith(`${seq}.snap`));
  if (name === undefined) throw new Error(`no file for shard ${shard} seq ${seq}`);
  return join(temp.dir, name);
}

function flipByte(path: string, offset: number): void {
  const file = readFileSync(path);
  file[offset] ^= 0xff;
  writeFileSync(path, file);
}

describe.each([
  ['files', () => snapshots as SnapshotStore],
  ['memory', () => new MemorySnapshotStore() as SnapshotStore],
])('%s snapshot store', (_name, make) => {
  it('round-trips bytes given whole or in chunks, per shard, newest first', () => {
    const store = make();
    expect(store.loadNewest(0)).toBeNull();
    store.save(0, 10, bytesOf(1));
    store.save(0, 20, [bytesOf(2, 300), bytesOf(3, 0), bytesOf(4, 700)]);
    store.save(1, 15, bytesOf(5, 0));

    const newest = store.loadNewest(0)!;
    expect(newest.seq).toBe(20);
    expect(newest.bytes).toEqual(Buffer.concat([bytesOf(2, 300), bytesOf(4, 700)]));
    expect(store.loadNewest(1)).toEqual({ seq: 15, bytes: Buffer.alloc(0) });
    expect(store.list(0)).toEqual([
      { shard: 0, seq: 20, size: 1000 },
      { shard: 0, seq: 10, size: 1000 },
    ]);
  });

  it('reads the newest straight into the buffer the caller provides, shared memory too', () => {
    const store = make();
    expect(store.loadNewestInto(0, () => { throw new Error('no snapshot: never called'); })).toBeNull();
    store.save(0, 10, bytesOf(1));
    store.save(0, 20, [bytesOf(2, 300), bytesOf(4, 700)]);
    const asked: number[] = [];
    const target = new Uint8Array(new SharedArrayBuffer(1500), 0, 1200).fill(0xee);
    expect(store.loadNewestInto(0, (length) => { asked.push(length); return target; })).toEqual({ seq: 20, length: 1000 });
    expect(asked).toEqual([1000]);
    expect(Buffer.from(target.subarray(0, 1000))).toEqual(Buffer.concat([bytesOf(2, 300), bytesOf(4, 700)]));
    expect(target[1000]).toBe(0xee); // nothing written past the body
  });

  it('keeps only the newest two per shard by default', () => {
    const store = make();
    for (const seq of [5, 9, 7, 12]) store.save(3, seq, bytesOf(seq));
    expect(store.list(3).map((s) => s.seq)).toEqual([12, 9]);
    expect(store.loadNewest(3)!.bytes).toEqual(Buffer.from(bytesOf(12)));
  });

  it('copies the bytes: later changes to the caller buffer do not reach the snapshot', () => {
    const store = make();
    const live = bytesOf(1);
    store.save(0, 1, live);
    live.fill(0);
    expect(store.loadNewest(0)!.bytes).toEqual(Buffer.from(bytesOf(1)));
  });

  it('rejects bad arguments', () => {
    const store = make();
    expect(() => store.save(-1, 1, bytesOf(1))).toThrow(/shard must be an integer/);
    expect(() => store.save(0, 1.5, bytesOf(1))).toThrow(/seq must be an integer/);
    expect(() => store.save(0, 1, [bytesOf(1), 'x' as never])).toThrow(/snapshot bytes\[1\]/);
    expect(() => store.save(0, 1, 'x' as never)).toThrow(/snapshot bytes must be an array/);
    expect(store.list(0)).toEqual([]);
  });
});

describe('damaged snapshot files', () => {
  beforeEach(() => {
    snapshots.save(0, 10, bytesOf(10));
    snapshots.save(0, 20, bytesOf(20));
  });

  it.each([
    ['a flipped body byte', (path: string) => flipByte(path, statSync(path).size - 1), /body checksum/],
    ['a flipped seq byte in the header', (path: string) => flipByte(path, 16), /header checksum/],
    ['bad magic', (path: string) => flipByte(path, 0), /bad magic/],
    ['a truncated body', (path: string) => truncateSync(path, statSync(path).size - 1), /body is 999 bytes/],
    ['a truncated header', (path: string) => truncateSync(path, 10), /truncated header/],
    ['an empty file', (path: string) => truncateSync(path, 0), /truncated header/],
  ])('skips the newest with %s and loads the older valid one', (_what, damage, reason) => {
    damage(pathOf(0, 20));
    expect(snapshots.loadNewest(0)).toEqual({ seq: 10, bytes: Buffer.from(bytesOf(10)) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toContain(pathOf(0, 20));
  });

  it.each([
    ['a flipped body byte', (path: string) => flipByte(path, statSync(path).size - 1), /body checksum/],
    ['a truncated body', (path: string) => truncateSync(path, statSync(path).size - 1), /body is 999 bytes/],
    ['a flipped length byte in the header', (path: string) => flipByte(path, 24), /header checksum/],
  ])('reading into a caller buffer: skips the newest with %s, asks again for the older one', (_what, damage, reason) => {
    damage(pathOf(0, 20));
    const targets: Uint8Array[] = [];
    const read = snapshots.loadNewestInto(0, (length) => targets[targets.push(new Uint8Array(length)) - 1]);
    expect(read).toEqual({ seq: 10, length: 1000 });
    expect(targets.at(-1)).toEqual(bytesOf(10));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
  });

  it('refuses a buffer smaller than the snapshot', () => {
    expect(snapshots.loadNewestInto(0, (length) => new Uint8Array(length - 1))).toBeNull();
    expect(warnings[0]).toMatch(/needs as large a buffer/);
  });

  it('refuses a valid file renamed to claim another seq', () => {
    const newest = pathOf(0, 20);
    writeFileSync(newest.replace(/20\.snap$/, '30.snap'), readFileSync(newest));
    expect(snapshots.loadNewest(0)!.seq).toBe(20);
    expect(warnings[0]).toMatch(/file name says shard 0 seq 30/);
  });

  it('returns null when every snapshot is damaged', () => {
    flipByte(pathOf(0, 20), 40);
    flipByte(pathOf(0, 10), 40);
    expect(snapshots.loadNewest(0)).toBeNull();
    expect(warnings).toHaveLength(2);
  });
});

describe('temp files', () => {
  it('ignores a half-written temp file and clears it at the next save of that shard', () => {
    snapshots.save(0, 10, bytesOf(10));
    const leftover = join(temp.dir, 'shard-0-0000000000000099.snap.tmp-1234-0');
    writeFileSync(leftover, 'half a snapshot');
    expect(snapshots.list(0).map((s) => s.seq)).toEqual([10]);
    expect(snapshots.loadNewest(0)!.seq).toBe(10);
    expect(warnings).toEqual([]);

    snapshots.save(0, 11, bytesOf(11));
    expect(readdirSync(temp.dir).sort()).toEqual([
      'shard-0-0000000000000010.snap',
      'shard-0-0000000000000011.snap',
    ]);
  });
});

describe('snapshots through openStore', () => {
  it('keeps files under <dataDir>/snapshots with the configured count', () => {
    const store = openStore(temp.dir, { keepSnapshots: 1 });
    try {
      store.snapshots.save(2, 5, bytesOf(5));
      store.snapshots.save(2, 6, bytesOf(6));
      expect(readdirSync(join(temp.dir, 'snapshots'))).toEqual(['shard-2-0000000000000006.snap']);
    } finally {
      store.close();
    }
  });

  it('keeps snapshots in memory for the in-memory store', () => {
    const store = openStore(null);
    try {
      store.snapshots.save(0, 3, bytesOf(3));
      expect(store.snapshots.loadNewest(0)!.seq).toBe(3);
    } finally {
      store.close();
    }
  });
});
