// How the explorer reads a search box entry (static/ui/identifiers.js, a browser module with no
// DOM work at import): a persona id opens directly, anything else is looked up as every type.
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain browser module, without type declarations
import { searchPlan, IDENTIFIER_TYPES } from '../../host/http/static/ui/identifiers.js';
import { IDENTIFIER_TYPES as CONTRACT_TYPES } from '../../host/types.js';

describe('searchPlan', () => {
  it('opens a persona id directly, in any case', () => {
    expect(searchPlan('  PSN_0123456789ABCDEF ')).toEqual({ persona: 'psn_0123456789abcdef' });
    expect(searchPlan('psn_0123', 'persona')).toEqual({ persona: 'psn_0123' });
  });

  it('looks anything else up as every identifier type, leaving normalization to the server', () => {
    expect(searchPlan(' 0888 123 456 ')).toEqual({ identifiers: CONTRACT_TYPES.map((type) => ({ type, value: '0888 123 456' })) });
    expect(searchPlan('psn_not-an-id').identifiers).toHaveLength(CONTRACT_TYPES.length);
  });

  it('looks up one type when one is chosen', () => {
    expect(searchPlan('c-100', 'customer')).toEqual({ identifiers: [{ type: 'customer', value: 'c-100' }] });
  });

  it('knows the contract\'s identifier types', () => {
    expect(IDENTIFIER_TYPES).toEqual([...CONTRACT_TYPES]);
  });
});
