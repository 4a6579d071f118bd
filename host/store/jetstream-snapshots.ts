// Snapshots in a JetStream object store bucket (one bucket per cluster), one object per
// (shard, seq): `shard-<shard>/<seq, 16 digits>`, with the shard, covered seq and body size in the
// object's metadata. The object holds the same bytes as a snapshot file (snapshot-format.ts:
// header with CRCs, then the body), so a load checks the object's chunk count and SHA-256 digest
// AND the snapshot's own checksums and shard/seq; a snapshot failing any of them is skipped with a
// warning. A failure to *reach* a snapshot (the cluster failing over) is not damage: it is
// retried, then thrown, because falling back to an older snapshot could need log entries that
// were already purged. The asynchronous counterpart of SnapshotStore (types.ts).
//
// Writing and deleting go through the object store client. Listing and reading walk the bucket's
// stream with MSG.GET (answered by the stream leader) instead of the client's consumers, which a
// cluster may place on a member that just died; the layout read is the object store's own
// (ADR-20): `$O.<bucket>.M.*` holds the latest info of each object, `$O.<bucket>.C.<nuid>` its chunks.
import { createHash } from 'node:crypto';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import type { LoadedSnapshot, Logger, SnapshotInfo } from './types.js';
import type { JetStreamConnection } from './jetstream-connection.js';
import { checkSnapshotArgs, crcOfChunks, encodeHeader, requireShard, verifySnapshot } from './snapshot-format.js';
import { DEFAULT_KEEP_SNAPSHOTS } from './snapshot-files.js';
import { requirePositiveInt } from './validate.js';
import { readByGet } from './jetstream-reader.js';
import { retryTimeouts } from './jetstream-retry.js';

export const DEFAULT_SNAPSHOT_BUCKET = 'pg-snapshots';
/** Object store bucket names become stream names (OBJ_<bucket>): keep them to these characters. */
const BUCKET_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Zero-padded so names sort by seq, as the snapshot files do. */
const SEQ_DIGITS = 16;
const DIGEST_PREFIX = 'SHA-256=';
/** Object infos read per request round while listing. */
const LIST_PAGE = 256;

export interface JetStreamSnapshotOptions {
  /** The cluster's bucket. */
  bucket?: string;
  /** Snapshots kept per shard. */
  keep?: number;
  logger?: Logger;
}

/** The stored snapshot is wrong (not merely unreachable right now). */
class DamagedSnapshotError extends Error {}

export class JetStreamSnapshotStore {
  private readonly stream: string;

  private constructor(
    private readonly conn: JetStreamConnection,
    private readonly objects: ObjectStore,
    readonly bucket: string,
    private readonly keep: number,
    private readonly logger: Logger,
  ) {
    this.stream = `OBJ_${bucket}`;
  }

  /** Opens the bucket, creating it (with the connection's replica count) if missing. */
  static async open(conn: JetStreamConnection, options: JetStreamSnapshotOptions = {}): Promise<JetStreamSnapshotStore> {
    const bucket = options.bucket ?? DEFAULT_SNAPSHOT_BUCKET;
    if (typeof bucket !== 'string' || !BUCKET_PATTERN.test(bucket)) {
      throw new RangeError(`snapshot bucket must match ${BUCKET_PATTERN}, got ${JSON.stringify(bucket)}`);
    }
    const keep = options.keep ?? DEFAULT_KEEP_SNAPSHOTS;
    requirePositiveInt(keep, 'keepSnapshots');
    const objects = await conn.objectStore(bucket);
    return new JetStreamSnapshotStore(conn, objects, bucket, keep, options.logger ?? console.warn);
  }

  /**
   * Stores the shard's bytes as covering the log through `seq`, then drops all but the newest
   * `keep`. The bytes are copied before the first await: the caller's buffers may change after.
   */
  async save(shard: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const chunks = checkSnapshotArgs(shard, seq, bytes);
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const file = Buffer.concat([encodeHeader({ shard, seq, length, bodyCrc: crcOfChunks(chunks) }), ...chunks]);
    await this.objects.putBlob(
      { name: objectName(shard, seq), metadata: { shard: String(shard), seq: String(seq), size: String(length) } },
      file,
    );
    for (const old of (await this.list(shard)).slice(this.keep)) await this.objects.delete(objectName(shard, old.seq));
  }

