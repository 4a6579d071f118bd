// The core's xxh64 against the xxHash project's published XXH64 sanity vectors, and against an
// independent BigInt port of the XXH64 specification for random inputs of every length 0..100.
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiateCore, createShardMemory, type CoreExports } from '../../host/engine/core.js';
import { rng, randomInt } from './helpers.js';

const MASK64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const PRIME32 = 2654435761n;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK64;
const mul = (a: bigint, b: bigint) => (a * b) & MASK64;
const add = (a: bigint, b: bigint) => (a + b) & MASK64;
const round = (acc: bigint, lane: bigint) => mul(rotl(add(acc, mul(lane, P2)), 31n), P1);
const mergeRound = (acc: bigint, v: bigint) => add(mul(acc ^ round(0n, v), P1), P4);

/** XXH64 written from the specification (github.com/Cyan4973/xxHash doc/xxhash_spec.md), on BigInt. */
function referenceXxh64(bytes: Uint8Array, seed: bigint): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  let p = 0;
  let h: bigint;
  if (len >= 32) {
    const v = [add(add(seed, P1), P2), add(seed, P2), seed, (seed - P1) & MASK64];
    while (p + 32 <= len) {
      for (let lane = 0; lane < 4; lane++) v[lane] = round(v[lane], view.getBigUint64(p + lane * 8, true));
      p += 32;
    }
    h = add(add(rotl(v[0], 1n), rotl(v[1], 7n)), add(rotl(v[2], 12n), rotl(v[3], 18n)));
    for (const lane of v) h = mergeRound(h, lane);
  } else {
    h = add(seed, P5);
  }
  h = add(h, BigInt(len));
  for (; p + 8 <= len; p += 8) h = add(mul(rotl(h ^ round(0n, view.getBigUint64(p, true)), 27n), P1), P4);
  if (p + 4 <= len) {
    h = add(mul(rotl(h ^ mul(BigInt(view.getUint32(p, true)), P1), 23n), P2), P3);
    p += 4;
  }
  for (; p < len; p++) h = mul(rotl(h ^ mul(BigInt(bytes[p]), P5), 11n), P1);
  h ^= h >> 33n;
  h = mul(h, P2);
  h ^= h >> 29n;
  h = mul(h, P3);
  h ^= h >> 32n;
  return h;
}

/** The xxHash sanity buffer: byte i is the top byte of PRIME32 · PRIME64^i. */
function sanityBuffer(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let gen = PRIME32;
  for (let i = 0; i < length; i++) {
    out[i] = Number(gen >> 56n);
    gen = mul(gen, 11400714785074694797n);
  }
  return out;
}

// (length of the sanity buffer prefix, seed, XXH64): cli/xsum_sanity_check.c of the xxHash project,
// plus lengths 3, 8, 16, 17, 32, 33, 100 from its generated tests/sanity_test_vectors.h
const SANITY_VECTORS: [number, bigint, bigint][] = [
  [0, 0n, 0xef46db3751d8e999n],
  [0, PRIME32, 0xac75fda2929b17efn],
  [1, 0n, 0xe934a84adb052768n],
  [1, PRIME32, 0x5014607643a9b4c3n],
  [3, 0n, 0xff7e1959cb50794an],
  [4, 0n, 0x9136a0dca57457een],
  [8, 0n, 0xcdbcf538e71d1348n],
  [14, 0n, 0x8282dcc4994e35c8n],
  [14, PRIME32, 0xc3bd6bf63deb6df0n],
  [16, 0n, 0x98c90b57fdfcb55cn],
  [17, 0n, 0x0d39a2d051a30c2cn],
  [32, 0n, 0x18b216492bb44b70n],
  [33, 0n, 0x55c8dc3e578f5b59n],
  [100, 0n, 0x4bfe019cd91d9ea4n],
  [222, 0n, 0xb641ae8cb691c174n],
  [222, PRIME32, 0x20cb8ab7ae10c14an],
];

const TEXT_VECTORS: [string, bigint][] = [
  ['', 0xef46db3751d8e999n],
  ['a', 0xd24ec4f1a98c6e5bn],
  ['abc', 0x44bc2cf5ad770999n],
];

describe('xxh64', () => {
  let core: CoreExports;
  let memory: WebAssembly.Memory;
  let slot: number;

  beforeAll(() => {
    memory = createShardMemory();
    core = instantiateCore(memory).exports;
    expect(core.initShard()).toBe(0);
    slot = core.readerSlot(0);
  });

  /** Hashes bytes written into a reader slot, at an offset so unaligned loads are exercised too. */
  function coreXxh64(bytes: Uint8Array, seed: bigint, offset = 0): bigint {
    new Uint8Array(memory.buffer).set(bytes, slot + offset);
    return BigInt.asUintN(64, core.xxh64(slot + offset, bytes.length, seed));
  }

  it.each(SANITY_VECTORS)('matches the xxHash sanity vector for %i bytes, seed %s', (length, seed, expected) => {
    const bytes = sanityBuffer(length);
    expect(coreXxh64(bytes, seed)).toBe(expected);
    expect(referenceXxh64(bytes, seed)).toBe(expected);
  });

  it.each(TEXT_VECTORS)('hashes %j to its published value', (text, expected) => {
    const bytes = new TextEncoder().encode(text);
    expect(coreXxh64(bytes, 0n)).toBe(expected);
    expect(referenceXxh64(bytes, 0n)).toBe(expected);
  });

  it('agrees with the BigInt port on random input of every length 0..100, seeds and alignments', () => {
    const next = rng(0x5eed);
    for (let length = 0; length <= 100; length++) {
      for (let trial = 0; trial < 4; trial++) {
        const bytes = Uint8Array.from({ length }, () => randomInt(next, 256));
        const seed = BigInt(randomInt(next, 2 ** 32)) << 32n | BigInt(randomInt(next, 2 ** 32));
        const offset = randomInt(next, 8);
        expect(coreXxh64(bytes, seed, offset), `length ${length}, seed ${seed}`).toBe(referenceXxh64(bytes, seed));
      }
    }
  });
});
