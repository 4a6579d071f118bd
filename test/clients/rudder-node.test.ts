// The real @rudderstack/rudder-sdk-node client (gzip on) against the live server, through a
// proxy that can fail requests; personas checked through the API.
import Analytics from '@rudderstack/rudder-sdk-node';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApi, type LiveApi } from '../e2e/support/live-api.js';
import { startFailingProxy, type FailingProxy } from '../e2e/support/failing-proxy.js';

const TENANT = 'shop-rudder';
/** Everything a test sends goes out in one request, when the test flushes. */
const FLUSH_AT = 100;
const FLUSH_INTERVAL_MS = 60_000;
const RETRY_DELAY_MS = 100;

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

function client(): Analytics {
  return new Analytics(api.writeKey, {
    dataPlaneUrl: proxy.url, gzip: true, flushAt: FLUSH_AT, flushInterval: FLUSH_INTERVAL_MS, logLevel: 'none', // the injected 503s would be logged as errors
    retryCount: 3, axiosRetryConfig: { retryDelay: () => RETRY_DELAY_MS },
  });
}

/** Flushes and resolves once the batch was delivered; rejects with what the client gave up on. */
function flush(analytics: Analytics): Promise<void> {
  return new Promise((resolve, reject) => {
    analytics.flush((error) => (error ? reject(error) : resolve())).catch(reject);
  });
}

describe('@rudderstack/rudder-sdk-node', () => {
  it('sends gzip bodies that map identify, track and alias to one persona', async () => {
    const analytics = client();
    const webAnon = randomUUID();
    analytics.identify({ anonymousId: webAnon, userId: 'cust-rs-1', traits: { email: 'Ivana.Petrova@mail.bg' } });
    analytics.track({ anonymousId: 'rs-app-1', event: 'Added To Cart', properties: { sku: 'lavender-5' } });
    // a phone given later in the context of a known customer's event (an identify's context.traits
    // would be overwritten by the client with its traits)
    analytics.track({ userId: 'cust-rs-1', event: 'Delivery Details Added', context: { traits: { phone: '+359 87 612 3456' } } });
    analytics.alias({ previousId: 'rs-app-1', userId: 'cust-rs-1' });
    await flush(analytics);

    const persona = await api.personaOf('customer', 'cust-rs-1');
    expect(persona).toMatchObject({ email: 'ivana.petrova@mail.bg', phone: '+359876123456' });
    expect(persona?.counts).toMatchObject({ device: 2, customer: 1 });
    const appDevice = api.server.graph.deviceIdFor(TENANT, 'rs-app-1');
    expect(await api.resolveMany([{ type: 'device', value: webAnon }, { type: 'device', value: appDevice }])).toEqual([persona?.id, persona?.id]);
    expect(proxy.exchanges.length).toBeGreaterThan(0);
    expect(proxy.exchanges.map((e) => [e.encoding, e.status])).toEqual(proxy.exchanges.map(() => ['gzip', 200]));
  });

  it.each(['lost-answer', 'lost-request'] as const)('retries after a 503 (%s) without duplicating events', async (mode) => {
    const analytics = client();
    const from = proxy.exchanges.length;
    const before = proxy.totals();
    proxy.failNext(1, mode);
    const userId = `cust-rs-retry-${mode}`;
    analytics.identify({ userId, anonymousId: randomUUID(), traits: { email: `rs.${mode}@mail.bg` } });
    analytics.track({ userId, event: 'Order Completed', properties: { total: 30 } });
    await flush(analytics);

    // the client sends its first event alone, so the failed request may hold one event or both
    const [failed, ...rest] = proxy.exchanges.slice(from);
    expect([failed.status, failed.injected]).toEqual([503, true]);
    expect(rest.map((e) => e.status)).toEqual(rest.map(() => 200));
    const after = proxy.totals();
    expect(after.accepted - before.accepted).toBe(2);
    expect(after.duplicates - before.duplicates).toBe(mode === 'lost-answer' ? failed.serverAnswer?.accepted : 0);
    if (mode === 'lost-answer') expect(failed.serverAnswer?.accepted).toBeGreaterThan(0);
    expect((await api.personaOf('customer', userId))?.email).toBe(`rs.${mode}@mail.bg`);
  });
});
