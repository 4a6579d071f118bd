// README "Configuration per tenant": `limits` caps the identifiers of a type one persona may hold, and
// PUT /config accepts 0, which was documented nowhere (it could read as "no email at all"). 0 means
// no limit, like sharedThresholds' 0 = never; both are now documented (README, OpenAPI) and pinned here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

let graph: PersonaGraph;
beforeAll(async () => { graph = await PersonaGraph.open(); });
afterAll(async () => { await graph.close(); });

// an account with many emails is not marked shared here (sharedThresholds.customer 0 = never): the limit alone decides
const NEVER_SHARED = { sharedThresholds: { customer: 0 } };
const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'checkout', identifiers: { customer: 'c-1', email: `a${i}@mail.bg` } }));

describe('limits of 0', () => {
  it('hold no limit: a persona takes more emails than the default limit of 5', async () => {
    await graph.configure('limit-zero', { ...NEVER_SHARED, limits: { email: 0 } });
    await graph.ingest('limit-zero', emails(8));
    const ids = await graph.resolve('limit-zero', emails(8).map((e) => ({ type: 'email' as const, value: e.identifiers.email })));
    expect(new Set(ids).size).toBe(1);
    expect((await graph.persona('limit-zero', ids[0]!))?.counts.email).toBe(8);
  });

  it('unlike the default, which refuses the sixth email', async () => {
    await graph.configure('limit-default', NEVER_SHARED);
    await graph.ingest('limit-default', emails(8));
    const [owner] = await graph.resolve('limit-default', [{ type: 'customer', value: 'c-1' }]);
    expect((await graph.persona('limit-default', owner!))?.counts.email).toBe(5);
  });
});
