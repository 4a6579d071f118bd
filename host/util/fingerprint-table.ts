/**
 * A compact multimap from a string's 64-bit fingerprint to a number (where the string itself is
 * kept), in one typed array: 12 bytes per slot instead of the ~60 a Set<string> entry costs.
 * Fingerprints can collide, so a hit only names candidates; callers confirm against the place the
 * value points to. Open addressing with linear probing; grows at LOAD_FACTOR.
 */
const STRIDE = 3; // [fingerprint hi, fingerprint lo, value + 1 (0 = empty slot)]
const INITIAL_SLOTS = 1 << 10;
const LOAD_FACTOR = 0.6;
/** Values are stored + 1 in a u32, so 0 can mean an empty slot. */
export const MAX_FINGERPRINT_VALUE = 0xffff_fffe;

/** Two 32-bit hashes of the string's UTF-16 code units (FNV-1a and a multiply-xorshift), mixed. */
export function fingerprint(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return [mix(a), mix(b)];
}

/** murmur3's finalizer: every input bit affects every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class FingerprintTable {
  private slots = new Uint32Array(INITIAL_SLOTS * STRIDE);
  private mask = INITIAL_SLOTS - 1;
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  add(text: string, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > MAX_FINGERPRINT_VALUE) throw new RangeError(`value out of range: ${value}`);
    const [hi, lo] = fingerprint(text);
    if ((this.used + 1) > (this.mask + 1) * LOAD_FACTOR) this.grow();
    this.place(hi, lo, value + 1);
    this.used++;
  }

  /** Every value stored under the string's fingerprint (usually none or one). */
  candidates(text: string): number[] {
    const [hi, lo] = fingerprint(text);
    const found: number[] = [];
    const slots = this.slots;
    for (let i = hi & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * STRIDE;
      const stored = slots[at + 2];
      if (stored === 0) return found;
      if (slots[at] === hi && slots[at + 1] === lo) found.push(stored - 1);
    }
  }

  private place(hi: number, lo: number, stored: number): void {
    const slots = this.slots;
    let i = hi & this.mask;
    while (slots[i * STRIDE + 2] !== 0) i = (i + 1) & this.mask;
    const at = i * STRIDE;
    slots[at] = hi;
    slots[at + 1] = lo;
    slots[at + 2] = stored;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = (this.mask << 1) | 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 2] !== 0) this.place(old[at], old[at + 1], old[at + 2]);
    }
  }
}
