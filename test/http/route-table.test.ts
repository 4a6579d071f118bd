// The route table must find the same route, with the same parameters, as @koa/router (which it
// replaced on the request path) would for the same table: checked on generated request paths.
import Router from '@koa/router';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaGraph } from '../../host/index.js';
import { createHttpApi } from '../../host/http/app.js';
import type { RouteSpec } from '../../host/http/route.js';
import { RouteTable } from '../../host/http/route-table.js';

let graph: PersonaGraph;
let routes: RouteSpec[];
let table: RouteTable;
let router: Router;

beforeAll(async () => {
  graph = await PersonaGraph.open({ shards: 1 });
  routes = createHttpApi(graph, { logger: pino({ level: 'silent' }), processMetrics: false }).routes;
  table = new RouteTable(routes);
  router = new Router();
  for (const spec of routes) router.register(spec.path.replace(/\{(\w+)\}/g, ':$1'), [spec.method], [() => undefined], { name: spec.id });
});
afterAll(() => graph.close());

/** What @koa/router serves for `method path`: the first matching route's id and its parameters. */
function koaRouterMatch(method: string, path: string): { id: string; params: Record<string, string> } | undefined {
  const layer = router.match(path, method).pathAndMethod[0];
  if (layer === undefined) return undefined;
  return { id: layer.name!, params: layer.params(path, layer.captures(path), {}) };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
const PARAM_VALUES = ['shop-a', 'x', 'psn_1', 'a%2Fb', '%E2%82%AC', '%ZZ', 'A.B', ''];

/** A request path built from a route template, then perhaps mangled the ways clients mangle paths. */
const requestPath = fc.record({
  template: fc.integer({ min: 0, max: 1000 }),
  values: fc.array(fc.constantFrom(...PARAM_VALUES), { minLength: 3, maxLength: 3 }),
  upper: fc.boolean(),
  ending: fc.constantFrom('', '/', '//', '/extra'),
  prefix: fc.constantFrom('', '/v1', '//'),
}).map(({ template, values, upper, ending, prefix }) => {
  let n = 0;
  const path = routes[template % routes.length].path.replace(/\{\w+\}/g, () => values[n++]);
  return `${prefix}${upper ? path.toUpperCase() : path}${ending}`;
});

describe('RouteTable', () => {
  it('finds what @koa/router finds, with the same parameters', () => {
    fc.assert(fc.property(fc.constantFrom(...METHODS), requestPath, (method, path) => {
      const expected = koaRouterMatch(method, path);
      const found = table.find(method, path);
      expect(found && { id: found.spec.id, params: found.params }, `${method} ${path}`).toEqual(expected);
      // asked again (a remembered match), the same answer
      expect(table.find(method, path), `${method} ${path} again`).toEqual(found);
      const atPath = table.routesAt(path).map((spec) => spec.id);
      expect(atPath, path).toEqual(router.match(path, method).path.map((layer) => layer.name));
    }), { numRuns: 5000 });
  });

  it('answers HEAD with GET routes, ignores ASCII case and one trailing slash', () => {
    expect(table.find('HEAD', '/healthz')?.spec.id).toBe('health');
    expect(table.find('GET', '/HealthZ/')?.spec.id).toBe('health');
    expect(table.find('GET', '/healthz//')).toBeUndefined();
    expect(table.find('POST', '/batch/')?.spec.method).toBe('POST');
    expect(table.find('GET', '/v1/tenants/shop-a/personas/psn%5F1')?.params).toEqual({ tenant: 'shop-a', id: 'psn_1' });
  });

  it('remembers matches of short paths only, with parameters no caller can change', () => {
    const found = table.find('GET', '/v1/tenants/shop-a/resolve')!;
    expect(table.find('GET', '/v1/tenants/shop-a/resolve')).toBe(found);
    expect(() => { (found.params as Record<string, string>).tenant = 'other'; }).toThrow(TypeError);
    const long = `/v1/tenants/${'t'.repeat(300)}/resolve`;
    expect(table.find('GET', long)?.params.tenant).toBe('t'.repeat(300));
    expect(table.find('GET', long)).not.toBe(table.find('GET', long));
    // more distinct paths than are kept: each still found right
    for (let i = 0; i < 2_500; i++) expect(table.find('GET', `/v1/tenants/shop-${i}/config`)?.params.tenant).toBe(`shop-${i}`);
  });

  it('refuses a template whose parameter is not a whole segment', () => {
    const spec = { ...routes[0], id: 'partial', path: '/v1/x{tenant}' } as RouteSpec;
    expect(() => new RouteTable([spec])).toThrow(/whole path segment/);
  });
});
