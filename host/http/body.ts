// Request bodies, read with a size cap: a declared Content-Length over the limit is refused
// before a byte is read, and a body that streams past it is cut off as soon as it does.
// The bytes are then decoded by the wire layer's decoder (gzip, BOM, nesting depth, JSON), so
// every route understands bodies the same way.
import type { IncomingMessage } from 'node:http';
import { RequestError } from '../types.js';
import { decodeWireBody } from './wire/index.js';

export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

function tooLarge(limit: number): RequestError {
  return new RequestError(413, 'payload_too_large', `request body is larger than ${limit} bytes`);
}

/** The raw body bytes; throws 413 `payload_too_large` past `limit`, 400 when the client aborts. */
function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  // Listeners rather than `for await`: leaving that loop early destroys the socket, and the
  // 413 could then never be sent.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.resume(); // discard the rest; the 413 closes the connection
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onAborted = () => {
      cleanup();
      reject(new RequestError(400, 'aborted', 'the request body was not received completely'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onAborted);
  });
}

/**
 * Reads a route's usual body faster than the generic decoder; undefined when the body is not of
 * that shape (or not plain JSON), and the generic decoder then decides what it is.
 */
export type FastBodyDecoder = (raw: Buffer) => unknown;

/** The body as JSON (gzip and any Content-Type accepted); 400 `invalid_json` when it is not. */
export async function readJsonBody(req: IncomingMessage, limit: number, fastDecoder?: FastBodyDecoder): Promise<unknown> {
  const raw = await readRawBody(req, limit);
  const contentEncoding = req.headers['content-encoding'];
  if (fastDecoder !== undefined && (contentEncoding === undefined || contentEncoding === '')) {
    const body = fastDecoder(raw);
    if (body !== undefined) return body;
  }
  return decodeWireBody(raw, {
    'content-encoding': contentEncoding,
    'content-type': req.headers['content-type'],
  }, { maxBytes: limit });
}
