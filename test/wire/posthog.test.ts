import { describe, expect, it } from 'vitest';
import { mapPosthogPayload, MAX_WIRE_EVENTS } from '../../host/http/wire/index.js';
import { device as d, err, ev, itemViews, onlyEvent, OPTS, RECEIVED_AT, requestError, skip } from './helpers.js';

const map = (body: unknown) => mapPosthogPayload(body, OPTS);
const at = (offsetMs: number): string => new Date(RECEIVED_AT.getTime() + offsetMs).toISOString();
const DEVICE = '01a22843-bf3f-74a8-b9bf-b480c4537507';

describe('mapPosthogPayload: body shapes and keys', () => {
  const event = { event: 'Viewed', distinct_id: 'u-1' };

  it('accepts a single event, {api_key, batch}, and a bare array', () => {
    expect(itemViews(map({ ...event, api_key: 'phc_1' }))).toEqual([ev('track', { customer: 'u-1' })]);
    expect(map({ ...event, api_key: 'phc_1' }).apiKey).toBe('phc_1');
    expect(itemViews(map({ api_key: 'phc_1', batch: [event, event] }))).toEqual([ev('track', { customer: 'u-1' }), ev('track', { customer: 'u-1' })]);
    expect(map([{ ...event, properties: { token: 'phc_2' } }]).apiKey).toBe('phc_2');
    expect(map({ token: 'phc_3', batch: [event] }).apiKey).toBe('phc_3');
    expect(map([event]).apiKey).toBeUndefined();
  });

  it('accepts the same key in several places but refuses two different keys', () => {
    expect(map({ api_key: 'phc_1', batch: [{ ...event, properties: { token: 'phc_1' } }] }).apiKey).toBe('phc_1');
    const error = requestError(() => map({ api_key: 'phc_1', batch: [{ ...event, properties: { token: 'phc_other' } }] }));
    expect([error.status, error.code]).toEqual([400, 'conflicting_keys']);
  });

  it('refuses bodies that are not an object or array, batches that are not arrays, and oversized batches', () => {
    for (const body of [null, 'x', 7]) expect(requestError(() => map(body)).code).toBe('invalid_body');
    expect(requestError(() => map({ api_key: 'k', batch: {} })).code).toBe('invalid_batch');
    const error = requestError(() => map(Array.from({ length: MAX_WIRE_EVENTS + 1 }, () => event)));
    expect([error.status, error.code]).toEqual([400, 'batch_too_large']);
  });

  it('reports non-object events and events without a name per item', () => {
    expect(itemViews(map([event, 'x', { distinct_id: 'u' }, { event: '', distinct_id: 'u' }]))).toEqual([
      ev('track', { customer: 'u-1' }),
      err(['event', 'invalid_event']),
      err(['event', 'missing_field']),
      err(['event', 'missing_field']),
    ]);
  });
});

describe('mapPosthogPayload: identifiers', () => {
  it('maps an identified event: distinct_id → customer, $device_id → device', () => {
    const result = map({ event: '$pageview', distinct_id: 'u-42', properties: { $device_id: DEVICE, $is_identified: true } });
    expect(itemViews(result)).toEqual([ev('page', { customer: 'u-42', device: d(DEVICE) })]);
  });

  it('maps an anonymous event (distinct_id is the device id, or $is_identified is false) to a device only', () => {
    expect(itemViews(map({ event: 'Viewed', distinct_id: DEVICE, properties: { $device_id: DEVICE } }))).toEqual([
      ev('track', { device: d(DEVICE) }),
    ]);
    expect(itemViews(map({ event: 'Viewed', distinct_id: 'anon-cookie-id', properties: { $is_identified: false } }))).toEqual([
      ev('track', { device: d('anon-cookie-id') }),
    ]);
    expect(itemViews(map({ event: 'Viewed', properties: { distinct_id: DEVICE, $device_id: DEVICE } }))).toEqual([
      ev('track', { device: d(DEVICE) }),
    ]);
  });

  it('links distinct_id with $anon_distinct_id on $identify', () => {
    const result = map({ event: '$identify', distinct_id: 'u-1', properties: { $anon_distinct_id: 'anon-1' } });
    expect(itemViews(result)).toEqual([ev('identify', { customer: 'u-1', device: d('anon-1') })]);
  });

  it('links distinct_id with properties.alias (a customer) on $create_alias, and needs the alias', () => {
    expect(itemViews(map({ event: '$create_alias', distinct_id: 'u-1', properties: { alias: 'crm-7' } }))).toEqual([
      ev('alias', { customer: ['u-1', 'crm-7'] }),
    ]);
    expect(itemViews(map({ event: '$create_alias', distinct_id: 'u-1', properties: {} }))).toEqual([
      err(['properties.alias', 'missing_field']),
    ]);
  });

  it('reads email and phone from $set and $set_once, at the top level and in properties; strings only', () => {
    const result = map({
      event: '$identify',
      distinct_id: 'u-1',
      $set: { email: 'top@x.bg', phone: 12345 },
      $set_once: { phone: '0888 111 222' },
      properties: { $set: { email: 'Top@x.bg' }, $set_once: { email: ['no'] } },
    });
    expect(itemViews(result)).toEqual([ev('identify', { customer: 'u-1', email: ['top@x.bg', 'Top@x.bg'], phone: '0888 111 222' })]);
  });

  it('takes no identifier from $groupidentify: the event is skipped, not an error', () => {
    const result = map({
      api_key: 'k',
      batch: [
        {
          event: '$groupidentify',
          distinct_id: '$company_g-1',
          properties: { $group_type: 'company', $group_key: 'g-1', $group_set: { email: 'office@acme.bg' } },
        },
        { event: 'Order Completed', distinct_id: 'u-1', properties: { $groups: { company: 'g-1' } } },
      ],
    });
    expect(itemViews(result)).toEqual([skip('group_event'), ev('track', { customer: 'u-1' })]);
    expect(result.errors).toEqual([]);
    expect(JSON.stringify(result.events.map((event) => event.identifiers))).not.toMatch(/g-1|acme/);
  });

  it('rejects events without a usable identifier or with a distinct_id of the wrong type', () => {
    expect(itemViews(map({ event: 'x' }))).toEqual([err(['identifiers', 'no_identifiers'])]);
    expect(itemViews(map({ event: 'x', distinct_id: { id: 1 } }))).toEqual([err(['distinct_id', 'invalid_field'])]);
  });
});

