/**
 * The live fleet: technicians in parallel typed arrays by slot, a spatial index over them, and the
 * surface callers use, which delegates: record writes to `./fleet-write.ts`, the dispatcher's counter
 * writes to `./fleet-counters.ts`, read-backs to `./fleet-read.ts`, point queries to `./neighbours.ts`.
 * Members tagged internal are the planner's and the dispatcher's: they stay out of the published types.
 */
import { InvalidArgumentError } from '../shared/errors.js';
import type { Technician, TechnicianInput } from '../shared/types.js';
import { checkLatLon } from '../shared/validate.js';
import { FleetAreas } from './areas.js';
import { FleetCounters } from './counters.js';
import { checkedOptions, type FleetOptions } from './options.js';

export type { FleetOptions } from './options.js';

import * as counterWrites from './fleet-counters.js';
import * as reads from './fleet-read.js';
import * as recordWrites from './fleet-write.js';
import { GridIndex } from './geo/grid.js';
import { toUnit } from './geo/sphere.js';
import { Coord, LINE_F64, LINE_QUALITY } from './layout.js';
import { covering, HALF_CIRCUMFERENCE_KM, type Neighbour, nearest, within } from './neighbours.js';
import { QualityCache } from './quality.js';
import { NameRegistry } from './registry.js';
import { checkedReservation, type Reservation, Reservations } from './reservations.js';
import { SCHEDULE_SHIFT, SlotSchedules } from './schedules.js';
import { SlotIds } from './slot-ids.js';

/** The flag bits (`./flags.ts`), re-exported for the planner and the dispatcher. */
export * from './flags.js';
export type { SavedCounters } from './fleet-counters.js';
export { radiusFromChord2 } from './fleet-read.js';
export type { Neighbour } from './neighbours.js';

/** Scratch for {@link Fleet.move}'s unit vector. */
const MOVE_UNIT = new Float64Array(3);

/**
 * A live fleet of technicians.
 * @example
 * const fleet = new Fleet();
 * fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend', skills: ['router'] });
 * fleet.move('anna', 47.38, 8.55);
 * fleet.setOnline('anna', false);
 */
export class Fleet {
  /** @internal The spatial index (read by the planner's scan loop). */
  readonly index: GridIndex;
  /** @internal Technicians' extra service areas and their cell index (read by the planner). */
  readonly areas = new FleetAreas();
  /** @internal Skill names as bits (written by `./fleet-write.ts`). */
  readonly skills = new NameRegistry('skill');
  /** @internal Partner certifications as bits (written by `./fleet-write.ts`). */
  readonly certs = new NameRegistry('certification');
  /** @internal Skill name → bit. At most 32 distinct skills. */
  readonly skillBits = this.skills.bits;
  /** @internal Partner id → bit. At most 32 distinct partners with certifications. */
  readonly partnerBits = this.certs.bits;

  /** @internal Technician ids ↔ slots. */
  readonly ids = new SlotIds();
  /** @internal Average rating (NaN while unrated). */
  rating = new Float32Array(0);
  /** @internal Ratings the average is over. */
  ratingCount = new Uint32Array(0);
  /** @internal Jobs a technician can hold at once. */
  capacity = new Uint16Array(0);
  /** @internal Jobs a technician holds now. */
  load = new Uint16Array(0);
  /** @internal Flag word per slot (bits in `./flags.ts`). */
  flags = new Uint8Array(0);
  /** @internal Offers, awards, answers and notification times the dispatcher records (see `./counters.ts`). */
  readonly counters: FleetCounters;
  /** @internal Each slot's line: quality and counters (fields named in `./counters.ts`). */
  get lines(): Float64Array {
    return this.counters.lines;
  }
  /** @internal Float32 view of {@link lines}. */
  get lines32(): Float32Array {
    return this.counters.lines32;
  }
  /** @internal Accept-rate moving average (NaN = unknown). */
  get acceptRate(): Float32Array {
    return this.counters.acceptRate;
  }
  /** @internal Response-time moving average, ms (NaN = unknown). */
  get responseMs(): Float32Array {
    return this.counters.responseMs;
  }
  /** @internal Which slots' quality is stale. */
  readonly quality = new QualityCache();

