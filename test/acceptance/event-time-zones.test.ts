// api-contract "Conventions": times are ISO-8601 in UTC, and an unparseable timestamp rejects the event.
// An event time must not depend on the server's time zone: "2026-03-01T10:00:00" (no offset) was read
// in the process's local time, loose forms such as "03/01/2026" (March 1st or January 3rd?) were
// guessed, and impossible dates ("2026-02-30T10:00:00+02:00", "2026-02-31") rolled over into March.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { call, startTestServer, type TestServer } from '../http/helpers.js';

const zone = process.env.TZ;
let graph: PersonaGraph;
let server: TestServer;
beforeAll(async () => {
  process.env.TZ = 'America/New_York'; // a server far from UTC
  graph = await PersonaGraph.open();
  server = await startTestServer();
});
afterAll(async () => {
  await graph.close();
  await server.shutdown();
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

async function createdAt(tenant: string, timestamp: string) {
  const customer = `c-${timestamp}`;
  const answer = await graph.ingest(tenant, [{ identifiers: { customer }, timestamp }]);
  const [id] = await graph.resolve(tenant, [{ type: 'customer', value: customer }]);
  return { answer, createdAt: id === null ? null : (await graph.persona(tenant, id))?.createdAt };
}

describe('event timestamps', () => {
  it.each([
    ['no offset: UTC', '2026-03-01T10:00:00', '2026-03-01T10:00:00.000Z'],
    ['no offset, space separator', '2026-03-01 10:00:00', '2026-03-01T10:00:00.000Z'],
    ['no seconds, no offset', '2026-03-01T10:00', '2026-03-01T10:00:00.000Z'],
    ['a date alone: midnight UTC', '2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['an offset', '2026-03-01T12:00:00+02:00', '2026-03-01T10:00:00.000Z'],
    ['an offset without colon', '2026-03-01T05:00:00-0500', '2026-03-01T10:00:00.000Z'],
    ['microseconds', '2026-03-01T10:00:00.123456Z', '2026-03-01T10:00:00.123Z'],
    ['a leap day', '2024-02-29T10:00:00Z', '2024-02-29T10:00:00.000Z'],
    ['the year 0042 (not 1942)', '0042-03-01T10:00:00Z', '0042-03-01T10:00:00.000Z'],
  ])('%s: %s is %s, whatever the server\'s time zone', async (_name, timestamp, expected) => {
    const { answer, createdAt: at } = await createdAt('times-ok', timestamp);
    expect(answer.errors).toEqual([]);
    expect(at).toBe(expected);
  });

  it.each([
    ['not ISO-8601 (month or day first?)', '03/01/2026'],
    ['slashes', '2026/03/01'],
    ['words', '1 March 2026'],
    ['Date.toString()', 'Sun Mar 01 2026 10:00:00 GMT+0200'],
    ['February 30th with an offset', '2026-02-30T10:00:00+02:00'],
    ['February 31st, a date alone', '2026-02-31'],
    ['February 29th of a common year', '2026-02-29T10:00:00Z'],
    ['hour 25', '2026-03-01T25:00:00Z'],
    ['minute 60, no offset', '2026-03-01T10:60:00'],
    ['an offset of 25 hours', '2026-03-01T10:00:00+25:00'],
  ])('%s (%s) rejects the event with invalid_timestamp and stores nothing', async (_name, timestamp) => {
    const { answer, createdAt: at } = await createdAt('times-bad', timestamp);
    expect(answer.accepted).toBe(0);
    expect(answer.errors.map((e) => [e.field, e.error.code])).toEqual([['timestamp', 'invalid_timestamp']]);
    expect(at).toBeNull();
  });

  it('Segment timestamps are judged alike: an impossible date is refused, a zone-less one is UTC', async () => {
    const answer = await call(server, 'POST', '/v1/batch', {
      headers: { authorization: `Basic ${Buffer.from('times-wire:').toString('base64')}` },
      body: { batch: [
        { type: 'identify', userId: 'u-bad', messageId: 'm-1', timestamp: '2026-02-31T10:00:00Z' },
        { type: 'identify', userId: 'u-ok', messageId: 'm-2', timestamp: '2026-03-01T10:00:00' },
      ] },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.accepted).toBe(1);
    expect(answer.body.errors.map((e: { index: number; error: { code: string } }) => [e.index, e.error.code])).toEqual([[0, 'invalid_timestamp']]);
    const found = await call(server, 'GET', '/v1/tenants/times-wire/resolve?customer=u-ok');
    expect(found.body.persona.createdAt).toBe('2026-03-01T10:00:00.000Z');
  });
});
