import { describe, expect, it } from 'vitest';
import { RequestError } from '../../host/types.js';
import {
  mapSegmentPayload,
  MAX_WIRE_EVENTS,
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_EVENT_BYTES,
  writeKeyFromBasicAuth,
  type SegmentMapOptions,
} from '../../host/http/wire/index.js';
import { device as d, err, ev, itemViews, onlyEvent, OPTS, RECEIVED_AT, requestError, skip } from './helpers.js';

const batch = (items: unknown[], extra: Record<string, unknown> = {}) => mapSegmentPayload('batch', { batch: items, ...extra }, OPTS);
const single = (path: string, message: Record<string, unknown>, opts: SegmentMapOptions = OPTS) => mapSegmentPayload(path, message, opts);
const at = (offsetMs: number): string => new Date(RECEIVED_AT.getTime() + offsetMs).toISOString();

describe('mapSegmentPayload: routes', () => {
  it('takes the call type from the path, long or short, not from the body', () => {
    const pairs = [
      ['identify', 'i'],
      ['track', 't'],
      ['page', 'p'],
      ['screen', 's'],
      ['alias', 'a'],
      ['group', 'g'],
    ];
    for (const [long, short] of pairs) {
      for (const path of [long, short]) {
        const message = { type: 'track', userId: 'u-1', previousId: 'anon-1', messageId: `m-${path}` };
        expect(onlyEvent(single(path, message)).type, path).toBe(long);
      }
    }
    expect(itemViews(mapSegmentPayload('b', { batch: [{ type: 'page', anonymousId: 'a' }] }, OPTS))).toEqual([ev('page', { device: d('a') })]);
  });

  it('refuses an unknown call, a body that is not an object, and a batch that is not an array', () => {
    expect(requestError(() => single('identity', { userId: 'u' })).status).toBe(404);
    expect(requestError(() => single('constructor', { userId: 'u' })).code).toBe('unknown_call');
    for (const body of [null, [], 'x', 42]) {
      const error = requestError(() => mapSegmentPayload('track', body, OPTS));
      expect([error.status, error.code]).toEqual([400, 'invalid_body']);
    }
    for (const items of [undefined, {}, 'x']) {
      const error = requestError(() => mapSegmentPayload('batch', { batch: items }, OPTS));
      expect([error.status, error.code]).toEqual([400, 'invalid_batch']);
    }
  });

  it(`refuses more than ${MAX_WIRE_EVENTS} messages in one batch`, () => {
    const items = Array.from({ length: MAX_WIRE_EVENTS + 1 }, () => ({}));
    expect(requestError(() => batch(items)).code).toBe('batch_too_large');
    expect(batch(items.slice(1)).errors).toHaveLength(MAX_WIRE_EVENTS);
  });
});

