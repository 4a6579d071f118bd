// Reading a range of a stream in sequence order, two ways:
//  - through a short-lived ordered consumer (fast: the server streams the whole page), and
//  - message by message with STREAM.MSG.GET `next_by_subj`, answered by the stream leader.
// The consumer way depends on where the cluster places the consumer: right after a member dies,
// the meta leader may still place it on that member until it notices, and the create times out.
// So a reader that saw a consumer read fail reads message by message for a while.
// (Batch direct get would do a page in one request, but needs nats-server 2.11; both ways here work on 2.9.)
import { errors } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager, MsgRequest } from '@nats-io/jetstream';
import type { RawMessage } from './jetstream-log-format.js';
import { retryTimeouts } from './jetstream-retry.js';

/**
 * How long one fetch may wait for messages it was told are pending (the server's minimum is 1 s).
 * Only reached when the consumer's server went away mid-read.
 */
const FETCH_EXPIRES_MS = 5_000;
/** After a consumer read failed, read message by message for this long before trying consumers again. */
const DEGRADED_MS = 30_000;

/** The fetch ended before the messages the consumer counted arrived. */
class ReadInterruptedError extends Error {}

export class StreamReader {
  /** Until when reads avoid consumers (ms since the epoch). */
  private degradedUntil = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
  ) {}

  /**
   * Messages matching `filter` with seq > afterSeq, ascending, at most `limit`. Never a short
   * page while more messages match (an interrupted read is an error); timeouts are retried.
   */
  async read(filter: string, afterSeq: number, limit: number): Promise<RawMessage[]> {
    if (Date.now() >= this.degradedUntil) {
      try {
        return await this.readByConsumer(filter, afterSeq, limit);
      } catch (err) {
        if (!(err instanceof errors.TimeoutError || err instanceof ReadInterruptedError)) throw err;
        this.degradedUntil = Date.now() + DEGRADED_MS;
      }
    }
    return retryTimeouts(() => readByGet(this.jsm, this.stream, filter, afterSeq, limit));
  }

  private async readByConsumer(filter: string, afterSeq: number, limit: number): Promise<RawMessage[]> {
    const consumer = await this.js.consumers.get(this.stream, { filter_subjects: filter, opt_start_seq: afterSeq + 1 });
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
        throw new ReadInterruptedError(`reading ${this.stream} after seq ${afterSeq}: got ${found.length} of ${wanted} messages`);
      }
      return found;
    } finally {
      // Not awaited: if its server just died the delete waits out the request timeout, and the
      // consumer expires on its own anyway; deleting it only keeps the server's list short.
      consumer.delete().catch(() => undefined);
    }
  }
}

/** Messages matching `filter` with seq > afterSeq, at most `limit`: one MSG.GET per message, no consumer. */
export async function readByGet(
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  afterSeq: number,
  limit: number,
): Promise<RawMessage[]> {
  const found: RawMessage[] = [];
  for (let seq = afterSeq + 1; found.length < limit; ) {
    // `next_by_subj` (first match at or after seq) exists since 2.9 but is missing from the client's MsgRequest type.
    const query = { seq, next_by_subj: filter } as unknown as MsgRequest;
    const m = await jsm.streams.getMessage(stream, query);
    if (m === null) break;
    found.push({ seq: m.seq, subject: m.subject, data: m.data });
    seq = m.seq + 1;
  }
  return found;
}
