// Retrying reads that time out while a cluster fails over. Every read that goes through a consumer
// (ranges of a stream, object store listings and objects) needs it: right after a member dies,
// the meta leader may still place the new consumer on that member until it notices, and the
// create request times out. A new attempt is placed afresh, on a random replica.
import { errors } from '@nats-io/transport-node';

/** Attempts of one read before its TimeoutError is passed on. */
export const READ_ATTEMPTS = 4;

/** Runs `op` again when it fails with a TimeoutError or an error `isRetriable` accepts, up to `READ_ATTEMPTS` times. */
export async function retryTimeouts<T>(op: () => Promise<T>, isRetriable: (err: unknown) => boolean = () => false): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof errors.TimeoutError || isRetriable(err)) || attempt === READ_ATTEMPTS) throw err;
    }
  }
}

/** Pause between attempts of `retryWithin`. */
const RETRY_PAUSE_MS = 250;

/**
 * Like `retryTimeouts`, bounded by time instead of attempts: for what a process needs before it
 * can start (its buckets' watches), while a cluster that just lost a member elects new leaders.
 */
export async function retryWithin<T>(ms: number, op: () => Promise<T>, isRetriable: (err: unknown) => boolean = () => false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof errors.TimeoutError || isRetriable(err)) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }
}
