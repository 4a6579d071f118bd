// HTTP/1.1 over a bare TCP socket, for what fetch will not send: half-sent bodies, bytes
// dribbled out slowly, oversized or countless headers, broken request lines.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawOptions {
  /** Pause between chunks, in ms. */
  delayMs?: number;
  /** After the last chunk: 'wait' for the answer (default) or 'hang-up' at once. */
  then?: 'wait' | 'hang-up';
  /** Give up waiting for an answer after this long (resolves null). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Parses one HTTP/1.1 response (Content-Length or read-to-close bodies). */
export function parseResponse(text: string): RawAnswer | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, body: text.slice(end + 4) };
}

/** Sends `chunks` on a fresh connection to 127.0.0.1:port and reads what comes back. */
export function rawRequest(port: number, chunks: (string | Buffer)[], options: RawOptions = {}): Promise<RawAnswer | null> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(received));
    };
    const timer = setTimeout(finish, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    socket.on('data', (data) => {
      received += data.toString('utf8');
      const answer = parseResponse(received);
      const length = answer ? Number(answer.headers['content-length']) : Number.NaN;
      if (answer && Number.isFinite(length) && Buffer.byteLength(answer.body) >= length) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      }
      if (options.then === 'hang-up') {
        // give the bytes a moment to leave, then drop the connection mid-request
        setTimeout(finish, 50);
      }
    });
  });
}

/** Opens a connection, sends `chunk` and leaves it open; returns the socket to close later. */
export function openAndStall(port: number, chunk: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(chunk);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}
