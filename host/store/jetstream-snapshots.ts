// Snapshots in a JetStream object store bucket (one bucket per cluster), one object per
// (shard, seq): `shard-<shard>/<seq, 16 digits>`, with the shard, covered seq and body size in the
// object's metadata. The object holds the same bytes as a snapshot file (snapshot-format.ts:
// header with CRCs, then the body), so a load checks the object's chunk count and SHA-256 digest
// AND the snapshot's own checksums and shard/seq; a snapshot failing any of them is skipped with a
// warning. A failure to *reach* a snapshot (timeouts while the cluster fails over) is not damage:
// it is retried, then thrown, because falling back to an older snapshot could need log entries
// that were already purged. The asynchronous counterpart of SnapshotStore (types.ts).
import { errors } from '@nats-io/transport-node';
import type { ObjectResult, ObjectStore } from '@nats-io/obj';
import type { LoadedSnapshot, Logger, SnapshotInfo } from './types.js';
import type { JetStreamConnection } from './jetstream-connection.js';
import { checkSnapshotArgs, crcOfChunks, encodeHeader, requireShard, verifySnapshot } from './snapshot-format.js';
import { DEFAULT_KEEP_SNAPSHOTS } from './snapshot-files.js';
import { requirePositiveInt } from './validate.js';
import { retryTimeouts } from './jetstream-retry.js';

export const DEFAULT_SNAPSHOT_BUCKET = 'pg-snapshots';
/** Object store bucket names become stream names (OBJ_<bucket>): keep them to these characters. */
const BUCKET_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Zero-padded so names sort by seq, as the snapshot files do. */
const SEQ_DIGITS = 16;
/** How long reading one snapshot may stall before the attempt is given up (and retried). */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;
/** How the object store client reports a digest mismatch (it has no error class for it). */
const DIGEST_MISMATCH = 'digests do not match';

export interface JetStreamSnapshotOptions {
  /** The cluster's bucket. */
  bucket?: string;
  /** Snapshots kept per shard. */
  keep?: number;
  logger?: Logger;
  /** How long reading one snapshot may stall before the attempt is given up. */
  loadTimeoutMs?: number;
}

/** The stored snapshot is wrong (not merely unreachable right now). */
class DamagedSnapshotError extends Error {}

export class JetStreamSnapshotStore {
  private constructor(
    private readonly conn: JetStreamConnection,
    private readonly objects: ObjectStore,
    readonly bucket: string,
    private readonly keep: number,
    private readonly logger: Logger,
    private readonly loadTimeoutMs: number,
  ) {}

  /** Opens the bucket, creating it (with the connection's replica count) if missing. */
  static async open(conn: JetStreamConnection, options: JetStreamSnapshotOptions = {}): Promise<JetStreamSnapshotStore> {
    const bucket = options.bucket ?? DEFAULT_SNAPSHOT_BUCKET;
    if (typeof bucket !== 'string' || !BUCKET_PATTERN.test(bucket)) {
      throw new RangeError(`snapshot bucket must match ${BUCKET_PATTERN}, got ${JSON.stringify(bucket)}`);
    }
    const keep = options.keep ?? DEFAULT_KEEP_SNAPSHOTS;
    requirePositiveInt(keep, 'keepSnapshots');
    const loadTimeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
    requirePositiveInt(loadTimeoutMs, 'loadTimeoutMs');
    const objects = await conn.objectStore(bucket);
    return new JetStreamSnapshotStore(conn, objects, bucket, keep, options.logger ?? console.warn, loadTimeoutMs);
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
   * null. Throws when a snapshot cannot be read at all after retries (cluster unavailable).
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

  /** Stored snapshots of the shard, newest first (not verified). */
  async list(shard: number): Promise<SnapshotInfo[]> {
    requireShard(shard);
    const prefix = `shard-${shard}/`;
    const found: SnapshotInfo[] = [];
    for (const info of await retryTimeouts(() => this.objects.list())) {
      if (info.deleted || !info.name.startsWith(prefix)) continue;
      const seq = Number(info.metadata?.seq ?? info.name.slice(prefix.length));
      if (!Number.isSafeInteger(seq)) continue; // not one of ours
      found.push({ shard, seq, size: Number(info.metadata?.size ?? info.size) });
    }
    return found.sort((a, b) => b.seq - a.seq);
  }

  /**
   * The snapshot's body after every check: chunk count, the object store's digest, then the
   * snapshot's own header and CRCs. DamagedSnapshotError when something is missing or wrong;
   * other errors (a TimeoutError after the retries) when it cannot be reached.
   */
  private async fetch(shard: number, seq: number): Promise<Buffer> {
    const name = objectName(shard, seq);
    const info = await this.objects.info(name);
    if (info === null || info.deleted) throw new DamagedSnapshotError('it was deleted meanwhile');
    // Count the stored chunks first: reading an object whose chunks are gone would wait for ever.
    const chunkSubject = `$O.${this.bucket}.C.${info.nuid}`;
    const stream = await this.conn.jsm.streams.info(`OBJ_${this.bucket}`, { subjects_filter: chunkSubject });
    const stored = stream.state.subjects?.[chunkSubject] ?? 0;
    if (stored !== info.chunks) throw new DamagedSnapshotError(`${stored} of its ${info.chunks} chunks are stored`);
    const file = await retryTimeouts(async () => {
      const result = await this.objects.get(name);
      if (result === null) throw new DamagedSnapshotError('it was deleted meanwhile');
      try {
        return await readObject(result, this.loadTimeoutMs);
      } catch (err) {
        if ((err as Error).message?.includes(DIGEST_MISMATCH)) throw new DamagedSnapshotError((err as Error).message);
        throw err;
      }
    });
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

/**
 * The whole object. The client rejects a digest mismatch itself; a read that stalls (its
 * consumer's server went away) ends in a TimeoutError.
 */
async function readObject(result: ObjectResult, timeoutMs: number): Promise<Buffer> {
  // Observed now so that a failure of the background reader is never an unhandled rejection.
  const failure = result.error.then(
    (err) => err,
    (err: Error) => err,
  );
  const reader = result.data.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => undefined);
  }, timeoutMs);
  try {
    const parts: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    if (timedOut) throw new errors.TimeoutError();
    const err = await failure;
    if (err) throw err;
    return Buffer.concat(parts);
  } finally {
    clearTimeout(timer);
  }
}
