// Requests that arrive slowly, never finish, or flood the headers, sent over bare sockets. The
// server must act on no half-sent body, keep answering others while connections dangle, refuse
// header floods with a 4xx, and in the end hold exactly the state it held before.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../http/helpers.js';
import { startHostileServer, TENANT, type HostileServer } from './hostile-server.js';
import { openAndStall, rawRequest, type RawAnswer } from './raw-http.js';

/** Node's default limit on the request head is 16 KiB. */
const HEAD_LIMIT_BYTES = 16 * 1024;
const STALLED_CONNECTIONS = 200;
/** While connections stall, an ordinary request must still be answered this fast. */
const PROMPT_ANSWER_MS = 2000;

let target: HostileServer;
let before: Awaited<ReturnType<HostileServer['digest']>>;
let port = 0;

beforeAll(async () => {
  target = await startHostileServer();
  port = target.server.port;
  before = await target.digest();
}, 120_000);
afterAll(async () => {
  await target.close();
});

const validEvent = (customer: string) => JSON.stringify({ events: [{ id: `slow-${customer}`, type: 'login', identifiers: { customer } }] });

function head(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ host: '127.0.0.1', ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function expectErrorShape(answer: RawAnswer | null, status: number): void {
  expect(answer, 'no answer').not.toBeNull();
  expect(answer!.status, answer!.body).toBe(status);
  expect(answer!.headers['content-type'] ?? '(no content-type)', `${status} without a JSON body: ${JSON.stringify(answer!.body)}`).toMatch(/^application\/json/);
  expect(JSON.parse(answer!.body)).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
}

async function customerKnown(customer: string): Promise<boolean> {
  const answer = await call(target.server, 'GET', `/v1/tenants/${TENANT}/resolve?customer=${customer}`, { key: target.keys.admin });
  return answer.status === 200;
}

describe('half-sent and slow requests', () => {
  it('acts on no body the client hung up on: declared length or chunked', async () => {
    const events = `/v1/tenants/${TENANT}/events`;
    const auth = `Bearer ${target.keys.admin}`;
    const whole = validEvent('half-1');
    await rawRequest(port, [head('POST', events, { authorization: auth, 'content-type': 'application/json', 'content-length': whole.length + 1 }), whole], { then: 'hang-up' });
    const chunked = validEvent('half-2');
    await rawRequest(port, [
      head('POST', events, { authorization: auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      `${chunked.length.toString(16)}\r\n${chunked}\r\n`, // the whole event, but never the closing 0-chunk
    ], { then: 'hang-up' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await customerKnown('half-1')).toBe(false);
    expect(await customerKnown('half-2')).toBe(false);
  });

  it('answers a request dribbled out byte by byte like any other', async () => {
    const path = `/v1/tenants/${TENANT}/resolve?customer=a-1`;
    const bytes = [...head('GET', path, { authorization: `Bearer ${target.keys.admin}` })];
    const answer = await rawRequest(port, bytes, { delayMs: 2, timeoutMs: 30_000 });
    expect(answer?.status).toBe(200);
    expect(JSON.parse(answer!.body).persona.id).toBe(target.persona);
  });

  it(`keeps answering others promptly while ${STALLED_CONNECTIONS} connections stall mid-head or mid-body`, async () => {
    const stalled: Socket[] = [];
    try {
      for (let i = 0; i < STALLED_CONNECTIONS; i++) {
        const partial = i % 2 === 0
          ? `POST /v1/tenants/${TENANT}/events HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow-${i}: ` // head never ends
          : `${head('POST', `/v1/tenants/${TENANT}/events`, { authorization: `Bearer ${target.keys.admin}`, 'content-length': 1000 })}{"events": [`; // body never ends
        stalled.push(await openAndStall(port, partial));
      }
      const started = Date.now();
      const answer = await call(target.server, 'GET', `/v1/tenants/${TENANT}/resolve?customer=a-1`, { key: target.keys.admin });
      expect(answer.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(PROMPT_ANSWER_MS);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });
});

describe('header floods and broken requests', () => {
  it('refuses a head over the limit (one huge header, or thousands of small ones) with 431', async () => {
    const huge = await rawRequest(port, [head('GET', '/healthz', { 'x-huge': 'a'.repeat(HEAD_LIMIT_BYTES + 1) })]);
    const many = await rawRequest(port, [head('GET', '/healthz', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-h${i}`, 'v'])))]);
    for (const answer of [huge, many]) expect(answer?.status).toBe(431);
  });

  it('answers a 431 in the contract\'s error shape', async () => {
    expectErrorShape(await rawRequest(port, [head('GET', '/healthz', { 'x-huge': 'a'.repeat(HEAD_LIMIT_BYTES + 1) })]), 431);
  });

  it('answers a malformed request with 400 in the contract\'s error shape', async () => {
    expectErrorShape(await rawRequest(port, ['HELLO WORLD\r\n\r\n']), 400);
    expectErrorShape(await rawRequest(port, [`${head('POST', `/v1/tenants/${TENANT}/events`, { 'content-length': 'abc' })}{}`]), 400);
  });

  it('serves a request whose many small headers fit the limit, and a huge bearer key gets 401', async () => {
    const headers = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`x${i}`, 'v']));
    expect((await rawRequest(port, [head('GET', '/healthz', headers)]))?.status).toBe(200);
    const hugeKey = 'k'.repeat(HEAD_LIMIT_BYTES - 200);
    const answer = await rawRequest(port, [head('GET', `/v1/tenants/${TENANT}/config`, { authorization: `Bearer ${hugeKey}` })]);
    expectErrorShape(answer, 401);
    expect(answer!.body).not.toContain(hugeKey.slice(0, 64));
  });

  it('changed nothing, and still serves', async () => {
    expect(await target.digest()).toEqual(before);
    expect((await call(target.server, 'GET', '/healthz')).status).toBe(200);
  });
});