describe('mapSegmentPayload: identifiers', () => {
  it('maps userId → customer, anonymousId and context.device.id → device, traits and context.traits → email/phone', () => {
    const result = single('identify', {
      userId: 'u-1',
      anonymousId: 'anon-1',
      traits: { email: 'a@x.bg', phone: '0888 111 222' },
      context: { device: { id: 'hw-1' }, traits: { email: 'A@X.bg', phone: '0888 111 222' } },
    });
    expect(itemViews(result)).toEqual([
      ev('identify', { customer: 'u-1', device: [d('anon-1'), d('hw-1')], email: ['a@x.bg', 'A@X.bg'], phone: '0888 111 222' }),
    ]);
  });

  it('accepts numeric ids, ignores null and blank ones, and ignores traits that are not strings', () => {
    const result = single('identify', {
      userId: 42,
      anonymousId: null,
      traits: { email: ['a@x.bg'], phone: 359888111222 },
      context: { device: { id: '  ' }, traits: { email: { value: 'a@x.bg' } } },
    });
    expect(itemViews(result)).toEqual([ev('identify', { customer: '42' })]);
  });

  it('rejects an event whose userId or anonymousId has the wrong JSON type', () => {
    expect(itemViews(single('track', { userId: { id: 'u-1' }, anonymousId: 'a' }))).toEqual([err(['userId', 'invalid_field'])]);
    expect(itemViews(single('track', { userId: 'u-1', anonymousId: true }))).toEqual([err(['anonymousId', 'invalid_field'])]);
  });

  it('rejects an event without a usable identifier', () => {
    expect(itemViews(single('track', { event: 'x', traits: { name: 'n' } }))).toEqual([err(['identifiers', 'no_identifiers'])]);
  });

  it('merges batch-level context into each message; the message wins on conflicts', () => {
    const result = batch(
      [
        { type: 'identify', userId: 'u-1', context: { traits: { phone: '0888 111 222' } } },
        { type: 'track', userId: 'u-2', context: { device: { id: 'own-device' }, traits: { email: 'own@x.bg' } } },
        { type: 'track', userId: 'u-3', context: 'not an object' },
      ],
      { context: { device: { id: 'batch-device' }, traits: { email: 'batch@x.bg' } } },
    );
    expect(itemViews(result)).toEqual([
      ev('identify', { customer: 'u-1', device: d('batch-device'), email: 'batch@x.bg', phone: '0888 111 222' }),
      ev('track', { customer: 'u-2', device: d('own-device'), email: 'own@x.bg' }),
      ev('track', { customer: 'u-3', device: d('batch-device'), email: 'batch@x.bg' }),
    ]);
  });

  it('maps context.externalIds whose type it knows and whose value is not hashed', () => {
    const result = single('track', {
      context: {
        externalIds: [
          { id: 'ext@x.bg', type: 'email', collection: 'users', encoding: 'none' },
          { id: '+359888111222', type: 'phone' },
          { id: 'ga-device', type: 'anonymous_id' },
          { id: 'd-2', type: 'deviceId' },
          { id: 'c-9', type: 'user_id' },
          { id: 77, type: 'Customer' },
          { id: 's-1', type: 'subscriber' },
          { id: '5f4dcc3b5aa765d61d8327deb882cf99', type: 'email', encoding: 'md5' },
          { id: 'GA1.2.3', type: 'ga_client_id' },
          { id: { nested: true }, type: 'email' },
          'not an object',
        ],
      },
    });
    expect(itemViews(result)).toEqual([
      ev('track', {
        email: 'ext@x.bg',
        phone: '+359888111222',
        device: [d('ga-device'), d('d-2')],
        customer: ['c-9', '77'],
        subscriber: 's-1',
      }),
    ]);
  });

  it('takes only the person from a group call: never groupId, never the group traits', () => {
    const result = single('group', {
      userId: 'u-1',
      groupId: 'g-1',
      traits: { email: 'office@acme.bg', phone: '02 123 4567', name: 'Acme' },
      context: { traits: { email: 'person@x.bg' } },
    });
    const event = onlyEvent(result);
    expect(event.identifiers).toEqual({ customer: 'u-1', email: 'person@x.bg' });
    expect(JSON.stringify(event.identifiers)).not.toContain('g-1');
    expect(event.traits).toEqual({ groupId: 'g-1', traits: { email: 'office@acme.bg', phone: '02 123 4567', name: 'Acme' } });
    expect(itemViews(single('group', { groupId: 'g-1', traits: { email: 'office@acme.bg' } }))).toEqual([err(['identifiers', 'no_identifiers'])]);
  });

  it('drops and reports a device id the mapper refuses, keeping the rest of the event', () => {
    const refusing: SegmentMapOptions = {
      ...OPTS,
      mapDeviceId: (raw) => {
        if (raw === 'undefined') throw new RequestError(400, 'blocked_identifier', 'placeholder device id');
        return d(raw);
      },
    };
    const kept = mapSegmentPayload('track', { userId: 'u-1', anonymousId: 'undefined', context: { device: { id: 'hw' } } }, refusing);
    expect(itemViews(kept)).toEqual([ev('track', { customer: 'u-1', device: d('hw') })]);
    expect(kept.errors).toEqual([{ index: 0, field: 'anonymousId', error: { code: 'blocked_identifier', message: 'placeholder device id' } }]);

    const nothingLeft = mapSegmentPayload('track', { anonymousId: 'undefined' }, refusing);
    expect(itemViews(nothingLeft)).toEqual([err(['anonymousId', 'blocked_identifier'], ['identifiers', 'no_identifiers'])]);
  });

  it('lets errors other than RequestError from the device mapper through (they are bugs, not bad input)', () => {
    const broken = { ...OPTS, mapDeviceId: () => { throw new TypeError('bug'); } };
    expect(() => mapSegmentPayload('track', { anonymousId: 'a' }, broken)).toThrow(TypeError);
  });
});

