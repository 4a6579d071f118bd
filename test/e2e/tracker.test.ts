// The browser tracker (t.js) in real headless Chromium against the real server: the shop's page
// is served from another origin (own port), so every API call is a CORS request.
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../http/helpers.js';
import { collectConsole, confineToLoopback, launchChromium, storedDevice } from './support/browser.js';
import { startFailingProxy } from './support/failing-proxy.js';
import { startLiveApi, type LiveApi } from './support/live-api.js';
import { startPageServer, type PageServer } from './support/page-server.js';
import { shopPage, trackerDevice } from './support/shop-page.js';

const TENANT = 'shop-e2e';
const PAGE_PATH = '/checkout.html';
const SCREENSHOT = fileURLToPath(new URL('./screenshots/checkout.png', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** events reach the server within a second; slack for a busy 2-core machine */
const EVENT_WAIT_MS = 5000;
const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
/** Each browser profile below is its own device: its own fingerprint, so its own composed UUID. */
const DESKTOP: BrowserContextOptions = { userAgent: `${CHROME_UA} desktop`, viewport: { width: 900, height: 560 } };
const LAPTOP: BrowserContextOptions = { userAgent: `${CHROME_UA} laptop`, viewport: { width: 1280, height: 720 } };
const PHONE: BrowserContextOptions = {
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  viewport: { width: 412, height: 700 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
};
const TABLET: BrowserContextOptions = { userAgent: `${CHROME_UA} tablet`, viewport: { width: 800, height: 1280 } };
const BEACON_BROWSER: BrowserContextOptions = { userAgent: `${CHROME_UA} beacon`, viewport: { width: 1024, height: 640 } };
const BEACON_CUSTOMER = 'cust-beacon-1';
const BEACON_PAGE_PATH = '/checkout-beacon.html';
const SUBSCRIBER = 'nl-5521';
const LIST_EMAIL = 'rosa.dimitrova@abv.bg';
const LIST_EMAIL_AS_TYPED = 'Rosa.Dimitrova@ABV.bg';
const CHECKOUT_EMAIL = 'Rosa.Dimitrova@Gmail.com';
/** what the persona shows: the address as typed, lower-cased */
const CHECKOUT_EMAIL_SHOWN = 'rosa.dimitrova@gmail.com';
/** gmail ignores dots and +tags, and so does the tenant's emailCanonical default */
const CHECKOUT_EMAIL_VARIANT = 'rosadimitrova+orders@gmail.com';
const CHECKOUT_PHONE = '0887 654 321';
const CHECKOUT_PHONE_E164 = '+359887654321';
const FORWARDING_SUBSCRIBER = 'nl-7730';
const FORWARDING_EMAIL = 'elena.koleva@abv.bg';
const FRIEND_EMAIL = 'georgi.ivanov@mail.bg';
const FRIEND_PHONE = '0896 112 358';

let api: LiveApi;
let pages: PageServer;
let browser: Browser;
let shopUrl = '';

beforeAll(async () => {
  api = await startLiveApi({ tenant: TENANT });
  pages = await startPageServer();
  pages.setPage(PAGE_PATH, shopPage({ apiUrl: api.url, tenant: TENANT, writeKey: api.writeKey }));
  shopUrl = `${pages.url}${PAGE_PATH}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await pages?.close();
  await api?.close();
});

/** A fresh browser profile whose requests stay on 127.0.0.1. */
async function newContext(options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await confineToLoopback(context);
  return context;
}

/** A page that records whether t.js asked the server to compose the device id. */
async function openShop(context: BrowserContext, url = shopUrl): Promise<{ page: Page; composeCalls: () => number; console: string[] }> {
  const page = await context.newPage();
  const console = collectConsole(page);
  let composed = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === `${api.url}/v1/tenants/${TENANT}/devices`) composed++;
  });
  await page.goto(url);
  return { page, composeCalls: () => composed, console };
}

async function reloadAndRead(page: Page): Promise<string> {
  await page.reload();
  return trackerDevice(page);
}

/** Creates a tracked link to the shop page for a subscriber (the shop's own parameters kept). */
async function campaignLink(subscriber: string): Promise<string> {
  const link = await call(api.server, 'POST', `/v1/tenants/${TENANT}/links`, {
    key: api.secretKey,
    body: { url: `${shopUrl}?utm_campaign=spring#offer`, recipient: { subscriber }, campaign: 'spring', channel: 'email' },
  });
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  return link.body.url as string;
}

/** Fills the checkout form (an empty field is left out of identify) and places the order. */
async function checkout(page: Page, email: string, phone: string): Promise<void> {
  await page.evaluate(() => { document.getElementById('status')!.textContent = ''; });
  await page.fill('#email', email);
  await page.fill('#phone', phone);
  await page.click('button');
  await page.waitForSelector('text=Order placed');
}

async function subscribe(subscriber: string, email: string): Promise<string> {
  const seeded = await api.ingest({ type: 'subscribe', timestamp: '2026-01-05T12:00:00.000Z', identifiers: { subscriber, email } });
  expect(seeded.body).toMatchObject({ accepted: 1, errors: [] });
  return (await api.personaOf('subscriber', subscriber))!.id;
}

describe('device id storage', () => {
  let context: BrowserContext;
  let page: Page;
  let composeCalls: () => number;
  let first = '';

  beforeAll(async () => {
    context = await newContext(DESKTOP);
    ({ page, composeCalls } = await openShop(context));
    first = await trackerDevice(page);
  });
  afterAll(async () => {
    await context.close();
  });

  it('keeps a UUID in the pg_device cookie and localStorage, composed by the server, and reports the page view', async () => {
    expect(first).toMatch(UUID);
    expect(composeCalls()).toBe(1);
    expect(await storedDevice(context, page)).toEqual({ cookie: first, local: first });
    const persona = await api.waitForPersona('device', first, undefined, EVENT_WAIT_MS);
    expect(persona.counts.device).toBe(1);
  });

  it('restores the cookie from localStorage', async () => {
    await context.clearCookies();
    expect(await reloadAndRead(page)).toBe(first);
    expect(await storedDevice(context, page)).toEqual({ cookie: first, local: first });
  });

  it('restores localStorage from the cookie', async () => {
    await page.evaluate(() => window.localStorage.removeItem('pg_device'));
    expect(await reloadAndRead(page)).toBe(first);
    expect(await storedDevice(context, page)).toEqual({ cookie: first, local: first });
    expect(composeCalls(), 'no compose call while a store holds the id').toBe(1);
  });

  it('composes the same UUID again when both are cleared', async () => {
    await context.clearCookies();
    await page.evaluate(() => window.localStorage.removeItem('pg_device'));
    expect(await reloadAndRead(page)).toBe(first);
    expect(composeCalls()).toBe(2);
    expect(await storedDevice(context, page)).toEqual({ cookie: first, local: first });
  });

  it('gives the same browser the same UUID in a fresh profile, and another device another UUID', async () => {
    const same = await newContext(DESKTOP);
    const other = await newContext(PHONE);
    try {
      expect(await trackerDevice((await openShop(same)).page)).toBe(first);
      const phoneDevice = await trackerDevice((await openShop(other)).page);
      expect(phoneDevice).toMatch(UUID);
      expect(phoneDevice).not.toBe(first);
      const phonePersona = await api.waitForPersona('device', phoneDevice, undefined, EVENT_WAIT_MS);
      expect(phonePersona.id).not.toBe((await api.personaOf('device', first))?.id);
    } finally {
      await same.close();
      await other.close();
    }
  });
});

describe('delivery on page hide', () => {
  it('sends what is queued with sendBeacon (key in the query, text/plain) when the visitor leaves early', async () => {
    // events go through a recording proxy, so the beacon request itself can be inspected
    const proxy = await startFailingProxy(api.url);
    pages.setPage(BEACON_PAGE_PATH, shopPage({ apiUrl: api.url, tenant: TENANT, writeKey: api.writeKey, endpoint: proxy.url }));
    const context = await newContext(BEACON_BROWSER);
    try {
      const { page } = await openShop(context, `${pages.url}${BEACON_PAGE_PATH}`);
      const device = await trackerDevice(page);
      await page.evaluate((customer) => {
        (window as unknown as { personaGraph: { identify(fields: object): void } }).personaGraph.identify({ customer });
      }, BEACON_CUSTOMER);
      await page.goto('about:blank'); // pagehide, well before the 1 s flush timer
      const persona = await api.waitForPersona('customer', BEACON_CUSTOMER, (p) => p.counts.device > 0, EVENT_WAIT_MS);
      expect((await api.personaOf('device', device))?.id).toBe(persona.id);
      const beacons = proxy.exchanges.filter((e) => e.path === `/v1/tenants/${TENANT}/events?key=${encodeURIComponent(api.writeKey)}`);
      // one beacon with both queued events (the page view and the identify), no preflight needed
      expect(beacons.map((e) => [e.contentType, e.status, e.serverAnswer?.accepted])).toEqual([[expect.stringMatching(/^text\/plain/), 200, 2]]);
    } finally {
      await context.close();
      await proxy.close();
    }
  });
});

describe('a campaign visit, then checkout', () => {
  let context: BrowserContext;
  let page: Page;
  let consoleLines: string[];
  let device = '';
  let recipient = '';

  beforeAll(async () => {
    // the newsletter list knows the subscriber by one address and no phone
    recipient = await subscribe(SUBSCRIBER, LIST_EMAIL);
    context = await newContext(LAPTOP);
  });
  afterAll(async () => {
    await context.close();
  });

  it('links the visiting device to the recipient of the link', async () => {
    ({ page, console: consoleLines } = await openShop(context, await campaignLink(SUBSCRIBER)));
    device = await trackerDevice(page);
    // the token leaves the address bar; the shop's own parameters and fragment stay
    expect(page.url()).toBe(`${shopUrl}?utm_campaign=spring#offer`);
    const persona = await api.waitForPersona('device', device, (p) => p.id === recipient, EVENT_WAIT_MS);
    expect(persona.identifiers).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'subscriber', value: SUBSCRIBER }),
      expect.objectContaining({ type: 'device', value: device }),
    ]));
    expect((await api.personaOf('subscriber', SUBSCRIBER))?.id).toBe((await api.personaOf('device', device))?.id);
  });

  it('identify() at checkout changes the persona\'s latest phone, then its latest email', async () => {
    const before = await api.secret('GET', `/v1/tenants/${TENANT}/personas/${recipient}`);
    expect(before.body).toMatchObject({ email: LIST_EMAIL, phone: null });

    // the buyer types the address the newsletter went to (differently cased) and a phone
    await checkout(page, LIST_EMAIL_AS_TYPED, CHECKOUT_PHONE);
    await api.waitForPersona('subscriber', SUBSCRIBER, (p) => p.phone === CHECKOUT_PHONE_E164, EVENT_WAIT_MS);
    // then corrects the email to the one they use now, in the same visit
    await checkout(page, CHECKOUT_EMAIL, '');
    await api.waitForPersona('subscriber', SUBSCRIBER, (p) => p.email === CHECKOUT_EMAIL_SHOWN, EVENT_WAIT_MS);

    const after = await api.secret('GET', `/v1/tenants/${TENANT}/personas/${recipient}`);
    expect(after.body).toMatchObject({ id: recipient, email: CHECKOUT_EMAIL_SHOWN, phone: CHECKOUT_PHONE_E164 });
    expect(after.body.counts).toMatchObject({ email: 2, phone: 1, device: 1, subscriber: 1 });
    for (const [type, value] of [['email', CHECKOUT_EMAIL_VARIANT], ['phone', CHECKOUT_PHONE], ['device', device]] as const) {
      expect((await api.personaOf(type, value))?.id, `${type}=${value}`).toBe(recipient);
    }
    expect(consoleLines.filter((line) => line.includes('persona-graph'))).toEqual([]);
    await page.screenshot({ path: SCREENSHOT });
  });
});

describe('a forwarded campaign link', () => {
  it('a different person checking out on the clicking device does not join the recipient', async () => {
    const forwardedTo = await subscribe(FORWARDING_SUBSCRIBER, FORWARDING_EMAIL);
    const context = await newContext(TABLET);
    try {
      const { page } = await openShop(context, await campaignLink(FORWARDING_SUBSCRIBER));
      const device = await trackerDevice(page);
      await api.waitForPersona('device', device, (p) => p.id === forwardedTo, EVENT_WAIT_MS);

      await checkout(page, FRIEND_EMAIL, FRIEND_PHONE);
      const buyer = await api.waitForPersona('email', FRIEND_EMAIL, (p) => p.identifiers.some((i) => i.type === 'device'), EVENT_WAIT_MS);
      expect(buyer.id).not.toBe(forwardedTo);
      expect((await api.personaOf('device', device))?.id).toBe(buyer.id);
      const recipientNow = await api.secret('GET', `/v1/tenants/${TENANT}/personas/${forwardedTo}`);
      expect(recipientNow.body).toMatchObject({ id: forwardedTo, email: FORWARDING_EMAIL, phone: null });
    } finally {
      await context.close();
    }
  });
});
