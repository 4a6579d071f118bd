// Seeded, deterministic union-find workload shared by every implementation in `bench:core`
// (TypeScript references, the C reference via a binary file, and the WASM core).
import { readFile, writeFile } from 'node:fs/promises';

export interface Workload {
  /** All identifier values (ASCII, email-like) concatenated. */
  keys: Uint8Array;
  /** Key i is keys[keyOffsets[i] .. keyOffsets[i+1]); length ids + 1. */
  keyOffsets: Uint32Array;
  /** Pair k links ids unionPairs[2k] and unionPairs[2k+1]; length 2 × unions. */
  unionPairs: Uint32Array;
  /** Ids whose root is asked for, in order. */
  findIds: Uint32Array;
}

export interface WorkloadSpec {
  ids: number;
  unions: number;
  finds: number;
  seed: number;
}

export const FULL_SIZE: Omit<WorkloadSpec, 'seed'> = { ids: 2_000_000, unions: 3_000_000, finds: 5_000_000 };

export function idCount(w: Workload): number {
  return w.keyOffsets.length - 1;
}
export function unionCount(w: Workload): number {
  return w.unionPairs.length / 2;
}

// ---- people: how ids group into components ----------------------------------------------------

/** Share of persons with a single identifier (an anonymous device, a one-off email). */
const SINGLETON_SHARE = 0.15;
/** Share of persons with many identifiers (shared devices, households, bots). */
const LARGE_SHARE = 0.002;
const SMALL_MIN = 2;
const SMALL_MAX = 10;
/** Each size 2..10 is this much less likely than the one before (geometric tail). */
const SMALL_DECAY = 0.7;
const LARGE_MIN = 11;
const LARGE_MAX = 2000;
/** Share of union pairs that join two different persons (wrong or shared evidence). */
const CROSS_LINK_SHARE = 0.005;

// ---- keys --------------------------------------------------------------------------------------

