// A stand-in for the persona-graph HTTP server, just big enough to exercise t.js in a real browser.
// It listens on two origins that serve the same things (pages, /t.js, the two tracker endpoints):
// tests load pages from one and point the tracker at the other, so every API call is cross-origin
// and CORS is real. It records what arrives and composes device ids deterministically.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrackedEvent {
  id: string;
  type: string;
  timestamp: string;
  identifiers: Record<string, string>;
  traits: Record<string, unknown>;
  token?: string;
}

/** One POST that reached the fake API, as received. */
export interface RecordedRequest {
  /** host:port the request was sent to */
  host: string | undefined;
  resource: 'devices' | 'events';
  tenant: string;
  authorization: string | undefined;
  /** the `key` query parameter (how sendBeacon authenticates) */
  queryKey: string | null;
  contentType: string | undefined;
  body: unknown;
  receivedAt: number;
  status: number;
}

export interface ReceivedEvent {
  event: TrackedEvent;
  request: RecordedRequest;
}

export interface FakeServerOptions {
  tenant: string;
  key: string;
  /** absolute path of the tracker script served at /t.js */
  trackerFile: string;
  /** page name → body HTML */
  pages: Record<string, (embed: PageEmbed) => string>;
}

export interface PageEmbed {
  /** the documented embed snippet, loading t.js from the API origin */
  trackerTag: string;
  apiOrigin: string;
}

export interface FakeServer {
  /** where tests load pages from: `${pageOrigin}/${pageName}` */
  pageOrigin: string;
  /** where the embed snippet loads t.js from, and so where the tracker sends */
  apiOrigin: string;
  requests: RecordedRequest[];
  events(): ReceivedEvent[];
  /** resolves with the first received event matching `match`, or rejects after `timeoutMs` */
  waitForEvent(match: (event: TrackedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  /** the next `count` requests to `resource` are answered with `status` */
  failNext(resource: RecordedRequest['resource'], status: number, count?: number): void;
  close(): Promise<void>;
}

/** generous: waits end as soon as the event arrives, and the test machine may be heavily shared */
const DEFAULT_WAIT_MS = 5000;
const POLL_MS = 20;
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
};
const API_PATH = /^\/v1\/tenants\/([^/]+)\/(devices|events)$/;

/** JSON with object keys sorted at every depth, so equal components hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A UUID (version 8, "custom") derived from the tenant and the fingerprint components. */
export function composeDeviceId(tenant: string, components: unknown): string {
  const hex = createHash('sha256').update(tenant).update('\0').update(canonicalJson(components)).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function isFingerprint(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  return ['browser', 'cpu', 'manufacturer', 'model'].every((k) => typeof b[k] === 'string') &&
    b.extra !== null && typeof b.extra === 'object';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { ...CORS_HEADERS, 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(text);
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const failures: Record<RecordedRequest['resource'], { status: number; count: number }> = {
    devices: { status: 0, count: 0 },
    events: { status: 0, count: 0 },
  };
  const servers = [createServer(), createServer()];
  const [pageOrigin, apiOrigin] = await Promise.all(servers.map(listen));
  const embed: PageEmbed = {
    trackerTag: `<script src="${apiOrigin}/t.js" data-tenant="${options.tenant}" data-key="${options.key}" async></script>`,
    apiOrigin,
  };

  function servePage(res: ServerResponse, name: string): void {
    const page = options.pages[name];
    if (!page) return send(res, 404, 'no such page', 'text/plain');
    send(res, 200, `<!doctype html><html><head><title>${name}</title></head><body>${page(embed)}</body></html>`,
      'text/html; charset=utf-8');
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = API_PATH.exec(url.pathname);
    if (!match) return servePage(res, url.pathname.slice(1));
    if (req.method === 'OPTIONS') return send(res, 204, '');
    if (req.method !== 'POST') return send(res, 405, errorBody('method_not_allowed', 'POST only'));
    const [, tenant, resource] = match as unknown as [string, string, RecordedRequest['resource']];
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const record: RecordedRequest = {
      host: req.headers.host,
      resource, tenant, body,
      authorization: req.headers.authorization,
      queryKey: url.searchParams.get('key'),
      contentType: req.headers['content-type'],
      receivedAt: Date.now(),
      status: 200,
    };
    requests.push(record);
    const reply = (status: number, payload: unknown) => {
      record.status = status;
      send(res, status, payload);
    };

    const failure = failures[resource];
    if (failure.count > 0) {
      failure.count--;
      return reply(failure.status, errorBody('injected_failure', `failure injected by the test (${failure.status})`));
    }
    const authorized = record.authorization === `Bearer ${options.key}` || record.queryKey === options.key;
    if (!authorized) return reply(401, errorBody('unauthorized', 'missing or wrong key'));
    if (tenant !== options.tenant) return reply(404, errorBody('unknown_tenant', `no tenant ${tenant}`));
    if (resource === 'devices') {
      if (!isFingerprint(body)) return reply(400, errorBody('invalid_fingerprint', 'expected fingerprint components'));
      return reply(200, { device: composeDeviceId(tenant, body) });
    }
    const events = (body as { events?: unknown }).events;
    if (!Array.isArray(events)) return reply(400, errorBody('invalid_body', 'expected {"events": [...]}'));
    return reply(200, { accepted: events.length, duplicates: 0, errors: [] });
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    if (url.pathname === '/t.js') {
      readFile(options.trackerFile, 'utf8').then(
        (source) => send(res, 200, source, 'text/javascript; charset=utf-8'),
        (err: Error) => send(res, 500, `cannot read tracker: ${err.message}`, 'text/plain'),
      );
      return;
    }
    handleApi(req, res, url).catch((err: Error) => send(res, 500, errorBody('fake_server_error', err.message)));
  };
  for (const server of servers) server.on('request', onRequest);

  function events(): ReceivedEvent[] {
    return requests
      .filter((r) => r.resource === 'events' && r.status === 200)
      .flatMap((request) => ((request.body as { events: TrackedEvent[] }).events).map((event) => ({ event, request })));
  }

  async function waitForEvent(match: (event: TrackedEvent) => boolean, timeoutMs = DEFAULT_WAIT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events().find((received) => match(received.event));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event reached the fake server within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  return {
    pageOrigin,
    apiOrigin,
    requests,
    events,
    waitForEvent,
    failNext(resource, status, count = 1) {
      failures[resource] = { status, count };
    },
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
