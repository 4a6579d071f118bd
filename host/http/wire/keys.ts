// The client key a request carries: Segment's writeKey (Basic auth or body), PostHog's api_key.
import { RequestError } from '../../types.js';

const BASIC_AUTH = /^basic\s+([A-Za-z0-9+/_-]+={0,2})\s*$/i;

/** The user part of an `Authorization: Basic` header (Segment clients send `writeKey:`), if any. */
export function writeKeyFromBasicAuth(header?: string): string | undefined {
  const match = BASIC_AUTH.exec(header ?? '');
  if (match === null) return undefined;
  const credentials = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  const user = colon === -1 ? credentials : credentials.slice(0, colon);
  return user === '' ? undefined : user;
}

/**
 * The one key found among the places a body may carry it (top level, each event). Non-string
 * values are ignored. Two different keys throw: the route authenticates the request with one key,
 * and events must not slip into a tenant under another tenant's key.
 */
export function singleBodyKey(candidates: unknown[], name: string): string | undefined {
  let key: string | undefined;
  for (const candidate of candidates) {
    if (typeof candidate !== 'string' || candidate === '') continue;
    if (key !== undefined && candidate !== key) {
      throw new RequestError(400, 'conflicting_keys', `the request carries more than one ${name}`);
    }
    key = candidate;
  }
  return key;
}
