// Snapshots in a JetStream object store bucket (one bucket per cluster), one object per
// (shard, seq): `shard-<shard>/<seq, 16 digits>`, with the shard, covered seq and body size in the
// object's metadata. The object holds the same bytes as a snapshot file (snapshot-format.ts:
// header with CRCs, then the body), so a load checks the object store's SHA-256 digest AND the
// snapshot's own checksums and shard/seq; a snapshot failing either is skipped with a warning.
// The asynchronous counterpart of SnapshotStore (types.ts).
import type { ObjectResult, ObjectStore } from '@nats-io/obj';
import type { LoadedSnapshot, Logger, SnapshotInfo } from './types.js';
import type { JetStreamConnection } from './jetstream-connection.js';
import { checkSnapshotArgs, crcOfChunks, encodeHeader, requireShard, verifySnapshot } from './snapshot-format.js';
import { DEFAULT_KEEP_SNAPSHOTS } from './snapshot-files.js';
import { requirePositiveInt } from './validate.js';

export const DEFAULT_SNAPSHOT_BUCKET = 'pg-snapshots';
/** Object store bucket names become stream names (OBJ_<bucket>): keep them to these characters. */
const BUCKET_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Zero-padded so names sort by seq, as the snapshot files do. */
const SEQ_DIGITS = 16;
/** A load that gets no more chunks for this long is treated as damaged (its chunks are missing). */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

export interface JetStreamSnapshotOptions {
  /** The cluster's bucket. */
  bucket?: string;
  /** Snapshots kept per shard. */
  keep?: number;
  logger?: Logger;
  /** How long reading one snapshot may take before it counts as damaged. */
  loadTimeoutMs?: number;
}

export class JetStreamSnapshotStore {
  private constructor(
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
    return new JetStreamSnapshotStore(objects, bucket, keep, options.logger ?? console.warn, loadTimeoutMs);
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

  /** The newest snapshot of the shard that verifies, skipping (with a warning) damaged ones, or null. */
  async loadNewest(shard: number): Promise<LoadedSnapshot | null> {
    for (const { seq } of await this.list(shard)) {
      const name = objectName(shard, seq);
      try {
        const result = await this.objects.get(name);
        if (result === null) throw new Error('it was deleted meanwhile');
        return { seq, bytes: verifySnapshot(await readObject(result, this.loadTimeoutMs), { shard, seq }) };
      } catch (err) {
        this.logger(`skipping damaged snapshot ${this.bucket}/${name}: ${(err as Error).message}`);
      }
    }
    return null;
  }

  /** Stored snapshots of the shard, newest first (not verified). */
  async list(shard: number): Promise<SnapshotInfo[]> {
    requireShard(shard);
    const prefix = `shard-${shard}/`;
    const found: SnapshotInfo[] = [];
    for (const info of await this.objects.list()) {
      if (info.deleted || !info.name.startsWith(prefix)) continue;
      const seq = Number(info.metadata?.seq ?? info.name.slice(prefix.length));
      if (!Number.isSafeInteger(seq)) continue; // not one of ours
      found.push({ shard, seq, size: Number(info.metadata?.size ?? info.size) });
    }
    return found.sort((a, b) => b.seq - a.seq);
  }
}

function objectName(shard: number, seq: number): string {
  return `shard-${shard}/${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/**
 * The whole object, or an Error: the client rejects a digest mismatch itself, and an object whose
 * chunks are gone would wait for them for ever, hence the time limit.
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
    if (timedOut) throw new Error(`not read within ${timeoutMs} ms (chunks missing)`);
    const err = await failure;
    if (err) throw err;
    return Buffer.concat(parts);
  } finally {
    clearTimeout(timer);
  }
}
