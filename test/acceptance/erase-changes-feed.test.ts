// An outside audit: after erasing a persona's identifiers, GET /changes listed an erase per value, and
// erases of persona ids nobody was ever shown. Each erased value re-clusters what is left of the persona,
// sometimes under a new record that the next value's erasure then retires within the same request.
// The feed now names the personas as readers knew them: one `erase` each, and a `split` from it to the
// personas left when what remains has other ids (api-contract.md, Quality tools: changes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-erase-feed';
let server: TestServer;

beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.shutdown(); });

const DEVICE = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
const send = async (type: string, identifiers: Record<string, string>) => {
  expect((await call(server, 'POST', `${T}/events`, { body: { type, identifiers } })).body.accepted).toBe(1);
};
const erase = async (...identifiers: [string, string][]) => {
  const answer = await call(server, 'POST', `${T}/erase`, { body: { identifiers: identifiers.map(([type, value]) => ({ type, value })) } });
  expect(answer.status).toBe(200);
};
const personaOf = async (query: string): Promise<string> => (await call(server, 'GET', `${T}/resolve?${query}`)).body.persona.id;
/** The feed's changes since `cursor` as "kind id id..." lines, and the cursor after them. */
const feedSince = async (cursor: string): Promise<{ lines: string[]; cursor: string }> => {
  const page = (await call(server, 'GET', `${T}/changes?since=${cursor}`)).body;
  return { lines: page.changes.map((change: { kind: string; personas: string[] }) => [change.kind, ...change.personas].join(' ')), cursor: page.cursor };
};

describe('the changes feed after an erasure', () => {
  it('erasing every identifier of a persona in one request lists one erase of that persona', async () => {
    await send('checkout', { email: 'ann@mail.bg', phone: '0888123456', customer: 'c-ann' });
    const ann = await personaOf('customer=c-ann');
    const before = (await feedSince('0')).cursor;
    await erase(['email', 'ann@mail.bg'], ['phone', '0888123456'], ['customer', 'c-ann']);
    expect((await feedSince(before)).lines).toEqual([`erase ${ann}`]);
  });

  it('erasing value after value names the persona by the id readers last saw, and says when the id changed', async () => {
    await send('checkout', { email: 'eve@mail.bg', phone: '0888123457', customer: 'c-eve' });
    let cursor = (await feedSince('0')).cursor;
    const shown = new Set([await personaOf('customer=c-eve')]);
    for (const value of [['email', 'eve@mail.bg'], ['phone', '0888123457']] as [string, string][]) {
      const was = await personaOf('customer=c-eve');
      await erase(value);
      const now = await personaOf('customer=c-eve');
      const feed = await feedSince(cursor);
      expect(feed.lines).toEqual(now === was ? [`erase ${was}`] : [`erase ${was}`, `split ${was} ${now}`]);
      for (const line of feed.lines) for (const id of line.split(' ').slice(1)) shown.add(id);
      cursor = feed.cursor;
    }
    const last = await personaOf('customer=c-eve');
    await erase(['customer', 'c-eve']);
    expect((await feedSince(cursor)).lines).toEqual([`erase ${last}`]);
    expect(shown.has(last)).toBe(true);
  });

  it('erasing the identifier that joined two others lists the erase, then the split into the personas left', async () => {
    await send('checkout', { email: 'bob@mail.bg', customer: 'c-bob' });
    await send('page', { customer: 'c-bob', device: DEVICE });
    const bob = await personaOf('customer=c-bob');
    const before = (await feedSince('0')).cursor;
    await erase(['customer', 'c-bob']);
    const left = [await personaOf('email=bob@mail.bg'), await personaOf(`device=${DEVICE}`)];
    expect(new Set(left).size).toBe(2);
    const lines = (await feedSince(before)).lines;
    expect(lines[0]).toBe(`erase ${bob}`);
    expect(lines.slice(1).map((line) => line.split(' ').sort())).toEqual([['split', bob, ...left].sort()]);
  });
});
