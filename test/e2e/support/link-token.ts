// Taking a link token apart and putting it back together, to tamper with one part at a time.
// Format (host/identity/link-token.ts): base64url(JSON payload) "." base64url(signature).

export type TokenPayload = Record<string, unknown> & { r: Record<string, unknown>; exp: number; kid: string };

export function decodeToken(token: string): { payload: TokenPayload; signature: string } {
  const [encoded, signature] = token.split('.');
  return { payload: JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as TokenPayload, signature };
}

export function encodeToken(payload: unknown, signature: string): string {
  return `${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}.${signature}`;
}

/** The token with its payload changed by `edit` and the original signature kept. */
export function withPayload(token: string, edit: (payload: TokenPayload) => void): string {
  const { payload, signature } = decodeToken(token);
  edit(payload);
  return encodeToken(payload, signature);
}
