/**
 * A live spatial index over unit vectors: a coarse latitude/longitude grid whose entries live in
 * flat typed arrays sorted by cell (so a query reads contiguous memory), plus per-row overflow
 * chains for entries added or moved since the last rebuild. Moves inside a cell are in place;
 * moves across cells append to the overflow; the sorted part is rebuilt (radix sort, O(n)) once
 * the overflow outgrows a sixteenth of the index, which keeps updates O(1) amortised.
 *
 * Entries are grouped by **radius class** (the technician's own service radius, see
 * `radius-classes.ts`) before the cell: the sort key is `class × cells + cell`, each class has its
 * own rows. A covering query (who can serve this point?) scans each class only out to the largest
 * radius in that class, so a few technicians with a huge radius cost their own entries, not a
 * country-wide window on every query.
 *
 * The index stores, per entry, the hot fields a candidate scan needs (position, the squared chord
 * of the technician's own radius, a flag mask, skill and certification masks and the slot), so a
 * scan never leaves these arrays until a technician has passed every cheap test.
 */

import { Coord, Meta } from '../layout.js';
import { CELL_DEG, CELLS, COLS, cellKey, queryWindow, ROWS } from './cells.js';
import { CLASSES, radiusClass } from './radius-classes.js';
import { pushBase, RangeBuffer, radixSortEntries } from './ranges.js';
import { chord2ToKm } from './sphere.js';