describe('mapSegmentPayload: alias', () => {
  it('links previousId (as a device by default) with userId (a customer)', () => {
    expect(itemViews(single('alias', { userId: 'u-1', previousId: 'anon-1', anonymousId: 'other-device' }))).toEqual([
      ev('alias', { customer: 'u-1', device: d('anon-1') }),
    ]);
  });

  it('maps previousId as a customer when the tenant knows it as one', () => {
    const opts = { ...OPTS, isKnownCustomer: (id: string) => id === 'old-customer' };
    expect(itemViews(single('alias', { userId: 'u-1', previousId: 'old-customer' }, opts))).toEqual([
      ev('alias', { customer: ['u-1', 'old-customer'] }),
    ]);
    expect(itemViews(single('alias', { userId: 'u-1', previousId: 'anon-1' }, opts))).toEqual([
      ev('alias', { customer: 'u-1', device: d('anon-1') }),
    ]);
  });

  it('skips a self-alias without an event or an error', () => {
    const result = batch([
      { type: 'alias', userId: 'u-42', previousId: 'u-42', anonymousId: 'anon' },
      { type: 'alias', userId: 7, previousId: '7' },
      { type: 'track', userId: 'u-42' },
    ]);
    expect(itemViews(result)).toEqual([skip('self_alias'), skip('self_alias'), ev('track', { customer: 'u-42' })]);
    expect(result.errors).toEqual([]);
    expect(result.eventIndexes).toEqual([2]);
  });

  it('rejects an alias missing userId or previousId', () => {
    expect(itemViews(single('alias', { userId: 'u-1' }))).toEqual([err(['previousId', 'missing_field'])]);
    expect(itemViews(single('alias', { previousId: 'anon-1', anonymousId: 'anon-1' }))).toEqual([err(['userId', 'missing_field'])]);
  });
});

describe('mapSegmentPayload: event time', () => {
  it('moves the device time by the gap between sentAt and receipt (clock-skew correction)', () => {
    // The device clock runs 5 minutes fast: sent "10:05:00", received 10:00:00.
    const event = onlyEvent(single('track', { userId: 'u', timestamp: '2026-03-01T10:04:55.000Z', sentAt: '2026-03-01T10:05:00.000Z' }));
    expect(event.timestamp).toBe('2026-03-01T09:59:55.000Z');
  });

  it("uses the batch's sentAt for messages without their own", () => {
    const result = batch(
      [
        { type: 'track', userId: 'u', timestamp: '2026-03-01T09:00:00.000Z' },
        { type: 'track', userId: 'u', timestamp: '2026-03-01T09:00:00.000Z', sentAt: '2026-03-01T09:00:01.000Z' },
      ],
      { sentAt: '2026-03-01T09:00:10.000Z' },
    );
    expect(result.events.map((event) => event.timestamp)).toEqual([at(-10_000), at(-1_000)]);
  });

  it('corrects originalTimestamp, but uses a timestamp sent next to it as is (RudderStack)', () => {
    const sentAt = '2026-03-01T09:00:02.000Z';
    const original = onlyEvent(single('track', { userId: 'u', originalTimestamp: '2026-03-01T09:00:00.000Z', sentAt }));
    expect(original.timestamp).toBe(at(-2_000));
    const explicit = onlyEvent(
      single('track', { userId: 'u', timestamp: '2024-01-02T03:04:05.000Z', originalTimestamp: '2026-03-01T09:00:00.000Z', sentAt }),
    );
    expect(explicit.timestamp).toBe('2024-01-02T03:04:05.000Z');
  });

  it('uses the timestamp as is without sentAt, and the receipt time without any time', () => {
    expect(onlyEvent(single('track', { userId: 'u', timestamp: '2025-05-05T05:05:05.500+02:00' })).timestamp).toBe('2025-05-05T03:05:05.500Z');
    expect(onlyEvent(single('track', { userId: 'u' })).timestamp).toBe(RECEIVED_AT.toISOString());
    expect(onlyEvent(single('track', { userId: 'u', timestamp: null, sentAt: '2026-03-01T09:00:00Z' })).timestamp).toBe(RECEIVED_AT.toISOString());
  });

  it('reads a time without a zone as UTC', () => {
    expect(onlyEvent(single('track', { userId: 'u', timestamp: '2025-05-05T05:05:05' })).timestamp).toBe('2025-05-05T05:05:05.000Z');
  });

  it('rejects a message whose times do not parse, and a batch whose sentAt does not', () => {
    expect(itemViews(single('track', { userId: 'u', timestamp: 'yesterday' }))).toEqual([err(['timestamp', 'invalid_timestamp'])]);
    expect(itemViews(single('track', { userId: 'u', timestamp: 1700000000000 }))).toEqual([err(['timestamp', 'invalid_timestamp'])]);
    expect(itemViews(single('track', { userId: 'u', sentAt: '2026-13-01T00:00:00Z' }))).toEqual([err(['sentAt', 'invalid_timestamp'])]);
    const error = requestError(() => batch([{ type: 'track', userId: 'u' }], { sentAt: 'soon' }));
    expect([error.status, error.code]).toEqual([400, 'invalid_timestamp']);
  });

  it('rejects a corrected time that falls outside what a date can hold', () => {
    const result = single('track', { userId: 'u', timestamp: '-271821-04-20T00:00:00.000Z', sentAt: '+275760-09-13T00:00:00.000Z' });
    expect(itemViews(result)).toEqual([err(['timestamp', 'invalid_timestamp'])]);
  });
});

