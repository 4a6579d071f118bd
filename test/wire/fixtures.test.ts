// Every request captured from the real clients goes through decodeWireBody and the mapper its
// route would use, and must map to exactly the identifiers listed here.
import { describe, expect, it } from 'vitest';
import {
  decodeWireBody,
  mapPosthogPayload,
  mapSegmentPayload,
  writeKeyFromBasicAuth,
  type WireMapResult,
} from '../../host/http/wire/index.js';
import { capturedRequests, rawBody, readFixture, wasGzipped, type CapturedRequest } from './captured.js';
import { device as d, ev, itemViews, OPTS, skip, type ItemView } from './helpers.js';

const POSTHOG_ROUTES = new Set(['/batch/', '/capture/', '/e/', '/i/v0/e/']);
const SEGMENT_ROUTE = /^\/v1\/([a-z]+)$/;
/** Captured requests that are not event deliveries (feature-flag lookup). */
const NOT_EVENT_ROUTES = new Set(['/flags/']);

type Route = { kind: 'segment'; call: string } | { kind: 'posthog' } | { kind: 'other' };

function routeOf(url: string): Route {
  const path = url.split('?')[0];
  const segment = SEGMENT_ROUTE.exec(path);
  if (segment !== null) return { kind: 'segment', call: segment[1] };
  if (POSTHOG_ROUTES.has(path)) return { kind: 'posthog' };
  return { kind: 'other' };
}

function mapCaptured(request: CapturedRequest, body: unknown, receivedAt = OPTS.receivedAt): WireMapResult & { key?: string } {
  const route = routeOf(request.url);
  const opts = { ...OPTS, receivedAt };
  if (route.kind === 'segment') {
    const result = mapSegmentPayload(route.call, body, opts);
    return { ...result, key: result.writeKey };
  }
  if (route.kind === 'posthog') {
    const result = mapPosthogPayload(body, opts);
    return { ...result, key: result.apiKey };
  }
  throw new Error(`${request.name}: ${request.url} is not an event route`);
}

// --- what each captured delivery must map to -------------------------------------------------

const browser = readFixture('browser-sdks.json') as Record<string, { page: { state: { out: Record<string, unknown>; cookie: string } } }>;
/** analytics.js's anonymous id, as the page itself reported it. */
const ajsAnon = (scenario: string): string => (browser[scenario].page.state.out.user as { anon: string }).anon;
/** posthog-js's device id, read from the cookie the page stored (not from the requests). */
function posthogDevice(scenario: string): string {
  const cookie = browser[scenario].page.state.cookie;
  const value = cookie.slice(cookie.indexOf('=') + 1);
  return (JSON.parse(decodeURIComponent(value)) as { $device_id: string }).$device_id;
}

const segmentNodeBatch = [
  ev('identify', { device: [d('anon-1'), d('dev-1')], email: 'Alice@Example.com', phone: '0888 123 456' }),
  ev('identify', { customer: 'u-1', device: d('anon-1'), email: 'alice@example.com' }),
  ev('track', { customer: 'u-1' }),
  ev('page', { device: d('anon-1') }),
  ev('alias', { customer: 'u-1', device: d('anon-1') }),
  ev('group', { customer: 'u-1' }),
  ev('screen', { customer: 'u-1' }),
];
const rudderFirstFlush = [
  ev('identify', { device: [d('anon-1'), d('dev-1')], email: 'Alice@Example.com', phone: '+359 88 812 3456' }),
];
const rudderSecondFlush = [
  ev('identify', { customer: 'u-1', device: d('anon-1'), email: 'alice@example.com' }),
  ev('track', { customer: 'u-1' }),
  ev('page', { device: d('anon-1') }),
  ev('alias', { customer: 'u-1', device: d('anon-1') }),
  ev('group', { customer: 'u-1' }),
];
const posthogNodeBatch = [
  ev('identify', { customer: 'u-1', device: d('anon-1'), email: 'alice@example.com' }),
  // posthog-node gives no sign that "anon-1" is anonymous, so by the contract it is a customer id.
  ev('track', { customer: 'anon-1' }),
  ev('track', { customer: 'u-1' }),
  ev('alias', { customer: ['u-1', 'anon-2'] }),
  skip('group_event'),
];

function analyticsJs(scenario: string) {
  const device = d(ajsAnon(scenario));
  return {
    page: ev('page', { device }),
    anonymousTrack: ev('track', { device }),
    identify: ev('identify', { customer: 'u-42', device, email: 'Bob@Example.com', phone: '0888 123 456' }),
    selfAlias: skip('self_alias'),
    track: ev('track', { customer: 'u-42', device }),
  };
}

