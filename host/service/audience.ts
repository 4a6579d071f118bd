// Campaign audiences: one message per persona, to its latest address for the channel.
import { RequestError, type AudienceRecipient, type AudienceRequest, type AudienceResult, type Channel, type Identifier } from '../types.js';
import type { Shard } from '../engine/shard.js';
import { shownValue } from './views.js';
import { checkLookupShape } from './lookup-keys.js';

export const MAX_RECIPIENTS = 200_000;
const CHANNELS: readonly Channel[] = ['email', 'sms', 'viber'];

/** The identifier type that carries an address on a channel. */
export function addressType(channel: Channel): 'email' | 'phone' {
  return channel === 'email' ? 'email' : 'phone';
}

export function checkAudienceRequest(body: unknown): AudienceRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'invalid_body', 'the body must be a JSON object');
  const { channel, recipients } = body as Record<string, unknown>;
  if (!CHANNELS.includes(channel as Channel)) throw new RequestError(400, 'invalid_channel', `channel must be one of ${CHANNELS.join(', ')}`);
  if (!Array.isArray(recipients)) throw new RequestError(400, 'invalid_recipients', 'recipients must be an array');
  if (recipients.length > MAX_RECIPIENTS) {
    throw new RequestError(400, 'batch_too_large', `at most ${MAX_RECIPIENTS} recipients per request, got ${recipients.length}`);
  }
  for (let i = 0; i < recipients.length; i++) checkLookupShape(recipients[i], 'recipients', i);
  return { channel: channel as Channel, recipients: recipients as Identifier[] };
}

/**
 * A recipient after normalization: null when its type or value cannot be understood. `value` is the
 * matching form; `display` the address as typed, when it differs (gmail dots and +tags).
 */
export type NormalizedRecipient = (Identifier & { readonly display?: string }) | null;

/**
 * Groups recipients by persona (record per input, 0 = unknown to the graph). Unknown inputs stay
 * recipients of their own, deduplicated by normalized value, when they are themselves an address.
 */
export function buildAudience(
  shard: Shard,
  channel: Channel,
  inputs: NormalizedRecipient[],
  records: ArrayLike<number>,
): AudienceResult {
  const wanted = addressType(channel);
  const byKey = new Map<string, AudienceRecipient>();
  const recipients: AudienceRecipient[] = [];
  const unreachable: number[] = [];
  const addresses = new Map<number, string | null>();
  inputs.forEach((input, index) => {
    const record = records[index];
    let key: string;
    let persona: string | null = null;
    let address: string | null;
    if (record !== 0) {
      key = `p:${record}`;
      if (!addresses.has(record)) {
        const view = shard.persona(record);
        const node = wanted === 'email' ? view.latestEmail : view.latestPhone;
        addresses.set(record, node === 0 ? null : shownValue(shard.node(node)));
      }
      address = addresses.get(record)!;
      persona = shard.personaId(record);
    } else if (input && input.type === wanted) {
      key = `v:${input.value}`;
      address = input.display ?? input.value; // mail goes to the address as typed, as a persona's does
    } else {
      unreachable.push(index);
      return;
    }
    if (address === null) {
      unreachable.push(index);
      return;
    }
    const existing = byKey.get(key);
    if (existing) existing.inputs.push(index);
    else {
      const recipient = { persona, address, inputs: [index] };
      byKey.set(key, recipient);
      recipients.push(recipient);
    }
  });
  const reached = inputs.length - unreachable.length;
  return {
    recipients,
    unreachable,
    stats: { input: inputs.length, recipients: recipients.length, duplicatesRemoved: reached - recipients.length, unreachable: unreachable.length },
  };
}
