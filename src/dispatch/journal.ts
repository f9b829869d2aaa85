/**
 * An undo journal: every change the dispatcher makes while handling an input registers how to take
 * it back, so an input whose persistence (or handling) fails can be rolled back to exactly the state
 * before it — the in-memory half of write-ahead. Marks nest: `advance` rolls back one job's step
 * without touching the jobs handled before it. Entries are (op, a, b, c) tuples in one reused flat
 * array, not closures, so recording a change allocates nothing.
 */
export type Undo = (op: number, a: unknown, b: unknown, c: unknown) => void;

export class Journal {
  private readonly log: unknown[] = [];
  private n = 0;

  constructor(private readonly undo: Undo) {}

  /** Position after the changes recorded so far (a mark to roll back to). */
  get mark(): number {
    return this.n;
  }

  /** Records how to undo one change: `op` and its arguments, handed back to the undo function. */
  push(op: number, a?: unknown, b?: unknown, c?: unknown): void {
    const l = this.log;
    const i = this.n;
    l[i] = op;
    l[i + 1] = a;
    l[i + 2] = b;
    l[i + 3] = c;
    this.n = i + 4;
  }

  /** Undoes every change after `mark`, newest first. */
  rollback(mark = 0): void {
    const l = this.log;
    while (this.n > mark) {
      const i = (this.n -= 4);
      this.undo(l[i] as number, l[i + 1], l[i + 2], l[i + 3]);
      l[i + 1] = l[i + 2] = l[i + 3] = undefined;
    }
  }

  /** Forgets the recorded changes (they are committed), releasing what they referenced. */
  clear(): void {
    const l = this.log;
    for (let i = 0; i < this.n; i++) l[i] = undefined;
    this.n = 0;
  }
}
