// Segment-spec HTTP API payloads (analytics-node, analytics.js, RudderStack) → events.
// `/v1/batch` carries many messages; `/v1/identify` etc. (analytics.js: `/v1/i` etc.) carry one.
import { RequestError } from '../../types.js';
import { rejected, type ItemOutcome } from './event-draft.js';
import { field, isRecord, serializedBytes, WRONG_TYPE, type JsonRecord } from './json.js';
import { singleBodyKey } from './keys.js';
import { MAX_WIRE_EVENTS, SEGMENT_MAX_BATCH_BYTES, SEGMENT_MAX_EVENT_BYTES } from './limits.js';
import { collectOutcomes } from './outcomes.js';
import { mapSegmentMessage, SEGMENT_CALLS, type SegmentCall, type SegmentMessageEnv } from './segment-message.js';
import { parseWireTime } from './time.js';
import type { WireMapOptions, WireMapResult } from './types.js';

export interface SegmentMapOptions extends WireMapOptions {
  /**
   * Whether an alias's previousId is a customer id the tenant already knows. When it is not
   * (the default) previousId is taken as a device id, like anonymousId.
   */
  isKnownCustomer?: (id: string) => boolean;
}

export interface SegmentMapResult extends WireMapResult {
  /** The writeKey found in the body (top level or in the messages), if any. */
  writeKey?: string;
}

/** Path segment after `/v1/` → what the body holds. */
const SEGMENT_ROUTES = new Map<string, SegmentCall | 'batch'>([
  ['batch', 'batch'],
  ['b', 'batch'],
  ...SEGMENT_CALLS.flatMap((call): [string, SegmentCall][] => [
    [call, call],
    [call[0], call],
  ]),
]);

/**
 * Maps a Segment-spec request body. `path` is the segment after `/v1/` (`batch`, `track`, `t`, ...).
 * Throws RequestError for a request that is wrong as a whole (404 unknown call, 400 not an object,
 * `batch` not an array or over MAX_WIRE_EVENTS, conflicting writeKeys, 413 batch over 500 KB);
 * problems of single messages are reported per item in `errors`.
 */
export function mapSegmentPayload(path: string, body: unknown, opts: SegmentMapOptions): SegmentMapResult {
  const route = SEGMENT_ROUTES.get(path);
  if (route === undefined) throw new RequestError(404, 'unknown_call', `unknown Segment call "${path}"`);
  if (!isRecord(body)) throw new RequestError(400, 'invalid_body', 'a Segment payload must be a JSON object');
  return route === 'batch' ? mapBatch(body, opts) : mapSingle(route, body, opts);
}

// The path names the call; a `type` in the body is not needed and does not override it.
function mapSingle(call: SegmentCall, message: JsonRecord, opts: SegmentMapOptions): SegmentMapResult {
  const outcome =
    serializedBytes(message) > SEGMENT_MAX_EVENT_BYTES ? eventTooLarge() : mapSegmentMessage(message, { ...envOf(opts), call });
  return { ...collectOutcomes([outcome]), writeKey: singleBodyKey([message.writeKey], 'writeKey') };
}

function mapBatch(body: JsonRecord, opts: SegmentMapOptions): SegmentMapResult {
  const items = body.batch;
  if (!Array.isArray(items)) throw new RequestError(400, 'invalid_batch', 'batch must be an array');
  if (items.length > MAX_WIRE_EVENTS) {
    throw new RequestError(400, 'batch_too_large', `a batch holds at most ${MAX_WIRE_EVENTS} messages`);
  }
  const batchContext = isRecord(body.context) ? body.context : undefined;
  const sizes = messageSizes(items, batchContext);
  const batchSentAt = parseWireTime(body.sentAt);
  if (batchSentAt === WRONG_TYPE) throw new RequestError(400, 'invalid_timestamp', 'sentAt must be an ISO-8601 date-time');
  const writeKey = singleBodyKey([body.writeKey, ...items.map((item: unknown) => field(item, 'writeKey'))], 'writeKey');

  const env = { ...envOf(opts), batchContext, batchSentAt };
  const outcomes = items.map((item: unknown, i): ItemOutcome => {
    if (!isRecord(item)) return rejected('event', 'invalid_event', 'a batch item must be a JSON object');
    if (sizes[i] > SEGMENT_MAX_EVENT_BYTES) return eventTooLarge();
    const call = item.type;
    if (!isSegmentCall(call)) return rejected('type', 'invalid_type', `type must be one of ${SEGMENT_CALLS.join(', ')}`);
    return mapSegmentMessage(item, { ...env, call });
  });
  return { ...collectOutcomes(outcomes), writeKey };
}

/** Each message's serialized size; throws 413 as soon as the batch (with its context) passes the limit. */
function messageSizes(items: unknown[], batchContext: JsonRecord | undefined): number[] {
  let batchBytes = batchContext === undefined ? 0 : serializedBytes(batchContext);
  return items.map((item) => {
    const size = serializedBytes(item);
    batchBytes += size;
    if (batchBytes > SEGMENT_MAX_BATCH_BYTES) {
      throw new RequestError(413, 'payload_too_large', `a batch is limited to ${SEGMENT_MAX_BATCH_BYTES} bytes of messages`);
    }
    return size;
  });
}

function envOf(opts: SegmentMapOptions): Omit<SegmentMessageEnv, 'call'> {
  return { receivedAt: opts.receivedAt, mapDeviceId: opts.mapDeviceId, isKnownCustomer: opts.isKnownCustomer };
}

function isSegmentCall(value: unknown): value is SegmentCall {
  return (SEGMENT_CALLS as readonly unknown[]).includes(value);
}

function eventTooLarge(): ItemOutcome {
  return rejected('event', 'event_too_large', `a message is limited to ${SEGMENT_MAX_EVENT_BYTES} bytes`);
}
