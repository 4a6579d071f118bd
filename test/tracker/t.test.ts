// Runs the real tracker (host/http/static/t.js) in headless Chromium against a fake API server.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { composeDeviceId, startFakeServer, type FakeServer, type PageEmbed, type TrackedEvent } from './fake-server.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TRACKER_FILE = fileURLToPath(new URL('../../host/http/static/t.js', import.meta.url));
const TENANT = 'shop-a';
const KEY = 'write_key_for_tracker_tests_0123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** each test gets its own user agent, so its own fingerprint and device id: tests can run side by side */
const BASE_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY_S = 24 * 60 * 60;
/** t.js asks for 2 years; Chromium caps cookie lifetimes at 400 days (renewed on every visit) */
const COOKIE_LIFETIME_S = 400 * DAY_S;
/** the contract: events reach the server within a second (plus slack for a busy 2-core machine) */
const EVENT_DEADLINE_MS = 1500;
/** longer than the tracker's first retry delay (1 s), so a retry would have happened by then */
const NO_RETRY_WAIT_MS = 1200;
/** flush timer + first retry delay + slack */
const RETRY_WAIT_MS = 6000;
/** long enough for a second tracker instance's own flush timer to have fired */
const SECOND_INSTANCE_WAIT_MS = 500;

/** The documented snippet that queues calls before t.js has loaded. */
const STUB_SNIPPET = `<script>
  window.personaGraph = window.personaGraph || { q: [] };
  ['identify', 'track', 'device'].forEach(function (m) {
    personaGraph[m] = personaGraph[m] || function () { personaGraph.q.push([m].concat([].slice.call(arguments))); };
  });
</script>`;
const BLOCK_LOCAL_STORAGE = `<script>
  Object.defineProperty(window, 'localStorage', {
    configurable: true, get() { throw new DOMException('blocked by test', 'SecurityError'); } });
</script>`;
const BLOCK_COOKIES_AND_RANDOM_UUID = `<script>
  Object.defineProperty(Document.prototype, 'cookie', { configurable: true,
    get() { throw new DOMException('blocked by test', 'SecurityError'); },
    set() { throw new DOMException('blocked by test', 'SecurityError'); } });
  delete Crypto.prototype.randomUUID;
</script>`;

const PAGES: Record<string, (embed: PageEmbed) => string> = {
  shop: ({ trackerTag }) => `<h1>shop</h1>${trackerTag}`,
  // t.js from the page's own origin, events to another one (trailing slash on purpose)
  'own-endpoint': ({ apiOrigin }) =>
    `<script src="/t.js" data-tenant="${TENANT}" data-key="${KEY}" data-endpoint="${apiOrigin}/" async></script>`,
  'no-local-storage': ({ trackerTag }) => `${BLOCK_LOCAL_STORAGE}${trackerTag}`,
  private: ({ trackerTag }) => `${BLOCK_LOCAL_STORAGE}${BLOCK_COOKIES_AND_RANDOM_UUID}${trackerTag}`,
  'stub-twice': ({ trackerTag }) => `${STUB_SNIPPET}<script>
      personaGraph.track('from-stub', { n: 1 });
      personaGraph.identify({ customer: 'c-42' });
      personaGraph.device(function (id) { window.stubDevice = id; });
    </script>${trackerTag}${trackerTag}`,
};

interface TrackerApi {
  version?: number;
  device(): Promise<string>;
  identify(fields: Record<string, string>): void;
  track(type: string, traits?: Record<string, unknown>): void;
}
type TrackerWindow = Window & { personaGraph: TrackerApi; stubDevice?: string };
interface Fingerprint { browser: string; cpu: string; manufacturer: string; model: string; extra: Record<string, unknown> }
interface Profile { context: BrowserContext; userAgent: string }

const hasChromium = existsSync(CHROMIUM);
const suiteTitle = hasChromium
  ? 'browser tracker t.js in Chromium'
  : `browser tracker t.js — SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium)`;

