// Every contract endpoint over real HTTP: its success path (checked against the documented
// response schema) and its error paths. The server runs open (no keys): auth has its own file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as S from '../../host/http/schemas.js';
import { call, expectError, expectOk, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
const T = '/v1/tenants/shop-a';

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.shutdown();
});

const ingest = (events: unknown, tenant = 'shop-a') => call(server, 'POST', `/v1/tenants/${tenant}/events`, { body: events });
const resolveId = async (query: string): Promise<string> => {
  const answer = await call(server, 'GET', `${T}/resolve?${query}`);
  return expectOk(answer, S.ResolveOneResponse).persona.id as string;
};

describe('POST /events', () => {
  it('takes one event, an array, or {events}, and reports bad items without failing the batch', async () => {
    expect(expectOk(await ingest({ id: 'e-1', type: 'login', identifiers: { email: 'ivan@shop.bg', customer: 'c-1' } }), S.IngestResponse))
      .toEqual({ accepted: 1, duplicates: 0, errors: [], seq: expect.any(Number) });
    expect(expectOk(await ingest([{ identifiers: { customer: 'c-2' } }]), S.IngestResponse).accepted).toBe(1);
    // a batch with nothing new takes no log position
    expect(expectOk(await ingest({ id: 'e-1', type: 'login', identifiers: { customer: 'c-1' } }), S.IngestResponse).seq).toBeNull();
    const mixed = expectOk(await ingest({
      events: [
        { id: 'e-1', identifiers: { customer: 'c-1' } },
        { identifiers: { phone: '12', customer: 'c-3' } },
        { identifiers: { fax: '1' } },
        'not an event',
      ],
    }), S.IngestResponse);
    expect(mixed.accepted).toBe(1);
    expect(mixed.duplicates).toBe(1);
    expect(mixed.errors.map((e: { index: number; field: string; error: { code: string } }) => [e.index, e.field, e.error.code])).toEqual([
      [1, 'identifiers.phone', 'invalid_phone'],
      [2, 'identifiers.fax', 'unknown_identifier_type'],
      [3, 'event', 'invalid_event'],
    ]);
  });

  it('refuses a body that is no event at all, and a bad tenant id', async () => {
    expectError(await call(server, 'POST', `${T}/events`, { rawBody: '"hello"' }), 400);
    expectError(await call(server, 'POST', `${T}/events`, { body: { events: 'x' } }), 400, 'invalid_body');
    const badTenant = expectError(await ingest({ identifiers: { customer: 'c' } }, 'Shop_A'), 400, 'invalid_request');
    expect(badTenant).toBe('invalid_request');
  });
});

describe('resolve', () => {
  it('GET finds the persona of one identifier, normalizing the value', async () => {
    const id = await resolveId('email=%20IVAN@shop.bg');
    expect(await resolveId('customer=c-1')).toBe(id);
    expectError(await call(server, 'GET', `${T}/resolve?email=nobody@shop.bg`), 404, 'not_found');
  });

  it('GET answers 400 for an invalid value and unless exactly one identifier is named', async () => {
    expectError(await call(server, 'GET', `${T}/resolve?phone=12`), 400, 'invalid_phone');
    for (const query of ['', '?email=a@b.bg&customer=c-1', '?fax=1', '?email=a@b.bg&email=c@d.bg']) {
      const answer = await call(server, 'GET', `${T}/resolve${query}`);
      expectError(answer, 400, 'invalid_request');
      expect(answer.body.error.message).toMatch(/^query/);
    }
  });

  it('reads may name the seq a write returned (?minSeq=): the answer includes that write', async () => {
    const { seq } = expectOk(await ingest({ id: 'ryw-1', identifiers: { customer: 'c-ryw', email: 'ryw@shop.bg' } }), S.IngestResponse);
    expect(seq).toBeGreaterThan(0);
    const one = expectOk(await call(server, 'GET', `${T}/resolve?customer=c-ryw&minSeq=${seq}`), S.ResolveOneResponse);
    expect(one.persona.identifiers).toContainEqual(expect.objectContaining({ type: 'email', value: 'ryw@shop.bg' }));
    const many = expectOk(await call(server, 'POST', `${T}/resolve?minSeq=${seq}`, { body: { identifiers: [{ type: 'email', value: 'ryw@shop.bg' }] } }), S.ResolveResponse);
    expect(many.personas).toEqual([one.persona.id]);
    expectOk(await call(server, 'GET', `${T}/personas/${one.persona.id}?minSeq=${seq}`), S.Persona);
    for (const bad of ['minSeq=-1', 'minSeq=abc', 'minSeq=1.5']) {
      expectError(await call(server, 'GET', `${T}/resolve?customer=c-ryw&${bad}`), 400, 'invalid_request');
      expectError(await call(server, 'GET', `${T}/personas/${one.persona.id}?${bad}`), 400, 'invalid_request');
    }
    expectError(await call(server, 'GET', `${T}/resolve?minSeq=${seq}`), 400, 'invalid_request');
  });

  it('POST resolves many identifiers in input order, null for unknown ones', async () => {
    const id = await resolveId('customer=c-1');
    const body = expectOk(await call(server, 'POST', `${T}/resolve`, {
      body: { identifiers: [{ type: 'customer', value: 'c-1' }, { type: 'email', value: 'x@y.bg' }, { type: 'email', value: 'IVAN@shop.bg' }] },
    }), S.ResolveResponse);
    expect(body.personas).toEqual([id, null, id]);
  });

  it('POST names the offending path of a malformed lookup and refuses more than 10,000', async () => {
    const answer = await call(server, 'POST', `${T}/resolve`, { body: { identifiers: [{ type: 'email', value: 'a@b.bg' }, { type: 'email', value: 5 }] } });
    expectError(answer, 400, 'invalid_request');
    expect(answer.body.error.message).toContain('body/identifiers/1/value');
    const many = Array.from({ length: 10_001 }, (_, i) => ({ type: 'customer', value: `c-${i}` }));
    expectError(await call(server, 'POST', `${T}/resolve`, { body: { identifiers: many } }), 400, 'batch_too_large');
  });
});

