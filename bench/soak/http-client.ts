// A lean keep-alive HTTP client for load generation: node:http with a bounded socket pool, no
// fetch machinery per request, so the client takes as little of the shared CPU as it can.
import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  body: string;
  /** Milliseconds from sending to the last byte of the answer. */
  ms: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class LoadClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, maxSockets: number) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** One request; a network failure or timeout is status 0. */
  send(method: string, path: string, body?: unknown): Promise<Reply> {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
      const done = (status: number, text: string) => resolve({ status, body: text, ms: performance.now() - started });
      const req = request({
        host: this.host, port: this.port, method, path, agent: this.agent, timeout: REQUEST_TIMEOUT_MS,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => done(0, ''));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => done(0, ''));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
