// A bounded write load over HTTP for the failure tests: lanes send batches of events with ids to
// the live nodes in turn, and retry a failed batch (same ids) on the next node until it is
// acknowledged, as a client would. Records every acknowledged batch and how long each took.
import { sleep } from './helpers.js';
import { personEvents, type WorkloadEvent } from './workload.js';

const REQUEST_TIMEOUT_MS = 15_000;
const RETRY_PAUSE_MS = 100;
/** People numbers of one lane start at lane × this (phone numbers in the workload have 5 digits). */
const LANE_PEOPLE = 20_000;

export interface Batch {
  tenant: string;
  events: WorkloadEvent[];
}

export interface AckedBatch extends Batch {
  /** From the first attempt to the acknowledgement (includes retries). */
  ms: number;
  ackedAt: number;
  attempts: number;
}

export class WriteLoad {
  readonly acked: AckedBatch[] = [];
  /** Batches that were sent at least once (acknowledged or not). */
  readonly sent: Batch[] = [];
  failures = 0;
  private stopping = false;
  private lanes: Promise<void>[] = [];
  private next = 0;

  constructor(
    private readonly targets: () => string[],
    private readonly tenants: readonly string[],
    private readonly peoplePerBatch: number,
  ) {}

  start(lanes: number): void {
    this.lanes = Array.from({ length: lanes }, (_, lane) => this.lane(lane));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.lanes);
  }

  private async lane(lane: number): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const tenant = this.tenants[(lane + n) % this.tenants.length];
      const offset = lane * LANE_PEOPLE + n * this.peoplePerBatch;
      const batch = { tenant, events: personEvents(tenant, this.peoplePerBatch, offset) };
      this.sent.push(batch);
      await this.deliver(batch);
    }
  }

  /** Sends the batch until a node acknowledges it. */
  async deliver(batch: Batch): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const targets = this.targets();
      const url = targets[this.next++ % targets.length];
      try {
        const response = await fetch(`${url}/v1/tenants/${batch.tenant}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events: batch.events }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        if (response.ok) {
          await response.json();
          this.acked.push({ ...batch, ms: Date.now() - started, ackedAt: Date.now(), attempts: attempt });
          return;
        }
        await response.text();
      } catch {
        // connection refused (a killed node) or a timeout: try the next node
      }
      this.failures++;
      await sleep(RETRY_PAUSE_MS);
    }
  }
}