describe('personas', () => {
  it('GET returns the persona, and the survivor for an id merged away', async () => {
    await ingest([
      { timestamp: '2026-01-01T00:00:00Z', identifiers: { customer: 'old-1' } },
      { timestamp: '2026-02-01T00:00:00Z', identifiers: { customer: 'new-1' } },
    ]);
    const older = await resolveId('customer=old-1');
    const younger = await resolveId('customer=new-1');
    expect(expectOk(await call(server, 'GET', `${T}/personas/${older}`), S.Persona).id).toBe(older);
    await ingest({ type: 'login', identifiers: { customer: ['old-1', 'new-1'] } });
    const merged = expectOk(await call(server, 'GET', `${T}/personas/${younger}`), S.Persona);
    expect(merged.id).toBe(older);
    expect(merged.aliases).toContain(younger);
    expectError(await call(server, 'GET', `${T}/personas/psn_0000000000000000`), 404, 'not_found');
  });

  it('graph lists identifiers and the evidence between them', async () => {
    const id = await resolveId('customer=old-1');
    const graph = expectOk(await call(server, 'GET', `${T}/personas/${id}/graph`), S.GraphResponse);
    expect(graph.nodes.map((n: { value: string }) => n.value).sort()).toEqual(['new-1', 'old-1']);
    expect(graph.edges.length).toBeGreaterThan(0);
    expectError(await call(server, 'GET', `${T}/personas/psn_0000000000000000/graph`), 404, 'not_found');
  });

  it('split cuts identifiers out into personas of their own', async () => {
    await ingest({ type: 'login', identifiers: { customer: 's-1', email: 'split@shop.bg' } });
    const id = await resolveId('customer=s-1');
    const body = expectOk(await call(server, 'POST', `${T}/personas/${id}/split`, { body: { identifiers: [{ type: 'email', value: 'split@shop.bg' }] } }), S.SplitResponse);
    expect(body.personas).toHaveLength(2);
    expect(await resolveId('customer=s-1')).not.toBe(await resolveId('email=split@shop.bg'));
    expectError(await call(server, 'POST', `${T}/personas/${id}/split`, { body: {} }), 400, 'nothing_to_split');
    expectError(await call(server, 'POST', `${T}/personas/${id}/split`, { body: { identifiers: 'x' } }), 400, 'invalid_request');
    expectError(await call(server, 'POST', `${T}/personas/psn_0000000000000000/split`, { body: { identifiers: [{ type: 'customer', value: 's-1' }] } }), 404);
  });

  it('changes lists merges and splits after a cursor', async () => {
    const all = expectOk(await call(server, 'GET', `${T}/changes`), S.ChangesResponse);
    expect(all.changes.map((c: { kind: string }) => c.kind)).toEqual(expect.arrayContaining(['merge', 'split']));
    const after = expectOk(await call(server, 'GET', `${T}/changes?since=${all.cursor}`), S.ChangesResponse);
    expect(after).toEqual({ changes: [], cursor: all.cursor });
    expectError(await call(server, 'GET', `${T}/changes?since=yesterday`), 400, 'invalid_cursor');
  });

  it('DELETE erases a persona for good; erase removes identifiers', async () => {
    await ingest({ type: 'login', identifiers: { customer: 'gone-1', email: 'gone@shop.bg' } });
    const id = await resolveId('customer=gone-1');
    expect(expectOk(await call(server, 'DELETE', `${T}/personas/${id}`), S.EraseResponse)).toEqual({ erased: 2 });
    expectError(await call(server, 'GET', `${T}/resolve?email=gone@shop.bg`), 404);
    expectError(await call(server, 'DELETE', `${T}/personas/${id}`), 404, 'not_found');

    await ingest({ identifiers: { customer: 'gone-2' } });
    expect(expectOk(await call(server, 'POST', `${T}/erase`, { body: { identifiers: [{ type: 'customer', value: 'gone-2' }] } }), S.EraseResponse)).toEqual({ erased: 1 });
    expectError(await call(server, 'GET', `${T}/resolve?customer=gone-2`), 404);
    expectError(await call(server, 'POST', `${T}/erase`, { body: { identifiers: [] } }), 400, 'invalid_identifiers');
    expectError(await call(server, 'POST', `${T}/erase`, { body: {} }), 400, 'invalid_request');
  });
});

