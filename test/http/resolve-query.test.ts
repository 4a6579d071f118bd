// GET /resolve passes its usual queries with a cheap test instead of the ResolveQuery schema: every
// query the test passes must be one the schema accepts (what it does not pass, the schema checks).
import { parse } from 'node:querystring';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { ResolveQuery } from '../../host/http/schemas.js';
import { namesOneIdentifier } from '../../host/http/tenant-routes.js';
import { mulberry32 } from '../../bench/seeded-random.js';

const schema = TypeCompiler.Compile(ResolveQuery);
const NAMES = ['email', 'phone', 'device', 'customer', 'subscriber', 'minSeq', '_', 'key', 'fax', 'Email', '', '__proto__', 'constructor'];
const VALUES = ['a%40b.bg', 'cust-1', '', '12', '%E2%82%AC', 'x&y', '='];

describe('namesOneIdentifier', () => {
  it('passes only queries ResolveQuery accepts, and the usual ones', () => {
    const next = mulberry32(9);
    let passed = 0;
    for (let i = 0; i < 20_000; i++) {
      const pairs = Array.from({ length: Math.floor(next() * 4) }, () => `${NAMES[Math.floor(next() * NAMES.length)]}=${VALUES[Math.floor(next() * VALUES.length)]}`);
      const query = parse(pairs.join('&'));
      if (!namesOneIdentifier(query)) continue;
      passed++;
      expect(schema.Check(query), pairs.join('&')).toBe(true);
    }
    expect(passed).toBeGreaterThan(1_000);
    expect(namesOneIdentifier(parse('customer=c-1'))).toBe(true);
    for (const refused of ['customer=c-1&customer=c-2', 'customer=c-1&email=a', 'customer=c-1&minSeq=3', 'fax=1', '']) {
      expect(namesOneIdentifier(parse(refused)), refused).toBe(false);
    }
  });
});
