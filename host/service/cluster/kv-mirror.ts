// A NATS KV bucket mirrored into memory: every value read once at open, then followed by a watch,
// so synchronous lookups (API keys on every request, link secrets while ingesting) answer on any
// node without a round trip. Writes go to the bucket; the mirror learns them from the watch (and
// at once from the writer's own revision).
import { Kvm, type KV } from '@nats-io/kv';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';
import { retryWithin } from '../../store/jetstream-retry.js';

/** How long opening a bucket and its watch may keep retrying (a cluster electing leaders after losing a member). */
export const STARTUP_RETRY_MS = 30_000;

export class KvMirror<T> {
  private readonly cache = new Map<string, { revision: number; value: T }>();
  private stopWatch: (() => void) | undefined;
  /** Moves on every change seen, from any node. */
  version = 0;

  private constructor(readonly kv: KV) {}

  static async open<T>(conn: JetStreamConnection, bucket: string): Promise<KvMirror<T>> {
    const kv = await openBucket(conn, bucket);
    const mirror = new KvMirror<T>(kv);
    await mirror.load();
    return mirror;
  }

  private async load(): Promise<void> {
    const watch = await retryWithin(STARTUP_RETRY_MS, () => this.kv.watch());
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT') this.remember(entry.key, entry.revision, entry.json<T>());
      }
    })();
    const keys: string[] = [];
    for await (const key of await retryWithin(STARTUP_RETRY_MS, () => this.kv.keys())) keys.push(key);
    await Promise.all(keys.map(async (key) => {
      const entry = await retryWithin(STARTUP_RETRY_MS, () => this.kv.get(key));
      if (entry?.operation === 'PUT') this.remember(key, entry.revision, entry.json<T>());
    }));
  }

  remember(key: string, revision: number, value: T): void {
    const known = this.cache.get(key);
    if (known && known.revision >= revision) return;
    this.cache.set(key, { revision, value });
    this.version++;
  }

  /**
   * Replaces the mirrored value without a write, keeping the known revision (a value this node just
   * stored through another path): a later change from the bucket still replaces it.
   */
  replaceLocally(key: string, value: T): void {
    this.cache.set(key, { revision: this.cache.get(key)?.revision ?? 0, value });
    this.version++;
  }

  get(key: string): T | undefined {
    return this.cache.get(key)?.value;
  }

  revision(key: string): number | undefined {
    return this.cache.get(key)?.revision;
  }

  values(): T[] {
    return [...this.cache.values()].map((e) => e.value);
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** Stores `value`; resolves once JetStream acknowledged it. */
  async put(key: string, value: T): Promise<void> {
    this.remember(key, await this.kv.put(key, JSON.stringify(value)), value);
  }

  /**
   * Changes the key with compare-and-set, reading it again after a lost race, until `change`
   * (given the current value or undefined) returns the value to store, or null to store nothing.
   */
  async update(key: string, change: (current: T | undefined) => T | null): Promise<T | undefined> {
    for (;;) {
      const entry = await this.kv.get(key);
      const current = entry?.operation === 'PUT' ? entry.json<T>() : undefined;
      if (entry?.operation === 'PUT') this.remember(key, entry.revision, current as T);
      const next = change(current);
      if (next === null) return current;
      try {
        const revision = entry ? await this.kv.update(key, JSON.stringify(next), entry.revision) : await this.kv.create(key, JSON.stringify(next));
        this.remember(key, revision, next);
        return next;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  close(): void {
    this.stopWatch?.();
  }
}

/** A compare-and-set that lost: the key moved on (wrong last sequence) or already exists. */
export function isConflict(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || /wrong last sequence|key exists/i.test(err.message));
}

/**
 * Opens (creating if missing) a KV bucket with the connection's replica count. Nodes starting
 * together race to create it, and a cluster that just lost a member may time out: both are retried.
 */
export function openBucket(conn: JetStreamConnection, bucket: string): Promise<KV> {
  return retryWithin(
    STARTUP_RETRY_MS,
    () => new Kvm(conn.js).create(bucket, { replicas: conn.replicas, history: 1 }),
    (err) => err instanceof Error && /already in use|timeout/i.test(err.message),
  );
}
