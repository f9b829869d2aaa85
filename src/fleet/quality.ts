/**
 * Which slots' quality — the job-independent part of the score — must be recomputed: all of them
 * when the policy changes, else only those whose rating, Best Friend flag or responsiveness
 * changed since the last plan.
 */
export class QualityCache {
  private policy: object | undefined;
  private dirty = new Uint8Array(0);
  private readonly list: number[] = [];

  /** Room for `n` slots. */
  grow(n: number): void {
    const d = new Uint8Array(n);
    d.set(this.dirty);
    this.dirty = d;
  }

  /** Marks a slot's quality stale. */
  touch(slot: number): void {
    // Before the first plan everything is computed at once: no list to keep.
    if (this.policy !== undefined && this.dirty[slot] === 0) {
      this.dirty[slot] = 1;
      this.list.push(slot);
    }
  }

  /** Calls `update` for every slot below `slotCount` (new policy) or every stale one. */
  refresh(policy: object, slotCount: number, update: (slot: number) => void): void {
    if (policy !== this.policy) {
      this.policy = policy;
      for (let slot = 0; slot < slotCount; slot++) update(slot);
    } else {
      for (const slot of this.list) update(slot);
    }
    for (const slot of this.list) this.dirty[slot] = 0;
    this.list.length = 0;
  }

  get byteLength(): number {
    return this.dirty.byteLength;
  }
}