const KEY_MIN_BYTES = 20;
const KEY_MAX_BYTES = 28;
const DOMAINS = ['gmail.com', 'abv.bg', 'yahoo.com', 'mail.bg', 'outlook.com', 'icloud.com', 'dir.bg', 'hotmail.com'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ASCII_DOT = 0x2e;
const ASCII_AT = 0x40;
const BASE36 = 36;

/** mulberry32: tiny, fast, good enough for shuffling benchmark data; period 2^32. */
function makeRandom(seed: number): { below(n: number): number; unit(): number } {
  let state = seed >>> 0;
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const TWO_POW_32 = 4294967296;
  return {
    unit: () => u32() / TWO_POW_32,
    below: (n) => Math.floor((u32() / TWO_POW_32) * n),
  };
}
type Random = ReturnType<typeof makeRandom>;

function shuffle(a: Uint32Array, rnd: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rnd.below(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

function personSize(rnd: Random): number {
  const r = rnd.unit();
  if (r < SINGLETON_SHARE) return 1;
  if (r < SINGLETON_SHARE + LARGE_SHARE) {
    // log-uniform: many hundreds-sized groups, a few thousands-sized
    const lo = Math.log(LARGE_MIN);
    return Math.floor(Math.exp(lo + rnd.unit() * (Math.log(LARGE_MAX) - lo)));
  }
  let size = SMALL_MIN;
  while (size < SMALL_MAX && rnd.unit() < SMALL_DECAY) size++;
  return size;
}

function validateSpec(spec: WorkloadSpec): void {
  for (const field of ['ids', 'unions', 'finds'] as const) {
    const v = spec[field];
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`workload: ${field} must be a non-negative integer, got ${v}`);
  }
  if (spec.ids < 2) throw new Error(`workload: ids must be at least 2, got ${spec.ids}`);
  // every phase needs at least one op to have a per-op figure
  if (spec.unions < 1 || spec.finds < 1) throw new Error(`workload: unions and finds must be at least 1`);
  if (spec.ids > 0xffffffff - 1) throw new Error(`workload: ids must fit in u32, got ${spec.ids}`);
  if (!Number.isSafeInteger(spec.seed)) throw new Error(`workload: seed must be an integer, got ${spec.seed}`);
}

/** Writes email-like, unique keys: `<letters>.<id in base 36>@<domain>`, 20..28 bytes each. */
function makeKeys(ids: number, rnd: Random): { keys: Uint8Array; keyOffsets: Uint32Array } {
  // A key outgrows KEY_MAX_BYTES only when its fixed parts (".", tag, "@", domain, one letter) do.
  const longestDomain = Math.max(...DOMAINS.map((d) => d.length));
  const longestKey = Math.max(KEY_MAX_BYTES, (ids - 1).toString(BASE36).length + longestDomain + 3);
  const buf = new Uint8Array(ids * longestKey);
  const keyOffsets = new Uint32Array(ids + 1);
  let at = 0;
  for (let i = 0; i < ids; i++) {
    keyOffsets[i] = at;
    const domain = DOMAINS[rnd.below(DOMAINS.length)];
    const tag = i.toString(BASE36); // makes every key unique: the local part has exactly one dot
    const target = KEY_MIN_BYTES + rnd.below(KEY_MAX_BYTES - KEY_MIN_BYTES + 1);
    const letters = Math.max(1, target - tag.length - domain.length - 2);
    for (let k = 0; k < letters; k++) buf[at++] = LETTERS.charCodeAt(rnd.below(LETTERS.length));
    buf[at++] = ASCII_DOT;
    for (let k = 0; k < tag.length; k++) buf[at++] = tag.charCodeAt(k);
    buf[at++] = ASCII_AT;
    for (let k = 0; k < domain.length; k++) buf[at++] = domain.charCodeAt(k);
  }
  keyOffsets[ids] = at;
  return { keys: buf.slice(0, at), keyOffsets };
}

/**
 * Union pairs: ids are randomly permuted, then cut into persons; each person gets a random
 * spanning tree (a new identifier is seen with a known one), the rest of the budget is repeated
 * evidence within a person plus a small share of cross-person links. The whole list is
 * shuffled: events of many people interleave.
 */
function makeUnionPairs(ids: number, unions: number, rnd: Random): Uint32Array {
  const perm = new Uint32Array(ids);
  for (let i = 0; i < ids; i++) perm[i] = i;
  shuffle(perm, rnd);

  // Person p owns perm[starts[p] .. starts[p+1]); personOfSlot maps a perm slot back to p.
  const personOfSlot = new Uint32Array(ids);
  const startsList: number[] = [];
  for (let slot = 0; slot < ids; ) {
    const size = Math.min(personSize(rnd), ids - slot);
    startsList.push(slot);
    personOfSlot.fill(startsList.length - 1, slot, slot + size);
    slot += size;
  }
  startsList.push(ids);
  const starts = Uint32Array.from(startsList);

  const crossBudget = Math.round(unions * CROSS_LINK_SHARE);
  const treeLinks = ids - (starts.length - 1);
  const treeBudget = Math.min(treeLinks, unions - crossBudget);

  const tree = new Uint32Array(treeLinks * 2);
  let t = 0;
  for (let p = 0; p + 1 < starts.length; p++) {
    const s = starts[p];
    for (let j = 1; j < starts[p + 1] - s; j++) {
      tree[t++] = perm[s + j];
      tree[t++] = perm[s + rnd.below(j)];
    }
  }
  if (treeBudget < treeLinks) shufflePairs(tree, rnd);

  const pairs = new Uint32Array(unions * 2);
  pairs.set(tree.subarray(0, treeBudget * 2));
  const persons = starts.length - 1;
  const canRepeat = treeLinks > 0; // some person has two members
  const canCross = persons > 1;
  const member = (p: number): number => perm[starts[p] + rnd.below(starts[p + 1] - starts[p])];
  // Repeated evidence: picked per id, so a person gets repeats in proportion to its size.
  const repeatLink = (k: number): void => {
    let slot: number;
    let p: number;
    do {
      slot = rnd.below(ids);
      p = personOfSlot[slot];
    } while (starts[p + 1] - starts[p] < 2);
    const size = starts[p + 1] - starts[p];
    pairs[k] = perm[slot];
    pairs[k + 1] = perm[starts[p] + ((slot - starts[p] + 1 + rnd.below(size - 1)) % size)];
  };
  // Cross links pick persons, not ids: picking ids would hand the large persons so many links
  // that they fuse into one giant component.
  const crossLink = (k: number): void => {
    const p = rnd.below(persons);
    pairs[k] = member(p);
    pairs[k + 1] = member((p + 1 + rnd.below(persons - 1)) % persons);
  };
  let k = treeBudget * 2;
  for (let r = unions - treeBudget - crossBudget; r > 0; r--, k += 2) (canRepeat ? repeatLink : crossLink)(k);
  for (let c = crossBudget; c > 0; c--, k += 2) (canCross ? crossLink : repeatLink)(k);

  shufflePairs(pairs, rnd);
  return pairs;
}

/** Shuffles pair order (Fisher-Yates) and randomly flips the two sides of each pair. */
function shufflePairs(pairs: Uint32Array, rnd: Random): void {
  const swapSlots = (x: number, y: number): void => {
    const t = pairs[x];
    pairs[x] = pairs[y];
    pairs[y] = t;
  };
  for (let i = pairs.length / 2 - 1; i >= 0; i--) {
    const j = rnd.below(i + 1);
    swapSlots(2 * i, 2 * j);
    swapSlots(2 * i + 1, 2 * j + 1);
    if (rnd.below(2) === 1) swapSlots(2 * i, 2 * i + 1);
  }
}

/** Builds the same workload for the same spec, on any machine. Find ids are uniform over all ids. */
export function makeWorkload(spec: WorkloadSpec): Workload {
  validateSpec(spec);
  const rnd = makeRandom(spec.seed);
  const { keys, keyOffsets } = makeKeys(spec.ids, rnd);
  const unionPairs = makeUnionPairs(spec.ids, spec.unions, rnd);
  const findIds = new Uint32Array(spec.finds);
  for (let i = 0; i < spec.finds; i++) findIds[i] = rnd.below(spec.ids);
  return { keys, keyOffsets, unionPairs, findIds };
}

/** Throws a clear error when a workload (made by hand or read from a file) is inconsistent. */
export function validateWorkload(w: Workload): void {
  const ids = idCount(w);
  if (ids < 1) throw new Error('workload: keyOffsets must hold at least 2 entries');
  if (w.keyOffsets[0] !== 0) throw new Error('workload: keyOffsets[0] must be 0');
  for (let i = 0; i < ids; i++) {
    if (w.keyOffsets[i + 1] < w.keyOffsets[i]) throw new Error(`workload: keyOffsets decrease at id ${i}`);
  }
  if (w.keyOffsets[ids] !== w.keys.length) {
    throw new Error(`workload: keyOffsets end at ${w.keyOffsets[ids]} but keys hold ${w.keys.length} bytes`);
  }
  if (w.unionPairs.length % 2 !== 0) throw new Error('workload: unionPairs length must be even');
  for (const [name, arr] of [['unionPairs', w.unionPairs], ['findIds', w.findIds]] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] >= ids) throw new Error(`workload: ${name}[${i}] = ${arr[i]} is not an id (ids: ${ids})`);
    }
  }
}