  /** @internal Each slot's availability windows (see `./schedules.ts`). */
  readonly schedules = new SlotSchedules();
  /** @internal Recent notification times per slot (ascending), only for technicians notified at least once. */
  get notifications(): ReadonlyMap<number, number[]> {
    return this.counters.notifications;
  }

  /** @internal Largest service radius so far, km (see {@link maxRadiusKm}). */
  maxRadius = 0;

  /** @internal Assigned appointments per slot (the dispatcher writes them; see {@link reserve}). */
  readonly reservations = new Reservations();

  /** An empty fleet; throws {@link InvalidArgumentError} on a bad option. */
  constructor(options: FleetOptions = {}) {
    const o = checkedOptions(options);
    this.counters = new FleetCounters(o);
    this.index = new GridIndex(o.initialCapacity ?? 1024);
    recordWrites.growSlots(this, o.initialCapacity ?? 1024);
  }

  /** Number of technicians. */
  get size(): number {
    return this.ids.size;
  }

  /** Largest service radius in the fleet (never shrinks), km. */
  get maxRadiusKm(): number {
    return this.maxRadius;
  }

  /** Whether a technician with this id exists. */
  has(id: string): boolean {
    return this.ids.slotOf(id) !== undefined;
  }

  /** All technician ids, in slot order. */
  *idsIterator(): IterableIterator<string> {
    yield* this.ids;
  }

  /** @internal Slot of an id (throws {@link UnknownIdError} when absent). */
  slotOf(id: string): number {
    const slot = this.ids.slotOf(id);
    if (slot === undefined) throw reads.unknownId(id);
    return slot;
  }

  /** @internal Slot of an id, or -1. */
  findSlot(id: string): number {
    return this.ids.slotOf(id) ?? -1;
  }

  /** @internal Id of a slot (must be live). */
  idOf(slot: number): string {
    return this.ids.idOf(slot)!;
  }

  /**
   * Adds a technician; throws {@link DuplicateIdError} if the id exists.
   * @example fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend', skills: ['router'] });
   */
  add(record: TechnicianInput): void {
    recordWrites.addRecord(this, record);
  }

  /** Adds a technician or replaces every field of an existing one. */
  upsert(record: TechnicianInput): void {
    recordWrites.upsertRecord(this, record);
  }

  /**
   * Changes some fields of a technician. `id` cannot change; position changes go through here or {@link move}.
   * @example fleet.update('anna', { radiusKm: 40, skills: ['router', 'tv'] });
   */
  update(id: string, patch: Partial<Omit<TechnicianInput, 'id'>>): void {
    const slot = this.slotOf(id);
    recordWrites.writeRecord(this, recordWrites.patchedRecord(this, id, patch), slot);
  }

  /**
   * Moves a technician; O(1) amortised.
   * @example fleet.move('anna', 47.37, 8.54); // a live GPS update, no rebuild
   */
  move(id: string, lat: number, lon: number): void {
    // In the class rather than ./fleet-write.ts: the hottest write reads best where it runs.
    const slot = this.slotOf(id);
    checkLatLon(lat, lon, `move('${id}')`, InvalidArgumentError);
    const v = MOVE_UNIT;
    toUnit(lat, lon, v, 0);
    this.index.move(slot, v[0]!, v[1]!, v[2]!, lat, lon);
  }

  /** Marks a technician online or offline. */
  setOnline(id: string, online: boolean): void {
    recordWrites.setOnline(this, id, online);
  }

  /** Sets how many jobs a technician holds now (0 … capacity). */
  setLoad(id: string, load: number): void {
    recordWrites.setLoad(this, id, load);
  }

