/**
 * Reservations of assigned appointments, per technician slot: a short list sorted by start. The
 * dispatcher adds one when an appointment is assigned and removes it when the job is completed or
 * cancelled; the planner asks whether a new window (or an on-demand job's stretch from now)
 * collides with one, counting the travel between the two places at the policy's speed.
 */
import { describe, InvalidArgumentError } from '../shared/errors.js';
import { checkLatLon } from '../shared/validate.js';
import { haversineKm } from './geo/sphere.js';

/** One reserved appointment of a technician. */
export interface Reservation {
  /** The appointment job's id (one reservation per job). */
  jobId: string;
  /** Window start and end, ms. */
  start: number;
  /** Window end, ms. */
  end: number;
  /** Where the appointment is (the job's place). */
  lat: number;
  /** Longitude of the appointment's place, degrees. */
  lon: number;
}

const MS_PER_HOUR = 3_600_000;

/**
 * A checked plain copy of a reservation given to `fleet.reserve(id, …)` (throws
 * {@link InvalidArgumentError} naming what is wrong; extra fields are dropped).
 */
export function checkedReservation(id: string, r: Reservation): Reservation {
  if (r === null || typeof r !== 'object' || typeof r.jobId !== 'string' || r.jobId.length === 0) {
    throw new InvalidArgumentError(
      `reserve('${id}', ${describe(r)}): pass { jobId, start, end, lat, lon } with a non-empty job id.`,
    );
  }
  if (!Number.isFinite(r.start) || !Number.isFinite(r.end) || r.end <= r.start) {
    throw new InvalidArgumentError(
      `reserve('${id}'): start ${describe(r.start)} and end ${describe(r.end)} must be times in ms with end after start.`,
    );
  }
  checkLatLon(r.lat, r.lon, `reserve('${id}')`, InvalidArgumentError);
  return { jobId: r.jobId, start: r.start, end: r.end, lat: r.lat, lon: r.lon };
}

/** Travel time between two places at `speedKmh`, ms. */
export function travelMs(lat1: number, lon1: number, lat2: number, lon2: number, speedKmh: number): number {
  return (haversineKm(lat1, lon1, lat2, lon2) / speedKmh) * MS_PER_HOUR;
}

/**
 * Whether a stretch [start, end) at (lat, lon) collides with a reservation: they overlap once the
 * travel between the two places is added on the side where one follows the other.
 */
export function collides(
  r: Reservation,
  start: number,
  end: number,
  lat: number,
  lon: number,
  speedKmh: number,
): boolean {
  if (r.start >= end + 7 * 86_400_000 || start >= r.end + 7 * 86_400_000) return false; // travel is < a week
  const travel = travelMs(lat, lon, r.lat, r.lon, speedKmh);
  return r.start < end + travel && start < r.end + travel;
}

/**
 * Whether [start, end) at (lat, lon) collides with one of `list` other than `jobId`'s own: the one
 * test behind the fleet's reservations and the stores' bookings.
 */
export function collidesWithAny(
  list: readonly Reservation[],
  start: number,
  end: number,
  lat: number,
  lon: number,
  speedKmh: number,
  jobId: string,
): boolean {
  for (const r of list) if (r.jobId !== jobId && collides(r, start, end, lat, lon, speedKmh)) return true;
  return false;
}

/** Reservations by slot. */
export class Reservations {
  private readonly bySlot = new Map<number, Reservation[]>();
  private count = 0;
  /** Reservations per slot, so the planner's scan tests a typed array, not the map, for everyone. */
  private counts = new Uint16Array(0);

  /** Whether a slot holds any reservation (cheap: for the planner's scan). */
  holds(slot: number): boolean {
    return slot < this.counts.length && this.counts[slot] !== 0;
  }

  private setCount(slot: number, n: number): void {
    if (slot >= this.counts.length) {
      const grown = new Uint16Array(Math.max(slot + 1, this.counts.length * 2, 64));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[slot] = n;
  }

  /** Reservations held in the whole fleet (0: the planner skips the check entirely). */
  get size(): number {
    return this.count;
  }

  /** A slot's reservations, sorted by start (empty when none). */
  of(slot: number): readonly Reservation[] {
    return this.bySlot.get(slot) ?? NONE;
  }

  /** Adds (or replaces, same job id) a reservation. */
  add(slot: number, r: Reservation): void {
    const list = this.bySlot.get(slot)?.filter((x) => x.jobId !== r.jobId) ?? [];
    const before = this.bySlot.get(slot)?.length ?? 0;
    let i = list.length;
    while (i > 0 && list[i - 1]!.start > r.start) i--;
    list.splice(i, 0, { ...r });
    this.bySlot.set(slot, list);
    this.count += list.length - before;
    this.setCount(slot, list.length);
  }

  /** Removes a job's reservation; false when the slot held none for it. */
  remove(slot: number, jobId: string): boolean {
    const list = this.bySlot.get(slot);
    const i = list === undefined ? -1 : list.findIndex((x) => x.jobId === jobId);
    if (i < 0) return false;
    if (list!.length === 1) this.bySlot.delete(slot);
    else this.bySlot.set(slot, [...list!.slice(0, i), ...list!.slice(i + 1)]);
    this.count--;
    this.setCount(slot, list!.length - 1);
    return true;
  }

  /** Every (slot, reservation) pair, as a list (safe to change the reservations while walking it). */
  all(): [number, Reservation][] {
    const out: [number, Reservation][] = [];
    for (const [slot, list] of this.bySlot) for (const r of list) out.push([slot, r]);
    return out;
  }

  /** Drops every reservation of a slot (the technician was removed). */
  clear(slot: number): void {
    const list = this.bySlot.get(slot);
    if (list === undefined) return;
    this.count -= list.length;
    this.bySlot.delete(slot);
    this.setCount(slot, 0);
  }

  /** Whether [start, end) at (lat, lon) collides with one of the slot's reservations other than `jobId`'s. */
  conflicts(
    slot: number,
    start: number,
    end: number,
    lat: number,
    lon: number,
    speedKmh: number,
    jobId: string,
  ): boolean {
    const list = this.bySlot.get(slot);
    return list !== undefined && collidesWithAny(list, start, end, lat, lon, speedKmh, jobId);
  }
}

const NONE: readonly Reservation[] = Object.freeze([]);
