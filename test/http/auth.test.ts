// Who may call what: every tenant endpoint against every kind of caller, keys in headers, in
// `?key=` and in analytics bodies, and key changes picked up while the server runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../host/http/route.js';
import { basicAuth, call, expectError, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
const keys = { writeA: '', secretA: '', secretB: '', writeB: '', admin: '', adminNamedA: '' };
let personaA = '';

beforeAll(async () => {
  // debug: fast reads are logged too, so the search for keys covers every request line
  server = await startTestServer({ logLevel: 'debug' }, (graph) => {
    keys.writeA = graph.keys.createKey('shop-a', 'write').key;
    keys.secretA = graph.keys.createKey('shop-a', 'secret').key;
    keys.writeB = graph.keys.createKey('shop-b', 'write').key;
    keys.secretB = graph.keys.createKey('shop-b', 'secret').key;
    keys.admin = graph.keys.createKey('*', 'admin').key;
    // what `keys create --tenant shop-a --role admin` stores: the contract's admin still acts on every tenant
    keys.adminNamedA = graph.keys.createKey('shop-a', 'admin').key;
  });
  await call(server, 'POST', '/v1/tenants/shop-a/events', { key: keys.writeA, body: { type: 'login', identifiers: { customer: 'c-1', email: 'a@shop.bg' } } });
  const found = await call(server, 'GET', '/v1/tenants/shop-a/resolve?customer=c-1', { key: keys.secretA });
  personaA = found.body.persona.id;
});
afterAll(async () => {
  await server.shutdown();
});

const identifiers = [{ type: 'customer', value: 'c-1' }];
const audience = { channel: 'email', recipients: identifiers };
/** A request per tenant route id that passes validation: who may send it is what is tested. */
const SAMPLES: Record<string, (tenant: string) => { method: string; path: string; body?: unknown }> = {
  ingestEvents: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/events`, body: { identifiers: { customer: 'c-9' } } }),
  resolveOne: (t) => ({ method: 'GET', path: `/v1/tenants/${t}/resolve?customer=c-1` }),
  resolveMany: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/resolve`, body: { identifiers } }),
  getPersona: (t) => ({ method: 'GET', path: `/v1/tenants/${t}/personas/${personaA}` }),
  deletePersona: (t) => ({ method: 'DELETE', path: `/v1/tenants/${t}/personas/psn_0000000000000000` }),
  getPersonaGraph: (t) => ({ method: 'GET', path: `/v1/tenants/${t}/personas/${personaA}/graph` }),
  splitPersona: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/personas/psn_0000000000000000/split`, body: { identifiers } }),
  dedupeAudience: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/audiences/dedupe`, body: audience }),
  claimRecipients: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/campaigns/auth-test/claims`, body: audience }),
  composeDevice: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/devices`, body: { browser: 'x' } }),
  createLink: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/links`, body: { url: 'https://s.bg', recipient: { customer: 'c-1' }, campaign: 'c', channel: 'email' } }),
  getConfig: (t) => ({ method: 'GET', path: `/v1/tenants/${t}/config` }),
  putConfig: (t) => ({ method: 'PUT', path: `/v1/tenants/${t}/config`, body: { emailCanonical: true } }),
  listChanges: (t) => ({ method: 'GET', path: `/v1/tenants/${t}/changes` }),
  eraseIdentifiers: (t) => ({ method: 'POST', path: `/v1/tenants/${t}/erase`, body: { identifiers: [{ type: 'customer', value: 'never-seen' }] } }),
  getQuality: (t) => ({ method: 'GET', path: `/v1/tenants/${t}/quality` }),
};

async function tenantRoutes(): Promise<RouteSpec[]> {
  const { createHttpApi } = await import('../../host/http/app.js');
  return createHttpApi(server.graph, { processMetrics: false }).routes.filter((r) => r.access.kind === 'tenant');
}

const segment = { batch: [{ type: 'identify', userId: 'seg-1', anonymousId: 'anon-1' }] };

describe('role × endpoint × tenant', () => {
  it('has a sample request for every tenant route', async () => {
    expect(Object.keys(SAMPLES).sort()).toEqual((await tenantRoutes()).map((r) => r.id).sort());
  });

  it('lets each key do exactly what its role allows, on its own tenant only', async () => {
    const routes = await tenantRoutes();
    const outcomes: string[] = [];
    for (const route of routes) {
      const needsSecret = route.access.kind === 'tenant' && route.access.role === 'secret';
      const sample = SAMPLES[route.id]('shop-a');
      const cases: [caller: string, key: string | undefined, allowed: boolean, status?: number][] = [
        ['none', undefined, false, 401],
        ['unknown', 'not-a-key-at-all-0123456789', false, 401],
        ['write A', keys.writeA, !needsSecret, 403],
        ['secret A', keys.secretA, true],
        ['write B', keys.writeB, false, 403],
        ['secret B', keys.secretB, false, 403],
        ['admin', keys.admin, true],
      ];
      for (const [caller, key, allowed, status] of cases) {
        const answer = await call(server, sample.method, sample.path, { key, body: sample.body });
        const ok = allowed ? ![401, 403].includes(answer.status) && answer.status < 500 : answer.status === status;
        if (!allowed && ok) expectError(answer, status!);
        if (!ok) outcomes.push(`${route.id} as ${caller}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('admin keys reach every tenant; a tenant key sees nothing of another tenant', async () => {
    expect((await call(server, 'GET', '/v1/tenants/shop-b/config', { key: keys.admin })).status).toBe(200);
    expect((await call(server, 'POST', '/v1/tenants/shop-zz/events', { key: keys.admin, body: { identifiers: { customer: 'z' } } })).status).toBe(200);
    // api-contract "Auth": "An `admin` key may act on every tenant", whatever --tenant it was created with
    expect((await call(server, 'GET', '/v1/tenants/shop-b/config', { key: keys.adminNamedA })).status).toBe(200);
    expect((await call(server, 'POST', '/v1/tenants/shop-b/erase', { key: keys.adminNamedA, body: { identifiers: [{ type: 'customer', value: 'never-seen' }] } })).status).toBe(200);
    // shop-b's own key on its own tenant, asking for shop-a's persona id: not there
    expectError(await call(server, 'GET', `/v1/tenants/shop-b/personas/${personaA}`, { key: keys.secretB }), 404);
    expectError(await call(server, 'GET', '/v1/tenants/shop-b/resolve?customer=c-1', { key: keys.secretB }), 404);
  });

  it('takes ?key= on browser endpoints only', async () => {
    const beacon = await call(server, 'POST', `/v1/tenants/shop-a/events?key=${keys.writeA}`, {
      rawBody: JSON.stringify({ events: [{ identifiers: { customer: 'beacon-1' } }] }), headers: { 'content-type': 'text/plain' },
    });
    expect(beacon.status).toBe(200);
    expect((await call(server, 'POST', `/v1/tenants/shop-a/devices?key=${keys.writeA}`, { body: { browser: 'x' } })).status).toBe(200);
    expectError(await call(server, 'GET', `/v1/tenants/shop-a/resolve?customer=c-1&key=${keys.secretA}`), 401);
  });

  it('takes only write keys as ?key=: a secret or admin key in a URL would end up in proxy logs and history', async () => {
    const event = { identifiers: { customer: 'url-secret-1' } };
    for (const key of [keys.secretA, keys.admin]) {
      const answer = await call(server, 'POST', `/v1/tenants/shop-a/events?key=${key}`, { body: event });
      expectError(answer, 403, 'forbidden');
      expect((answer.body as { error: { message: string } }).error.message).toMatch(/Authorization/);
      expectError(await call(server, 'POST', `/v1/tenants/shop-a/devices?key=${key}`, { body: { browser: 'x' } }), 403, 'forbidden');
    }
    expectError(await call(server, 'POST', `/v1/batch?key=${keys.secretB}`, { body: segment }), 403, 'forbidden');
    // nothing of the refused requests was stored
    expectError(await call(server, 'GET', '/v1/tenants/shop-a/resolve?customer=url-secret-1', { key: keys.secretA }), 404);
    // the same keys in the Authorization header still work
    expect((await call(server, 'POST', '/v1/tenants/shop-a/events', { key: keys.secretA, body: { identifiers: { customer: 'header-secret-1' } } })).status).toBe(200);
  });
});