function posthogJs(scenario: string) {
  const device = d(posthogDevice(scenario));
  return {
    pageview: ev('page', { customer: 'u-42', device }),
    identify: ev('identify', { customer: 'u-42', device, email: 'bob@example.com' }),
    anonymousTrack: ev('track', { device }),
    alias: ev('alias', { customer: ['u-42', 'u-42-alias'], device }),
    track: ev('track', { customer: 'u-42', device }),
  };
}

const ajsStandard = analyticsJs('segmentStandard');
const ajsBatching = analyticsJs('segmentBatching');
const ajsRetry = analyticsJs('segmentRetry500');
const phJs = posthogJs('posthogJs');
const phRetry = posthogJs('posthogJsRetry500');
const phFlags = posthogJs('posthogJsDefaultsFlagsOn');

/** Per scenario, what each request that carries events maps to, in capture order. */
const EXPECTED: Record<string, ItemView[][]> = {
  'segment-node.json:basic': [segmentNodeBatch],
  'rudder-node.json:basicGzip': [rudderFirstFlush, rudderSecondFlush],
  'rudder-node.json:basicNoGzip': [rudderFirstFlush, rudderSecondFlush],
  'posthog-node.json:basicGzip': [posthogNodeBatch],
  'posthog-node.json:basicPlain': [posthogNodeBatch],
  'browser-sdks.json:segmentStandard': [
    [ajsStandard.page],
    [ajsStandard.anonymousTrack],
    [ajsStandard.identify],
    [ajsStandard.selfAlias],
    [ajsStandard.track],
  ],
  'browser-sdks.json:segmentBatching': [
    [ajsBatching.page, ajsBatching.anonymousTrack, ajsBatching.identify],
    [ajsBatching.selfAlias, ajsBatching.track],
  ],
  'browser-sdks.json:segmentRetry500': [
    [ajsRetry.page],
    [ajsRetry.anonymousTrack],
    [ajsRetry.identify],
    [ajsRetry.selfAlias],
    [ajsRetry.track],
    // The retry of the failed anonymous track goes out after identify, now carrying the userId.
    [ajsRetry.track],
  ],
  'browser-sdks.json:posthogJs': [[phJs.pageview], [phJs.identify], [phJs.anonymousTrack, phJs.alias, phJs.track]],
  'browser-sdks.json:posthogJsRetry500': [
    [phRetry.pageview],
    [phRetry.identify],
    [phRetry.anonymousTrack, phRetry.alias, phRetry.track],
    [phRetry.pageview],
  ],
  'browser-sdks.json:posthogJsDefaultsFlagsOn': [
    [phFlags.pageview],
    [phFlags.anonymousTrack],
    [phFlags.identify],
    [phFlags.alias],
    [phFlags.track],
  ],
};

// --- tests -------------------------------------------------------------------------------------

const all = capturedRequests();
const withBody = all.filter((request) => request.body !== undefined);
const deliveries = withBody.filter((request) => routeOf(request.url).kind !== 'other');

describe('captured client traffic', () => {
  it('holds the expected requests: every one with a body is a POST, every one without is a preflight or config fetch', () => {
    expect(all.length).toBe(44);
    expect(withBody.length).toBe(33);
    expect(withBody.every((request) => request.method === 'POST')).toBe(true);
    expect(all.filter((request) => request.body === undefined).every((request) => ['OPTIONS', 'GET'].includes(request.method))).toBe(true);
    const others = withBody.filter((request) => routeOf(request.url).kind === 'other');
    expect(others.map((request) => request.url.split('?')[0]).every((path) => NOT_EVENT_ROUTES.has(path))).toBe(true);
  });

  it('has an expectation for every event delivery, and no expectation without a delivery', () => {
    const scenarios = new Map<string, number>();
    for (const request of deliveries) scenarios.set(`${request.file}:${request.scenario}`, (scenarios.get(`${request.file}:${request.scenario}`) ?? 0) + 1);
    expect(Object.fromEntries(scenarios)).toEqual(Object.fromEntries(Object.entries(EXPECTED).map(([key, list]) => [key, list.length])));
  });

  describe.each(withBody.map((request) => [request.name, request] as const))('%s', (_name, request) => {
    it('decodes from the bytes the client sent, with the headers it sent', () => {
      expect(decodeWireBody(rawBody(request), request.headers)).toEqual(request.body);
    });

    if (wasGzipped(request)) {
      it('decodes the gzip body with and without a Content-Encoding header', () => {
        const { 'content-encoding': _announced, ...unannounced } = request.headers;
        expect(decodeWireBody(rawBody(request), unannounced)).toEqual(request.body);
        expect(decodeWireBody(rawBody(request), { ...unannounced, 'content-encoding': 'gzip' })).toEqual(request.body);
      });
    }
  });

  describe.each(deliveries.map((request) => [request.name, request] as const))('%s', (_name, request) => {
    it('maps to exactly the expected identifiers, with no errors', () => {
      const scenarioRequests = deliveries.filter((other) => other.file === request.file && other.scenario === request.scenario);
      const expected = EXPECTED[`${request.file}:${request.scenario}`][scenarioRequests.indexOf(request)];
      const result = mapCaptured(request, decodeWireBody(rawBody(request), request.headers));
      expect(result.errors).toEqual([]);
      expect(itemViews(result)).toEqual(expected);
    });
  });
});

