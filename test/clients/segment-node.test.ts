// The real @segment/analytics-node client against the live server (through a proxy that can
// fail requests), then the resulting personas checked through the API.
import { Analytics } from '@segment/analytics-node';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApi, type LiveApi } from '../e2e/support/live-api.js';
import { startFailingProxy, type FailingProxy } from '../e2e/support/failing-proxy.js';

const TENANT = 'shop-segment';
/** Keep the client's own timer short: tests flush explicitly. */
const FLUSH_INTERVAL_MS = 100;
const MAX_RETRIES = 3;

let api: LiveApi;
let proxy: FailingProxy;

beforeAll(async () => {
  api = await startLiveApi({ tenant: TENANT });
  proxy = await startFailingProxy(api.url);
});
afterAll(async () => {
  await proxy.close();
  await api.close();
});

/** A client that sends through the proxy; `errors` collects what it gave up on. */
function client(): { analytics: Analytics; errors: unknown[] } {
  const analytics = new Analytics({ writeKey: api.writeKey, host: proxy.url, flushInterval: FLUSH_INTERVAL_MS, maxRetries: MAX_RETRIES });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  return { analytics, errors };
}

describe('@segment/analytics-node', () => {
  it('maps identify, track and alias to one persona: anonymousId ↔ userId ↔ traits', async () => {
    const { analytics, errors } = client();
    const browserAnon = randomUUID(); // a UUID anonymousId is the device id itself
    const appAnon = 'app-install-7f3a'; // any other string maps to a stable device UUID
    analytics.identify({ anonymousId: browserAnon, userId: 'cust-seg-1', traits: { email: 'Petar.Georgiev@abv.bg', phone: '0888 765 432', plan: 'gold' } });
    analytics.track({ anonymousId: appAnon, event: 'Product Viewed', properties: { sku: 'rose-oil-10' } });
    analytics.alias({ previousId: appAnon, userId: 'cust-seg-1' });
    analytics.track({ userId: 'cust-seg-2', event: 'Order Completed', properties: { total: 12 } });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    const persona = await api.personaOf('customer', 'cust-seg-1');
    expect(persona).toMatchObject({ email: 'petar.georgiev@abv.bg', phone: '+359888765432' });
    expect(persona?.counts).toMatchObject({ device: 2, customer: 1, email: 1, phone: 1 });
    const appDevice = api.server.graph.deviceIdFor(TENANT, appAnon);
    const ids = await api.resolveMany([
      { type: 'device', value: browserAnon }, { type: 'device', value: appDevice },
      { type: 'email', value: 'petar.georgiev@abv.bg' }, { type: 'customer', value: 'cust-seg-2' },
    ]);
    expect(ids.slice(0, 3)).toEqual([persona?.id, persona?.id, persona?.id]);
    expect(ids[3]).not.toBeNull();
    expect(ids[3]).not.toBe(persona?.id);
  });

  it('treats a messageId sent again as a duplicate', async () => {
    const messageId = `seg-${randomUUID()}`;
    for (let send = 0; send < 2; send++) {
      const { analytics, errors } = client();
      analytics.track({ messageId, userId: 'cust-seg-dedupe', event: 'Coupon Applied' });
      await analytics.closeAndFlush();
      expect(errors).toEqual([]);
    }
    const [first, second] = proxy.exchanges.slice(-2).map((e) => e.serverAnswer);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it.each(['lost-answer', 'lost-request'] as const)('retries a batch after a 503 (%s) without duplicating events', async (mode) => {
    const { analytics, errors } = client();
    const from = proxy.exchanges.length;
    const before = proxy.totals();
    proxy.failNext(1, mode);
    const userId = `cust-seg-retry-${mode}`;
    analytics.identify({ userId, anonymousId: randomUUID(), traits: { email: `${mode}.buyer@abv.bg` } });
    analytics.track({ userId, event: 'Checkout Started' });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    const exchanges = proxy.exchanges.slice(from);
    expect(exchanges.map((e) => [e.status, e.injected])).toEqual([[503, true], [200, false]]);
    const after = proxy.totals();
    // two events: stored exactly once, whichever way the first attempt failed
    expect(after.accepted - before.accepted).toBe(2);
    expect(after.duplicates - before.duplicates).toBe(mode === 'lost-answer' ? 2 : 0);
    expect((await api.personaOf('customer', userId))?.email).toBe(`${mode}.buyer@abv.bg`);
  });
});