describe('mapSegmentPayload: ids, traits and batch items', () => {
  it('uses messageId as the event id and keeps the call payload (not context) as traits', () => {
    const event = onlyEvent(
      single('track', {
        messageId: 'msg-1',
        userId: 'u-1',
        event: 'Order Completed',
        properties: { total: 9.5 },
        context: { ip: '203.0.113.7' },
        integrations: {},
        _metadata: { nodeVersion: '20' },
      }),
    );
    expect(event).toEqual({
      id: 'msg-1',
      type: 'track',
      timestamp: RECEIVED_AT.toISOString(),
      identifiers: { customer: 'u-1' },
      traits: { event: 'Order Completed', properties: { total: 9.5 } },
    });
    expect(onlyEvent(single('page', { userId: 'u', name: 'Home', category: 'Docs' })).traits).toEqual({ name: 'Home', category: 'Docs' });
    expect(onlyEvent(single('alias', { userId: 'u', previousId: 'p' }))).not.toHaveProperty('traits');
    expect(itemViews(single('track', { userId: 'u', messageId: ['m'] }))).toEqual([err(['messageId', 'invalid_field'])]);
  });

  it('reports non-object items and unknown types per item, keeping the other messages', () => {
    const result = batch([null, 'track', { userId: 'u' }, { type: 'Track', userId: 'u' }, { type: 'track', userId: 'u' }]);
    expect(itemViews(result)).toEqual([
      err(['event', 'invalid_event']),
      err(['event', 'invalid_event']),
      err(['type', 'invalid_type']),
      err(['type', 'invalid_type']),
      ev('track', { customer: 'u' }),
    ]);
    expect(result.eventIndexes).toEqual([4]);
  });

  it(`rejects a message over ${SEGMENT_MAX_EVENT_BYTES} bytes as one item`, () => {
    const big = (bytes: number) => ({ type: 'track', userId: 'u', properties: { blob: 'x'.repeat(bytes) } });
    const result = batch([big(SEGMENT_MAX_EVENT_BYTES), big(SEGMENT_MAX_EVENT_BYTES - 100), { type: 'track', userId: 'v' }]);
    expect(itemViews(result)).toEqual([err(['event', 'event_too_large']), ev('track', { customer: 'u' }), ev('track', { customer: 'v' })]);
    expect(itemViews(single('track', big(SEGMENT_MAX_EVENT_BYTES)))).toEqual([err(['event', 'event_too_large'])]);
  });

  it(`refuses a batch over ${SEGMENT_MAX_BATCH_BYTES} bytes with 413, counting the batch context`, () => {
    const item = { type: 'track', userId: 'u', properties: { blob: 'x'.repeat(25_000) } };
    const fits = Math.floor(SEGMENT_MAX_BATCH_BYTES / JSON.stringify(item).length);
    expect(batch(Array.from({ length: fits }, () => item)).events).toHaveLength(fits);
    const error = requestError(() => batch(Array.from({ length: fits + 1 }, () => item)));
    expect([error.status, error.code]).toEqual([413, 'payload_too_large']);
    const context = { blob: 'y'.repeat(25_000) };
    expect(requestError(() => batch(Array.from({ length: fits }, () => item), { context })).status).toBe(413);
  });
});

describe('writeKey', () => {
  it('returns the writeKey from the body, the batch or its messages', () => {
    expect(single('track', { userId: 'u', writeKey: 'WK' }).writeKey).toBe('WK');
    expect(batch([{ type: 'track', userId: 'u', writeKey: 'WK' }]).writeKey).toBe('WK');
    expect(batch([{ type: 'track', userId: 'u' }], { writeKey: 'WK' }).writeKey).toBe('WK');
    expect(batch([{ type: 'track', userId: 'u' }]).writeKey).toBeUndefined();
  });

  it('refuses a body carrying two different writeKeys', () => {
    const error = requestError(() => batch([{ type: 'track', userId: 'u', writeKey: 'B' }], { writeKey: 'A' }));
    expect([error.status, error.code]).toEqual([400, 'conflicting_keys']);
  });

  it('reads the user part of Basic auth', () => {
    const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
    expect(writeKeyFromBasicAuth(basic('WK_test123:'))).toBe('WK_test123');
    expect(writeKeyFromBasicAuth(basic('WK:ignored-password'))).toBe('WK');
    expect(writeKeyFromBasicAuth(basic('WK'))).toBe('WK');
    expect(writeKeyFromBasicAuth(`basic   ${Buffer.from('WK:').toString('base64')}`)).toBe('WK');
    expect(writeKeyFromBasicAuth(basic(':password-only'))).toBeUndefined();
    expect(writeKeyFromBasicAuth('Bearer abc')).toBeUndefined();
    expect(writeKeyFromBasicAuth('Basic not base64!')).toBeUndefined();
    expect(writeKeyFromBasicAuth(undefined)).toBeUndefined();
  });
});