  /**
   * The newest snapshot of the shard that verifies, skipping (with a warning) damaged ones, or
   * null. Throws when the bucket cannot be read (after retries).
   */
  async loadNewest(shard: number): Promise<LoadedSnapshot | null> {
    for (const { seq } of await this.list(shard)) {
      try {
        return { seq, bytes: await this.fetch(shard, seq) };
      } catch (err) {
        // Anything but damage (a timeout, the connection closing) is no reason to go older.
        if (!(err instanceof DamagedSnapshotError)) throw err;
        this.logger(`skipping damaged snapshot ${this.bucket}/${objectName(shard, seq)}: ${err.message}`);
      }
    }
    return null;
  }

  /** Deletes the shard's snapshots older than `seq` (after an erasure: none may keep erased values). */
  async dropOlder(shard: number, seq: number): Promise<void> {
    for (const old of await this.list(shard)) {
      if (old.seq < seq) await this.objects.delete(objectName(shard, old.seq));
    }
  }

  /** Stored snapshots of the shard, newest first (not verified). */
  async list(shard: number): Promise<SnapshotInfo[]> {
    requireShard(shard);
    const prefix = `shard-${shard}/`;
    const found: SnapshotInfo[] = [];
    for (const info of await this.objectInfos()) {
      if (info.deleted || !info.name.startsWith(prefix)) continue;
      const seq = Number(info.metadata?.seq ?? info.name.slice(prefix.length));
      if (!Number.isSafeInteger(seq)) continue; // not one of ours
      found.push({ shard, seq, size: Number(info.metadata?.size ?? info.size) });
    }
    return found.sort((a, b) => b.seq - a.seq);
  }

  /** The latest info of every object in the bucket (each put replaces its object's info message). */
  private async objectInfos(): Promise<ObjectInfo[]> {
    const infos: ObjectInfo[] = [];
    for (let after = 0; ; ) {
      const page = await retryTimeouts(() => readByGet(this.conn.jsm, this.stream, `$O.${this.bucket}.M.>`, after, LIST_PAGE));
      if (page.length === 0) return infos;
      for (const m of page) infos.push(JSON.parse(Buffer.from(m.data).toString('utf8')) as ObjectInfo);
      after = page[page.length - 1].seq;
    }
  }

  /**
   * The snapshot's body after every check: chunk count, the object's SHA-256 digest, then the
   * snapshot's own header and CRCs. DamagedSnapshotError when something is missing or wrong;
   * other errors when the bucket cannot be reached.
   */
  private async fetch(shard: number, seq: number): Promise<Buffer> {
    const info = await retryTimeouts(() => this.objects.info(objectName(shard, seq)));
    if (info === null || info.deleted) throw new DamagedSnapshotError('it was deleted meanwhile');
    const chunks = await retryTimeouts(() => readByGet(this.conn.jsm, this.stream, `$O.${this.bucket}.C.${info.nuid}`, 0, info.chunks + 1));
    if (chunks.length !== info.chunks) throw new DamagedSnapshotError(`${chunks.length} chunks stored, its info says ${info.chunks}`);
    const file = Buffer.concat(chunks.map((chunk) => chunk.data));
    const digest = `${DIGEST_PREFIX}${createHash('sha256').update(file).digest('base64url')}`;
    // The client writes the digest base64url with padding; node writes it without.
    if (digest !== info.digest.replace(/=+$/, '')) throw new DamagedSnapshotError(`object digest mismatch (stored ${info.digest}, read ${digest})`);
    try {
      return verifySnapshot(file, { shard, seq });
    } catch (err) {
      throw new DamagedSnapshotError((err as Error).message);
    }
  }
}

function objectName(shard: number, seq: number): string {
  return `shard-${shard}/${String(seq).padStart(SEQ_DIGITS, '0')}`;
}
