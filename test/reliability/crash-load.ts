// The crash loop's client: one sender per tenant, each with at most one batch in flight, so a
// tenant's batches reach the log in the order they were sent. A batch whose answer was lost (the
// server died, or answered 503) is sent again, unchanged, to the next server: like any client
// with idempotency keys. Its second answer tells whether the first attempt had become durable
// (all duplicates) or not (all accepted).
import type { IncomingEvent } from '../../host/types.js';
import type { Traffic } from '../../bench/soak/traffic.js';

export interface SentBatch {
  tenant: string;
  events: (IncomingEvent & { id: string })[];
  /** Attempts whose answer never arrived or was a 503, before the one that was answered 200. */
  lostAnswers: number;
  accepted: number;
  duplicates: number;
}

interface LiveServer {
  url: string;
  generation: number;
}

/** The server the senders should talk to right now; they wait while there is none. */
export class CurrentServer {
  private live: LiveServer | null = null;
  private generation = 0;
  private waiters: (() => void)[] = [];

  publish(url: string): void {
    this.live = { url, generation: ++this.generation };
    for (const wake of this.waiters.splice(0)) wake();
  }

  withdraw(): void {
    this.live = null;
  }

  /** The live server, once there is one of at least `minGeneration`. */
  async await(minGeneration: number): Promise<LiveServer> {
    while (this.live === null || this.live.generation < minGeneration) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.live;
  }
}

const REQUEST_TIMEOUT_MS = 30_000;
const RETRY_503_MS = 100;

export class CrashLoadClient {
  readonly batches: SentBatch[] = [];
  /** Answers that are neither 200 nor 503: each one a failure of the test. */
  readonly unexpected: string[] = [];
  private stopping = false;
  private inFlight = 0;
  private readonly done: Promise<void>[];

  constructor(private readonly servers: CurrentServer, traffics: Traffic[], batchSize: number) {
    this.done = traffics.map((traffic) => this.sendUntilStopped(traffic, batchSize));
  }

  /** Requests on the wire right now. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Lets every sender finish (get an answer for) its current batch, then stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.done);
  }

  private async sendUntilStopped(traffic: Traffic, batchSize: number): Promise<void> {
    while (!this.stopping) {
      const sent: SentBatch = { tenant: traffic.tenant, events: traffic.batch(batchSize), lostAnswers: 0, accepted: 0, duplicates: 0 };
      let minGeneration = 0;
      for (;;) {
        const server = await this.servers.await(minGeneration);
        const answer = await this.post(server.url, sent);
        if (answer === 'ok' || answer === 'failed') break;
        sent.lostAnswers++;
        // a 503 may come from a live server (writer restarted): retry it; a dead one: wait for the next
        minGeneration = answer === 'retry' ? server.generation : server.generation + 1;
        if (answer === 'retry') await new Promise((resolve) => setTimeout(resolve, RETRY_503_MS));
      }
      this.batches.push(sent);
    }
  }

  private async post(url: string, sent: SentBatch): Promise<'ok' | 'retry' | 'lost' | 'failed'> {
    this.inFlight++;
    try {
      const response = await fetch(`${url}/v1/tenants/${sent.tenant}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: sent.events }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status === 503) return 'retry';
      if (response.status !== 200) {
        this.unexpected.push(`${sent.tenant}: ${response.status} ${text.slice(0, 300)}`);
        return 'failed';
      }
      const body = JSON.parse(text) as { accepted: number; duplicates: number };
      sent.accepted = body.accepted;
      sent.duplicates = body.duplicates;
      return 'ok';
    } catch {
      return 'lost'; // connection refused or reset, or the answer cut off: the server died
    } finally {
      this.inFlight--;
    }
  }
}
