// Every JSON endpoint with a valid sample body, the places in it whose type the server checks,
// and fast-check arbitraries that turn a sample into a request the server must refuse: cut-off
// JSON, a wrong type in a checked place, huge strings, deep nesting.
import fc from 'fast-check';
import { basicAuth } from '../http/helpers.js';
import { TENANT, type HostileServer } from './hostile-server.js';

export interface Endpoint {
  name: string;
  method: 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  /** A body the server would act on. */
  sample: unknown;
  /** Ingests events: a 200 must then report nothing accepted. */
  ingests: boolean;
  /** Dotted paths into `sample` whose JSON type the server checks: any other type must be refused. */
  typed: { path: string; expects: 'string' | 'object' | 'array' | 'boolean' | 'integer'; nullMeansAbsent?: true }[];
  /** Dotted paths of strings that a huge value must not get past (it may still answer 200 when nothing changes). */
  strings: string[];
}

const UUID = '6f1c2b9e-0d4a-4c1e-9a57-3b8e2f6d1a09';

export function endpoints({ keys, persona }: Pick<HostileServer, 'keys' | 'persona'>): Endpoint[] {
  const t = `/v1/tenants/${TENANT}`;
  const bearer = { authorization: `Bearer ${keys.admin}` };
  const segment = { authorization: basicAuth(keys.writeA) };
  const lookups = (field: string) => [
    { path: field, expects: 'array' as const }, { path: `${field}.0`, expects: 'object' as const },
    { path: `${field}.0.type`, expects: 'string' as const }, { path: `${field}.0.value`, expects: 'string' as const },
  ];
  return [
    {
      name: 'events', method: 'POST', path: `${t}/events`, headers: bearer, ingests: true,
      sample: { events: [{ id: 'h-1', type: 'login', timestamp: '2026-03-01T10:00:00.000Z', identifiers: { customer: 'hostile-1', email: 'hostile@x.bg', device: UUID }, traits: { note: 'n' } }] },
      typed: [
        // an event's optional fields take null as absent (analytics clients send it for unset fields)
        { path: 'events', expects: 'array' }, { path: 'events.0', expects: 'object' }, { path: 'events.0.id', expects: 'string', nullMeansAbsent: true },
        { path: 'events.0.type', expects: 'string', nullMeansAbsent: true }, { path: 'events.0.identifiers', expects: 'object' },
        { path: 'events.0.identifiers.customer', expects: 'string', nullMeansAbsent: true }, { path: 'events.0.identifiers.email', expects: 'string', nullMeansAbsent: true },
        { path: 'events.0.traits', expects: 'object', nullMeansAbsent: true },
      ],
      strings: ['events.0.id', 'events.0.type', 'events.0.identifiers.customer', 'events.0.identifiers.email', 'events.0.identifiers.device', 'events.0.traits.note'],
    },
    {
      name: 'resolve', method: 'POST', path: `${t}/resolve`, headers: bearer, ingests: false,
      sample: { identifiers: [{ type: 'customer', value: 'a-1' }] }, typed: lookups('identifiers'), strings: ['identifiers.0.value', 'identifiers.0.type'],
    },
    {
      name: 'dedupe', method: 'POST', path: `${t}/audiences/dedupe`, headers: bearer, ingests: false,
      sample: { channel: 'email', recipients: [{ type: 'customer', value: 'a-1' }] },
      typed: [{ path: 'channel', expects: 'string' }, ...lookups('recipients')], strings: ['recipients.0.value', 'channel'],
    },
    {
      name: 'claims', method: 'POST', path: `${t}/campaigns/c-2/claims`, headers: bearer, ingests: false,
      sample: { channel: 'email', recipients: [{ type: 'customer', value: 'a-1' }] },
      typed: [{ path: 'channel', expects: 'string' }, ...lookups('recipients')], strings: ['recipients.0.value', 'channel'],
    },
    {
      name: 'config', method: 'PUT', path: `${t}/config`, headers: bearer, ingests: false,
      sample: { defaultCountry: 'RO', emailCanonical: false, guardrails: false, limits: { email: 2 } },
      typed: [
        { path: 'defaultCountry', expects: 'string' }, { path: 'emailCanonical', expects: 'boolean' },
        { path: 'guardrails', expects: 'boolean' }, { path: 'limits', expects: 'object' }, { path: 'limits.email', expects: 'integer' },
      ],
      strings: ['defaultCountry'],
    },
    {
      name: 'erase', method: 'POST', path: `${t}/erase`, headers: bearer, ingests: false,
      sample: { identifiers: [{ type: 'customer', value: 'a-2' }] }, typed: lookups('identifiers'), strings: ['identifiers.0.value', 'identifiers.0.type'],
    },
    {
      name: 'split', method: 'POST', path: `${t}/personas/${persona}/split`, headers: bearer, ingests: false,
      sample: { identifiers: [{ type: 'phone', value: '+359888123456' }] }, typed: lookups('identifiers'), strings: ['identifiers.0.value'],
    },
    {
      name: 'links', method: 'POST', path: `${t}/links`, headers: bearer, ingests: false,
      sample: { url: 'https://shop.bg/x', recipient: { customer: 'a-1' }, campaign: 'c-1', channel: 'email' },
      typed: [{ path: 'url', expects: 'string' }, { path: 'recipient', expects: 'object' }, { path: 'campaign', expects: 'string' }, { path: 'channel', expects: 'string' }],
      strings: ['campaign', 'recipient.customer'],
    },
    {
      name: 'devices', method: 'POST', path: `${t}/devices`, headers: bearer, ingests: false,
      sample: { browser: 'Firefox 130', cpu: 'x86', extra: { screen: '1920x1080' } },
      typed: [{ path: 'browser', expects: 'string' }, { path: 'extra', expects: 'object' }], strings: ['browser', 'model'],
    },
    {
      name: 'segment batch', method: 'POST', path: '/v1/batch', headers: segment, ingests: true,
      sample: { batch: [{ type: 'identify', userId: 'seg-h', messageId: 'm-h' }] },
      typed: [{ path: 'batch', expects: 'array' }, { path: 'batch.0', expects: 'object' }],
      strings: ['batch.0.userId'], // a blank messageId means none: the event is kept, rightly
    },
    {
      name: 'segment track', method: 'POST', path: '/v1/t', headers: {}, ingests: true,
      sample: { writeKey: keys.writeA, type: 'track', event: 'Order Completed', userId: 'seg-h', messageId: 'm-h2' },
      typed: [{ path: 'writeKey', expects: 'string' }], strings: ['userId', 'writeKey'],
    },
    {
      name: 'posthog batch', method: 'POST', path: '/batch/', headers: {}, ingests: true,
      sample: { api_key: keys.writeA, batch: [{ event: '$pageview', distinct_id: 'ph-h', uuid: '0190c1a2-0000-7000-8000-000000000001', properties: { $is_identified: true } }] },
      typed: [{ path: 'api_key', expects: 'string' }, { path: 'batch', expects: 'array' }, { path: 'batch.0', expects: 'object' }],
      strings: ['batch.0.distinct_id', 'api_key'], // a blank uuid means none (see segment batch)
    },
  ];
}