// ---- binary file -------------------------------------------------------------------------------
// Layout (all integers u32 little-endian), read by uf.c as well:
//   magic "PGUFWL01" (8 bytes) | ids | unions | finds | keyBytes
//   keyOffsets[ids + 1] | unionPairs[2 × unions] | findIds[finds] | keys[keyBytes]
// The u32 arrays come first so that every one of them starts 4-byte aligned.

export const WORKLOAD_MAGIC = 'PGUFWL01';
const HEADER_WORDS = 4;
const HEADER_BYTES = WORKLOAD_MAGIC.length + HEADER_WORDS * 4;

export function encodeWorkload(w: Workload): Uint8Array {
  validateWorkload(w);
  const ids = idCount(w);
  const header = new DataView(new ArrayBuffer(HEADER_BYTES));
  for (let i = 0; i < WORKLOAD_MAGIC.length; i++) header.setUint8(i, WORKLOAD_MAGIC.charCodeAt(i));
  [ids, unionCount(w), w.findIds.length, w.keys.length].forEach((v, i) =>
    header.setUint32(WORKLOAD_MAGIC.length + 4 * i, v, true),
  );
  const parts = [new Uint8Array(header.buffer), ...[w.keyOffsets, w.unionPairs, w.findIds].map(littleEndianBytes), w.keys];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function decodeWorkload(bytes: Uint8Array): Workload {
  if (bytes.length < HEADER_BYTES) throw new Error(`workload file: ${bytes.length} bytes is shorter than the header`);
  const magic = String.fromCharCode(...bytes.subarray(0, WORKLOAD_MAGIC.length));
  if (magic !== WORKLOAD_MAGIC) throw new Error(`workload file: bad magic ${JSON.stringify(magic)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [ids, unions, finds, keyBytes] = [0, 1, 2, 3].map((i) => view.getUint32(WORKLOAD_MAGIC.length + 4 * i, true));
  const expected = HEADER_BYTES + 4 * (ids + 1 + 2 * unions + finds) + keyBytes;
  if (bytes.length !== expected) throw new Error(`workload file: ${bytes.length} bytes, header says ${expected}`);
  let at = HEADER_BYTES;
  const u32s = (count: number): Uint32Array => {
    const arr = new Uint32Array(count);
    for (let i = 0; i < count; i++, at += 4) arr[i] = view.getUint32(at, true);
    return arr;
  };
  const keyOffsets = u32s(ids + 1);
  const unionPairs = u32s(2 * unions);
  const findIds = u32s(finds);
  const w = { keys: bytes.slice(at, at + keyBytes), keyOffsets, unionPairs, findIds };
  validateWorkload(w);
  return w;
}

function littleEndianBytes(arr: Uint32Array): Uint8Array {
  const out = new Uint8Array(arr.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < arr.length; i++) view.setUint32(4 * i, arr[i], true);
  return out;
}

export async function writeWorkload(w: Workload, path: string): Promise<void> {
  await writeFile(path, encodeWorkload(w));
}

export async function readWorkload(path: string): Promise<Workload> {
  return decodeWorkload(new Uint8Array(await readFile(path)));
}