describe('campaigns', () => {
  const recipients = [
    { type: 'customer', value: 'aud-1' },
    { type: 'email', value: 'AUD@shop.bg' },
    { type: 'email', value: 'stranger@shop.bg' },
    { type: 'phone', value: '0888 000 111' },
  ];

  it('dedupe gives one recipient per persona, at its latest address', async () => {
    await ingest({ type: 'login', identifiers: { customer: 'aud-1', email: 'aud@shop.bg' } });
    const body = expectOk(await call(server, 'POST', `${T}/audiences/dedupe`, { body: { channel: 'email', recipients } }), S.AudienceResponse);
    expect(body.recipients.map((r: { address: string; inputs: number[] }) => [r.address, r.inputs])).toEqual([
      ['aud@shop.bg', [0, 1]],
      ['stranger@shop.bg', [2]],
    ]);
    expect(body.unreachable).toEqual([3]);
    expectError(await call(server, 'POST', `${T}/audiences/dedupe`, { body: { channel: 'fax', recipients } }), 400, 'invalid_request');
  });

  it('claims hand out each persona once per campaign', async () => {
    const first = expectOk(await call(server, 'POST', `${T}/campaigns/spring/claims`, { body: { channel: 'email', recipients } }), S.ClaimResponse);
    expect(first.recipients).toHaveLength(2);
    const again = expectOk(await call(server, 'POST', `${T}/campaigns/spring/claims`, { body: { channel: 'email', recipients: recipients.slice(1, 2) } }), S.ClaimResponse);
    expect(again.recipients).toEqual([]);
    expect(again.stats.alreadyClaimed).toBe(1);
    expectError(await call(server, 'POST', `${T}/campaigns/spring/claims`, { body: { channel: 'email' } }), 400, 'invalid_request');
  });
});

describe('devices and links', () => {
  it('composes the same UUID for the same components, and refuses unknown fields', async () => {
    const components = { browser: 'Firefox 130', cpu: 'x86_64', extra: { screen: [1920, 1080] } };
    const a = expectOk(await call(server, 'POST', `${T}/devices`, { body: components }), S.DeviceResponse).device;
    const b = expectOk(await call(server, 'POST', `${T}/devices`, { body: { ...components } }), S.DeviceResponse).device;
    const other = expectOk(await call(server, 'POST', `${T}/devices`, { body: { ...components, cpu: 'arm64' } }), S.DeviceResponse).device;
    expect(a).toBe(b);
    expect(other).not.toBe(a);
    expectError(await call(server, 'POST', `${T}/devices`, { body: { browser: 'x', colour: 'red' } }), 400, 'invalid_device');
    expectError(await call(server, 'POST', `${T}/devices`, { body: { browser: 7 } }), 400, 'invalid_request');
  });

  it('a link token carried by a link_click event links the device to the recipient', async () => {
    await ingest({ identifiers: { subscriber: 'sub-1' } });
    const link = expectOk(await call(server, 'POST', `${T}/links`, {
      body: { url: 'https://shop.bg/sale', recipient: { subscriber: 'sub-1' }, campaign: 'spring', channel: 'email' },
    }), S.LinkResponse);
    expect(link.url).toContain(link.token);
    const device = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expectOk(await ingest({ type: 'link_click', token: link.token, identifiers: { device } }), S.IngestResponse);
    expect(await resolveId(`device=${device}`)).toBe(await resolveId('subscriber=sub-1'));
    const forged = expectOk(await ingest({ type: 'link_click', token: `${link.token}x`, identifiers: { device } }), S.IngestResponse);
    expect(forged.errors[0].error.code).toBe('invalid_token');
    expectError(await call(server, 'POST', `${T}/links`, { body: { url: 'https://shop.bg', recipient: {}, campaign: 'c', channel: 'email' } }), 400, 'invalid_recipient');
  });
});

describe('tenant config', () => {
  it('PUT changes settings and returns the full config; GET reads it back', async () => {
    const put = expectOk(await call(server, 'PUT', '/v1/tenants/shop-cfg/config', { body: { defaultCountry: 'ro', guardrails: false } }), S.ConfigResponse);
    expect(put).toMatchObject({ defaultCountry: 'RO', guardrails: false, emailCanonical: true });
    expect(expectOk(await call(server, 'GET', '/v1/tenants/shop-cfg/config'), S.ConfigResponse)).toEqual(put);
    expectError(await call(server, 'PUT', '/v1/tenants/shop-cfg/config', { body: { colour: 'red' } }), 400, 'invalid_config');
    expectError(await call(server, 'PUT', '/v1/tenants/shop-cfg/config', { body: { guardrails: 'no' } }), 400, 'invalid_request');
  });
});
