// An outside audit: `"phone": null`, `"traits": null`, `"id": null`... rejected the whole event with a type
// error, while `"timestamp": null` already meant "absent". Analytics clients (Python, JS) send null for
// unset fields, so whole events were lost. Null now means absent for every optional field, and an item
// of an identifier array that is null is skipped, alike in the library, over HTTP and in the OpenAPI
// schema; a wrong type that is not null still rejects the event, naming its field.
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { Event } from '../../host/http/schemas.js';
import { call } from '../http/helpers.js';
import { openTwins } from './twins.js';

const TENANT = 'shop-nulls';
const twins = openTwins();

type Answer = { accepted: number; errors: { field: string; error: { code: string } }[] };
const viaHttp = async (event: unknown): Promise<Answer> => (await call(twins.server, 'POST', `/v1/tenants/${TENANT}/events`, { body: { events: [event] } })).body;
const viaLibrary = async (event: unknown): Promise<Answer> => twins.graph.ingest(TENANT, [event] as never) as Promise<Answer>;
const identifiersOf = async (customer: string, resolve: (c: string) => Promise<{ type: string; value: string }[] | null>) =>
  (await resolve(customer))?.map(({ type, value }) => `${type}:${value}`).sort() ?? null;
const ways = [
  ['HTTP', viaHttp, async (customer: string) => (await call(twins.server, 'GET', `/v1/tenants/${TENANT}/resolve?customer=${customer}`)).body.persona?.identifiers ?? null],
  ['the library', viaLibrary, async (customer: string) => {
    const [id] = await twins.graph.resolve(TENANT, [{ type: 'customer', value: customer }]);
    return id ? (await twins.graph.persona(TENANT, id))!.identifiers : null;
  }],
] as const;

const nulls: [string, Record<string, unknown>, string[]][] = [
  ['id, type, token, traits and timestamp', { id: null, type: null, token: null, traits: null, timestamp: null, identifiers: { email: 'n1@mail.bg' } }, ['email:n1@mail.bg']],
  ['identifier values', { type: 'checkout', identifiers: { email: 'n2@mail.bg', phone: null, device: null, subscriber: null } }, ['email:n2@mail.bg']],
  ['items of an identifier array', { type: 'checkout', identifiers: { email: ['n3@mail.bg', null], phone: [null] } }, ['email:n3@mail.bg']],
];

describe.each(ways)('null fields of an event sent through %s', (way, send, resolve) => {
  it.each(nulls)('%s: null is absent, the event is kept', async (_name, event, expected) => {
    const customer = `c-${way.length}-${expected[0]}`;
    const answer = await send({ ...event, identifiers: { ...(event.identifiers as object), customer } });
    expect(answer.errors).toEqual([]);
    expect(answer.accepted).toBe(1);
    expect(await identifiersOf(customer, resolve)).toEqual([...expected, `customer:${customer}`].sort());
  });

  it('an event whose only identifiers are null is refused for having none, not for a type', async () => {
    const answer = await send({ type: 'page', identifiers: { email: null, phone: [null] } });
    expect(answer.accepted).toBe(0);
    expect(answer.errors.map((e) => [e.field, e.error.code])).toEqual([['identifiers', 'no_identifiers']]);
  });

  it.each([
    ['id', { id: 5 }, 'id'], ['type', { type: 7 }, 'type'], ['token', { token: 1 }, 'token'], ['traits', { traits: 'plan' }, 'traits'],
    ['an identifier', { identifiers: { customer: 'c-x', phone: 359888 } }, 'identifiers.phone'],
    ['an item of an identifier array', { identifiers: { customer: 'c-x', email: ['a@b.bg', 5] } }, 'identifiers.email'],
    ['identifiers', { identifiers: 'c-x' }, 'identifiers'],
  ])('a wrong type that is not null still rejects the event: %s', async (_name, event, field) => {
    const answer = await send({ identifiers: { customer: 'c-x' }, ...event });
    expect(answer.accepted).toBe(0);
    expect(answer.errors.map((e) => e.field)).toEqual([field]);
  });
});

describe('the OpenAPI Event schema', () => {
  it('accepts the nulls the service accepts, and not the wrong types it refuses', () => {
    for (const [, event] of nulls) expect(Value.Check(Event, event), JSON.stringify(event)).toBe(true);
    expect(Value.Check(Event, { identifiers: { phone: 359888 } })).toBe(false);
    expect(Value.Check(Event, { traits: 'plan' })).toBe(false);
  });
});
