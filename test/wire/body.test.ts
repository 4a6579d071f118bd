import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeWireBody, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_JSON_DEPTH } from '../../host/http/wire/index.js';
import { requestError } from './helpers.js';

const PAYLOAD = { batch: [{ type: 'track', userId: 'u-1', event: 'Ünïcode ✓' }] };
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

describe('decodeWireBody', () => {
  it('parses JSON whatever the Content-Type says', () => {
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined]) {
      expect(decodeWireBody(json(PAYLOAD), { 'content-type': contentType })).toEqual(PAYLOAD);
    }
  });

  it('gunzips when Content-Encoding says gzip (any case, x-gzip too) and when only the magic bytes say so', () => {
    const gz = gzipSync(json(PAYLOAD));
    expect(decodeWireBody(gz, { 'content-encoding': 'gzip' })).toEqual(PAYLOAD);
    expect(decodeWireBody(gz, { 'content-encoding': 'GZip' })).toEqual(PAYLOAD);
    expect(decodeWireBody(gz, { 'content-encoding': 'x-gzip' })).toEqual(PAYLOAD);
    expect(decodeWireBody(gz, { 'content-encoding': 'identity, gzip' })).toEqual(PAYLOAD);
    expect(decodeWireBody(gz, {})).toEqual(PAYLOAD);
    expect(decodeWireBody(gz, { 'content-type': 'application/x-www-form-urlencoded' })).toEqual(PAYLOAD);
  });

  it('accepts identity encoding and a UTF-8 byte order mark', () => {
    expect(decodeWireBody(json(PAYLOAD), { 'content-encoding': 'identity' })).toEqual(PAYLOAD);
    expect(decodeWireBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(PAYLOAD)]), {})).toEqual(PAYLOAD);
  });

  it('stops a gzip bomb at the decompressed size cap (413)', () => {
    const bomb = gzipSync(Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = requestError(() => decodeWireBody(bomb, {}));
    expect([error.status, error.code]).toEqual([413, 'payload_too_large']);

    const small = gzipSync(json({ padding: 'x'.repeat(2000) }));
    expect(requestError(() => decodeWireBody(small, { 'content-encoding': 'gzip' }, { maxBytes: 1000 })).status).toBe(413);
    expect(decodeWireBody(small, {}, { maxBytes: 3000 })).toEqual({ padding: 'x'.repeat(2000) });
  });

  it('refuses an uncompressed body over the cap (413)', () => {
    const error = requestError(() => decodeWireBody(json({ padding: 'x'.repeat(100) }), {}, { maxBytes: 50 }));
    expect([error.status, error.code]).toEqual([413, 'payload_too_large']);
  });

  it('reports a body that claims gzip but is not, or is cut short, as invalid_gzip (400)', () => {
    const notGzip = requestError(() => decodeWireBody(json(PAYLOAD), { 'content-encoding': 'gzip' }));
    expect([notGzip.status, notGzip.code]).toEqual([400, 'invalid_gzip']);
    const gz = gzipSync(json(PAYLOAD));
    const truncated = requestError(() => decodeWireBody(gz.subarray(0, gz.length - 12), {}));
    expect([truncated.status, truncated.code]).toEqual([400, 'invalid_gzip']);
  });

  it('reports invalid and empty JSON as invalid_json (400), quoting the Content-Type', () => {
    const broken = requestError(() => decodeWireBody(Buffer.from('{"batch": ['), { 'content-type': 'text/plain' }));
    expect([broken.status, broken.code]).toEqual([400, 'invalid_json']);
    expect(broken.details).toEqual({ contentType: 'text/plain' });
    const form = requestError(() => decodeWireBody(Buffer.from('data=eyJhIjoxfQ%3D%3D'), {}));
    expect(form.code).toBe('invalid_json');
    for (const empty of ['', '  \n']) {
      const error = requestError(() => decodeWireBody(Buffer.from(empty), {}));
      expect([error.code, error.message]).toEqual(['invalid_json', 'body is empty']);
    }
    expect(requestError(() => decodeWireBody(gzipSync(Buffer.from('not json')), {})).code).toBe('invalid_json');
  });

  it('refuses JSON nested deeper than the limit before anything walks it', () => {
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    expect(decodeWireBody(Buffer.from(nested(DEFAULT_MAX_JSON_DEPTH)), {})).toBeInstanceOf(Array);
    const tooDeep = requestError(() => decodeWireBody(Buffer.from(nested(DEFAULT_MAX_JSON_DEPTH + 1)), {}));
    expect([tooDeep.status, tooDeep.code]).toEqual([400, 'invalid_json']);
    // A million brackets would overflow the stack of JSON.stringify later on.
    expect(requestError(() => decodeWireBody(Buffer.from(nested(1_000_000)), {})).code).toBe('invalid_json');
    // Brackets and escaped quotes inside strings do not count.
    const text = JSON.stringify({ s: '[[[[{{{{\\"[[[['.repeat(40) });
    expect(decodeWireBody(Buffer.from(text), {}, { maxDepth: 1 })).toEqual(JSON.parse(text));
  });

  it('refuses content encodings other than gzip (415)', () => {
    for (const encoding of ['br', 'deflate', 'gzip, br']) {
      const error = requestError(() => decodeWireBody(json(PAYLOAD), { 'content-encoding': encoding }));
      expect([error.status, error.code], encoding).toEqual([415, 'unsupported_encoding']);
    }
  });
});
