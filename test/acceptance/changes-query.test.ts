// api-contract "Quality tools": GET /changes?since=<cursor> pages through merges, splits and erasures.
// A feed consumer that misspells `since` (?sinse=, ?cursor=) silently got the feed from the start again,
// though reads refuse parameters they do not know; and the library's page size (`limit`) had no HTTP twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-changes';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  // three people, then one checkout each joining two of them: three merges
  const people = [1, 2, 3, 4].map((i) => ({ type: 'checkout', identifiers: { email: `p${i}@mail.bg`, customer: `c-${i}` } }));
  const joins = [[1, 2], [3, 4], [1, 3]].map(([a, b]) => ({ type: 'checkout', identifiers: { email: `p${a}@mail.bg`, customer: `c-${b}` } }));
  for (const events of [people, joins]) expect((await call(server, 'POST', `${T}/events`, { body: { events } })).status).toBe(200);
});
afterAll(async () => { await server.shutdown(); });

describe('GET /changes query', () => {
  it('pages by ?limit=, each page after the cursor of the one before', async () => {
    const all = (await call(server, 'GET', `${T}/changes`)).body;
    expect(all.changes.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor = '0';
    for (let pages = 0; pages < all.changes.length; pages++) {
      const page = await call(server, 'GET', `${T}/changes?since=${cursor}&limit=1`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.changes).toHaveLength(1);
      seen.push(page.body.changes[0].cursor);
      cursor = page.body.cursor;
    }
    expect(seen).toEqual(all.changes.map((c: { cursor: string }) => c.cursor));
    expect((await call(server, 'GET', `${T}/changes?since=${cursor}&limit=1`)).body.changes).toEqual([]);
  });

  it.each([
    ['a misspelled since', '?sinse=2', 'query/sinse'],
    ['another name for the cursor', '?cursor=2', 'query/cursor'],
    ['limit 0', '?limit=0', 'query/limit'],
    ['limit over a page', '?limit=1001', 'query/limit'],
    ['limit not a number', '?limit=ten', 'query/limit'],
  ])('refuses %s with 400 naming it', async (_name, query, path) => {
    const answer = await call(server, 'GET', `${T}/changes${query}`);
    expectError(answer, 400, 'invalid_request');
    expect(JSON.stringify(answer.body.error.details)).toContain(path);
  });

  it.each([['a hexadecimal number', '0x1'], ['an exponent', '1e0'], ['a padded number', '%201']])('refuses %s as a cursor', async (_name, since) => {
    expectError(await call(server, 'GET', `${T}/changes?since=${since}`), 400, 'invalid_cursor');
  });

  it('ignores a cache-buster ?_=', async () => {
    expect((await call(server, 'GET', `${T}/changes?_=1733600000000`)).status).toBe(200);
  });
});
