/**
 * The dispatcher's writes to a technician's counters — offers, answers, cancellations, awards and
 * releases — and their exact save and restore, so that an input it rejects after writing can be
 * undone. Plain functions over the {@link Fleet}'s internal state: the arithmetic lives in
 * `./counters.ts`, this adds the id checks and keeps the flag word, the load and the quality cache
 * in step with it.
 */
import { describe, InvalidArgumentError } from '../shared/errors.js';
import { F_HAS_CAPACITY, F_NOTIFIED } from './flags.js';
import type { Fleet } from './fleet.js';
import { setFlag } from './fleet-write.js';
import { LINE_F64 } from './layout.js';
import { SCHEDULE_SHIFT } from './schedules.js';

/** A slot's dispatcher-written counters (see {@link Fleet.saveCounters}); opaque to callers. */
export interface SavedCounters {
  readonly slot: number;
  readonly withTimes: boolean;
  /** The slot's line (quality, counters' time, offers, awards). */
  readonly line: Float64Array;
  readonly acceptRate: number;
  readonly responseMs: number;
  readonly load: number;
  readonly flags: number;
  readonly times: number[] | undefined;
}

/** See {@link Fleet.recordOffer}. */
export function recordOffer(fleet: Fleet, id: string, now: number): void {
  const slot = fleet.slotOf(id);
  checkTime(now, 'recordOffer');
  if (fleet.counters.notify(slot, now)) setFlag(fleet, slot, F_NOTIFIED, true);
}

/** See {@link Fleet.recordResponse}. */
export function recordResponse(fleet: Fleet, id: string, accepted: boolean, responseMs?: number): void {
  const slot = fleet.slotOf(id);
  fleet.counters.respond(slot, id, accepted, responseMs);
  fleet.quality.touch(slot);
}

/** See {@link Fleet.recordCancellation}. */
export function recordCancellation(fleet: Fleet, id: string): void {
  const slot = fleet.slotOf(id);
  fleet.counters.cancelled(slot);
  fleet.quality.touch(slot);
}

/** See {@link Fleet.recordAward}. */
export function recordAward(fleet: Fleet, id: string, now: number, holdsLoad: boolean): void {
  const slot = fleet.slotOf(id);
  checkTime(now, 'recordAward');
  fleet.counters.bump(slot, now, 0, 1);
  if (!holdsLoad) return;
  fleet.load[slot] = fleet.load[slot]! + 1;
  setFlag(fleet, slot, F_HAS_CAPACITY, fleet.load[slot]! < fleet.capacity[slot]!);
}

/** See {@link Fleet.release}. */
export function release(fleet: Fleet, id: string): void {
  const slot = fleet.slotOf(id);
  if (fleet.load[slot] === 0) {
    throw new InvalidArgumentError(
      `release('${id}'): the technician holds no job; release only after an award.`,
    );
  }
  fleet.load[slot] = fleet.load[slot]! - 1;
  setFlag(fleet, slot, F_HAS_CAPACITY, true);
}

/** See {@link Fleet.saveCounters}. */
export function saveCounters(fleet: Fleet, slot: number, withTimes: boolean): SavedCounters {
  // Only recordOffer changes the notification times: other writes need not copy them.
  const c = fleet.counters;
  const times = withTimes ? c.notifications.get(slot) : undefined;
  return {
    withTimes,
    slot,
    line: c.lines.slice(slot * LINE_F64, (slot + 1) * LINE_F64),
    acceptRate: c.acceptRate[slot]!,
    responseMs: c.responseMs[slot]!,
    load: fleet.load[slot]!,
    flags: fleet.flags[slot]!,
    times: times === undefined ? undefined : times.slice(),
  };
}

/** See {@link Fleet.restoreCounters}. */
export function restoreCounters(fleet: Fleet, saved: SavedCounters): void {
  const { slot } = saved;
  const c = fleet.counters;
  c.lines.set(saved.line, slot * LINE_F64);
  c.acceptRate[slot] = saved.acceptRate;
  c.responseMs[slot] = saved.responseMs;
  fleet.load[slot] = saved.load;
  if (saved.withTimes) {
    if (saved.times === undefined) c.notifications.delete(slot);
    else c.notifications.set(slot, saved.times);
  }
  fleet.flags[slot] = saved.flags;
  fleet.index.setFlags(slot, saved.flags | (fleet.schedules.idOf(slot) << SCHEDULE_SHIFT));
  fleet.quality.touch(slot);
}

/** Refuses a `now` that is not a finite time in ms (before anything is written). */
function checkTime(now: number, fn: string): void {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new InvalidArgumentError(
      `${fn}(): now is ${describe(now)}; pass the current time in ms (a finite number).`,
    );
  }
}
