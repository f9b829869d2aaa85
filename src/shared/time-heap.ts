/**
 * The one time-ordered heap: a binary min-heap of (time, ordinal, value) entries in parallel arrays
 * (no object per entry), serving the dispatcher's timers (value: a job id; ordinal: the job's open
 * order) and the simulator's event queue (value: an action; ordinal: its sequence number). Ties on
 * time go to the smaller ordinal, so the order never depends on push history: a restored
 * dispatcher fires timers in the same order as the original, and simultaneous simulator events run
 * first-in first-out. Entries are never updated in place: a due time that changes pushes a new
 * entry and the old one is skipped when it surfaces (lazy deletion), so every operation is O(log n).
 * @example
 * const h = new TimeHeap<string>();
 * h.push(20, 0, 'b'); h.push(10, 1, 'a');
 * h.peekValue(); // 'a'
 */
export class TimeHeap<T> {
  private at: number[] = [];
  private ord: number[] = [];
  private job: T[] = [];

  /** Entries in the heap, stale ones included. */
  get size(): number {
    return this.at.length;
  }

  /** Adds an entry. */
  push(at: number, ordinal: number, jobId: T): void {
    const { at: a, ord: o, job: j } = this;
    let i = a.length;
    a.push(at);
    o.push(ordinal);
    j.push(jobId);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = a[parent]!;
      if (pa < at || (pa === at && o[parent]! <= ordinal)) break;
      a[i] = pa;
      o[i] = o[parent]!;
      j[i] = j[parent]!;
      i = parent;
    }
    a[i] = at;
    o[i] = ordinal;
    j[i] = jobId;
  }

  /** Time of the earliest entry, or undefined when empty. */
  peekAt(): number | undefined {
    return this.at[0];
  }

  /** Value of the earliest entry (call only when not empty). */
  peekValue(): T {
    return this.job[0]!;
  }

  /** Ordinal of the earliest entry (call only when not empty). */
  peekOrdinal(): number {
    return this.ord[0]!;
  }

  /** An independent copy (for a replay that may have to be undone). */
  clone(): TimeHeap<T> {
    const q = new TimeHeap<T>();
    q.at = this.at.slice();
    q.ord = this.ord.slice();
    q.job = this.job.slice();
    return q;
  }

  /** Removes the earliest entry. */
  pop(): void {
    const { at: a, ord: o, job: j } = this;
    const lastAt = a.pop()!;
    const lastOrd = o.pop()!;
    const lastJob = j.pop()!;
    const n = a.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (a[r]! < a[c]! || (a[r] === a[c] && o[r]! < o[c]!))) c = r;
      if (lastAt < a[c]! || (lastAt === a[c] && lastOrd <= o[c]!)) break;
      a[i] = a[c]!;
      o[i] = o[c]!;
      j[i] = j[c]!;
      i = c;
    }
    a[i] = lastAt;
    o[i] = lastOrd;
    j[i] = lastJob;
  }

  /** Removes every entry. */
  clear(): void {
    this.at = [];
    this.ord = [];
    this.job = [];
  }
}
