/**
 * A live spatial index over unit vectors: a coarse latitude/longitude grid whose entries live in
 * flat typed arrays sorted by cell (so a query reads contiguous memory), plus per-row overflow
 * chains for entries added or moved since the last rebuild. Moves inside a cell are in place;
 * moves across cells append to the overflow; the sorted part is rebuilt (radix sort, O(n)) once
 * the overflow outgrows an eighth of the index, which keeps updates O(1) amortised.
 *
 * The index stores, per entry, the hot fields a candidate scan needs (position, the squared chord
 * of the technician's own radius, a flag mask, skill and certification masks and the slot), so a
 * scan never leaves these arrays until a technician has passed every cheap test.
 */
import { EARTH_RADIUS_KM } from './sphere.js';

/** Grid resolution in degrees (rows and columns). */
export const CELL_DEG = 0.25;
/** Rows of the grid (latitude bands). */
export const ROWS = 180 / CELL_DEG;
/** Columns of the grid (longitude bands). */
export const COLS = 360 / CELL_DEG;

/** Stride of {@link GridIndex.coords}: x, y, z, ownRadiusChord2. */
export const C_STRIDE = 4;
/** Stride of {@link GridIndex.meta}: flags, skills, certifications, slot. */
export const M_STRIDE = 4;

const DEG = 180 / Math.PI;
const EPS_DEG = 1e-9;

function rowOf(lat: number): number {
  const r = Math.floor((lat + 90) / CELL_DEG);
  return r < 0 ? 0 : r >= ROWS ? ROWS - 1 : r;
}

function colOf(lon: number): number {
  const c = Math.floor((lon + 180) / CELL_DEG);
  return c < 0 ? 0 : c >= COLS ? COLS - 1 : c;
}

/** The cell key of a coordinate (row-major). */
export function cellKey(lat: number, lon: number): number {
  return rowOf(lat) * COLS + colOf(lon);
}

/**
 * Live grid index. Entries are identified by the caller's slot number; the index keeps
 * slot → entry itself. All arrays are public for the scan loops in `plan.ts`; mutate only
 * through the methods.
 */
