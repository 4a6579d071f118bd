// A tiny HTTP proxy in front of the server that can answer 503 to the next N event posts, and
// records what the server answered to each, so tests can count accepted and duplicate events.
//   'lost-request': the server never sees the request (it failed on the way in);
//   'lost-answer':  the server ingests it, the client only sees 503 (the answer was lost), so the
//                   client's retry must be recognised as a duplicate.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FailureMode = 'lost-request' | 'lost-answer';

export interface Exchange {
  method: string;
  path: string;
  /** What the client got. */
  status: number;
  /** Whether this exchange was failed on purpose. */
  injected: boolean;
  /** The request's Content-Encoding and Content-Type headers, if any. */
  encoding?: string;
  contentType?: string;
  /** The server's parsed JSON answer; undefined when the server never saw the request. */
  serverAnswer?: { accepted?: number; duplicates?: number; errors?: unknown[] } & Record<string, unknown>;
}

export interface FailingProxy {
  url: string;
  /** Every POST that went through, in order (preflights and other methods are passed through unrecorded). */
  exchanges: Exchange[];
  /** The next `count` POSTs answer 503 in `mode`. */
  failNext(count: number, mode: FailureMode): void;
  /** Sums of `accepted` and `duplicates` over the server's answers. */
  totals(): { accepted: number; duplicates: number };
  close(): Promise<void>;
}

const OVERLOADED_BODY = JSON.stringify({ error: { code: 'overloaded', message: 'injected by the test proxy' } });
/** Tells clients that honour it to retry at once, keeping tests short. */
const RETRY_AFTER_SECONDS = '0';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export async function startFailingProxy(target: string): Promise<FailingProxy> {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  let failures: { left: number; mode: FailureMode } = { left: 0, mode: 'lost-request' };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded = incoming.method === 'POST';
      const inject = recorded && failures.left > 0 ? failures.mode : null;
      if (inject) failures.left--;
      const exchange: Exchange = {
        method: incoming.method ?? '', path: incoming.url ?? '', status: 0, injected: inject !== null,
        encoding: incoming.headers['content-encoding'], contentType: incoming.headers['content-type'],
      };
      if (recorded) exchanges.push(exchange);
      const answer = (status: number, headers: IncomingHttpHeaders | Record<string, string>, payload: Buffer | string) => {
        exchange.status = status;
        outgoing.writeHead(status, passable(headers));
        outgoing.end(payload);
      };
      const failHeaders = (headers: IncomingHttpHeaders) => ({ ...passable(headers), 'content-type': 'application/json', 'retry-after': RETRY_AFTER_SECONDS });

      if (inject === 'lost-request') {
        // CORS headers still matter: a browser must be able to see the 503 to retry it
        answer(503, { 'access-control-allow-origin': incoming.headers.origin ?? '*' }, OVERLOADED_BODY);
        return;
      }
      const forwarded = httpRequest({
        host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      }, (response) => {
        const answerChunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => answerChunks.push(chunk));
        response.on('end', () => {
          const payload = Buffer.concat(answerChunks);
          if (recorded) exchange.serverAnswer = parseJson(payload);
          if (inject === 'lost-answer') answer(503, failHeaders(response.headers), OVERLOADED_BODY);
          else answer(response.statusCode ?? 502, response.headers, payload);
        });
      });
      forwarded.on('error', () => answer(502, {}, ''));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    failNext(count, mode) {
      failures = { left: count, mode };
    },
    totals() {
      return exchanges.reduce((sum, e) => ({
        accepted: sum.accepted + (e.serverAnswer?.accepted ?? 0),
        duplicates: sum.duplicates + (e.serverAnswer?.duplicates ?? 0),
      }), { accepted: 0, duplicates: 0 });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function passable(headers: IncomingHttpHeaders | Record<string, string>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

function parseJson(payload: Buffer): Exchange['serverAnswer'] {
  try {
    return JSON.parse(payload.toString('utf8')) as Exchange['serverAnswer'];
  } catch {
    return { unparsed: payload.toString('utf8').slice(0, 200) };
  }
}
