// FNV-1a, 32-bit: the key hash of every reference (uf.c implements the very same function), so
// the references differ only in language and data structures, never in hash quality or cost.
// 32 bits suffice for a table of a few million slots: a hash hit is always confirmed by
// comparing the key bytes.

export const FNV1A_32_OFFSET = 0x811c9dc5;
export const FNV1A_32_PRIME = 0x01000193;

/**
 * FNV-1a 32-bit hash of bytes[start, end), as a signed 32-bit integer: the same bits as uf.c's
 * uint32_t, kept signed so V8 holds it as a small integer instead of boxing a double
 * (`>>> 0` gives the unsigned value).
 */
export function fnv1a32(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV1A_32_OFFSET | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV1A_32_PRIME);
  return h;
}
