// GET /openapi.json is generated from the route table: it must list exactly the routes the router
// serves, cover the whole contract, and hang together as an OpenAPI 3.1 document.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PersonaGraph } from '../../host/index.js';
import { createHttpApi, type HttpApi } from '../../host/http/app.js';
import { call } from './helpers.js';

let graph: PersonaGraph;
let api: HttpApi;
let http: Server;
let url = '';
let doc: any;

beforeAll(async () => {
  graph = await PersonaGraph.open({ shards: 1 });
  api = createHttpApi(graph, { logger: pino({ level: 'silent' }), processMetrics: false });
  http = createServer(api.app.callback());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const answer = await call({ url }, 'GET', '/openapi.json');
  expect(answer.status).toBe(200);
  doc = answer.body;
});
afterAll(async () => {
  await new Promise((resolve) => http.close(resolve));
  await graph.close();
});

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function documented(): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).filter((m) => HTTP_METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe('GET /openapi.json', () => {
  it('lists exactly the routes the router serves', () => {
    const served = [...api.table.served()].sort();
    expect(served.length).toBeGreaterThan(30);
    expect(documented()).toEqual(served);
  });

  it('documents only operations the server answers (no 404 "no route", no 405)', async () => {
    for (const operation of documented()) {
      const [method, template] = operation.split(' ');
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'tenant' ? 'shop-a' : 'x'));
      const answer = await call({ url }, method, path);
      expect(answer.status, operation).not.toBe(405);
      if (answer.status === 404) expect(String(answer.body?.error?.message), operation).not.toMatch(/^no route/);
      // the contract: the OpenAPI document "is the full reference": every answer a client gets is documented
      expect(Object.keys(doc.paths[template][method.toLowerCase()].responses), operation).toContain(String(answer.status));
    }
  });

  it('documents the 503 that /readyz answers until the state is loaded', () => {
    expect(Object.keys(doc.paths['/readyz'].get.responses)).toEqual(expect.arrayContaining(['200', '503']));
  });

  it('covers every endpoint of the contract', () => {
    const contract = [
      'POST /v1/tenants/{tenant}/events', 'GET /v1/tenants/{tenant}/resolve', 'POST /v1/tenants/{tenant}/resolve',
      'GET /v1/tenants/{tenant}/personas/{id}', 'DELETE /v1/tenants/{tenant}/personas/{id}',
      'GET /v1/tenants/{tenant}/personas/{id}/graph', 'POST /v1/tenants/{tenant}/personas/{id}/split',
      'POST /v1/tenants/{tenant}/audiences/dedupe', 'POST /v1/tenants/{tenant}/devices', 'POST /v1/tenants/{tenant}/links',
      'PUT /v1/tenants/{tenant}/config', 'GET /v1/tenants/{tenant}/config', 'GET /v1/tenants/{tenant}/changes',
      'POST /v1/tenants/{tenant}/erase', 'POST /v1/tenants/{tenant}/campaigns/{campaign}/claims',
      'GET /t.js', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json',
      ...['batch', 'identify', 'track', 'page', 'screen', 'alias', 'group', 'i', 't', 'p', 's', 'a', 'g', 'b'].map((c) => `POST /v1/${c}`),
      'POST /batch/', 'POST /capture/', 'POST /e/', 'POST /i/v0/e/',
    ];
    expect(documented()).toEqual(expect.arrayContaining(contract));
  });

  it('is a well-formed OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const ids = new Set<string>();
    const schemes = Object.keys(doc.components.securitySchemes);
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const operation of Object.values(item)) {
        expect(ids.has(operation.operationId), operation.operationId).toBe(false);
        ids.add(operation.operationId);
        expect(operation.summary).toEqual(expect.any(String));
        expect(operation.responses['200']).toBeDefined();
        const pathParams = operation.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
        expect(pathParams, path).toEqual(templated);
        for (const requirement of operation.security) expect(schemes).toEqual(expect.arrayContaining(Object.keys(requirement)));
      }
    }
    // every $ref resolves; no TypeBox internals leak into the document
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      expect(ref.split('/').reduce((node: any, part) => node?.[part], doc), ref).toBeDefined();
    }
    expect(text).not.toMatch(/"\[?Kind\]?"|TypeBox/);
  });

  it('documents the request and response schemas the server validates with', () => {
    const resolve = doc.paths['/v1/tenants/{tenant}/resolve'];
    expect(resolve.get.parameters.map((p: any) => p.name)).toEqual(['tenant', 'email', 'phone', 'device', 'customer', 'subscriber', 'minSeq', '_']);
    expect(resolve.post.requestBody.content['application/json'].schema.properties.identifiers.type).toBe('array');
    const events = doc.paths['/v1/tenants/{tenant}/events'].post;
    expect(events.security).toEqual([{ bearerKey: [] }, { queryKey: [] }]);
    expect(JSON.stringify(events.requestBody)).toContain('"identifiers"');
    expect(events.responses['200'].content['application/json'].schema.required).toEqual(['accepted', 'duplicates', 'errors']);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/v1/tenants/{tenant}/links'].post.responses['403']).toBeDefined();
  });
});
