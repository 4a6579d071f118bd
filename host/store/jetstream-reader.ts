// Reads a range of a stream in sequence order through a short-lived ordered consumer: it starts at
// a given sequence, takes at most `limit` messages matching a filter, and is deleted afterwards.
// (Batch direct get would save the consumer, but needs nats-server 2.11; the consumer way works on 2.9.)
import type { JetStreamClient } from '@nats-io/jetstream';
import type { RawMessage } from './jetstream-log-format.js';
import { retryTimeouts } from './jetstream-retry.js';

/**
 * How long one fetch may wait for messages it was told are pending (the server's minimum is 1 s).
 * Only reached when the consumer's server went away mid-read.
 */
const FETCH_EXPIRES_MS = 5_000;

/** The fetch ended before the messages the consumer counted arrived. */
class ReadInterruptedError extends Error {}

/**
 * Messages of `stream` matching `filter` with seq > afterSeq, ascending, at most `limit`.
 * Never returns a short page silently: fewer messages than were pending is an error (after retries).
 * A read that times out (cluster failing over) is retried too.
 */
export async function readRange(
  js: JetStreamClient,
  stream: string,
  filter: string,
  afterSeq: number,
  limit: number,
): Promise<RawMessage[]> {
  return retryTimeouts(
    () => readOnce(js, stream, filter, afterSeq, limit),
    (err) => err instanceof ReadInterruptedError,
  );
}

async function readOnce(js: JetStreamClient, stream: string, filter: string, afterSeq: number, limit: number): Promise<RawMessage[]> {
  const consumer = await js.consumers.get(stream, { filter_subjects: filter, opt_start_seq: afterSeq + 1 });
  try {
    // The consumer's creation answer already counts what matches from the start sequence on.
    const wanted = Math.min((await consumer.info(true)).num_pending, limit);
    const found: RawMessage[] = [];
    if (wanted === 0) return found;
    const messages = await consumer.fetch({ max_messages: wanted, expires: FETCH_EXPIRES_MS });
    let rest = wanted;
    for await (const m of messages) {
      found.push({ seq: m.seq, subject: m.subject, data: m.data });
      // `pending` is what still matches after this message: 0 means the end, even if some of
      // the counted messages were deleted meanwhile.
      rest = m.info.pending;
      if (found.length === wanted || rest === 0) break;
    }
    if (found.length < wanted && rest !== 0) {
      throw new ReadInterruptedError(`reading ${stream} after seq ${afterSeq}: got ${found.length} of ${wanted} messages`);
    }
    return found;
  } finally {
    // Not awaited: if its server just died the delete waits out the request timeout, and the
    // consumer expires on its own anyway; deleting it only keeps the server's list short.
    consumer.delete().catch(() => undefined);
  }
}
