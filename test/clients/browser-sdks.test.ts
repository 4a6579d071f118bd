// The browser builds of analytics.js (@segment/analytics-next) and posthog-js in real headless
// Chromium, on a shop page of their own origin, sending through a failure-injecting proxy to the
// live server; personas checked through the API.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confineToLoopback, launchChromium } from '../e2e/support/browser.js';
import { startLiveApi, type LiveApi } from '../e2e/support/live-api.js';
import { startPageServer, type PageServer } from '../e2e/support/page-server.js';
import { waitFor } from '../e2e/support/poll.js';
import { startFailingProxy, type Exchange, type FailingProxy } from '../e2e/support/failing-proxy.js';
import { analyticsNextPage, posthogPage, VENDOR_DIRECTORIES } from './support/sdk-pages.js';

const TENANT = 'shop-browser-sdks';
/** analytics.js sends at once; posthog-js's first retry comes after about 3 s (jittered) */
const DELIVERY_WAIT_MS = 8000;
const RETRY_WAIT_MS = 15_000;

interface AjsUser { anonymousId(): string | null }
interface Ajs {
  page(): Promise<unknown>;
  track(event: string, properties?: object): Promise<unknown>;
  identify(userId: string, traits?: object): Promise<unknown>;
  alias(userId: string): Promise<unknown>;
  user(): AjsUser;
}
interface PosthogJs {
  capture(event: string, properties?: object): void;
  identify(distinctId: string, set?: object): void;
  get_property(name: string): unknown;
  get_distinct_id(): string;
}
type SdkWindow = { ajs: Promise<Ajs>; posthog: PosthogJs };

let api: LiveApi;
let proxy: FailingProxy;
let pages: PageServer;
let browser: Browser;

beforeAll(async () => {
  api = await startLiveApi({ tenant: TENANT });
  proxy = await startFailingProxy(api.url);
  pages = await startPageServer(VENDOR_DIRECTORIES);
  pages.setPage('/ajs.html', analyticsNextPage(proxy.url, api.writeKey));
  pages.setPage('/posthog.html', posthogPage(proxy.url, api.writeKey));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await pages?.close();
  await proxy?.close();
  await api?.close();
});

/** A fresh browser profile kept on 127.0.0.1; `refused` lists what it tried to fetch elsewhere. */
async function openPage(path: string): Promise<{ context: BrowserContext; page: Page; refused: string[] }> {
  const context = await browser.newContext();
  const refused = await confineToLoopback(context);
  const page = await context.newPage();
  await page.goto(`${pages.url}${path}`);
  return { context, page, refused };
}

/** Waits until the POSTs after `from` end with one the server answered, and returns them. */
function deliveredSince(from: number, timeoutMs: number): Promise<Exchange[]> {
  return waitFor('a delivered request', () => {
    const since = proxy.exchanges.slice(from);
    return since.length > 0 && since[since.length - 1].status === 200 ? since : null;
  }, timeoutMs, () => JSON.stringify(proxy.exchanges.slice(from).map((e) => [e.path, e.status])));
}

describe('analytics.js (@segment/analytics-next, browser build)', () => {
  it('maps page, alias, identify and track to one persona: anonymousId ↔ userId ↔ traits', async () => {
    const { context, page, refused } = await openPage('/ajs.html');
    try {
      const anonymousId = await page.evaluate(async () => {
        const ajs = await (window as unknown as SdkWindow).ajs;
        await ajs.page();
        await ajs.track('Product Viewed', { sku: 'rose-oil-10' });
        await ajs.alias('cust-ajs-1'); // before identify: links the anonymous id to the new user id
        await ajs.identify('cust-ajs-1', { email: 'Nikolai.Todorov@abv.bg', phone: '0885 314 159' });
        await ajs.track('Order Completed', { total: 59.9 });
        return ajs.user().anonymousId();
      });
      expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
      const persona = await api.waitForPersona('customer', 'cust-ajs-1', (p) => p.phone !== null, DELIVERY_WAIT_MS);
      expect(persona).toMatchObject({ email: 'nikolai.todorov@abv.bg', phone: '+359885314159' });
      expect((await api.personaOf('device', anonymousId!))?.id).toBe(persona.id);
      expect(persona.counts).toMatchObject({ device: 1, customer: 1 });
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('retries after a 503 whose answer was lost, and the retry counts as a duplicate', async () => {
    const { context, page } = await openPage('/ajs.html');
    try {
      await page.evaluate(() => (window as unknown as SdkWindow).ajs);
      const from = proxy.exchanges.length;
      const before = proxy.totals();
      proxy.failNext(1, 'lost-answer');
      await page.evaluate(async () => {
        const ajs = await (window as unknown as SdkWindow).ajs;
        await ajs.identify('cust-ajs-retry', { email: 'ajs.retry@abv.bg' });
      });
      const exchanges = await deliveredSince(from, RETRY_WAIT_MS);
      expect(exchanges.map((e) => [e.status, e.injected])).toEqual([[503, true], [200, false]]);
      const after = proxy.totals();
      expect([after.accepted - before.accepted, after.duplicates - before.duplicates]).toEqual([1, 1]);
      expect((await api.personaOf('customer', 'cust-ajs-retry'))?.email).toBe('ajs.retry@abv.bg');
    } finally {
      await context.close();
    }
  });
});

describe('posthog-js', () => {
  it('maps capture and identify to one persona: $device_id ↔ distinct_id ↔ $set.email', async () => {
    const { context, page, refused } = await openPage('/posthog.html');
    try {
      const device = await page.evaluate(() => {
        const { posthog } = window as unknown as SdkWindow;
        posthog.capture('product viewed', { sku: 'rose-water' });
        posthog.identify('cust-phjs-1', { email: 'Yana.Marinova@abv.bg' });
        posthog.capture('order completed', { total: 20 });
        return posthog.get_property('$device_id') as string;
      });
      expect(device).toMatch(/^[0-9a-f-]{36}$/);
      const persona = await api.waitForPersona('customer', 'cust-phjs-1', (p) => p.email !== null && p.counts.device > 0, DELIVERY_WAIT_MS);
      expect(persona.email).toBe('yana.marinova@abv.bg');
      expect((await api.personaOf('device', device))?.id).toBe(persona.id);
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('retries after a 503 whose answer was lost, and the retry counts as a duplicate', async () => {
    const { context, page } = await openPage('/posthog.html');
    try {
      await page.waitForFunction(() => typeof (window as unknown as SdkWindow).posthog?.get_distinct_id === 'function');
      const from = proxy.exchanges.length;
      const before = proxy.totals();
      proxy.failNext(1, 'lost-answer');
      await page.evaluate(() => (window as unknown as SdkWindow).posthog.identify('cust-phjs-retry', { email: 'phjs.retry@abv.bg' }));
      const exchanges = await deliveredSince(from, RETRY_WAIT_MS);
      expect(exchanges.map((e) => [e.status, e.injected])).toEqual([[503, true], [200, false]]);
      const after = proxy.totals();
      expect([after.accepted - before.accepted, after.duplicates - before.duplicates]).toEqual([1, 1]);
      expect((await api.personaOf('customer', 'cust-phjs-retry'))?.email).toBe('phjs.retry@abv.bg');
    } finally {
      await context.close();
    }
  });
});
