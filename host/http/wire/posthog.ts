// PostHog capture payloads (`/batch/`, `/capture/`, `/e/`, `/i/v0/e/`) → events. A body is one
// event, `{api_key, batch: [...], sent_at}` (posthog-node, posthog-js) or a bare array of events.
import { RequestError } from '../../types.js';
import { rejected } from './event-draft.js';
import { field, isRecord, WRONG_TYPE, type JsonRecord } from './json.js';
import { singleBodyKey } from './keys.js';
import { MAX_WIRE_EVENTS } from './limits.js';
import { collectOutcomes } from './outcomes.js';
import { mapPosthogEvent } from './posthog-event.js';
import { parseWireTime } from './time.js';
import type { WireMapOptions, WireMapResult } from './types.js';

export interface PosthogMapResult extends WireMapResult {
  /** The project key found in the body (`api_key`/`token` at the top, in events or their properties). */
  apiKey?: string;
}

/**
 * Maps a PostHog capture body. Throws RequestError for a request that is wrong as a whole
 * (400 not an object or array, `batch` not an array or over MAX_WIRE_EVENTS, unparseable batch
 * `sent_at`, conflicting keys); problems of single events are reported per item in `errors`.
 */
export function mapPosthogPayload(body: unknown, opts: WireMapOptions): PosthogMapResult {
  const { envelope, items } = splitPayload(body);
  if (items.length > MAX_WIRE_EVENTS) {
    throw new RequestError(400, 'batch_too_large', `a batch holds at most ${MAX_WIRE_EVENTS} events`);
  }
  const batchSentAt = parseWireTime(envelope?.sent_at);
  if (batchSentAt === WRONG_TYPE) throw new RequestError(400, 'invalid_timestamp', 'sent_at must be an ISO-8601 date-time');
  const eventKeys = items.flatMap((item: unknown) => [
    field(item, 'api_key'),
    field(item, 'token'),
    field(field(item, 'properties'), 'token'),
  ]);
  const apiKey = singleBodyKey([envelope?.api_key, envelope?.token, ...eventKeys], 'api_key');

  const env = { receivedAt: opts.receivedAt, mapDeviceId: opts.mapDeviceId, batchSentAt };
  const outcomes = items.map((item: unknown) =>
    isRecord(item) ? mapPosthogEvent(item, env) : rejected('event', 'invalid_event', 'an event must be a JSON object'),
  );
  return { ...collectOutcomes(outcomes), apiKey };
}

function splitPayload(body: unknown): { envelope?: JsonRecord; items: unknown[] } {
  if (Array.isArray(body)) return { items: body };
  if (!isRecord(body)) throw new RequestError(400, 'invalid_body', 'a PostHog payload must be a JSON object or array');
  if (body.batch === undefined) return { items: [body] };
  if (!Array.isArray(body.batch)) throw new RequestError(400, 'invalid_batch', 'batch must be an array');
  return { envelope: body, items: body.batch };
}
