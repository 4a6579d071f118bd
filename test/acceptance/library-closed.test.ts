// api-contract "Library API": after `graph.close()` the facade's calls fail with a clear error of their
// own (code `closed`), not a store's internals, and never answer from state that is going away.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pg-library-closed-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('PersonaGraph after close', () => {
  it('rejects ingest, resolve, persona and dedupe with code "closed"; close again is harmless', async () => {
    const graph = await PersonaGraph.open({ dataDir });
    await graph.ingest('shop-a', [{ type: 'login', identifiers: { customer: 'c-1', email: 'ana@mail.bg' } }]);
    const [id] = await graph.resolve('shop-a', [{ type: 'email', value: 'Ana@Mail.bg' }]);
    expect(id).toMatch(/^psn_/);
    await graph.close();

    const calls: [string, () => Promise<unknown>][] = [
      ['ingest', () => graph.ingest('shop-a', [{ identifiers: { customer: 'c-2' } }])],
      ['resolve', () => graph.resolve('shop-a', [{ type: 'customer', value: 'c-1' }])],
      ['persona', () => graph.persona('shop-a', id!)],
      ['dedupe', () => graph.dedupe('shop-a', { channel: 'email', recipients: [{ type: 'customer', value: 'c-1' }] })],
      ['resolve on a tenant not seen before', () => graph.resolve('shop-new', [{ type: 'customer', value: 'c-1' }])],
    ];
    for (const [name, call] of calls) {
      await expect(call(), name).rejects.toMatchObject({ code: 'closed' });
    }
    await graph.close();

    const reopened = await PersonaGraph.open({ dataDir });
    try {
      expect(await reopened.resolve('shop-a', [{ type: 'customer', value: 'c-1' }, { type: 'customer', value: 'c-2' }])).toEqual([id, null]);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});
