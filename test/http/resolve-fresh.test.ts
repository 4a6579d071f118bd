// GET /resolve answers with persona text the graph keeps ready between writes: the text is always
// what the persona is now. Each step reads a persona (so its text is cached), changes it by a
// merge, a split or an erasure, and reads it again; every answer must equal a fresh encoding of
// the facade's persona.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as S from '../../host/http/schemas.js';
import type { Identifier } from '../../host/types.js';
import { call, expectOk, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
const T = '/v1/tenants/shop-r';

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.shutdown();
});

/** GET /resolve of `identifier`, checked against the facade's persona of it (404 when it has none). */
async function resolved(identifier: Identifier): Promise<any> {
  const answer = await call(server, 'GET', `${T}/resolve?${identifier.type}=${encodeURIComponent(identifier.value)}`);
  const persona = await server.graph.personaOf('shop-r', identifier);
  if (persona === null) {
    expect(answer.status).toBe(404);
    return null;
  }
  expect(JSON.stringify(expectOk(answer, S.ResolveOneResponse))).toBe(JSON.stringify({ persona }));
  return answer.body.persona;
}

const ingest = async (identifiers: Record<string, string>, timestamp: string) => {
  expect((await call(server, 'POST', `${T}/events`, { body: { identifiers, timestamp } })).status).toBe(200);
};

describe('GET /resolve after the persona changed', () => {
  const customer: Identifier = { type: 'customer', value: 'r-1' };
  const email: Identifier = { type: 'email', value: 'r.one@shop.bg' };

  it('shows a merge at once', async () => {
    await ingest({ customer: 'r-1' }, '2026-03-01T10:00:00Z');
    await ingest({ email: 'r.one@shop.bg' }, '2026-03-01T11:00:00Z');
    const alone = await resolved(customer);
    expect(await resolved(customer)).toEqual(alone);
    expect(alone.email).toBeNull();
    const other = await resolved(email);
    expect(other.id).not.toBe(alone.id);

    await ingest({ customer: 'r-1', email: 'r.one@shop.bg' }, '2026-03-01T12:00:00Z');
    const merged = await resolved(customer);
    expect(merged.email).toBe('r.one@shop.bg');
    expect([merged.id, ...merged.aliases].sort()).toEqual([alone.id, other.id].sort());
    expect((await resolved(email)).id).toBe(merged.id);
  });

  it('shows a split at once', async () => {
    const merged = await resolved(customer);
    const split = await call(server, 'POST', `${T}/personas/${merged.id}/split`, { body: { identifiers: [email] } });
    expect(split.status).toBe(200);
    const after = await resolved(customer);
    expect(after.identifiers.map((i: Identifier) => i.type)).toEqual(['customer']);
    expect(after.email).toBeNull();
    expect((await resolved(email)).id).not.toBe(after.id);
  });

  it('shows an erasure at once', async () => {
    await resolved(email);
    expect((await call(server, 'POST', `${T}/erase`, { body: { identifiers: [email] } })).status).toBe(200);
    expect(await resolved(email)).toBeNull();
    await resolved(customer);
    const persona = await resolved(customer);
    expect((await call(server, 'DELETE', `${T}/personas/${persona.id}`)).status).toBe(200);
    expect(await resolved(customer)).toBeNull();
  });
});
