// README "Configuration per tenant": emailCanonical matches gmail dots/+tags and outlook +tags as one
// address, "mail still goes to the address as typed". A persona's address already is; an input unknown
// to the graph must be too (deduplicated with its other spellings, sent to the first one given).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.shutdown(); });

describe('audience addresses of inputs unknown to the graph', () => {
  it('go to the address as typed (lower-cased), one recipient per mailbox', async () => {
    const recipients = [
      { type: 'email', value: ' X.Y+promo@Gmail.com' },
      { type: 'email', value: 'xy@gmail.com' },
      { type: 'email', value: 'ana+shop@outlook.com' },
    ];
    for (const path of ['/v1/tenants/typed-a/audiences/dedupe', '/v1/tenants/typed-a/campaigns/c-1/claims']) {
      const answer = await call(server, 'POST', path, { body: { channel: 'email', recipients } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.recipients).toEqual([
        { persona: null, address: 'x.y+promo@gmail.com', inputs: [0, 1] },
        { persona: null, address: 'ana+shop@outlook.com', inputs: [2] },
      ]);
    }
  });
});