  /** Removes a technician. */
  remove(id: string): void {
    recordWrites.removeRecord(this, id, this.slotOf(id));
  }

  /**
   * Reserves a technician's appointment window (the dispatcher does this when it assigns an
   * appointment; call it to seed appointments booked elsewhere). Same job id: replaced.
   * @example
   * fleet.reserve('anna', { jobId: 'a-1', start, end: start + 7_200_000, lat: 47.37, lon: 8.54 });
   */
  reserve(id: string, reservation: Reservation): void {
    const slot = this.slotOf(id);
    this.reservations.add(slot, checkedReservation(id, reservation));
  }

  /** Releases a reservation (the appointment was completed or cancelled); false when there was none. */
  unreserve(id: string, jobId: string): boolean {
    return this.reservations.remove(this.slotOf(id), jobId);
  }

  /** A technician's reserved appointments, sorted by start (copies). */
  reservationsOf(id: string): Reservation[] {
    return this.reservations.of(this.slotOf(id)).map((r) => ({ ...r }));
  }

  /** @internal Whether a slot with windows is available for all of [start, end) (see {@link isAvailable}). */
  isAvailableIn(slot: number, indexFlags: number, start: number, end: number): boolean {
    return this.schedules.covers(slot, indexFlags >>> SCHEDULE_SHIFT, start, end);
  }

  /** Reads a technician back as a plain object (undefined if absent). */
  get(id: string): Technician | undefined {
    const slot = this.ids.slotOf(id);
    return slot === undefined ? undefined : reads.readBack(this, slot, id);
  }

  /**
   * @internal Service radius of a slot, km. Kept only as the index's squared chord (exact in float64) and
   * read back rounded to 1e-9 km, which returns any radius given with up to nine decimals as given.
   */
  radiusOf(slot: number): number {
    return reads.radiusFromChord2(this.index.coords[this.index.slotEntry[slot]! * Coord.STRIDE + Coord.R2]!);
  }

  /**
   * @internal Position of a slot, [lat, lon] in degrees. Kept only as the index's unit vector and read back
   * rounded to 1e-9° (0.1 mm), which returns coordinates given with up to nine decimals as given.
   */
  positionOf(slot: number): [number, number] {
    return reads.slotPosition(this.index, slot);
  }

  /** @internal Decayed recent offers and awards of a slot at time `now`. */
  countersAtTime(slot: number, now: number): { offers: number; awards: number } {
    return this.counters.at(slot, now);
  }

  /**
   * @internal Decay factor of a slot's counters from their last update to `now` (1 if `now` is earlier).
   * Counters seeded through `stats` have no time yet: they count in full until the first record.
   */
  decay(slot: number, now: number): number {
    return this.counters.decay(slot, now);
  }

  /**
   * @internal Brings the job-independent part of the score of every slot up to date for `policy`, computed
   * by `compute`, into {@link lines} and the index (cached per policy; slots whose rating, Best
   * Friend flag or responsiveness changed are recomputed on the next call).
   */
  qualityFor(policy: object, compute: (fleet: Fleet, slot: number) => number): void {
    recordWrites.refreshQuality(this, policy, compute);
  }

  /** @internal The cached quality of a slot (valid after {@link qualityFor}). */
  qualityOf(slot: number): number {
    return this.counters.lines[slot * LINE_F64 + LINE_QUALITY]!;
  }

  /** @internal Records that a technician was notified of a job at `now` (feeds fairness and the notification cap). */
  recordOffer(id: string, now: number): void {
    counterWrites.recordOffer(this, id, now);
  }

  /**
   * @internal Records an answer to an offer: `accepted` or not, after `responseMs` (omit for an offer that
   * expired unanswered: it counts as a refusal and leaves the response time alone).
   */
  recordResponse(id: string, accepted: boolean, responseMs?: number): void {
    counterWrites.recordResponse(this, id, accepted, responseMs);
  }

