/**
 * A size-capped map for memoizing pure functions whose inputs repeat (the same phone numbers
 * arrive again and again). Two generations approximate least-recently-used eviction at the cost
 * of plain Map lookups: hits in the old generation are promoted, and when the young one fills up
 * the old one is dropped whole. Holds at most `maxSize` entries. Values are never undefined, so a
 * lookup is one `Map.get` per generation (a first-seen value misses both: two lookups, not four).
 */
export class BoundedCache<K, V extends {} | null> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generationSize: number;

  constructor(readonly maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 1) {
      throw new RangeError(`BoundedCache maxSize must be a positive integer, got ${maxSize}`);
    }
    this.generationSize = Math.max(1, Math.floor(maxSize / 2));
  }

  get size(): number {
    let size = this.young.size;
    for (const key of this.old.keys()) if (!this.young.has(key)) size++;
    return size;
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  /** Returns the cached value, keeping it among the recently used ones. */
  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const promoted = this.old.get(key);
    if (promoted !== undefined) this.set(key, promoted);
    return promoted;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.generationSize && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
