/**
 * The grid index's helpers: the reusable range buffer, the binary search that turns a row's key
 * interval into a range, and the rebuild's radix sort.
 */

/** A growable list of int pairs reused across queries (no allocation per query once warm). */
export class RangeBuffer {
  data = new Int32Array(256);
  length = 0;
  push(a: number, b: number): void {
    if (this.length + 2 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
  }
}

/** First position in [lo, hi) of sorted `keys` whose key is ≥ `key`. */
export function lowerBound(keys: Int32Array, lo: number, hi: number, key: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pushes the range of sorted entries [lo, hi) whose keys lie in [kLo, kHi] onto `out`, if any. */
export function pushBase(
  keys: Int32Array,
  lo: number,
  hi: number,
  kLo: number,
  kHi: number,
  out: RangeBuffer,
): void {
  const s = lowerBound(keys, lo, hi, kLo);
  const t = lowerBound(keys, s, hi, kHi + 1);
  if (t > s) out.push(s, t);
}

/**
 * The live entries among [0, count) (flag word `meta[e * stride]` ≠ 0; `live` of them) in key
 * order: LSD radix sort on a key below 2^26, two passes of 13 bits; stable, so equal keys keep
 * entry order. The scratch lives only for the call: keeping it would cost 8 bytes per entry.
 */
export function radixSortEntries(
  keys: Int32Array,
  meta: Uint32Array,
  stride: number,
  count: number,
  live: number,
): Uint32Array {
  let a = new Uint32Array(live);
  let b = new Uint32Array(live);
  let k = 0;
  for (let e = 0; e < count; e++) if (meta[e * stride] !== 0) a[k++] = e;
  const buckets = new Int32Array(8193);
  for (let shift = 0; shift < 26; shift += 13) {
    buckets.fill(0);
    for (let i = 0; i < live; i++) buckets[((keys[a[i]!]! >>> shift) & 8191) + 1]!++;
    for (let i = 1; i < buckets.length; i++) buckets[i]! += buckets[i - 1]!;
    for (let i = 0; i < live; i++) {
      const e = a[i]!;
      b[buckets[(keys[e]! >>> shift) & 8191]!++] = e;
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}
