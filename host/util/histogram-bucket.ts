/**
 * The histogram bucket a value falls in, as Prometheus counts it: the first whose upper bound is at
 * least the value; `bounds.length` (the +Inf bucket) when it is above every bound. `bounds` ascending.
 */
export function bucketOf(bounds: readonly number[], value: number): number {
  let bucket = 0;
  while (bucket < bounds.length && value > bounds[bucket]) bucket++;
  return bucket;
}
