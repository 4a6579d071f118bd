// The real posthog-node client against the live server (its gzip batches to /batch/), through a
// proxy that can fail requests; personas checked through the API.
import { randomUUID } from 'node:crypto';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApi, type LiveApi } from '../e2e/support/live-api.js';
import { startFailingProxy, type FailingProxy } from '../e2e/support/failing-proxy.js';

const TENANT = 'shop-posthog';
/** Everything a test sends goes out in one request, when the test shuts the client down. */
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

function client(): { posthog: PostHog; errors: unknown[] } {
  const posthog = new PostHog(api.writeKey, {
    host: proxy.url, flushAt: FLUSH_AT, flushInterval: FLUSH_INTERVAL_MS, fetchRetryCount: 3, fetchRetryDelay: RETRY_DELAY_MS,
  });
  const errors: unknown[] = [];
  posthog.on('error', (error) => errors.push(error));
  return { posthog, errors };
}

describe('posthog-node', () => {
  it('maps $identify, $create_alias and $set to one persona: anonymous id ↔ distinct_id ↔ email', async () => {
    const { posthog, errors } = client();
    const anon = randomUUID();
    // an anonymous event: distinct_id is the device's own id
    posthog.capture({ distinctId: anon, event: 'product viewed', properties: { $device_id: anon, sku: 'rose-water' } });
    posthog.identify({ distinctId: 'cust-ph-1', properties: { $anon_distinct_id: anon, $set: { email: 'Dimitar.Stoyanov@abv.bg', phone: '0878 246 813' } } });
    posthog.alias({ distinctId: 'cust-ph-1', alias: 'legacy-account-9' });
    posthog.capture({ distinctId: 'cust-ph-2', event: 'order completed', properties: { total: 20 } });
    await posthog.shutdown();
    expect(errors).toEqual([]);
    expect(proxy.exchanges.map((e) => [e.path, e.encoding, e.status])).toEqual(proxy.exchanges.map(() => ['/batch/', 'gzip', 200]));

    const persona = await api.personaOf('customer', 'cust-ph-1');
    expect(persona).toMatchObject({ email: 'dimitar.stoyanov@abv.bg', phone: '+359878246813' });
    expect(persona?.counts).toMatchObject({ device: 1, customer: 2 });
    const ids = await api.resolveMany([
      { type: 'device', value: anon }, { type: 'customer', value: 'legacy-account-9' }, { type: 'customer', value: 'cust-ph-2' },
    ]);
    expect(ids.slice(0, 2)).toEqual([persona?.id, persona?.id]);
    expect(ids[2]).not.toBeNull();
    expect(ids[2]).not.toBe(persona?.id);
  });

  it('treats a uuid sent again as a duplicate', async () => {
    const uuid = randomUUID();
    for (let send = 0; send < 2; send++) {
      const { posthog, errors } = client();
      posthog.capture({ uuid, distinctId: 'cust-ph-dedupe', event: 'coupon applied' });
      await posthog.shutdown();
      expect(errors).toEqual([]);
    }
    const [first, second] = proxy.exchanges.slice(-2).map((e) => e.serverAnswer);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it.each(['lost-answer', 'lost-request'] as const)('retries after a 503 (%s) without duplicating events', async (mode) => {
    const { posthog, errors } = client();
    const from = proxy.exchanges.length;
    const before = proxy.totals();
    proxy.failNext(1, mode);
    const distinctId = `cust-ph-retry-${mode}`;
    posthog.identify({ distinctId, properties: { $set: { email: `ph.${mode}@abv.bg` } } });
    posthog.capture({ distinctId, event: 'checkout started' });
    await posthog.shutdown();
    expect(errors).toEqual([]);

    expect(proxy.exchanges.slice(from).map((e) => [e.status, e.injected])).toEqual([[503, true], [200, false]]);
    const after = proxy.totals();
    expect(after.accepted - before.accepted).toBe(2);
    expect(after.duplicates - before.duplicates).toBe(mode === 'lost-answer' ? 2 : 0);
    expect((await api.personaOf('customer', distinctId))?.email).toBe(`ph.${mode}@abv.bg`);
  });
});
