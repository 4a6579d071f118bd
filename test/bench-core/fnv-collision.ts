// Finds two different keys of one length with the same FNV-1a hash, so a test can show that the
// identifier tables tell keys apart by their bytes (not by hash or length).
import { fnv1a32 } from '../../bench/core/fnv1a.js';

/** Keys are unique (the mix is a bijection on u32) and all 16 bytes long. */
function keyOf(i: number): string {
  return `k${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}@x.bg`;
}

/** A birthday search: about 100k keys give a 32-bit collision on average; the cap is generous. */
const SEARCH_CAP = 2_000_000;

export function fnvCollision(): [string, string] {
  const encoder = new TextEncoder();
  const byHash = new Map<number, string>();
  for (let i = 0; i < SEARCH_CAP; i++) {
    const key = keyOf(i);
    const h = fnv1a32(encoder.encode(key), 0, key.length);
    const other = byHash.get(h);
    if (other !== undefined) return [other, key];
    byHash.set(h, key);
  }
  throw new Error(`no FNV-1a collision among ${SEARCH_CAP} keys`);
}
