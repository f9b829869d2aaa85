/**
 * An undo journal: every change the dispatcher makes while handling an input registers how to take
 * it back, so an input whose persistence (or handling) fails can be rolled back to exactly the state
 * before it — the in-memory half of write-ahead. Marks nest: `advance` rolls back one job's step
 * without touching the jobs handled before it.
 */
export class Journal {
  private readonly undo: (() => void)[] = [];

  /** Number of changes recorded so far (a mark to roll back to). */
  get mark(): number {
    return this.undo.length;
  }

  /** Records how to undo one change (must not throw). */
  push(undo: () => void): void {
    this.undo.push(undo);
  }

  /** Undoes every change after `mark`, newest first. */
  rollback(mark = 0): void {
    const u = this.undo;
    while (u.length > mark) u.pop()!();
  }

  /** Forgets the recorded changes (they are committed). */
  clear(): void {
    this.undo.length = 0;
  }
}
