// Which nodes are live: every node publishes a heartbeat on a core NATS subject each tick and
// listens to everyone else's. A node not heard from for `ttlMs` is dead. Core NATS (not a KV
// bucket) because it needs no stream leader: it keeps working while a JetStream member fails over.
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

const BEAT_SUBJECT = 'pg.cluster.member.beat';
const LEAVE_SUBJECT = 'pg.cluster.member.leave';

export class Membership {
  private readonly lastHeard = new Map<string, number>();
  private readonly subscription: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    readonly self: string,
    private readonly ttlMs: number,
  ) {
    this.subscription = nc.subscribe('pg.cluster.member.*', {
      callback: (err, msg) => {
        if (err || msg.string() === self) return;
        if (msg.subject === LEAVE_SUBJECT) this.lastHeard.delete(msg.string());
        else this.lastHeard.set(msg.string(), Date.now());
      },
    });
    this.lastHeard.set(self, Date.now());
  }

  /** Announces this node (call every tick, well within the ttl). */
  beat(): void {
    this.lastHeard.set(this.self, Date.now());
    this.nc.publish(BEAT_SUBJECT, this.self);
  }

  /** Announces that this node leaves now, so the others need not wait for its ttl. */
  leave(): void {
    this.subscription.unsubscribe();
    this.nc.publish(LEAVE_SUBJECT, this.self);
  }

  /** Node ids heard from within the ttl (always including this node), sorted. */
  live(): string[] {
    const now = Date.now();
    const nodes: string[] = [];
    for (const [node, at] of this.lastHeard) {
      if (node === this.self || now - at < this.ttlMs) nodes.push(node);
      else this.lastHeard.delete(node);
    }
    return nodes.sort();
  }

  isLive(node: string): boolean {
    const at = this.lastHeard.get(node);
    return node === this.self || (at !== undefined && Date.now() - at < this.ttlMs);
  }
}