  /** @internal Records that a technician cancelled a job he won, or did not show up (see `FleetCounters.cancelled`). */
  recordCancellation(id: string): void {
    counterWrites.recordCancellation(this, id);
  }

  /**
   * @internal Records that a technician won a job at `now`: awards counter +1 and load +1 (`holdsLoad: false`
   * for an appointment, which holds a reservation instead of load).
   */
  recordAward(id: string, now: number, holdsLoad = true): void {
    counterWrites.recordAward(this, id, now, holdsLoad);
  }

  /** @internal Releases one job of a technician (job done or cancelled): load −1. */
  release(id: string): void {
    counterWrites.release(this, id);
  }

  /**
   * @internal The counters the dispatcher writes for a slot (offers, awards, answers, load, notification
   * times), so that an input it rejects after writing can be undone exactly with {@link restoreCounters}.
   */
  saveCounters(slot: number, withTimes = true): counterWrites.SavedCounters {
    return counterWrites.saveCounters(this, slot, withTimes);
  }

  /** @internal Puts back counters read by {@link saveCounters} (same slot, same technician). */
  restoreCounters(saved: counterWrites.SavedCounters): void {
    counterWrites.restoreCounters(this, saved);
  }

  /**
   * @internal Whether a slot with windows is available at `now`; `indexFlags` is its flag word in the
   * index (it carries the schedule id, so no per-technician read is needed).
   */
  isAvailable(slot: number, indexFlags: number, now: number): boolean {
    return this.schedules.isOpen(slot, indexFlags >>> SCHEDULE_SHIFT, now);
  }

  /** @internal Technicians with availability windows. */
  get withWindows(): number {
    return reads.withWindows(this);
  }

  /**
   * @internal Whether a slot had at least `max` notifications within `windowMs` before `now` — the
   * notification cap — in O(1): the times are sorted, so it is whether the `max`-th most recent
   * one is inside the window.
   */
  atNotificationCap(slot: number, now: number, windowMs: number, max: number): boolean {
    return this.counters.atCap(slot, now, windowMs, max);
  }

  /** @internal Notifications of a slot within `windowMs` before `now`. */
  notificationsWithin(slot: number, now: number, windowMs: number): number {
    return this.counters.within(slot, now, windowMs);
  }

  /**
   * Ids of technicians within `km` of a point (ignoring their own radius), nearest first.
   * @example fleet.within(47.37, 8.54, 10) // [{ id: 'anna', distanceKm: 0.4 }, …]
   */
  within(lat: number, lon: number, km: number): Neighbour[] {
    return within(this, lat, lon, km);
  }

  /**
   * Technicians whose own service radius covers a point, nearest first.
   * @example fleet.covering(47.37, 8.54) // everyone whose radiusKm reaches the point
   */
  covering(lat: number, lon: number): Neighbour[] {
    return covering(this, lat, lon);
  }

  /**
   * The `k` nearest technicians to a point (within `maxKm`, default: the whole globe), nearest first; ties by id.
   * @example fleet.nearest(47.37, 8.54, 3, 50) // at most 3, none farther than 50 km
   */
  nearest(lat: number, lon: number, k: number, maxKm = HALF_CIRCUMFERENCE_KM): Neighbour[] {
    return nearest(this, lat, lon, k, maxKm);
  }

  /** @internal Bytes held by typed arrays (index and attributes); the id map and strings come on top. */
  get byteLength(): number {
    return reads.byteLength(this);
  }

  /** @internal Mask of registered names (`skillBits` or `partnerBits`); unknown names set `unknown` (nobody can match them). */
  maskOf(
    registry: Map<string, number>,
    names: readonly string[] | undefined,
  ): { mask: number; unknown: boolean } {
    return (registry === this.partnerBits ? this.certs : this.skills).maskOf(names);
  }
}
