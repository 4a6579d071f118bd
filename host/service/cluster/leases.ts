// Partition leases in a NATS KV bucket: key `p<n>` holds {node, expires}. Taking and renewing are
// compare-and-set on the key's revision, so two nodes can never both succeed; a holder treats its
// lease as valid only until `expires - safetyMs` by its own clock, and another node may take it
// only after `expires`, so their serving windows never overlap (clocks agreeing within safetyMs).
import type { KV } from '@nats-io/kv';
import { openBucket } from './kv-mirror.js';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamConnection } from '../../store/jetstream-connection.js';

export const LEASE_BUCKET = 'pg-leases';

interface LeaseValue {
  node: string;
  /** ms since the epoch. */
  expires: number;
}

/** What this node knows of one partition's lease. */
export interface LeaseView {
  node: string;
  expires: number;
  revision: number;
}

export class Leases {
  /** The last lease seen per partition (from polls and from this node's own writes). */
  private readonly views = new Map<number, LeaseView | null>();

  private constructor(
    private readonly kv: KV,
    readonly self: string,
    private readonly leaseMs: number,
    private readonly safetyMs: number,
  ) {}

  static async open(conn: JetStreamConnection, self: string, leaseMs: number, safetyMs: number): Promise<Leases> {
    const kv = await openBucket(conn, LEASE_BUCKET);
    return new Leases(kv, self, leaseMs, safetyMs);
  }

  /** Re-reads the leases of these partitions (direct gets, answered by any replica). */
  async poll(partitions: readonly number[]): Promise<void> {
    await Promise.all(partitions.map(async (p) => {
      const entry = await this.kv.get(key(p));
      this.views.set(p, entry === null || entry.operation !== 'PUT' ? null : { ...entry.json<LeaseValue>(), revision: entry.revision });
    }));
  }

  /** The node holding the partition's lease now (as last seen), or null when none does. */
  holder(partition: number): string | null {
    const view = this.views.get(partition);
    return view && view.expires > Date.now() ? view.node : null;
  }

  /**
   * Takes or renews the lease when it is free, expired or already ours; returns until when this
   * node may act as owner (ms since the epoch), or null when another node holds it or the
   * compare-and-set lost a race.
   */
  async acquire(partition: number): Promise<number | null> {
    const now = Date.now();
    const current = this.views.get(partition);
    if (current && current.node !== this.self && current.expires > now) return null;
    const value: LeaseValue = { node: this.self, expires: now + this.leaseMs };
    const payload = JSON.stringify(value);
    try {
      const revision = current ? await this.kv.update(key(partition), payload, current.revision) : await this.kv.create(key(partition), payload);
      this.views.set(partition, { ...value, revision });
      return value.expires - this.safetyMs;
    } catch (err) {
      if (!isConflict(err)) throw err;
      await this.poll([partition]);
      return null;
    }
  }

  /** Gives the lease up (only if still ours), so the next owner need not wait for it to expire. */
  async release(partition: number): Promise<void> {
    const current = this.views.get(partition);
    if (!current || current.node !== this.self) return;
    const value: LeaseValue = { node: this.self, expires: 0 };
    try {
      const revision = await this.kv.update(key(partition), JSON.stringify(value), current.revision);
      this.views.set(partition, { ...value, revision });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
}

function key(partition: number): string {
  return `p${partition}`;
}

/** A compare-and-set that lost: the key moved on (wrong last sequence) or already exists. */
function isConflict(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || /wrong last sequence|key exists/i.test(err.message));
}
