// How the host serves the explorer (/ui) and the dashboard's data (/quality): every file the page
// loads is served from this server (no CDN, no build step), with a strict Content-Security-Policy,
// revalidation by ETag, and clear 4xx for anything else; the quality summary needs a secret key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { defaultUiDirectory } from '../../host/http/ui-files.js';
import { QualityResponse } from '../../host/http/quality-routes.js';
import { startExplorerServer, type ExplorerServer } from './support/explorer-server.js';

let api: ExplorerServer;

beforeAll(async () => {
  api = await startExplorerServer('shop-a');
  await api.ingest([
    { id: 'e1', type: 'login', identifiers: { email: 'ana@post.bg', customer: 'c-1', device: '3f1c2a9e-7b4d-4e21-9a55-0c8e6f1d2b01' } },
    { id: 'e2', type: 'checkout', identifiers: { email: 'test@test.com', customer: 'c-2' } },
  ]);
});
afterAll(() => api?.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Same-origin paths a page or module asks for: src/href attributes and static imports. */
function referencedPaths(text: string, from: string): string[] {
  const paths: string[] = [];
  for (const match of text.matchAll(/(?:src|href)="([^"#]+)"/g)) paths.push(match[1]);
  for (const match of text.matchAll(/^import [^'"]*['"]([^'"]+)['"]/gm)) paths.push(new URL(match[1], `http://host${from}`).pathname);
  return paths;
}

describe('GET /ui', () => {
  it('serves the page with a Content-Security-Policy that keeps it to this server', async () => {
    const page = await get('/ui');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.text).toContain('<script type="module" src="/ui/app.js"></script>');
  });

  it('serves every file the page loads, and all of them from /ui', async () => {
    const seen = new Set<string>();
    const queue = ['/ui'];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const file = await get(path);
      expect(file.status, path).toBe(200);
      if (path.endsWith('.js') && !path.includes('/vendor/')) {
        expect(file.headers.get('content-type'), path).toBe('application/javascript; charset=utf-8');
      }
      if (path.endsWith('.js') || path === '/ui') {
        for (const next of referencedPaths(file.text, path)) {
          expect(next, `${path} refers to ${next}`).toMatch(/^\/ui\//);
          queue.push(next);
        }
      }
    }
    // the page, its modules and style, the icon, both libraries: every own file is reachable
    const own = readdirSync(defaultUiDirectory()).filter((name) => name !== 'index.html').map((name) => `/ui/${name}`);
    expect([...seen]).toEqual(expect.arrayContaining([...own, '/ui/vendor/cytoscape.min.js', '/ui/vendor/chart.umd.js']));
  });

  it('serves the libraries\' browser builds from node_modules', async () => {
    const cytoscape = await get('/ui/vendor/cytoscape.min.js');
    expect(cytoscape.status).toBe(200);
    expect(cytoscape.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(cytoscape.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(cytoscape.text).toContain('cytoscape');
    const chart = await get('/ui/vendor/chart.umd.js');
    expect(chart.status).toBe(200);
    expect(chart.text).toMatch(/^\/\*!\s*\n \* Chart\.js v4\./);
  });

  it('lets browsers revalidate by ETag', async () => {
    const first = await get('/ui/app.js');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    // as a revalidating browser asks (fetch alone would add no-cache, which forbids a 304)
    expect((await get('/ui/app.js', { 'if-none-match': etag!, 'cache-control': 'max-age=0' })).status).toBe(304);
  });

  it('answers unknown and malformed file names with a clear 4xx, never a file outside static/ui', async () => {
    const missing = await get('/ui/nope.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.code).toBe('not_found');
    for (const path of ['/ui/..%2Fui-routes.ts', '/ui/%2e%2e%2fapp.ts', '/ui/app.ts', '/ui/vendor/..%2F..%2Fpackage.json', '/ui/.env']) {
      const answer = await get(path);
      expect([400, 404], path).toContain(answer.status);
      expect(JSON.parse(answer.text).error.code, path).toMatch(/^(invalid_request|not_found)$/);
    }
    expect((await get('/ui/vendor/jquery.js')).status).toBe(404);
  });
});

describe('GET /v1/tenants/{tenant}/quality', () => {
  it('gives the tenant\'s quality summary to its secret key', async () => {
    const summary = await api.call<any>('GET', 'quality');
    expect(Value.Check(QualityResponse, summary), JSON.stringify([...Value.Errors(QualityResponse, summary)][0])).toBe(true);
    // Ana (email, customer, device), the junk email alone (it links nothing), and c-2 alone
    expect(summary.stats).toMatchObject({ personas: 3, identifiers: 5 });
    expect(summary.sizes.slice(0, 3).map((b: { personas: number }) => b.personas)).toEqual([2, 0, 1]);
    expect(summary.largest[0]).toMatchObject({ size: 3, counts: { email: 1, customer: 1, device: 1, phone: 0, subscriber: 0 } });
    expect(summary.blocked).toBe(1);
    expect(summary.flagged).toEqual([expect.objectContaining({ type: 'email', value: 'test@test.com', blocked: true, shared: false })]);
  });

  it('refuses a write key, no key, and another tenant\'s key', async () => {
    await expect(api.call('GET', 'quality', undefined, api.writeKey)).rejects.toThrow(/403/);
    await expect(api.call('GET', 'quality', undefined, '')).rejects.toThrow(/401/);
    await expect(api.call('GET', '/v1/tenants/shop-b/quality')).rejects.toThrow(/403/);
  });
});
