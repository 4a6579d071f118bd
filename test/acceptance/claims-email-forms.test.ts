// api-contract "Campaign sends": a claim holds only personas not yet claimed for the campaign, "also
// when an earlier claim was made through an identifier that merged in later". With emailCanonical on
// (the default) gmail dots and +tags are one mailbox: an address claimed in one spelling while unknown
// must keep the persona that later holds it in another spelling from getting the campaign again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.shutdown(); });

const claim = async (tenant: string, recipients: { type: string; value: string }[]) => {
  const answer = await call(server, 'POST', `/v1/tenants/${tenant}/campaigns/spring/claims`, { body: { channel: 'email', recipients } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

describe('claims across spellings of one mailbox', () => {
  it.each([
    ['claimed plain, known later with dots and a +tag', 'jdoe@gmail.com', 'J.Doe+promo@gmail.com'],
    ['claimed with dots and a +tag, known later plain', 'J.Doe+promo@gmail.com', 'jdoe@gmail.com'],
  ])('%s: the persona is already claimed', async (_name, claimedAs, typedLater) => {
    const tenant = `claims-forms-${claimedAs.length}`;
    const first = await claim(tenant, [{ type: 'email', value: claimedAs }]);
    expect(first.recipients).toHaveLength(1);
    expect(first.recipients[0].persona).toBeNull();

    const events = [{ type: 'checkout', identifiers: { email: typedLater, customer: 'c-1' } }];
    expect((await call(server, 'POST', `/v1/tenants/${tenant}/events`, { body: { events } })).body.accepted).toBe(1);

    const second = await claim(tenant, [{ type: 'customer', value: 'c-1' }]);
    expect(second.recipients).toEqual([]);
    expect(second.stats.alreadyClaimed).toBe(1);
  });
});
