/** Technician ids ↔ slots of the fleet's parallel arrays; freed slots are reused. */
export class SlotIds {
  private readonly byId = new Map<string, number>();
  private readonly ids: (string | undefined)[] = [];
  private readonly free: number[] = [];

  /** Technicians held. */
  get size(): number {
    return this.byId.size;
  }

  /** Slots ever used (live and free): the bound of a loop over every slot. */
  get slotCount(): number {
    return this.ids.length;
  }

  slotOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  /** Id of a slot; undefined for a free one. */
  idOf(slot: number): string | undefined {
    return this.ids[slot];
  }

  /** Every live id, in slot order. */
  *[Symbol.iterator](): IterableIterator<string> {
    for (const id of this.ids) if (id !== undefined) yield id;
  }

  /** Every live slot. */
  slots(): IterableIterator<number> {
    return this.byId.values();
  }

  /** The slot a new id gets (a freed one first); call {@link assign} to take it. */
  next(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1]! : this.ids.length;
  }

  /** Gives `id` the slot {@link next} returned. */
  assign(id: string): number {
    const slot = this.free.pop() ?? this.ids.length;
    this.ids[slot] = id;
    this.byId.set(id, slot);
    return slot;
  }

  /** Frees an id's slot. */
  release(id: string, slot: number): void {
    this.byId.delete(id);
    this.ids[slot] = undefined;
    this.free.push(slot);
  }
}
