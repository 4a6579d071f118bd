// api-contract "Library API": "The HTTP routes above are thin adapters over these calls, and return the
// same shapes." A malformed lookup or recipient (no value, a number, null) is a 400 over HTTP, but the
// library answered null / unreachable for it, so a bug in an embedding caller went unnoticed. Both now
// refuse it alike: the same status, code and path.
import { describe, expect, it } from 'vitest';
import { call } from '../http/helpers.js';
import { openTwins } from './twins.js';

const TENANT = 'shop-twins';
const twins = openTwins();

/** The HTTP answer's status, code and first error path; the library's likewise from what it throws. */
async function viaHttp(path: string, body: unknown) {
  const answer = await call(twins.server, 'POST', `/v1/tenants/${TENANT}/${path}`, { body });
  return { status: answer.status, code: answer.body.error?.code, path: answer.body.error?.details?.errors?.[0]?.path?.replace(/^body\//, '') };
}
async function viaLibrary(run: () => Promise<unknown>) {
  try {
    await run();
    return { status: 200 };
  } catch (err) {
    const e = err as { status?: number; code?: string; details?: { errors?: { path: string }[] } };
    return { status: e.status, code: e.code, path: e.details?.errors?.[0]?.path };
  }
}

const malformed: [string, unknown, string][] = [
  ['no value', { type: 'email' }, '1/value'],
  ['a number as value', { type: 'customer', value: 42 }, '1/value'],
  ['null', null, '1'],
];

describe('library calls refuse what their HTTP twins refuse', () => {
  it.each(malformed)('resolve, an item with %s', async (_name, item, path) => {
    const identifiers = [{ type: 'email', value: 'a@b.bg' }, item];
    const http = await viaHttp('resolve', { identifiers });
    const library = await viaLibrary(() => twins.graph.resolve(TENANT, identifiers as never));
    expect(http).toMatchObject({ status: 400, code: 'invalid_request', path: `identifiers/${path}` });
    expect(library).toEqual(http);
  });

  it.each(malformed)('dedupe, a recipient with %s', async (_name, item, path) => {
    const body = { channel: 'email', recipients: [{ type: 'email', value: 'a@b.bg' }, item] };
    const http = await viaHttp('audiences/dedupe', body);
    const library = await viaLibrary(() => twins.graph.dedupe(TENANT, body as never));
    expect(http).toMatchObject({ status: 400, code: 'invalid_request', path: `recipients/${path}` });
    expect(library).toEqual(http);
  });
});