describe('mapPosthogPayload: id, type, traits', () => {
  it('uses uuid as the event id, maps event names to types, and keeps only the caller\'s properties', () => {
    const event = onlyEvent(
      map({
        uuid: '01890000-0000-7000-8000-000000000001',
        event: 'Order Completed',
        distinct_id: 'u-1',
        properties: { total: 9.5, $lib: 'posthog-node', $browser: 'Chrome', token: 'k', distinct_id: 'u-1' },
      }),
    );
    expect(event).toEqual({
      id: '01890000-0000-7000-8000-000000000001',
      type: 'track',
      timestamp: RECEIVED_AT.toISOString(),
      identifiers: { customer: 'u-1' },
      traits: { event: 'Order Completed', properties: { total: 9.5 } },
    });
    const types = ['$identify', '$set', '$create_alias', '$pageview', '$screen', '$autocapture'].map(
      (name) => onlyEvent(map({ event: name, distinct_id: 'u', properties: { alias: 'a' } })).type,
    );
    expect(types).toEqual(['identify', 'identify', 'alias', 'page', 'screen', 'track']);
    expect(itemViews(map({ event: 'x', distinct_id: 'u', uuid: 5.5 }))).toEqual([ev('track', { customer: 'u' })]);
    expect(itemViews(map({ event: 'x', distinct_id: 'u', uuid: {} }))).toEqual([err(['uuid', 'invalid_field'])]);
  });
});

describe('mapPosthogPayload: event time', () => {
  const timed = (fields: Record<string, unknown>, batchSentAt?: string) =>
    map({ api_key: 'k', sent_at: batchSentAt, batch: [{ event: 'x', distinct_id: 'u', ...fields }] });

  it('corrects timestamp by the batch sent_at, or by the event\'s own sent_at', () => {
    expect(onlyEvent(timed({ timestamp: '2026-03-01T10:00:00.000Z' }, '2026-03-01T10:00:03.000Z')).timestamp).toBe(at(-3_000));
    const own = timed({ timestamp: '2026-03-01T10:00:00.000Z', sent_at: '2026-03-01T10:00:01.000Z' }, '2026-03-01T10:00:03.000Z');
    expect(onlyEvent(own).timestamp).toBe(at(-1_000));
  });

  it('uses timestamp as is without sent_at or with $ignore_sent_at', () => {
    expect(onlyEvent(timed({ timestamp: '2024-01-02T03:04:05.000Z' })).timestamp).toBe('2024-01-02T03:04:05.000Z');
    const ignored = timed({ timestamp: '2024-01-02T03:04:05.000Z', properties: { $ignore_sent_at: true } }, '2026-03-01T10:00:00.000Z');
    expect(onlyEvent(ignored).timestamp).toBe('2024-01-02T03:04:05.000Z');
  });

  it('uses receipt time minus offset without a timestamp, and receipt time without either', () => {
    expect(onlyEvent(timed({ offset: 1500 })).timestamp).toBe(at(-1_500));
    expect(onlyEvent(timed({ offset: 1500, timestamp: '2024-01-02T03:04:05.000Z' })).timestamp).toBe('2024-01-02T03:04:05.000Z');
    expect(onlyEvent(timed({})).timestamp).toBe(RECEIVED_AT.toISOString());
  });

  it('rejects unparseable times per event, and an unparseable batch sent_at for the request', () => {
    expect(itemViews(timed({ timestamp: 'now' }))).toEqual([err(['timestamp', 'invalid_timestamp'])]);
    expect(itemViews(timed({ sent_at: 17 }))).toEqual([err(['sent_at', 'invalid_timestamp'])]);
    expect(itemViews(timed({ offset: '1500' }))).toEqual([err(['offset', 'invalid_timestamp'])]);
    const error = requestError(() => timed({}, 'later'));
    expect([error.status, error.code]).toEqual([400, 'invalid_timestamp']);
  });
});
