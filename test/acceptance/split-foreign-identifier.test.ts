// api-contract "Quality tools": POST …/personas/{id}/split cuts the persona's identifiers. Naming one the
// persona does not hold (another person's email, a typo, a value never seen) answered 200 with the persona
// unchanged and still logged a split: the caller could not tell a refused cut from a done one. It is now a
// 400 naming the identifier, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, startTestServer, type TestServer } from '../http/helpers.js';

const T = '/v1/tenants/shop-split-foreign';
let server: TestServer;
let ana = '';

beforeAll(async () => {
  server = await startTestServer();
  const events = [
    { type: 'checkout', identifiers: { email: 'ana@mail.bg', phone: '0888111222', customer: 'c-ana' } },
    { type: 'checkout', identifiers: { email: 'bob@mail.bg', customer: 'c-bob' } },
  ];
  await call(server, 'POST', `${T}/events`, { body: { events } });
  ana = (await call(server, 'GET', `${T}/resolve?customer=c-ana`)).body.persona.id;
});
afterAll(async () => { await server.shutdown(); });

const split = (body: unknown) => call(server, 'POST', `${T}/personas/${ana}/split`, { body });

describe('split naming identifiers outside the persona', () => {
  it.each([
    ['another persona\'s email', { identifiers: [{ type: 'email', value: 'bob@mail.bg' }] }, 'identifiers/0'],
    ['a value never seen', { identifiers: [{ type: 'phone', value: '0888111222' }, { type: 'customer', value: 'c-nobody' }] }, 'identifiers/1'],
    ['an edge between two identifiers of someone else', { edges: [{ from: { type: 'email', value: 'bob@mail.bg' }, to: { type: 'customer', value: 'c-bob' } }] }, 'edges/0'],
  ])('%s: 400 not_in_persona naming it, nothing logged or changed', async (_name, body, path) => {
    const before = await call(server, 'GET', `${T}/changes`);
    const answer = await split(body);
    expectError(answer, 400, 'not_in_persona');
    expect(JSON.stringify(answer.body.error.details)).toContain(path);
    expect((await call(server, 'GET', `${T}/personas/${ana}`)).body.identifiers).toHaveLength(3);
    expect((await call(server, 'GET', `${T}/resolve?customer=c-bob`)).body.persona.identifiers).toHaveLength(2);
    expect((await call(server, 'GET', `${T}/changes`)).body).toEqual(before.body);
  });

  it('an identifier in another spelling of the persona\'s own is cut as before', async () => {
    const answer = await split({ identifiers: [{ type: 'phone', value: '+359 888 111 222' }] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.personas).toHaveLength(2);
  });
});