/** A copy of `value` with the dotted `path` set to `replacement`. */
export function replaceAt(value: unknown, path: string, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const parts = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1]] = replacement;
  return copy;
}

const notString = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { minKeys: 1, maxKeys: 3 }));

/** JSON values that are not of the expected type (null included, unless the place takes null as absent). */
export function wrongValue({ expects, nullMeansAbsent }: Endpoint['typed'][number]): fc.Arbitrary<unknown> {
  const wrong = wrongOrNull(expects);
  return nullMeansAbsent ? wrong.filter((value) => value !== null) : wrong;
}

function wrongOrNull(expects: Endpoint['typed'][number]['expects']): fc.Arbitrary<unknown> {
  switch (expects) {
    case 'string': return fc.oneof(notString, fc.constant(null));
    case 'object': return fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
    case 'array': return fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }));
    case 'boolean': return fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }));
    case 'integer': return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)), fc.string(), fc.boolean(), fc.constant(null), fc.integer({ min: -1_000_000, max: -1 }), fc.integer({ min: 65_536 }));
  }
}

/** A huge string: 100 kB to 900 kB as JSON (the body limit is 1 MiB) of one repeated plain or odd unit. */
export const hugeString = fc.record({
  bytes: fc.integer({ min: 100_000, max: 900_000 }),
  unit: fc.constantFrom('a', '0', ' ', '\u200b', '\u202e', 'é', '\ufeff', '"', '\\'),
});

/** The string a `hugeString` record stands for (kept apart so that counterexamples print short). */
export function hugeValue({ bytes, unit }: { bytes: number; unit: string }): string {
  return unit.repeat(Math.ceil(bytes / jsonBytes(unit)));
}

/** Bytes one unit takes inside a JSON string (escaped, UTF-8). */
function jsonBytes(unit: string): number {
  return Buffer.byteLength(JSON.stringify(unit)) - 2;
}

const NEST_MARKER = '__nested__';

/** The sample as JSON text with the value at `path` wrapped in `depth` arrays. */
export function nestedAt(sample: unknown, path: string, depth: number): string {
  return JSON.stringify(replaceAt(sample, path, NEST_MARKER)).replace(`"${NEST_MARKER}"`, `${'['.repeat(depth)}1${']'.repeat(depth)}`);
}
