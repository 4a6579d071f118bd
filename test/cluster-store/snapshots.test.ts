// Snapshots in the JetStream object store against one real nats-server: round trip, keep-newest,
// and damaged snapshots (bad body, object digest mismatch, missing chunks) skipped with a warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Objm } from '@nats-io/obj';
import type { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { JetStreamSnapshotStore } from '../../host/store/jetstream-snapshots.js';
import { crcOfChunks, encodeHeader } from '../../host/store/snapshot-format.js';
import { startSingleServer, stopAll, type NatsServer } from './nats-servers.js';
import { connectTo, warnings } from './helpers.js';

let server: NatsServer;
let conn: JetStreamConnection;

beforeAll(async () => {
  server = await startSingleServer('snap');
  conn = await connectTo([server]);
});

afterAll(async () => {
  await conn?.close();
  if (server) await stopAll([server]);
});

function body(seed: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return bytes;
}

/** A snapshot file image as the store writes it. */
function snapshotFile(shard: number, seq: number, bytes: Buffer): Buffer {
  return Buffer.concat([encodeHeader({ shard, seq, length: bytes.length, bodyCrc: crcOfChunks([bytes]) }), bytes]);
}

const objectName = (shard: number, seq: number) => `shard-${shard}/${String(seq).padStart(16, '0')}`;

describe('JetStreamSnapshotStore', () => {
  it('round-trips snapshots, keeps the newest few per shard, and lists them newest first', async () => {
    const store = await JetStreamSnapshotStore.open(conn, { bucket: 'roundtrip', keep: 2 });
    expect(await store.loadNewest(0)).toBeNull();
    const big = body(1, 300_000); // several object store chunks
    await store.save(0, 10, big);
    const parts = [body(2, 1000), body(3, 200_000)];
    await store.save(0, 20, parts);
    await store.save(1, 5, body(4, 10));

    const loaded = await store.loadNewest(0);
    expect(loaded?.seq).toBe(20);
    expect(loaded?.bytes.equals(Buffer.concat(parts))).toBe(true);
    expect(await store.list(0)).toEqual([
      { shard: 0, seq: 20, size: 201_000 },
      { shard: 0, seq: 10, size: 300_000 },
    ]);

    await store.save(0, 30, body(5, 64));
    expect((await store.list(0)).map((s) => s.seq)).toEqual([30, 20]);
    expect((await store.list(1)).map((s) => s.seq)).toEqual([5]);
    expect((await store.loadNewest(1))?.bytes.equals(body(4, 10))).toBe(true);
  });

  it('copies the bytes before saving: changes the caller makes afterwards are not in the snapshot', async () => {
    const store = await JetStreamSnapshotStore.open(conn, { bucket: 'copies' });
    const live = body(6, 5000);
    const expected = Buffer.from(live);
    const saving = store.save(3, 7, live);
    live.fill(0);
    await saving;
    expect((await store.loadNewest(3))?.bytes.equals(expected)).toBe(true);
  });

  it('skips a snapshot whose body does not verify, with a warning, and loads the next one', async () => {
    const warned = warnings();
    const store = await JetStreamSnapshotStore.open(conn, { bucket: 'damaged', logger: warned.log });
    await store.save(2, 100, body(7, 4000));
    // A newer object whose bytes are consistent for the object store but not a valid snapshot.
    const file = snapshotFile(2, 200, body(8, 4000));
    file[file.length - 1] ^= 0xff;
    const objects = await new Objm(conn.js).open('damaged');
    await objects.putBlob({ name: objectName(2, 200), metadata: { shard: '2', seq: '200', size: '4000' } }, file);

    const loaded = await store.loadNewest(2);
    expect(loaded?.seq).toBe(100);
    expect(loaded?.bytes.equals(body(7, 4000))).toBe(true);
    expect(warned.messages).toEqual([expect.stringMatching(/skipping damaged snapshot damaged\/shard-2\/0+200: body checksum mismatch/)]);
  });

  it('skips a snapshot whose stored chunk was replaced (object digest mismatch) or lost', async () => {
    const warned = warnings();
    const store = await JetStreamSnapshotStore.open(conn, { bucket: 'chunks', logger: warned.log });
    await store.save(4, 1, body(9, 1000));
    await store.save(4, 2, body(10, 1000));
    await store.save(5, 1, body(11, 1000));
    const objects = await new Objm(conn.js).open('chunks');
    const stream = 'OBJ_chunks';

    // Shard 4, seq 2: its only chunk is swapped for other bytes.
    const swapped = (await objects.info(objectName(4, 2)))!;
    const chunkSubject = `$O.chunks.C.${swapped.nuid}`;
    const chunk = (await conn.jsm.streams.getMessage(stream, { last_by_subj: chunkSubject }))!;
    await conn.jsm.streams.deleteMessage(stream, chunk.seq);
    await conn.js.publish(chunkSubject, snapshotFile(4, 2, body(12, 1000)));
    const loaded = await store.loadNewest(4);
    expect(loaded?.seq).toBe(1);
    expect(loaded?.bytes.equals(body(9, 1000))).toBe(true);
    expect(warned.messages.join('\n')).toMatch(/shard-4\/0+2: object digest mismatch/);

    // Shard 5, seq 1: its chunk is gone and nothing older exists.
    const lost = (await objects.info(objectName(5, 1)))!;
    const lostChunk = (await conn.jsm.streams.getMessage(stream, { last_by_subj: `$O.chunks.C.${lost.nuid}` }))!;
    await conn.jsm.streams.deleteMessage(stream, lostChunk.seq);
    expect(await store.loadNewest(5)).toBeNull();
    expect(warned.messages.join('\n')).toMatch(/shard-5\/0+1: 0 chunks stored, its info says 1/);
  });

  it('throws, instead of falling back to an older snapshot, when the bucket cannot be reached', async () => {
    const warned = warnings();
    const own = await connectTo([server]);
    const store = await JetStreamSnapshotStore.open(own, { bucket: 'unreachable', logger: warned.log });
    await store.save(0, 1, body(13, 10));
    await store.save(0, 2, body(14, 10));
    await own.close();
    await expect(store.loadNewest(0)).rejects.toThrow(/closed/i);
    expect(warned.messages).toEqual([]);
  });

  it('rejects bad arguments', async () => {
    await expect(JetStreamSnapshotStore.open(conn, { bucket: 'no.dots' })).rejects.toThrow(/snapshot bucket must match/);
    await expect(JetStreamSnapshotStore.open(conn, { keep: 0 })).rejects.toThrow(/keepSnapshots must be an integer >= 1/);
    const store = await JetStreamSnapshotStore.open(conn);
    await expect(store.save(-1, 1, Buffer.alloc(1))).rejects.toThrow(/shard must be an integer/);
    await expect(store.save(0, 1.5, Buffer.alloc(1))).rejects.toThrow(/seq must be an integer >= 0/);
    await expect(store.save(0, 1, ['x' as unknown as Uint8Array])).rejects.toThrow(/snapshot bytes\[0\] must be a Uint8Array/);
    await expect(store.list(-2)).rejects.toThrow(/shard must be an integer/);
  });
});
