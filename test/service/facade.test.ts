import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

let graph: PersonaGraph;

beforeAll(async () => {
  graph = await PersonaGraph.open({ shards: 1 });
});
afterAll(async () => {
  await graph.close();
});

describe('PersonaGraph facade (memory only)', () => {
  it('links every identifier of an event and resolves any of them to one persona', async () => {
    const result = await graph.ingest('shop-a', {
      events: [
        { id: 'e1', type: 'checkout', timestamp: '2026-03-01T10:00:00.000Z', identifiers: { email: ' Ivan@Example.bg ', phone: '0888 123 456', customer: 'c-1' } },
        { id: 'e2', type: 'login', timestamp: '2026-03-02T10:00:00.000Z', identifiers: { customer: 'c-1', device: 'A1B2C3D4-0000-4000-8000-000000000001' } },
      ],
    });
    expect(result).toMatchObject({ accepted: 2, duplicates: 0, errors: [] });
    const ids = await graph.resolve('shop-a', [
      { type: 'email', value: 'ivan@example.bg' },
      { type: 'phone', value: '+359888123456' },
      { type: 'device', value: 'a1b2c3d4-0000-4000-8000-000000000001' },
      { type: 'email', value: 'nobody@example.bg' },
    ]);
    expect(ids[0]).toMatch(/^psn_[0-9a-f]{16}$/);
    expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]]);
    expect(ids[3]).toBeNull();
    const persona = await graph.persona('shop-a', ids[0]!);
    expect(persona).toMatchObject({ id: ids[0], email: 'ivan@example.bg', phone: '+359888123456', counts: { email: 1, phone: 1, customer: 1, device: 1, subscriber: 0 } });
  });

  it('counts a repeated event id as a duplicate that changes nothing', async () => {
    const again = await graph.ingest('shop-a', [{ id: 'e1', identifiers: { email: 'other@example.bg', customer: 'c-1' } }]);
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await graph.resolve('shop-a', [{ type: 'email', value: 'other@example.bg' }])).toEqual([null]);
  });

  it('reports dropped values and rejected events per item, keeping the valid ones', async () => {
    const result = await graph.ingest('shop-a', [
      { identifiers: { email: 'not-an-email', customer: 'c-9' } },
      { identifiers: { phone: '12' } },
      { identifiers: { fax: '1' } },
      { timestamp: 'yesterday', identifiers: { customer: 'c-10' } },
    ]);
    expect(result.accepted).toBe(1);
    expect(result.errors.map((e) => [e.index, e.field, e.error.code])).toEqual([
      [0, 'identifiers.email', 'invalid_email'],
      [1, 'identifiers.phone', 'invalid_phone'],
      [1, 'identifiers', 'no_identifiers'],
      [2, 'identifiers.fax', 'unknown_identifier_type'],
      [3, 'timestamp', 'invalid_timestamp'],
    ]);
  });

  it('keeps an event time as sent, also before the year 100, and rejects a day that does not exist', async () => {
    // api-contract Conventions: times are ISO-8601 UTC; Date.UTC would read year 0001 as 1901
    const result = await graph.ingest('shop-b', [
      { timestamp: '0001-01-01T00:00:00.000Z', identifiers: { customer: 'year-1' } },
      { timestamp: '0099-12-31T23:59:59Z', identifiers: { customer: 'year-99' } },
      { timestamp: '2026-02-30T00:00:00Z', identifiers: { customer: 'feb-30' } },
    ]);
    expect(result.errors.map((e) => [e.index, e.field, e.error.code])).toEqual([[2, 'timestamp', 'invalid_timestamp']]);
    const ids = await graph.resolve('shop-b', [{ type: 'customer', value: 'year-1' }, { type: 'customer', value: 'year-99' }]);
    expect((await graph.persona('shop-b', ids[0]!))?.createdAt).toBe('0001-01-01T00:00:00.000Z');
    expect((await graph.persona('shop-b', ids[1]!))?.createdAt).toBe('0099-12-31T23:59:59.000Z');
  });

  it('rejects a timestamp whose year the contract\'s time format cannot write (beyond 0000..9999)', async () => {
    const result = await graph.ingest('shop-b', [
      { timestamp: '+275760-09-13T00:00:00.000Z', identifiers: { customer: 'far-future' } },
      { timestamp: '-000001-01-01T00:00:00.000Z', identifiers: { customer: 'far-past' } },
      { timestamp: '9999-12-31T23:59:59.999Z', identifiers: { customer: 'last-ms' } },
    ]);
    expect(result.errors.map((e) => [e.index, e.field, e.error.code])).toEqual([[0, 'timestamp', 'invalid_timestamp'], [1, 'timestamp', 'invalid_timestamp']]);
    expect(result.accepted).toBe(1);
  });

  it('keeps the latest email by event time, not arrival', async () => {
    await graph.ingest('shop-b', [
      { type: 'identify', timestamp: '2026-05-01T00:00:00Z', identifiers: { customer: 'k', email: 'new@x.bg' } },
      { type: 'identify', timestamp: '2026-01-01T00:00:00Z', identifiers: { customer: 'k', email: 'old@x.bg' } },
    ]);
    const [id] = await graph.resolve('shop-b', [{ type: 'customer', value: 'k' }]);
    expect((await graph.persona('shop-b', id!))?.email).toBe('new@x.bg');
  });

  it('dedupes an audience to one recipient per persona', async () => {
    const audience = await graph.dedupe('shop-a', {
      channel: 'email',
      recipients: [
        { type: 'customer', value: 'c-1' },
        { type: 'phone', value: '0888123456' },
        { type: 'email', value: 'stranger@x.bg' },
        { type: 'email', value: 'STRANGER@x.bg' },
        { type: 'subscriber', value: 'unknown' },
      ],
    });
    expect(audience.recipients).toHaveLength(2);
    expect(audience.recipients[0]).toMatchObject({ address: 'ivan@example.bg', inputs: [0, 1] });
    expect(audience.recipients[1]).toMatchObject({ persona: null, address: 'stranger@x.bg', inputs: [2, 3] });
    expect(audience.unreachable).toEqual([4]);
    expect(audience.stats).toEqual({ input: 5, recipients: 2, duplicatesRemoved: 2, unreachable: 1 });
  });

  it('still finds emails stored before emailCanonical changed, both ways (api-contract: changing settings never loses data)', async () => {
    for (const [tenant, before] of [['shop-canon-off', false], ['shop-canon-on', true]] as const) {
      await graph.configure(tenant, { emailCanonical: before });
      await graph.ingest(tenant, [{ type: 'login', identifiers: { customer: 'g-1', email: 'Jo.Hn+news@gmail.com' } }]);
      const [id] = await graph.resolve(tenant, [{ type: 'customer', value: 'g-1' }]);
      await graph.configure(tenant, { emailCanonical: !before });
      const typed = { type: 'email' as const, value: 'Jo.Hn+news@gmail.com' };
      expect(await graph.resolve(tenant, [typed]), tenant).toEqual([id]);
      expect((await graph.personaOf(tenant, typed))?.id, tenant).toBe(id);
      const audience = await graph.dedupe(tenant, { channel: 'email', recipients: [typed] });
      expect(audience.recipients.map((r) => r.persona), tenant).toEqual([id]);
    }
  });

  it('keeps tenants apart', async () => {
    expect(await graph.resolve('shop-b', [{ type: 'customer', value: 'c-1' }])).toEqual([null]);
  });
});
