// xxHash64 (https://github.com/Cyan4973/xxHash, XXH64) over bytes already in linear memory.

const PRIME1: u64 = 0x9E3779B185EBCA87;
const PRIME2: u64 = 0xC2B2AE3D27D4EB4F;
const PRIME3: u64 = 0x165667B19E3779F9;
const PRIME4: u64 = 0x85EBCA77C2B2AE63;
const PRIME5: u64 = 0x27D4EB2F165667C5;
const STRIPE: usize = 32;

// @ts-ignore: decorator
@inline function round(acc: u64, lane: u64): u64 {
  return rotl<u64>(acc + lane * PRIME2, 31) * PRIME1;
}

// @ts-ignore: decorator
@inline function mergeRound(acc: u64, value: u64): u64 {
  return (acc ^ round(0, value)) * PRIME1 + PRIME4;
}

export function xxh64(ptr: usize, len: usize, seed: u64): u64 {
  const end = ptr + len;
  let h: u64;
  if (len >= STRIPE) {
    let v1 = seed + PRIME1 + PRIME2;
    let v2 = seed + PRIME2;
    let v3 = seed;
    let v4 = seed - PRIME1;
    const limit = end - STRIPE;
    do {
      v1 = round(v1, load<u64>(ptr));
      v2 = round(v2, load<u64>(ptr, 8));
      v3 = round(v3, load<u64>(ptr, 16));
      v4 = round(v4, load<u64>(ptr, 24));
      ptr += STRIPE;
    } while (ptr <= limit);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = seed + PRIME5;
  }
  h += <u64>len;
  while (ptr + 8 <= end) {
    h = rotl<u64>(h ^ round(0, load<u64>(ptr)), 27) * PRIME1 + PRIME4;
    ptr += 8;
  }
  if (ptr + 4 <= end) {
    h = rotl<u64>(h ^ (<u64>load<u32>(ptr) * PRIME1), 23) * PRIME2 + PRIME3;
    ptr += 4;
  }
  while (ptr < end) {
    h = rotl<u64>(h ^ (<u64>load<u8>(ptr) * PRIME5), 11) * PRIME1;
    ptr++;
  }
  h ^= h >> 33;
  h *= PRIME2;
  h ^= h >> 29;
  h *= PRIME3;
  h ^= h >> 32;
  return h;
}