describe('analytics wire formats', () => {

  it('routes events to the write key\'s tenant, from Basic auth or the body', async () => {
    const viaHeader = await call(server, 'POST', '/v1/batch', { body: segment, headers: { authorization: basicAuth(keys.writeB) } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({ success: true, accepted: 1 });
    expect((await call(server, 'GET', '/v1/tenants/shop-b/resolve?customer=seg-1', { key: keys.secretB })).status).toBe(200);
    expectError(await call(server, 'GET', '/v1/tenants/shop-a/resolve?customer=seg-1', { key: keys.secretA }), 404);

    const viaBody = await call(server, 'POST', '/capture/', { body: { api_key: keys.writeA, event: '$pageview', distinct_id: 'ph-1' } });
    expect(viaBody.body).toMatchObject({ status: 1, accepted: 1 });
    expect((await call(server, 'GET', '/v1/tenants/shop-a/resolve?customer=ph-1', { key: keys.secretA })).status).toBe(200);
  });

  it('answers 401 without a known key, 403 for an admin key, 400 for two different keys', async () => {
    expectError(await call(server, 'POST', '/v1/batch', { body: segment }), 401, 'unauthorized');
    expectError(await call(server, 'POST', '/v1/t', { body: { writeKey: 'wrong-key-0123456789', event: 'x', userId: 'u' } }), 401, 'unauthorized');
    expectError(await call(server, 'POST', '/batch/', { body: { api_key: keys.admin, batch: [] } }), 403, 'forbidden');
    expectError(await call(server, 'POST', '/v1/batch', { body: { ...segment, writeKey: keys.writeA }, headers: { authorization: basicAuth(keys.writeB) } }), 400, 'conflicting_keys');
  });
});

describe('key changes while running', () => {
  const waitFor = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };

  it('honours a key created after start and drops a revoked one', async () => {
    const created = server.graph.keys.createKey('shop-new', 'secret');
    const path = '/v1/tenants/shop-new/config';
    expect(await waitFor(async () => (await call(server, 'GET', path, { key: created.key })).status === 200)).toBe(true);
    server.graph.keys.revokeKey(created.id);
    expect(await waitFor(async () => (await call(server, 'GET', path, { key: created.key })).status === 401)).toBe(true);
  });

  it('never writes a key into the log, wherever the request carried it', async () => {
    const before = server.logs.length;
    await call(server, 'GET', '/v1/tenants/shop-a/config', { key: keys.secretA });
    await call(server, 'POST', `/v1/tenants/shop-a/events?key=${keys.writeA}`, { body: { identifiers: { customer: 'log-1' } } });
    await call(server, 'POST', '/v1/batch', { body: { batch: [] }, headers: { authorization: basicAuth(keys.writeB) } });
    await call(server, 'POST', '/batch/', { body: { api_key: keys.admin, batch: [] } });
    expect(server.logs.length).toBeGreaterThanOrEqual(before + 4);
    const text = server.logText();
    for (const key of Object.values(keys)) expect(text).not.toContain(key);
  });
});