describe.skipIf(!hasChromium)(suiteTitle, () => {
  let server: FakeServer;
  let browser: Browser;
  const pageErrors: string[] = [];
  let caseNumber = 0;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startFakeServer({ tenant: TENANT, key: KEY, trackerFile: TRACKER_FILE, pages: PAGES }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    // Every scenario, broken storage and failed compose included: the tracker never throws into a page.
    expect(pageErrors).toEqual([]);
  });

  async function newProfile(label: string, options: BrowserContextOptions = {}): Promise<Profile> {
    const userAgent = `${BASE_AGENT} pg-test/${label}`;
    return { userAgent, context: await browser.newContext({ ...options, userAgent }) };
  }

  /** Opens a page with a unique `case` query parameter so its events can be told apart. */
  async function open(context: BrowserContext, pageName: string, extraQuery = ''): Promise<{ page: Page; url: string }> {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${pageName}: ${err.message}`));
    const url = `${server.pageOrigin}/${pageName}?case=${++caseNumber}${extraQuery}`;
    await page.goto(url);
    await waitForTracker(page);
    return { page, url };
  }

  async function waitForTracker(page: Page): Promise<void> {
    await page.waitForFunction(() => (window as unknown as TrackerWindow).personaGraph?.version === 1);
  }

  async function reload(page: Page): Promise<void> {
    await page.reload();
    await waitForTracker(page);
  }

  const deviceOf = (page: Page) => page.evaluate(() => (window as unknown as TrackerWindow).personaGraph.device());
  const trackIn = (page: Page, type: string) =>
    page.evaluate((t) => (window as unknown as TrackerWindow).personaGraph.track(t), type);
  const localDevice = (page: Page) => page.evaluate(() => localStorage.getItem('pg_device'));
  const composeRequests = (userAgent: string) =>
    server.requests.filter((r) => r.resource === 'devices' && (r.body as Fingerprint).browser === userAgent);
  async function cookieDevice(context: BrowserContext): Promise<string | undefined> {
    const cookies = await context.cookies(server.pageOrigin);
    return cookies.find((c) => c.name === 'pg_device')?.value;
  }
  const pageEventFor = (url: string) => (e: TrackedEvent) => e.type === 'page' && e.traits.url === url;
  const eventsIn = (body: unknown) => (body as { events: TrackedEvent[] }).events;

  // Timing checks and injected failures: run alone, so nothing else competes or hits the failure.
  describe('one at a time', () => {
    test('identify then track: both carry the device id and arrive in one POST within the deadline', async () => {
      const { context } = await newProfile('identify');
      const { page, url } = await open(context, 'shop');
      const device = await deviceOf(page);
      await server.waitForEvent(pageEventFor(url)); // queue empty: the next event starts a fresh timer

      const calledAt = Date.now();
      await page.evaluate(() => {
        const pg = (window as unknown as TrackerWindow).personaGraph;
        pg.identify({ email: 'ana@example.bg' });
        pg.track('x', { n: 1 });
      });
      const tracked = await server.waitForEvent((e) => e.type === 'x' && e.identifiers.device === device);
      const identified = await server.waitForEvent((e) => e.type === 'identify' && e.identifiers.device === device);

      expect(tracked.request.receivedAt - calledAt).toBeLessThan(EVENT_DEADLINE_MS);
      expect(tracked.request).toBe(identified.request);
      expect(identified.event.identifiers).toEqual({ device, email: 'ana@example.bg' });
      expect(tracked.event.identifiers).toEqual({ device, email: 'ana@example.bg' });
      expect(tracked.event.traits).toEqual({ n: 1 });
    });

    test('retries a 503 from the events endpoint with the same event ids, drops a 400 without retrying', async () => {
      const { context } = await newProfile('retry');
      const { page } = await open(context, 'shop');
      await deviceOf(page);
      const requestsWith = (type: string) => server.requests.filter((r) =>
        r.resource === 'events' && eventsIn(r.body).some((e) => e.type === type));

      server.failNext('events', 503);
      await trackIn(page, 'retry-me');
      const retried = await server.waitForEvent((e) => e.type === 'retry-me', RETRY_WAIT_MS);
      expect(requestsWith('retry-me').map((r) => r.status)).toEqual([503, 200]);
      const sentIds = requestsWith('retry-me').map((r) => eventsIn(r.body).find((e) => e.type === 'retry-me')?.id);
      expect(sentIds).toEqual([retried.event.id, retried.event.id]); // the server can deduplicate

      server.failNext('events', 400);
      await trackIn(page, 'rejected');
      await expect.poll(() => requestsWith('rejected').length).toBe(1);
      await page.waitForTimeout(NO_RETRY_WAIT_MS);
      expect(requestsWith('rejected').map((r) => r.status)).toEqual([400]);
    });

    test('when the device cannot be composed, device() rejects and the page is unharmed', async () => {
      const { context } = await newProfile('compose-fails');
      server.failNext('devices', 400);
      const { page } = await open(context, 'shop');
      const outcome = await page.evaluate(() =>
        (window as unknown as TrackerWindow).personaGraph.device().then(() => 'resolved', (e: Error) => e.message));
      expect(outcome).toMatch(/devices failed \(400\)/);
      await trackIn(page, 'after-failure');
      expect(await cookieDevice(context)).toBeUndefined();
    });
  });

  describe.concurrent('side by side', () => {
    test('composes a device id from the fingerprint and keeps it in cookie and localStorage', async ({ expect }) => {
      const { context, userAgent } = await newProfile('compose');
      const { page, url } = await open(context, 'shop');
      const device = await deviceOf(page);

      expect(device).toMatch(UUID);
      const composeCalls = composeRequests(userAgent);
      expect(composeCalls).toHaveLength(1);
      const [compose] = composeCalls;
      expect(compose.authorization).toBe(`Bearer ${KEY}`);
      expect(compose.tenant).toBe(TENANT);
      expect(compose.host).toBe(new URL(server.apiOrigin).host); // endpoint derived from the script's src
      expect(device).toBe(composeDeviceId(TENANT, compose.body));
      const components = compose.body as Fingerprint;
      expect(components.browser).toBe(await page.evaluate(() => navigator.userAgent));
      expect(components.cpu).toMatch(/^\d+ \S/);
      expect(components.extra.screen).toMatch(/^\d+x\d+x\d+$/);
      expect(typeof components.extra.timezone).toBe('string');

      const cookie = (await context.cookies(server.pageOrigin)).find((c) => c.name === 'pg_device');
      expect(cookie).toMatchObject({ value: device, path: '/', sameSite: 'Lax', secure: false });
      expect(Math.abs(cookie!.expires - (Date.now() / 1000 + COOKIE_LIFETIME_S))).toBeLessThan(DAY_S);
      expect(await localDevice(page)).toBe(device);

      const { event, request } = await server.waitForEvent(pageEventFor(url));
      expect(event.identifiers).toEqual({ device });
      expect(event.traits).toMatchObject({ title: 'shop', referrer: '' });
      expect(event.id).toMatch(UUID);
      expect(Math.abs(Date.parse(event.timestamp) - Date.now())).toBeLessThan(10_000);
      expect(request.authorization).toBe(`Bearer ${KEY}`);
      expect(request.contentType).toMatch(/^application\/json/);
    });

    test('cookie and localStorage restore each other; with both gone the fingerprint gives the same id', async ({ expect }) => {
      const { context, userAgent } = await newProfile('restore');
      const { page } = await open(context, 'shop');
      const device = await deviceOf(page);

      await context.clearCookies();
      await reload(page);
      expect(await deviceOf(page)).toBe(device);
      expect(await cookieDevice(context)).toBe(device);

      await page.evaluate(() => localStorage.clear());
      await reload(page);
      expect(await deviceOf(page)).toBe(device);
      expect(await localDevice(page)).toBe(device);
      expect(composeRequests(userAgent)).toHaveLength(1); // restored locally, the server was not asked

      await context.clearCookies();
      await page.evaluate(() => localStorage.clear());
      await reload(page);
      expect(await deviceOf(page)).toBe(device);
      expect(composeRequests(userAgent)).toHaveLength(2);
      expect(await cookieDevice(context)).toBe(device);
      expect(await localDevice(page)).toBe(device);
    });

    test('the same browser gets the same id in a fresh profile; another user agent and screen get another', async ({ expect }) => {
      const profiles = await Promise.all([
        newProfile('same-browser'),
        newProfile('same-browser'),
        newProfile('other-browser', { viewport: { width: 640, height: 480 }, deviceScaleFactor: 2 }),
      ]);
      const [reference, again, other] = await Promise.all(profiles.map(async ({ context }) =>
        deviceOf((await open(context, 'shop')).page)));

      expect(reference).toMatch(UUID);
      expect(again).toBe(reference);
      expect(other).toMatch(UUID);
      expect(other).not.toBe(reference);
      const [otherCompose] = composeRequests(profiles[2].userAgent);
      expect((otherCompose.body as Fingerprint).extra.pixelRatio).toBe(2);
      expect(composeDeviceId(TENANT, otherCompose.body)).toBe(other);
    });

    test('data-endpoint overrides the origin the script was loaded from', async ({ expect }) => {
      const { context, userAgent } = await newProfile('endpoint');
      const { page, url } = await open(context, 'own-endpoint');
      const device = await deviceOf(page);
      const apiHost = new URL(server.apiOrigin).host;
      expect(composeRequests(userAgent).map((r) => r.host)).toEqual([apiHost]);
      const { event, request } = await server.waitForEvent(pageEventFor(url));
      expect(request.host).toBe(apiHost);
      expect(event.identifiers).toEqual({ device });
    });

    test('stored values: a non-UUID is ignored, the cookie wins over a different localStorage value', async ({ expect }) => {
      const fromStorage = '11111111-2222-4333-8444-555555555555';
      const fromCookie = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
      async function profileWith(label: string, cookie: string, stored?: string) {
        const profile = await newProfile(label);
        await profile.context.addCookies([{ name: 'pg_device', value: cookie, url: server.pageOrigin }]);
        if (stored) await profile.context.addInitScript((id) => localStorage.setItem('pg_device', id), stored);
        const { page } = await open(profile.context, 'shop');
        return { ...profile, page, device: await deviceOf(page) };
      }

      const onlyBadCookie = await profileWith('bad-cookie', 'not-a-uuid');
      expect(onlyBadCookie.device).toMatch(UUID);
      expect(composeRequests(onlyBadCookie.userAgent)).toHaveLength(1);
      expect(await cookieDevice(onlyBadCookie.context)).toBe(onlyBadCookie.device);

      const badCookieGoodStorage = await profileWith('bad-cookie-good-storage', 'not-a-uuid', fromStorage);
      expect(badCookieGoodStorage.device).toBe(fromStorage);
      expect(composeRequests(badCookieGoodStorage.userAgent)).toHaveLength(0);
      expect(await cookieDevice(badCookieGoodStorage.context)).toBe(fromStorage);

      const bothDiffer = await profileWith('both-differ', fromCookie, fromStorage);
      expect(bothDiffer.device).toBe(fromCookie.toLowerCase());
      expect(await localDevice(bothDiffer.page)).toBe(fromCookie.toLowerCase());
    });

    test('pg_t in the URL reports a link_click with the token and leaves the address bar', async ({ expect }) => {
      const { context } = await newProfile('link');
      const { page, url } = await open(context, 'shop', '&a=1&pg_t=abc&b=x%20y#frag');
      const device = await deviceOf(page);

      const { event } = await server.waitForEvent((e) => e.type === 'link_click' && e.identifiers.device === device);
      expect(event.token).toBe('abc');
      const cleanUrl = url.replace('&pg_t=abc', '');
      expect(cleanUrl).toMatch(/\?case=\d+&a=1&b=x%20y#frag$/);
      expect(page.url()).toBe(cleanUrl);
      expect(event.traits.url).toBe(cleanUrl);
      await server.waitForEvent(pageEventFor(cleanUrl)); // the token never leaks into the page view
    });

    test('hiding the page flushes queued events with sendBeacon (key in the query, no headers)', async ({ expect }) => {
      const { context } = await newProfile('beacon');
      const { page } = await open(context, 'shop');
      const device = await deviceOf(page);

      await page.evaluate(() => {
        (window as unknown as TrackerWindow).personaGraph.track('hidden');
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      const hidden = await server.waitForEvent((e) => e.type === 'hidden' && e.identifiers.device === device);
      expect(hidden.request.authorization).toBeUndefined();
      expect(hidden.request.queryKey).toBe(KEY);
      expect(hidden.request.contentType).toMatch(/^text\/plain/);

      await trackIn(page, 'bye');
      await page.goto('about:blank'); // fires pagehide well before the 1 s timer
      const bye = await server.waitForEvent((e) => e.type === 'bye' && e.identifiers.device === device);
      expect(bye.request.queryKey).toBe(KEY);
      expect(bye.request.contentType).toMatch(/^text\/plain/);
    });

    test('a page whose localStorage throws keeps the id in the cookie', async ({ expect }) => {
      const { context, userAgent } = await newProfile('no-local-storage');
      const { page, url } = await open(context, 'no-local-storage');
      const device = await deviceOf(page);
      expect(device).toMatch(UUID);
      expect(await cookieDevice(context)).toBe(device);
      expect((await server.waitForEvent(pageEventFor(url))).event.identifiers).toEqual({ device });

      await reload(page);
      expect(await deviceOf(page)).toBe(device);
      expect(composeRequests(userAgent)).toHaveLength(1);
    });

    test('with cookies, localStorage and crypto.randomUUID all unavailable it still tracks, id in memory', async ({ expect }) => {
      const { context } = await newProfile('private');
      const { page, url } = await open(context, 'private');
      const device = await deviceOf(page);
      expect(device).toMatch(UUID);
      expect(await context.cookies(server.pageOrigin)).toEqual([]);

      const { event } = await server.waitForEvent(pageEventFor(url));
      expect(event.identifiers).toEqual({ device });
      expect(event.id).toMatch(UUID_V4); // the getRandomValues fallback
    });

    test('replays a stub queue and ignores a second copy of the script', async ({ expect }) => {
      const { context, userAgent } = await newProfile('stub');
      const { page, url } = await open(context, 'stub-twice');
      const device = await deviceOf(page);

      const fromStub = await server.waitForEvent((e) => e.type === 'from-stub' && e.identifiers.device === device);
      expect(fromStub.event.traits).toEqual({ n: 1 });
      const identified = await server.waitForEvent((e) => e.type === 'identify' && e.identifiers.device === device);
      expect(identified.event.identifiers).toEqual({ device, customer: 'c-42' });
      expect(await page.evaluate(() => (window as unknown as TrackerWindow).stubDevice)).toBe(device);

      await page.waitForTimeout(SECOND_INSTANCE_WAIT_MS);
      expect(server.events().filter((r) => pageEventFor(url)(r.event))).toHaveLength(1);
      expect(composeRequests(userAgent)).toHaveLength(1); // a second instance would have composed too
    });
  });
});
