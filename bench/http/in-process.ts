// Requests answered by a Koa app's callback without sockets: an IncomingMessage on a socket that
// discards what it is sent (node:http's response formatting included; its parser, syscalls and the
// load generator not). On a shared machine this is far steadier than load over 127.0.0.1.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

export type Callback = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A socket that takes every write at once and keeps nothing. */
export function sinkSocket(): Socket {
  const socket = new Socket();
  socket._writev = (_chunks, done) => done();
  socket._write = (_chunk, _encoding, done) => done();
  return socket;
}

export interface InProcessRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Answers one request through `callback`; resolves with the status once the response finished. */
export function request(callback: Callback, socket: Socket, { method, path, headers, body }: InProcessRequest): Promise<number> {
  const req = new IncomingMessage(socket);
  req.method = method;
  req.url = path;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = { host: '127.0.0.1', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  if (body) req.push(body);
  req.push(null);
  // as node:http's parser marks it: an incomplete message destroys its socket when it closes
  req.complete = true;
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise((resolve) => {
    res.once('finish', () => {
      res.detachSocket(socket);
      resolve(res.statusCode);
    });
    void callback(req, res);
  });
}

/** CPU µs of this process per request over `count` sequential requests (each checked to succeed). */
export async function cpuPerRequest(name: string, callback: Callback, requests: InProcessRequest[], count: number): Promise<number> {
  const socket = sinkSocket();
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const r = requests[i % requests.length];
    const status = await request(callback, socket, r);
    if (status !== 200) throw new Error(`${name}: ${r.method} ${r.path} answered ${status}`);
  }
  const used = process.cpuUsage(started);
  socket.destroy();
  return (used.user + used.system) / count;
}
