// The body depth scan (string-skipping with indexOf) against the nesting JSON.parse itself sees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from '../../host/http/wire/json-depth.js';

/** Deepest nesting of objects and arrays in a parsed value (root container = 1). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

const scan = (text: string, max: number) => exceedsJsonDepth(Buffer.from(text, 'utf8'), max);

describe('exceedsJsonDepth', () => {
  it('agrees with the parsed depth, strings full of quotes, backslashes and brackets included', () => {
    const tricky = fc.oneof(fc.string(), fc.constantFrom('\\', '"', '\\"', '\\\\', '[[{', '}]]', '\\\\"[', 'é"ü\\'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(tricky, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(fc.property(value, fc.integer({ min: 0, max: 6 }), (v, max) => {
      const text = JSON.stringify(v);
      expect(scan(text, max)).toBe(depthOf(v) > max);
    }), { numRuns: 2000 });
  });

  it('counts brackets only outside strings', () => {
    expect(scan(JSON.stringify({ a: '[[[[[[', b: '\\"[[[[' }), 1)).toBe(false);
    expect(scan(JSON.stringify([[['x\\']]]), 2)).toBe(true);
    expect(scan(`{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 64)).toBe(true);
  });

  it('reads a Uint8Array that is not a Buffer', () => {
    const bytes = new TextEncoder().encode('[[["\\"]"]]]');
    expect(exceedsJsonDepth(bytes, 2)).toBe(true);
    expect(exceedsJsonDepth(bytes, 3)).toBe(false);
  });
});