describe('captured client traffic: keys, idempotency and times', () => {
  const byName = (name: string): CapturedRequest => {
    const request = all.find((candidate) => candidate.name === name);
    if (request === undefined) throw new Error(`no captured request ${name}`);
    return request;
  };
  const mapped = (name: string, receivedAt?: Date) => mapCaptured(byName(name), byName(name).body, receivedAt);

  it('finds the Segment writeKey in Basic auth and, where the client puts it there too, in the body', () => {
    const keyOf: Record<string, string> = { 'segment-node.json': 'WK_test123', 'rudder-node.json': 'RWK_test', 'browser-sdks.json': 'WK_browser' };
    const authOnly = new Set(['rudder-node.json']);
    for (const request of deliveries.filter((candidate) => routeOf(candidate.url).kind === 'segment')) {
      expect(writeKeyFromBasicAuth(request.headers.authorization), request.name).toBe(keyOf[request.file]);
      expect(mapCaptured(request, request.body).key, request.name).toBe(authOnly.has(request.file) ? undefined : keyOf[request.file]);
    }
  });

  it('finds the PostHog api_key in the body', () => {
    const keyOf: Record<string, string> = { 'posthog-node.json': 'phc_testtoken', 'browser-sdks.json': 'phc_browser' };
    for (const request of deliveries.filter((candidate) => routeOf(candidate.url).kind === 'posthog')) {
      expect(mapCaptured(request, request.body).key, request.name).toBe(keyOf[request.file]);
    }
  });

  it('gives a retried delivery the same event id, so it counts as a duplicate', () => {
    const failedTrack = mapped('browser-sdks.json:segmentRetry500#3');
    const retriedTrack = mapped('browser-sdks.json:segmentRetry500#10');
    expect(retriedTrack.events[0].id).toBe(failedTrack.events[0].id);
    expect(retriedTrack.events[0].id).toMatch(/^ajs-next-/);

    const failedPageview = mapped('browser-sdks.json:posthogJsRetry500#0');
    const retriedPageview = mapped('browser-sdks.json:posthogJsRetry500#3');
    expect(retriedPageview.events[0].id).toBe(failedPageview.events[0].id);
    expect(retriedPageview.events[0].id).toBe('01a22843-dace-7d98-aeb8-62d39937c0f8');
  });

  it("corrects analytics-node's clock by sentAt, keeping a historical timestamp historical", () => {
    // Arrived 44 ms after the client's sentAt (…23.073Z), so every event time moves by +44 ms.
    const request = byName('segment-node.json:basic#0');
    const result = mapped(request.name, new Date(request.t as number));
    expect(result.events.map((event) => event.timestamp)).toEqual([
      '2026-11-29T16:52:23.110Z',
      '2026-11-29T16:52:23.110Z',
      '2024-01-02T03:04:05.044Z',
      '2026-11-29T16:52:23.111Z',
      '2026-11-29T16:52:23.111Z',
      '2026-11-29T16:52:23.111Z',
      '2026-11-29T16:52:23.111Z',
    ]);
  });

  it("uses RudderStack's explicit timestamp as is and corrects its originalTimestamp by sentAt", () => {
    const result = mapped('rudder-node.json:basicGzip#1');
    const [identify, track] = result.events;
    // identify: originalTimestamp …00.961Z, sentAt …01.163Z → 202 ms before receipt.
    expect(identify.timestamp).toBe(new Date(OPTS.receivedAt.getTime() - 202).toISOString());
    expect(track.timestamp).toBe('2024-01-02T03:04:05.000Z');
  });

  it('maps the alias calls analytics.js made in the alias check: a real alias, then two self-aliases', () => {
    const wire = readFixture('segment-alias-check.json').wire as Array<Record<string, string>>;
    const views = wire.map(({ url, ...message }) => {
      expect(url).toBe('/v1/a');
      return itemViews(mapSegmentPayload('a', message, OPTS))[0];
    });
    expect(views).toEqual([
      ev('alias', { customer: 'new-before-identify', device: d('22abf01f-7a88-44df-ade4-b5fcfb5a138f') }),
      skip('self_alias'),
      skip('self_alias'),
    ]);
  });
});
