// Reads a range of a stream in sequence order through a short-lived ordered consumer: it starts at
// a given sequence, takes at most `limit` messages matching a filter, and is deleted afterwards.
// (Batch direct get would save the consumer, but needs nats-server 2.11; the consumer way works on 2.9.)
import type { JetStreamClient } from '@nats-io/jetstream';
import type { RawMessage } from './jetstream-log-format.js';

/**
 * How long one fetch may wait for messages it was told are pending (the server's minimum is 1 s).
 * Only reached when messages vanish between counting and delivery (a concurrent purge).
 */
const FETCH_EXPIRES_MS = 5_000;

/** Messages of `stream` matching `filter` with seq > afterSeq, ascending, at most `limit`. */
export async function readRange(
  js: JetStreamClient,
  stream: string,
  filter: string,
  afterSeq: number,
  limit: number,
): Promise<RawMessage[]> {
  const consumer = await js.consumers.get(stream, { filter_subjects: filter, opt_start_seq: afterSeq + 1 });
  try {
    // The consumer's creation answer already counts what matches from the start sequence on.
    const wanted = Math.min((await consumer.info(true)).num_pending, limit);
    const found: RawMessage[] = [];
    if (wanted === 0) return found;
    const messages = await consumer.fetch({ max_messages: wanted, expires: FETCH_EXPIRES_MS });
    for await (const m of messages) {
      found.push({ seq: m.seq, subject: m.subject, data: m.data });
      if (found.length === wanted || m.info.pending === 0) break;
    }
    return found;
  } finally {
    // Left alone it would expire on its own; deleting it keeps the server's consumer list short.
    await consumer.delete().catch(() => undefined);
  }
}
