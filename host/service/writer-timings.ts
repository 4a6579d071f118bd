// How long a shard writer's durable steps take, tallied by the writer thread into memory the main
// thread shares, so /metrics reads them without sending the writer a task (a task would wait
// behind the writes it is meant to time).
//
// One block per shard, one writer thread writing it; readers may see a tally mid-update (a count
// without its sum), which a scrape tolerates and the next one corrects.
import { bucketOf } from '../util/histogram-bucket.js';

/** The steps timed, in block order. */
export const TIMED_STEPS = ['log_append', 'snapshot_write'] as const;
export type TimedStep = (typeof TIMED_STEPS)[number];

/** Upper bounds (seconds) of the histogram buckets: an fsync'd append takes milliseconds, a snapshot seconds. */
export const STEP_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Per step: count, sum of seconds, then one slot per bucket and one above every bound. */
const STEP_SLOTS = 2 + STEP_BUCKETS_SECONDS.length + 1;
const COUNT = 0;
const SUM = 1;
const FIRST_BUCKET = 2;

export interface StepTally {
  count: number;
  /** Seconds, all observations together. */
  sum: number;
  /** Observations per bucket, not cumulative; the last counts those above every bound. */
  buckets: number[];
}

export class WriterTimings {
  private readonly slots: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = WriterTimings.allocate()) {
    this.slots = new Float64Array(buffer);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(TIMED_STEPS.length * STEP_SLOTS * Float64Array.BYTES_PER_ELEMENT);
  }

  /** Runs `work` and tallies its wall time under `step` (also when it throws: a failed sync took time too). */
  time<T>(step: TimedStep, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.observe(step, (performance.now() - started) / 1000);
    }
  }

  observe(step: TimedStep, seconds: number): void {
    const base = TIMED_STEPS.indexOf(step) * STEP_SLOTS;
    this.slots[base + FIRST_BUCKET + bucketOf(STEP_BUCKETS_SECONDS, seconds)]++;
    this.slots[base + SUM] += seconds;
    this.slots[base + COUNT]++;
  }

  tally(step: TimedStep): StepTally {
    const base = TIMED_STEPS.indexOf(step) * STEP_SLOTS;
    return {
      count: this.slots[base + COUNT],
      sum: this.slots[base + SUM],
      buckets: Array.from(this.slots.subarray(base + FIRST_BUCKET, base + STEP_SLOTS)),
    };
  }
}
