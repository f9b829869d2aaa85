/**
 * Interned availability schedules. Technicians share a handful of weekly patterns, so each
 * distinct (time zone, windows) pair gets a small id, kept in the high 16 bits of the index's flag
 * word; the planner then asks "is schedule 3 open now?" once per plan, from memory it already
 * has, instead of reading every technician's windows.
 */

import type { Availability } from '../shared/types.js';
import { type CompiledAvailability, compileAvailability, coversSpan, isAvailableAt } from './availability.js';

/** Flag-word shift of the schedule id. */
export const SCHEDULE_SHIFT = 16;
/**
 * Id meaning "not interned (table full): read the technician's own windows". 15 bits, so the
 * flag word stays below 2^31 (a small integer for V8 on every load).
 */
export const UNINTERNED = 0x7fff;

/** The table of distinct schedules; id 0 means "no windows". */
export class ScheduleTable {
  private readonly ids = new Map<string, number>();
  private readonly compiled: CompiledAvailability[] = [];
  /** The first input seen for each schedule (a copy), returned by {@link sourceOf}. */
  private readonly sources: Availability[] = [];
  private memoNow = Number.NaN;
  private gen = 0;
  private memoGen = new Uint32Array(16);
  private memoOpen = new Uint8Array(16);

  /** The id of a schedule, interning it (or {@link UNINTERNED} once 32,766 exist). */
  intern(source: Availability, a: CompiledAvailability): number {
    const key = `${a.timeZone}|${a.intervals.join(',')}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.compiled.length + 1 >= UNINTERNED) return UNINTERNED;
      this.compiled.push(a);
      this.sources.push(copyAvailability(source));
      id = this.compiled.length; // 1-based
      this.ids.set(key, id);
      if (id >= this.memoGen.length) {
        const gen = new Uint32Array(this.memoGen.length * 2);
        gen.set(this.memoGen);
        const open = new Uint8Array(gen.length);
        open.set(this.memoOpen);
        this.memoGen = gen;
        this.memoOpen = open;
      }
    }
    return id;
  }

  /**
   * The windows of schedule `id` (a fresh copy). Technicians sharing a schedule get the windows of
   * the first one added: the same intervals, possibly spelt differently ('00:00' vs '24:00').
   */
  sourceOf(id: number): Availability {
    return copyAvailability(this.sources[id - 1]!);
  }

  private coverStart = Number.NaN;
  private coverEnd = Number.NaN;
  private readonly covered = new Map<number, boolean>();

  /** Whether schedule `id` covers [start, end) (memoised per window: one walk per schedule and plan). */
  covers(id: number, start: number, end: number): boolean {
    if (start !== this.coverStart || end !== this.coverEnd) {
      this.coverStart = start;
      this.coverEnd = end;
      this.covered.clear();
    }
    let ok = this.covered.get(id);
    if (ok === undefined) {
      ok = coversSpan(this.compiled[id - 1]!, start, end);
      this.covered.set(id, ok);
    }
    return ok;
  }

  /** Whether schedule `id` is open at `now` (memoised per `now`). */
  isOpen(id: number, now: number): boolean {
    if (now !== this.memoNow) {
      this.memoNow = now;
      this.gen = (this.gen + 1) >>> 0 || 1;
    }
    if (this.memoGen[id] === this.gen) return this.memoOpen[id] === 1;
    const open = isAvailableAt(this.compiled[id - 1]!, now);
    this.memoGen[id] = this.gen;
    this.memoOpen[id] = open ? 1 : 0;
    return open;
  }
}

/** Each slot's schedule: an interned id (0: no windows), or its own windows once the table is full. */
export class SlotSchedules {
  private readonly table = new ScheduleTable();
  /** Schedule id per slot. */
  private ids = new Uint16Array(0);
  /** Windows of slots whose schedule could not be interned (more than 32,766 distinct ones). */
  private readonly own = new Map<number, { source: Availability; compiled: CompiledAvailability }>();

  /** Room for `n` slots. */
  grow(n: number): void {
    const ids = new Uint16Array(n);
    ids.set(this.ids);
    this.ids = ids;
  }

  /** Sets a slot's windows (none: always available); returns its schedule id. */
  set(slot: number, availability: Availability | undefined): number {
    this.own.delete(slot);
    let id = 0;
    if (availability) {
      const compiled = compileAvailability(availability);
      id = this.table.intern(availability, compiled);
      if (id === UNINTERNED) this.own.set(slot, { source: availability, compiled });
    }
    this.ids[slot] = id;
    return id;
  }

  /** The schedule id of a slot (0: no windows). */
  idOf(slot: number): number {
    return this.ids[slot]!;
  }

  /** Whether the slot whose index flag word carries schedule id `id` is available at `now`. */
  isOpen(slot: number, id: number, now: number): boolean {
    if (id === 0) return true;
    if (id === UNINTERNED) return isAvailableAt(this.own.get(slot)!.compiled, now);
    return this.table.isOpen(id, now);
  }

  /** Whether the slot whose index flag word carries schedule id `id` is available for all of [start, end). */
  covers(slot: number, id: number, start: number, end: number): boolean {
    if (id === 0) return true;
    if (id === UNINTERNED) return coversSpan(this.own.get(slot)!.compiled, start, end);
    return this.table.covers(id, start, end);
  }

  /** A slot's windows as given (a copy for interned ones), undefined without windows. */
  sourceOf(slot: number): Availability | undefined {
    const id = this.ids[slot]!;
    if (id === 0) return undefined;
    if (id === UNINTERNED) return this.own.get(slot)!.source;
    return this.table.sourceOf(id);
  }

  get byteLength(): number {
    return this.ids.byteLength;
  }
}

function copyAvailability(a: Availability): Availability {
  return {
    timeZone: a.timeZone,
    windows: a.windows.map((w) => ({ day: w.day, start: w.start, end: w.end })),
  };
}
