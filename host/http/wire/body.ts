// Raw request bytes → JSON value, the way analytics clients actually send them: gzip with or
// without a Content-Encoding header (posthog-js sends none), JSON under any Content-Type
// (analytics.js: text/plain; RudderStack: gzip labelled application/x-www-form-urlencoded).
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { RequestError } from '../../types.js';
import { exceedsJsonDepth } from './json-depth.js';
import { DEFAULT_MAX_BODY_BYTES } from './limits.js';

export interface WireHeaders {
  'content-encoding'?: string;
  /** Not used to choose a parser (clients mislabel JSON); only quoted when the body is not JSON. */
  'content-type'?: string;
}

export interface DecodeOptions {
  /** Largest body accepted, counted after decompression. */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays accepted. */
  maxDepth?: number;
}

/** Deep enough for any real analytics payload (analytics.js context is 4 levels). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const GZIP_MAGIC = [0x1f, 0x8b];
const GZIP_ENCODINGS = new Set(['gzip', 'x-gzip']);
const UTF8_BOM = '\uFEFF';

/**
 * Decodes an analytics request body. Throws RequestError: 400 `invalid_gzip` / `invalid_json`,
 * 413 `payload_too_large`, 415 `unsupported_encoding` (a Content-Encoding other than gzip).
 */
export function decodeWireBody(raw: Buffer, headers: WireHeaders, options: DecodeOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (raw.length > maxBytes) throw tooLarge(maxBytes);
  const bytes = declaresGzip(headers['content-encoding']) || startsWithGzipMagic(raw) ? gunzip(raw, maxBytes) : raw;
  return parseJson(bytes, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH, headers['content-type']);
}

function declaresGzip(contentEncoding: string | undefined): boolean {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return false;
  if (codings.length === 1 && GZIP_ENCODINGS.has(codings[0])) return true;
  throw new RequestError(
    415,
    'unsupported_encoding',
    `Content-Encoding "${contentEncoding}" is not supported; send gzip or no encoding`,
  );
}

// JSON text never starts with 0x1f, so the magic bytes alone identify gzip unambiguously.
function startsWithGzipMagic(raw: Buffer): boolean {
  return raw.length >= GZIP_MAGIC.length && GZIP_MAGIC.every((byte, i) => raw[i] === byte);
}

function gunzip(raw: Buffer, maxBytes: number): Buffer {
  try {
    // maxOutputLength makes zlib stop as soon as the output passes the cap: a gzip bomb costs
    // at most maxBytes of memory, never its full expansion.
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(maxBytes);
    throw new RequestError(400, 'invalid_gzip', `body is not valid gzip: ${(error as Error).message}`);
  }
}

function parseJson(bytes: Buffer, maxDepth: number, contentType: string | undefined): unknown {
  // decoding would silently turn invalid bytes into U+FFFD and make different ids equal
  if (!isUtf8(bytes)) throw invalidJson('body is not valid UTF-8', contentType);
  const text = bytes.toString('utf8');
  const json = text.startsWith(UTF8_BOM) ? text.slice(UTF8_BOM.length) : text;
  if (json.trim() === '') throw invalidJson('body is empty', contentType);
  if (exceedsJsonDepth(bytes, maxDepth)) throw invalidJson(`body nests deeper than ${maxDepth} levels`, contentType);
  try {
    return JSON.parse(json);
  } catch (error) {
    throw invalidJson(`body is not valid JSON: ${(error as Error).message}`, contentType);
  }
}

function invalidJson(message: string, contentType: string | undefined): RequestError {
  return new RequestError(400, 'invalid_json', message, contentType === undefined ? undefined : { contentType });
}

function tooLarge(maxBytes: number): RequestError {
  return new RequestError(413, 'payload_too_large', `body is larger than ${maxBytes} bytes (after decompression)`);
}