export class GridIndex {
  /** x, y, z, ownRadiusChord2 per entry. */
  coords: Float64Array;
  /** flags (0 = dead entry), skills, certifications, slot per entry. */
  meta: Uint32Array;
  /** Cell key per entry. */
  keys: Int32Array;
  /** The technician's cached score quality per entry (float32: the planner's upper bound only). */
  quality: Float32Array;
  /** Next overflow entry in the same row, or -1; indexed by entry − baseCount (overflow entries only). */
  next: Int32Array;
  /** Base (sorted) entries of row r are [rowStart[r], rowStart[r + 1]). */
  readonly rowStart = new Int32Array(ROWS + 1);
  /** First overflow entry of each row, or -1. */
  readonly rowHead = new Int32Array(ROWS).fill(-1);
  /** slot → entry, -1 when the slot has none. */
  slotEntry: Int32Array;
  /** Entries [0, baseCount) are sorted by key. */
  baseCount = 0;
  /** Entries in use (sorted base + overflow, live or dead). */
  count = 0;
  /** Live entries. */
  live = 0;
  /** Rebuilds so far (for tests and benchmarks). */
  rebuilds = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.coords = new Float64Array(cap * C_STRIDE);
    this.meta = new Uint32Array(cap * M_STRIDE);
    this.keys = new Int32Array(cap);
    this.quality = new Float32Array(cap);
    this.next = new Int32Array(cap);
    this.slotEntry = new Int32Array(cap).fill(-1);
  }

  /** Entries the arrays can hold before growing. */
  get capacity(): number {
    return this.keys.length;
  }

  /** Bytes held by the index's typed arrays. */
  get byteLength(): number {
    return (
      this.coords.byteLength +
      this.meta.byteLength +
      this.keys.byteLength +
      this.quality.byteLength +
      this.next.byteLength +
      this.rowStart.byteLength +
      this.rowHead.byteLength +
      this.slotEntry.byteLength
    );
  }

  /** Inserts (or re-inserts) `slot` at a position with its hot fields. */
  insert(
    slot: number,
    x: number,
    y: number,
    z: number,
    lat: number,
    lon: number,
    r2: number,
    flags: number,
    skills: number,
    certs: number,
  ): void {
    this.ensureSlot(slot);
    if (this.slotEntry[slot]! >= 0) this.remove(slot);
    if (this.needsRebuild) this.rebuild();
    if (this.count === this.capacity) this.grow(Math.ceil(this.capacity * 1.5) + 16);
    const e = this.count++;
    const key = cellKey(lat, lon);
    this.write(e, x, y, z, r2, flags, skills, certs, slot, key);
    const row = (key / COLS) | 0;
    this.next[e - this.baseCount] = this.rowHead[row]!;
    this.rowHead[row] = e;
    this.slotEntry[slot] = e;
    this.live++;
  }

  /** Moves `slot` to a new position; in place when the cell does not change. */
  move(slot: number, x: number, y: number, z: number, lat: number, lon: number): void {
    const e = this.slotEntry[slot]!;
    const key = cellKey(lat, lon);
    if (key === this.keys[e]) {
      const o = e * C_STRIDE;
      this.coords[o] = x;
      this.coords[o + 1] = y;
      this.coords[o + 2] = z;
      return;
    }
    const m = e * M_STRIDE;
    const r2 = this.coords[e * C_STRIDE + 3]!;
    const q = this.quality[e]!;
    this.insert(slot, x, y, z, lat, lon, r2, this.meta[m]!, this.meta[m + 1]!, this.meta[m + 2]!);
    this.quality[this.slotEntry[slot]!] = q;
  }

  /** Sets the cached quality of `slot`. */
  setQuality(slot: number, q: number): void {
    const e = this.slotEntry[slot]!;
    if (e >= 0) this.quality[e] = q;
  }

  /** Updates the hot fields of `slot` in place. */
  update(slot: number, r2: number, flags: number, skills: number, certs: number): void {
    const e = this.slotEntry[slot]!;
    this.coords[e * C_STRIDE + 3] = r2;
    const m = e * M_STRIDE;
    this.meta[m] = flags;
    this.meta[m + 1] = skills;
    this.meta[m + 2] = certs;
  }

  /** Sets only the flag word of `slot`. */
  setFlags(slot: number, flags: number): void {
    this.meta[this.slotEntry[slot]! * M_STRIDE] = flags;
  }

  /** Removes `slot` (its entry becomes dead until the next rebuild). */
  remove(slot: number): void {
    const e = this.slotEntry[slot]!;
    if (e < 0) return;
    this.meta[e * M_STRIDE] = 0;
    this.slotEntry[slot] = -1;
    this.live--;
  }

  /** Whether the overflow has outgrown the sorted part enough to be worth a rebuild. */
  get needsRebuild(): boolean {
    const overflow = this.count - this.baseCount;
    const dead = this.count - this.live;
    return overflow + dead > (this.live >> 4) + 32;
  }

  /**
   * Collects the entry ranges that may hold points within `km` of (lat, lon) into `out` as
   * [start, end) pairs and returns the number of pairs. Every point within `km` is in a range;
   * ranges also hold farther points and dead entries, which the caller filters exactly.
   */
  ranges(lat: number, lon: number, km: number, out: RangeBuffer): number {
    if (this.needsRebuild) this.rebuild();
    out.length = 0;
    const angle = km / EARTH_RADIUS_KM;
    const angleDeg = angle * DEG + EPS_DEG;
    const latMin = lat - angleDeg;
    const latMax = lat + angleDeg;
    const r0 = rowOf(latMin);
    const r1 = rowOf(latMax);
    // Column intervals (at most two, when the window crosses the antimeridian).
    let a0 = 0;
    let b0 = COLS - 1;
    let a1 = 1;
    let b1 = 0; // empty second interval
    const cosLat = Math.cos((lat * Math.PI) / 180);
    const sinA = Math.sin(Math.min(angle, Math.PI / 2));
    if (latMax < 90 && latMin > -90 && angle < Math.PI / 2 && sinA < cosLat) {
      const dLon = Math.asin(sinA / cosLat) * DEG + EPS_DEG;
      const lo = Math.floor((lon - dLon + 180) / CELL_DEG);
      const hi = Math.floor((lon + dLon + 180) / CELL_DEG);
      if (hi - lo + 1 < COLS) {
        if (lo < 0) {
          a0 = 0;
          b0 = hi;
          a1 = lo + COLS;
          b1 = COLS - 1;
        } else if (hi >= COLS) {
          a0 = lo;
          b0 = COLS - 1;
          a1 = 0;
          b1 = hi - COLS;
        } else {
          a0 = lo;
          b0 = hi;
        }
      }
    }
    const keys = this.keys;
    for (let r = r0; r <= r1; r++) {
      const rs = this.rowStart[r]!;
      const re = this.rowStart[r + 1]!;
      if (re > rs) {
        this.pushBase(keys, rs, re, r * COLS + a0, r * COLS + b0, out);
        if (a1 <= b1) this.pushBase(keys, rs, re, r * COLS + a1, r * COLS + b1, out);
      }
      for (let e = this.rowHead[r]!; e >= 0; e = this.next[e - this.baseCount]!) {
        const c = keys[e]! - r * COLS;
        if ((c >= a0 && c <= b0) || (c >= a1 && c <= b1)) out.push(e, e + 1);
      }
    }
    return out.length >> 1;
  }

  private pushBase(
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

  /** Sorts every live entry by cell into a fresh base and empties the overflow. O(n) radix sort. */
  rebuild(): void {
    const n = this.live;
    // Scratch lives only for the rebuild: keeping it would cost 8 bytes per technician.
    let a = new Uint32Array(n);
    let b = new Uint32Array(n);
    let k = 0;
    for (let e = 0; e < this.count; e++) if (this.meta[e * M_STRIDE] !== 0) a[k++] = e;
    // LSD radix sort on the 21-bit key, 11 + 10 bits; stable, so cell order follows entry order.
    const keys = this.keys;
    for (let pass = 0; pass < 2; pass++) {
      const shift = pass === 0 ? 0 : 11;
      const bits = pass === 0 ? 11 : 10;
      const buckets = new Int32Array((1 << bits) + 1);
      const mask = (1 << bits) - 1;
      for (let i = 0; i < n; i++) buckets[((keys[a[i]!]! >>> shift) & mask) + 1]!++;
      for (let i = 1; i < buckets.length; i++) buckets[i]! += buckets[i - 1]!;
      for (let i = 0; i < n; i++) {
        const e = a[i]!;
        b[buckets[(keys[e]! >>> shift) & mask]!++] = e;
      }
      const t = a;
      a = b;
      b = t;
    }
    const cap = Math.max(16, Math.ceil(n * 1.125) + 64, Math.min(this.capacity, n * 2));
    const coords = new Float64Array(cap * C_STRIDE);
    const meta = new Uint32Array(cap * M_STRIDE);
    const newKeys = new Int32Array(cap);
    const quality = new Float32Array(cap);
    const oq = this.quality;
    const oc = this.coords;
    const om = this.meta;
    for (let i = 0; i < n; i++) {
      const e = a[i]!;
      const o = e * C_STRIDE;
      const t = i * C_STRIDE;
      coords[t] = oc[o]!;
      coords[t + 1] = oc[o + 1]!;
      coords[t + 2] = oc[o + 2]!;
      coords[t + 3] = oc[o + 3]!;
      const m = e * M_STRIDE;
      const u = i * M_STRIDE;
      meta[u] = om[m]!;
      meta[u + 1] = om[m + 1]!;
      meta[u + 2] = om[m + 2]!;
      meta[u + 3] = om[m + 3]!;
      newKeys[i] = keys[e]!;
      quality[i] = oq[e]!;
      this.slotEntry[om[m + 3]!] = i;
    }
    this.coords = coords;
    this.meta = meta;
    this.keys = newKeys;
    this.quality = quality;
    this.next = new Int32Array(cap - n);
    this.rowHead.fill(-1);
    this.rowStart.fill(0);
    for (let i = 0; i < n; i++) this.rowStart[((newKeys[i]! / COLS) | 0) + 1]!++;
    for (let r = 1; r <= ROWS; r++) this.rowStart[r]! += this.rowStart[r - 1]!;
    this.baseCount = n;
    this.count = n;
    this.rebuilds++;
  }

  private write(
    e: number,
    x: number,
    y: number,
    z: number,
    r2: number,
    flags: number,
    skills: number,
    certs: number,
    slot: number,
    key: number,
  ): void {
    const o = e * C_STRIDE;
    this.coords[o] = x;
    this.coords[o + 1] = y;
    this.coords[o + 2] = z;
    this.coords[o + 3] = r2;
    const m = e * M_STRIDE;
    this.meta[m] = flags;
    this.meta[m + 1] = skills;
    this.meta[m + 2] = certs;
    this.meta[m + 3] = slot;
    this.keys[e] = key;
  }

  private grow(cap: number): void {
    const coords = new Float64Array(cap * C_STRIDE);
    coords.set(this.coords);
    const meta = new Uint32Array(cap * M_STRIDE);
    meta.set(this.meta);
    const keys = new Int32Array(cap);
    keys.set(this.keys);
    const quality = new Float32Array(cap);
    quality.set(this.quality);
    this.quality = quality;
    const next = new Int32Array(cap - this.baseCount);
    next.set(this.next);
    this.coords = coords;
    this.meta = meta;
    this.keys = keys;
    this.next = next;
  }

  private ensureSlot(slot: number): void {
    if (slot < this.slotEntry.length) return;
    const grown = new Int32Array(Math.max(slot + 1, Math.ceil(this.slotEntry.length * 1.5))).fill(-1);
    grown.set(this.slotEntry);
    this.slotEntry = grown;
  }
}

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

function lowerBound(keys: Int32Array, lo: number, hi: number, key: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