export { CELL_DEG, COLS, cellKey, RangeBuffer, ROWS };

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
  /** Sort key per entry: radius class × cells + cell. */
  keys: Int32Array;
  /** The technician's cached score quality per entry (float32: the planner's upper bound only). */
  quality: Float32Array;
  /** Next overflow entry in the same row, or -1; indexed by entry − baseCount (overflow entries only). */
  next: Int32Array;
  /** Base (sorted) entries of row r of class c are [rowStart[c·ROWS + r], rowStart[c·ROWS + r + 1]). */
  readonly rowStart = new Int32Array(CLASSES * ROWS + 1);
  /** First overflow entry of each row of each class, or -1. */
  readonly rowHead = new Int32Array(CLASSES * ROWS).fill(-1);
  /** Largest own-radius chord² of each class (exact after a rebuild, never lower than the truth). */
  readonly classMaxR2 = new Float64Array(CLASSES);
  /** {@link classMaxR2} in km, a hair wide, for query windows. */
  readonly classMaxKm = new Float64Array(CLASSES);
  /** Live entries per class. */
  readonly classLive = new Int32Array(CLASSES);
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

  /** The query window of the last computed radius (see {@link queryWindow}). */
  private readonly win = new Int32Array(6);

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.coords = new Float64Array(cap * Coord.STRIDE);
    this.meta = new Uint32Array(cap * Meta.STRIDE);
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
    const key = radiusClass(r2) * CELLS + cellKey(lat, lon);
    this.insertKey(slot, x, y, z, r2, flags, skills, certs, key);
  }

  private insertKey(
    slot: number,
    x: number,
    y: number,
    z: number,
    r2: number,
    flags: number,
    skills: number,
    certs: number,
    key: number,
  ): void {
    this.ensureSlot(slot);
    if (this.slotEntry[slot]! >= 0) this.remove(slot);
    if (this.needsRebuild) this.rebuild();
    if (this.count === this.capacity) this.grow(Math.ceil(this.capacity * 1.5) + 16);
    const e = this.count++;
    this.write(e, x, y, z, r2, flags, skills, certs, slot, key);
    const row = (key / COLS) | 0; // class × ROWS + row
    this.next[e - this.baseCount] = this.rowHead[row]!;
    this.rowHead[row] = e;
    this.slotEntry[slot] = e;
    this.live++;
    const c = (key / CELLS) | 0;
    this.classLive[c]!++;
    this.raiseClassMax(c, r2);
  }

  private raiseClassMax(c: number, r2: number): void {
    if (r2 > this.classMaxR2[c]!) {
      this.classMaxR2[c] = r2;
      this.classMaxKm[c] = chord2ToKm(r2) * (1 + 1e-9);
    }
  }

  /** Moves `slot` to a new position; in place when the cell does not change. */
  move(slot: number, x: number, y: number, z: number, lat: number, lon: number): void {
    const e = this.slotEntry[slot]!;
    const old = this.keys[e]!;
    const key = old - (old % CELLS) + cellKey(lat, lon);
    if (key === old) {
      const o = e * Coord.STRIDE;
      this.coords[o + Coord.X] = x;
      this.coords[o + Coord.Y] = y;
      this.coords[o + Coord.Z] = z;
      return;
    }
    this.rekey(slot, e, x, y, z, this.coords[e * Coord.STRIDE + Coord.R2]!, key);
  }

  /** Re-inserts entry `e` of `slot` under a new key, keeping its masks and quality. */
  private rekey(slot: number, e: number, x: number, y: number, z: number, r2: number, key: number): void {
    const m = e * Meta.STRIDE;
    const q = this.quality[e]!;
    this.insertKey(
      slot,
      x,
      y,
      z,
      r2,
      this.meta[m + Meta.FLAGS]!,
      this.meta[m + Meta.SKILLS]!,
      this.meta[m + Meta.CERTS]!,
      key,
    );
    this.quality[this.slotEntry[slot]!] = q;
  }

  /** Sets the cached quality of `slot`. */
  setQuality(slot: number, q: number): void {
    const e = this.slotEntry[slot]!;
    if (e >= 0) this.quality[e] = q;
  }

  /** Updates the hot fields of `slot`; a radius that changes class moves the entry to that class. */
  update(slot: number, r2: number, flags: number, skills: number, certs: number): void {
    let e = this.slotEntry[slot]!;
    const old = this.keys[e]!;
    const c = radiusClass(r2);
    if (c !== ((old / CELLS) | 0)) {
      const o = e * Coord.STRIDE;
      const key = c * CELLS + (old % CELLS);
      this.rekey(
        slot,
        e,
        this.coords[o + Coord.X]!,
        this.coords[o + Coord.Y]!,
        this.coords[o + Coord.Z]!,
        r2,
        key,
      );
      e = this.slotEntry[slot]!;
    }
    this.coords[e * Coord.STRIDE + Coord.R2] = r2;
    this.raiseClassMax(c, r2);
    const m = e * Meta.STRIDE;
    this.meta[m + Meta.FLAGS] = flags;
    this.meta[m + Meta.SKILLS] = skills;
    this.meta[m + Meta.CERTS] = certs;
  }

  /** Sets only the flag word of `slot`. */
  setFlags(slot: number, flags: number): void {
    this.meta[this.slotEntry[slot]! * Meta.STRIDE + Meta.FLAGS] = flags;
  }

  /** Removes `slot` (its entry becomes dead until the next rebuild). */
  remove(slot: number): void {
    const e = this.slotEntry[slot]!;
    if (e < 0) return;
    this.meta[e * Meta.STRIDE + Meta.FLAGS] = 0;
    this.slotEntry[slot] = -1;
    this.live--;
    this.classLive[(this.keys[e]! / CELLS) | 0]!--;
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
   * With `covering`, each radius class is searched only out to its largest own radius: every
   * entry whose own radius reaches the point (and within `km`) is in a range.
   */
  ranges(lat: number, lon: number, km: number, out: RangeBuffer, covering = false): number {
    if (this.needsRebuild) this.rebuild();
    out.length = 0;
    let windowKm = -1;
    for (let c = 0; c < CLASSES; c++) {
      if (this.classLive[c] === 0) continue;
      const maxKm = this.classMaxKm[c]!;
      const kc = covering && maxKm < km ? maxKm : km;
      if (kc !== windowKm) {
        queryWindow(lat, lon, kc, this.win);
        windowKm = kc;
      }
      this.pushClass(c, out);
    }
    return out.length >> 1;
  }

  /** Pushes the ranges of class `c` inside the current window. */
  private pushClass(c: number, out: RangeBuffer): void {
    const { keys, rowStart, rowHead, next, win } = this;
    const a0 = win[2]!;
    const b0 = win[3]!;
    const a1 = win[4]!;
    const b1 = win[5]!;
    const base = this.baseCount;
    for (let r = win[0]!; r <= win[1]!; r++) {
      const row = c * ROWS + r;
      const rowKey = row * COLS;
      const rs = rowStart[row]!;
      const re = rowStart[row + 1]!;
      if (re > rs) {
        pushBase(keys, rs, re, rowKey + a0, rowKey + b0, out);
        if (a1 <= b1) pushBase(keys, rs, re, rowKey + a1, rowKey + b1, out);
      }
      for (let e = rowHead[row]!; e >= 0; e = next[e - base]!) {
        const col = keys[e]! - rowKey;
        if ((col >= a0 && col <= b0) || (col >= a1 && col <= b1)) out.push(e, e + 1);
      }
    }
  }

  /** Sorts every live entry by key into a fresh base and empties the overflow. O(n) radix sort. */
  rebuild(): void {
    const n = this.live;
    const keys = this.keys;
    const a = radixSortEntries(keys, this.meta, Meta.STRIDE, this.count, n);
    const cap = Math.max(16, Math.ceil(n * 1.125) + 64, Math.min(this.capacity, n * 2));
    const coords = new Float64Array(cap * Coord.STRIDE);
    const meta = new Uint32Array(cap * Meta.STRIDE);
    const newKeys = new Int32Array(cap);
    const quality = new Float32Array(cap);
    const oq = this.quality;
    const oc = this.coords;
    const om = this.meta;
    this.classMaxR2.fill(0);
    this.classMaxKm.fill(0);
    for (let i = 0; i < n; i++) {
      const e = a[i]!;
      const o = e * Coord.STRIDE;
      const t = i * Coord.STRIDE;
      coords[t + Coord.X] = oc[o + Coord.X]!;
      coords[t + Coord.Y] = oc[o + Coord.Y]!;
      coords[t + Coord.Z] = oc[o + Coord.Z]!;
      coords[t + Coord.R2] = oc[o + Coord.R2]!;
      const m = e * Meta.STRIDE;
      const u = i * Meta.STRIDE;
      meta[u + Meta.FLAGS] = om[m + Meta.FLAGS]!;
      meta[u + Meta.SKILLS] = om[m + Meta.SKILLS]!;
      meta[u + Meta.CERTS] = om[m + Meta.CERTS]!;
      meta[u + Meta.SLOT] = om[m + Meta.SLOT]!;
      newKeys[i] = keys[e]!;
      quality[i] = oq[e]!;
      this.slotEntry[om[m + Meta.SLOT]!] = i;
      this.raiseClassMax((keys[e]! / CELLS) | 0, oc[o + Coord.R2]!);
    }
    this.coords = coords;
    this.meta = meta;
    this.keys = newKeys;
    this.quality = quality;
    this.next = new Int32Array(cap - n);
    this.rowHead.fill(-1);
    this.rowStart.fill(0);
    for (let i = 0; i < n; i++) this.rowStart[((newKeys[i]! / COLS) | 0) + 1]!++;
    for (let r = 1; r < this.rowStart.length; r++) this.rowStart[r]! += this.rowStart[r - 1]!;
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
    const o = e * Coord.STRIDE;
    this.coords[o + Coord.X] = x;
    this.coords[o + Coord.Y] = y;
    this.coords[o + Coord.Z] = z;
    this.coords[o + Coord.R2] = r2;
    const m = e * Meta.STRIDE;
    this.meta[m + Meta.FLAGS] = flags;
    this.meta[m + Meta.SKILLS] = skills;
    this.meta[m + Meta.CERTS] = certs;
    this.meta[m + Meta.SLOT] = slot;
    this.keys[e] = key;
  }

  private grow(cap: number): void {
    const coords = new Float64Array(cap * Coord.STRIDE);
    coords.set(this.coords);
    const meta = new Uint32Array(cap * Meta.STRIDE);
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
