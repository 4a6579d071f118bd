// The fast reader of batch lookup bodies against the generic path (decodeWireBody, which is
// isUtf8 + JSON.parse): on random valid and broken bodies it must either answer exactly what the
// generic decoder answers or leave the body to it (undefined); never read a body differently.
import { describe, expect, it } from 'vitest';
import { lookupListDecoder } from '../../host/http/lookup-list-body.js';
import { decodeWireBody } from '../../host/http/wire/index.js';
import { mulberry32 } from '../../bench/seeded-random.js';
import { call, startTestServer } from './helpers.js';

const decode = lookupListDecoder('identifiers');

function generic(bytes: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: decodeWireBody(bytes, {}) };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

const TYPES = ['email', 'phone', 'device', 'customer', 'subscriber', 'fax', 'Email', ''];
const VALUES = ['ivan@shop.bg', 'c-1', '', '+359 88 123 4567', 'Ivan Petrov', 'ünïcødé', '😀 id', 'a"b', 'tab\there', 'back\\slash', '\u0000', '\u2028', 'x'.repeat(300)];
const SPACES = ['', ' ', '\n', '\t', '\r\n  '];

/** A random lookup list body, as any JSON client might write it (spacing, member order, escapes). */
function randomBody(next: () => number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const ws = () => (next() < 0.7 ? '' : pick(SPACES));
  const str = (s: string) => (next() < 0.01 ? JSON.stringify(s).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : JSON.stringify(s));
  const item = () => {
    const members = [`${ws()}${str('type')}${ws()}:${ws()}${str(pick(TYPES))}${ws()}`, `${ws()}${str('value')}${ws()}:${ws()}${next() < 0.03 ? '5' : str(pick(VALUES))}${ws()}`];
    if (next() < 0.5) members.reverse();
    if (next() < 0.03) members.push(`${str('extra')}:{"a":[1]}`);
    if (next() < 0.03) members.push(members[0]);
    if (next() < 0.03) members.pop();
    return `{${members.join(',')}}`;
  };
  const items = Array.from({ length: Math.floor(next() * 6) }, item).join(`${ws()},${ws()}`);
  const field = next() < 0.05 ? pick(['identifier', 'Identifiers', 'recipients']) : 'identifiers';
  let body = `${ws()}{${ws()}${str(field)}${ws()}:${ws()}[${ws()}${items}${ws()}]${ws()}${next() < 0.05 ? ',"more":1' : ''}}${ws()}`;
  if (next() < 0.05) body = `\uFEFF${body}`;
  return body;
}

/** Breaks a body at random: bytes inserted, removed or replaced, JSON's own characters and invalid UTF-8 among them. */
function mutate(bytes: Buffer, next: () => number): Buffer {
  const noise = [0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x2c, 0x3a, 0x5c, 0x20, 0x0a, 0x00, 0x1f, 0x80, 0xc3, 0xff, 0x61, 0x30];
  const out = [...bytes];
  for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
    const at = Math.floor(next() * (out.length + 1));
    const byte = noise[Math.floor(next() * noise.length)];
    const kind = next();
    if (kind < 0.4) out.splice(at, 0, byte);
    else if (kind < 0.7) out.splice(at, 1);
    else out[Math.min(at, out.length - 1)] = byte;
  }
  return Buffer.from(out);
}

describe('lookup list bodies read fast', () => {
  it('answer what JSON.parse answers, or leave the body to the generic decoder', () => {
    const next = mulberry32(42);
    let read = 0;
    let left = 0;
    for (let i = 0; i < 20_000; i++) {
      const valid = Buffer.from(randomBody(next));
      const bytes = next() < 0.5 ? valid : mutate(valid, next);
      const fast = decode(bytes);
      if (fast === undefined) {
        left++;
        continue;
      }
      read++;
      expect(generic(bytes), bytes.toString('latin1')).toEqual({ value: fast });
    }
    // most bodies are of the plain shape: the fast reader must actually take them
    expect(read).toBeGreaterThan(3_000);
    expect(left).toBeGreaterThan(4_000);
  });

  it('take the plain shape and leave escapes, other members and duplicates', () => {
    const plain = '{ "identifiers" : [ {"type":"email","value":"ivan@shop.bg"}, {"value":"ünï","type":"fax"} ] }\n';
    expect(decode(Buffer.from(plain))).toEqual({ identifiers: [{ type: 'email', value: 'ivan@shop.bg' }, { type: 'fax', value: 'ünï' }] });
    expect(decode(Buffer.from('{"identifiers":[]}'))).toEqual({ identifiers: [] });
    for (const other of [
      '{"identifiers":[{"type":"email","value":"a\\u0040b"}]}',
      '{"identifiers":[{"type":"email","value":"a","x":1}]}',
      '{"identifiers":[{"type":"email","type":"phone","value":"a"}]}',
      '{"identifiers":[{"type":"email"}]}',
      '{"identifiers":[],"identifiers":[]}',
      '{"identifiers":[{"type":"email","value":"a"}],}',
      '{"identifiers":[{"type":"email","value":"a"}]} x',
      '{"identifiers":[{"type":"email","value":"a\tb"}]}',
    ]) {
      expect(decode(Buffer.from(other)), other).toBeUndefined();
    }
    expect(decode(Buffer.from([...Buffer.from('{"identifiers":[{"type":"email","value":"'), 0xff, ...Buffer.from('"}]}')]))).toBeUndefined();
  });

  it('POST /resolve answers alike whichever reader took the body', async () => {
    const server = await startTestServer();
    try {
      await call(server, 'POST', '/v1/tenants/shop-a/events', { body: { type: 'login', identifiers: { email: 'ivan@shop.bg', customer: 'c-1' } } });
      const plain = '{"identifiers":[{"type":"email","value":"IVAN@shop.bg"},{"type":"customer","value":"c-2"},{"value":"c-1","type":"customer"}]}';
      const escaped = plain.replace('IVAN', '\\u0049VAN').replace('"c-1"', '"c\\u002d1"');
      const fast = await call(server, 'POST', '/v1/tenants/shop-a/resolve', { rawBody: plain });
      const slow = await call(server, 'POST', '/v1/tenants/shop-a/resolve', { rawBody: escaped });
      expect(fast.status).toBe(200);
      expect(fast.body.personas).toEqual([expect.stringMatching(/^psn_/), null, fast.body.personas[0]]);
      expect([slow.status, slow.body]).toEqual([fast.status, fast.body]);
      // an unknown type is refused alike by both readers
      const fax = await call(server, 'POST', '/v1/tenants/shop-a/resolve', { rawBody: '{"identifiers":[{"type":"fax","value":"1"}]}' });
      const faxEscaped = await call(server, 'POST', '/v1/tenants/shop-a/resolve', { rawBody: '{"identifiers":[{"type":"f\\u0061x","value":"1"}]}' });
      expect(fax.status).toBe(400);
      expect([faxEscaped.status, faxEscaped.body]).toEqual([fax.status, fax.body]);
    } finally {
      await server.shutdown();
    }
  });
});
