/**
 * The planner's bounded ranking: the best `k` eligible candidates of one plan, kept without
 * sorting everyone, then put in exact rank order (score, distance, id).
 */

import type { Fleet } from '../fleet/fleet.js';

const INDEX_MASK = 0x1ffff; // positions packed into sort keys: maxNotifiedPerJob ≤ 100,000 < 2^17

/**
 * The best `k` eligible candidates of one plan: appended unordered until `k` are held, then a
 * bounded heap whose root is the worst kept (O(log k) per candidate that beats it, one comparison
 * for the rest), so its score is a bar every later candidate must reach — the planner skips the exact score of anyone whose upper bound is
 * below it. {@link ranked} sorts only the `k` kept: natively, with the position packed into the low
 * mantissa bits of the key (a perturbation below 1e-11), then an insertion pass restores the exact
 * order (score, distance, id) — linear on nearly sorted input.
 */
export class Ranker {
  score = new Float64Array(65);
  d2 = new Float64Array(65);
  slot = new Int32Array(65);
  order = new Int32Array(65);
  /** Sort keys, and the same memory as 32-bit words (little-endian: low word first). */
  keys = new Float64Array(65);
  bits = new Uint32Array(this.keys.buffer);
  /** keys.subarray(0, n), cached: creating a view costs more than sorting a few dozen numbers. */
  views: Float64Array[] = [];
  size = 0;
  /** Entries kept per plan (`maxNotifiedPerJob`). */
  k = 0;
  /** The worst kept score once `k` are held (every new entry must reach it); -Infinity before. */
  threshold = Number.NEGATIVE_INFINITY;
  fleet!: Fleet;

  reset(fleet: Fleet, k: number): void {
    this.fleet = fleet;
    this.size = 0;
    this.k = k;
    this.threshold = Number.NEGATIVE_INFINITY;
  }

  add(score: number, d2: number, slot: number): void {
    if (score < this.threshold) return;
    const n = this.size;
    if (n >= this.score.length) this.grow(Math.min(this.k + 1, 2 * this.score.length));
    // The incoming entry sits at position n (k when full) so that `before` can compare it.
    this.score[n] = score;
    this.d2[n] = d2;
    this.slot[n] = slot;
    if (n < this.k) {
      // Unordered until k are held (most plans never hold more): then one O(k) heapify.
      this.size = n + 1;
      if (this.size === this.k) {
        for (let i = (this.k >> 1) - 1; i >= 0; i--) this.siftDown(i);
        this.threshold = this.score[0]!;
      }
      return;
    }
    // Full: the newcomer replaces the root only if it ranks before it.
    if (!this.before(n, 0)) return;
    this.move(n, 0);
    this.siftDown(0);
    this.threshold = this.score[0]!;
  }

  /** Positions of the kept entries in rank order (best first); the count is min(size, k). */
  ranked(k: number): Int32Array {
    const n = Math.min(this.size, k);
    const { order, keys, bits } = this;
    for (let i = 0; i < n; i++) {
      keys[i] = -this.score[i]!;
      bits[2 * i] = (bits[2 * i]! & ~INDEX_MASK) | i;
    }
    if (n > 1) {
      let view = this.views[n];
      if (view === undefined) this.views[n] = view = keys.subarray(0, n);
      view.sort();
    }
    for (let i = 0; i < n; i++) {
      const at = bits[2 * i]! & INDEX_MASK;
      let j = i;
      while (j > 0 && this.before(at, order[j - 1]!)) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = at;
    }
    return order;
  }

  /** Strict ranking of two positions: higher score, then nearer, then smaller id. */
  private before(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    if (sa !== sb) return sa > sb;
    const da = this.d2[a]!;
    const db = this.d2[b]!;
    if (da !== db) return da < db;
    return this.fleet.idOf(this.slot[a]!) < this.fleet.idOf(this.slot[b]!);
  }

  /** Min-heap by rank: a parent ranks after its children (the root is the worst kept). */
  private siftDown(i: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const c = l + 1 < n && this.before(l, l + 1) ? l + 1 : l;
      if (!this.before(i, c)) return;
      this.swap(i, c);
      i = c;
    }
  }

  private move(from: number, to: number): void {
    this.score[to] = this.score[from]!;
    this.d2[to] = this.d2[from]!;
    this.slot[to] = this.slot[from]!;
  }

  private swap(a: number, b: number): void {
    const s = this.score[a]!;
    const d = this.d2[a]!;
    const t = this.slot[a]!;
    this.score[a] = this.score[b]!;
    this.d2[a] = this.d2[b]!;
    this.slot[a] = this.slot[b]!;
    this.score[b] = s;
    this.d2[b] = d;
    this.slot[b] = t;
  }

  private grow(cap: number): void {
    const score = new Float64Array(cap);
    score.set(this.score);
    const d2 = new Float64Array(cap);
    d2.set(this.d2);
    const slot = new Int32Array(cap);
    slot.set(this.slot);
    this.score = score;
    this.d2 = d2;
    this.slot = slot;
    this.order = new Int32Array(cap);
    this.keys = new Float64Array(cap);
    this.bits = new Uint32Array(this.keys.buffer);
    this.views = [];
  }
}
