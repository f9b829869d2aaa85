import { DuplicateIdError, describe, InvalidArgumentError, UnknownIdError } from '../shared/errors.js';
import type { Technician, TechnicianInput } from '../shared/types.js';
import { checkLatLon, checkRadius } from '../shared/validate.js';
import { areasFor, FleetAreas, type SlotAreas } from './areas.js';
import { FleetCounters, LINE_AWARDS, LINE_F32, LINE_F64, LINE_OFFERS, LINE_QUALITY } from './counters.js';
import {
  F_ALIVE,
  F_BEST,
  F_FRIEND,
  F_HAS_CAPACITY,
  F_NOTIFIED,
  F_ONLINE,
  F_PRO,
  F_WINDOWS,
} from './flags.js';
import { GridIndex } from './geo/grid.js';
import { chord2ToKm, kmToChord2, toUnit, unitLat, unitLon } from './geo/sphere.js';
import { C_STRIDE, M_STRIDE } from './layout.js';
import { HALF_CIRCUMFERENCE_KM, type Neighbour, nearestNeighbours, neighbours } from './neighbours.js';
import { QualityCache } from './quality.js';
import { NameRegistry } from './registry.js';
import { type Reservation, Reservations } from './reservations.js';
import { SCHEDULE_SHIFT, SlotSchedules } from './schedules.js';
import { SlotIds } from './slot-ids.js';
import { readTechnician, validateTechnician } from './technician-input.js';

export { F_ALIVE, F_BEST, F_FRIEND, F_HAS_CAPACITY, F_NOTIFIED, F_ONLINE, F_PRO, F_WINDOWS };

/** Options of a {@link Fleet}. */
export interface FleetOptions {
  /** Half-life of the recent offers/awards counters, ms. @default 604800000 (7 days) */
  counterHalfLifeMs?: number;
  /** Weight of the newest observation in the accept-rate and response-time moving averages. @default 0.1 */
  movingAverageAlpha?: number;
  /** Notification times kept per technician for the sliding-window cap. @default 64 */
  notificationHistory?: number;
  /** Technicians to allocate room for up front. @default 1024 */
  initialCapacity?: number;
}

export type { Neighbour } from './neighbours.js';

const DEFAULT_RADIUS_KM = 30;

/**
 * A live fleet of technicians.
 * @example
 * const fleet = new Fleet();
 * fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend', skills: ['router'] });
 * fleet.move('anna', 47.38, 8.55);
 * fleet.setOnline('anna', false);
 */
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

export class Fleet {
  /** The spatial index (read by the planner's scan loop). */
  readonly index: GridIndex;
  /** Technicians' extra service areas and their cell index (read by the planner). */
  readonly areas = new FleetAreas();
  private readonly skills = new NameRegistry('skill');
  private readonly certs = new NameRegistry('certification');
  /** Skill name → bit. At most 32 distinct skills. */
  readonly skillBits = this.skills.bits;
  /** Partner id → bit. At most 32 distinct partners with certifications. */
  readonly partnerBits = this.certs.bits;

  private readonly ids = new SlotIds();
  /** Average rating (NaN while unrated). */
  rating = new Float32Array(0);
  ratingCount = new Uint32Array(0);
  capacity = new Uint16Array(0);
  load = new Uint16Array(0);
  flags = new Uint8Array(0);
  /** Offers, awards, answers and notification times the dispatcher records (see `./counters.ts`). */
  private readonly counters: FleetCounters;
  /** Each slot's line: quality and counters (fields named in `./counters.ts`). */
  get lines(): Float64Array {
    return this.counters.lines;
  }
  /** Float32 view of {@link lines}. */
  get lines32(): Float32Array {
    return this.counters.lines32;
  }
  /** Accept-rate moving average (NaN = unknown). */
  get acceptRate(): Float32Array {
    return this.counters.acceptRate;
  }
  /** Response-time moving average, ms (NaN = unknown). */
  get responseMs(): Float32Array {
    return this.counters.responseMs;
  }
  private readonly quality = new QualityCache();

  /** Each slot's availability windows (see `./schedules.ts`). */
  private readonly schedules = new SlotSchedules();
  /** Recent notification times per slot (ascending), only for technicians notified at least once. */
  get notifications(): ReadonlyMap<number, number[]> {
    return this.counters.notifications;
  }

  private maxRadius = 0;

  /** Assigned appointments per slot (the dispatcher writes them; see {@link reserve}). */
  readonly reservations = new Reservations();

  constructor(options: FleetOptions = {}) {
    this.counters = new FleetCounters(options);
    this.index = new GridIndex(options.initialCapacity ?? 1024);
    this.growSlots(options.initialCapacity ?? 1024);
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

  /** Slot of an id (throws {@link UnknownIdError} when absent). */
  slotOf(id: string): number {
    const slot = this.ids.slotOf(id);
    if (slot === undefined) {
      throw new UnknownIdError(
        `technician ${typeof id === 'string' ? `'${id}'` : describe(id)} is not in the fleet; add it first or check the id.`,
      );
    }
    return slot;
  }

  /** Slot of an id, or -1. */
  findSlot(id: string): number {
    return this.ids.slotOf(id) ?? -1;
  }

  /** Id of a slot (must be live). */
  idOf(slot: number): string {
    return this.ids.idOf(slot)!;
  }

  /** Adds a technician; throws {@link DuplicateIdError} if the id exists. */
  add(record: TechnicianInput): void {
    // The copy is checked and stored: a getter or proxy is read once, unknown fields are refused.
    const input = readTechnician(record);
    if (this.ids.slotOf(input.id) !== undefined) {
      throw new DuplicateIdError(
        `technician '${input.id}' is already in the fleet; use upsert() or update() to change it.`,
      );
    }
    this.write(input, undefined);
  }

  /** Adds a technician or replaces every field of an existing one. */
  upsert(record: TechnicianInput): void {
    const input = readTechnician(record);
    this.write(input, this.ids.slotOf(input.id));
  }

  /**
   * Changes some fields of a technician. `id` cannot change; position changes go through here or {@link move}.
   * @example fleet.update('anna', { radiusKm: 40, skills: ['router', 'tv'] });
   */
  update(id: string, patch: Partial<Omit<TechnicianInput, 'id'>>): void {
    const slot = this.slotOf(id);
    if (patch === null || typeof patch !== 'object') {
      throw new InvalidArgumentError(`update('${id}', patch): patch must be an object of fields to change.`);
    }
    const copy = readTechnician(patch, true, `technician '${id}'`);
    if ('id' in copy && copy.id !== id) {
      throw new InvalidArgumentError(`update('${id}'): the id cannot change; remove() and add() instead.`);
    }
    const { stats: _current, ...current } = this.get(id)!;
    const merged = { ...current, ...copy, id } as TechnicianInput;
    // The merged record too: an explicit `lat: undefined` or `tier: undefined` must not get through.
    validateTechnician(merged);
    this.write(merged, slot);
  }

  /** Moves a technician; O(1) amortised. */
  move(id: string, lat: number, lon: number): void {
    const slot = this.slotOf(id);
    checkLatLon(lat, lon, `move('${id}')`, InvalidArgumentError);
    const v = UNIT;
    toUnit(lat, lon, v, 0);
    this.index.move(slot, v[0]!, v[1]!, v[2]!, lat, lon);
  }

  /** Marks a technician online or offline. */
  setOnline(id: string, online: boolean): void {
    const slot = this.slotOf(id);
    if (typeof online !== 'boolean') {
      throw new InvalidArgumentError(`setOnline('${id}', ${describe(online)}): pass true or false.`);
    }
    this.setFlag(slot, F_ONLINE, online);
  }

  /** Sets how many jobs a technician holds now (0 … capacity). */
  setLoad(id: string, load: number): void {
    const slot = this.slotOf(id);
    if (!Number.isInteger(load) || load < 0 || load > 1000) {
      throw new InvalidArgumentError(`setLoad('${id}', ${describe(load)}): pass a whole number of jobs ≥ 0.`);
    }
    this.load[slot] = load;
    this.setFlag(slot, F_HAS_CAPACITY, load < this.capacity[slot]!);
  }

  /** Removes a technician. */
  remove(id: string): void {
    const slot = this.slotOf(id);
    const [skills, certs] = this.masksOf(slot);
    this.skills.hold(skills, 0);
    this.certs.hold(certs, 0);
    this.ids.release(id, slot);
    this.index.remove(slot);
    this.flags[slot] = 0;
    this.schedules.set(slot, undefined);
    this.areas.set(slot, undefined);
    this.counters.notifications.delete(slot);
    this.reservations.clear(slot);
  }

  /**
   * Reserves a technician's appointment window (the dispatcher does this when it assigns an
   * appointment; call it to seed appointments booked elsewhere). Same job id: replaced.
   * @example
   * fleet.reserve('anna', { jobId: 'a-1', start, end: start + 7_200_000, lat: 47.37, lon: 8.54 });
   */
  reserve(id: string, reservation: Reservation): void {
    const slot = this.slotOf(id);
    const r = reservation;
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
    this.reservations.add(slot, { jobId: r.jobId, start: r.start, end: r.end, lat: r.lat, lon: r.lon });
  }

  /** Releases a reservation (the appointment was completed or cancelled); false when there was none. */
  unreserve(id: string, jobId: string): boolean {
    return this.reservations.remove(this.slotOf(id), jobId);
  }

  /** A technician's reserved appointments, sorted by start (copies). */
  reservationsOf(id: string): Reservation[] {
    return this.reservations.of(this.slotOf(id)).map((r) => ({ ...r }));
  }

  /** Whether a slot with windows is available for all of [start, end) (see {@link isAvailable}). */
  isAvailableIn(slot: number, indexFlags: number, start: number, end: number): boolean {
    return this.schedules.covers(slot, indexFlags >>> SCHEDULE_SHIFT, start, end);
  }

  /** Reads a technician back as a plain object (undefined if absent). */
  get(id: string): Technician | undefined {
    const slot = this.ids.slotOf(id);
    if (slot === undefined) return undefined;
    const f = this.flags[slot]!;
    const skills: string[] = [];
    const certifications: string[] = [];
    const e = this.index.slotEntry[slot]! * M_STRIDE;
    const skillMask = this.index.meta[e + 1]!;
    const certMask = this.index.meta[e + 2]!;
    for (const [name, bit] of this.skillBits) if (skillMask & bit) skills.push(name);
    for (const [name, bit] of this.partnerBits) if (certMask & bit) certifications.push(name);
    const pos = this.positionOf(slot);
    const rating = this.rating[slot]!;
    const ar = this.acceptRate[slot]!;
    const rm = this.responseMs[slot]!;
    return {
      id,
      lat: pos[0],
      lon: pos[1],
      tier: f & F_PRO ? 'pro' : 'friend',
      radiusKm: this.radiusOf(slot),
      rating: Number.isNaN(rating) ? undefined : rating,
      ratingCount: this.ratingCount[slot]!,
      bestFriend: (f & F_BEST) !== 0,
      skills,
      certifications,
      online: (f & F_ONLINE) !== 0,
      availability: this.schedules.sourceOf(slot),
      capacity: this.capacity[slot]!,
      load: this.load[slot]!,
      areas: this.areas.sourcesOf(slot),
      stats: {
        recentOffers: this.lines32[slot * LINE_F32 + LINE_OFFERS]!,
        recentAwards: this.lines32[slot * LINE_F32 + LINE_AWARDS]!,
        ...(Number.isNaN(ar) ? {} : { acceptRate: ar }),
        ...(Number.isNaN(rm) ? {} : { responseMs: rm }),
      },
    };
  }

  /**
   * Service radius of a slot, km. Kept only as the index's squared chord (exact in float64) and
   * read back rounded to 1e-9 km, which returns any radius given with up to nine decimals as given.
   */
  radiusOf(slot: number): number {
    return radiusFromChord2(this.index.coords[this.index.slotEntry[slot]! * C_STRIDE + 3]!);
  }

  /**
   * Position of a slot, [lat, lon] in degrees. Kept only as the index's unit vector and read back
   * rounded to 1e-9° (0.1 mm), which returns coordinates given with up to nine decimals as given.
   */
  positionOf(slot: number): [number, number] {
    const o = this.index.slotEntry[slot]! * C_STRIDE;
    const c = this.index.coords;
    return [round9(unitLat(c[o]!, c[o + 1]!, c[o + 2]!)), round9(unitLon(c[o]!, c[o + 1]!))];
  }

  /** Decayed recent offers and awards of a slot at time `now`. */
  countersAtTime(slot: number, now: number): { offers: number; awards: number } {
    return this.counters.at(slot, now);
  }

  /**
   * Decay factor of a slot's counters from their last update to `now` (1 if `now` is earlier).
   * Counters seeded through `stats` have no time yet: they count in full until the first record.
   */
  decay(slot: number, now: number): number {
    return this.counters.decay(slot, now);
  }

  /**
   * Brings the job-independent part of the score of every slot up to date for `policy`, computed
   * by `compute`, into {@link lines} and the index (cached per policy; slots whose rating, Best
   * Friend flag or responsiveness changed are recomputed on the next call).
   */
  qualityFor(policy: object, compute: (fleet: Fleet, slot: number) => number): void {
    this.quality.refresh(policy, this.ids.slotCount, (slot) => {
      if (this.ids.idOf(slot) === undefined) return;
      const q = compute(this, slot);
      this.counters.lines[slot * LINE_F64 + LINE_QUALITY] = q;
      this.index.setQuality(slot, q);
    });
  }

  /** The cached quality of a slot (valid after {@link qualityFor}). */
  qualityOf(slot: number): number {
    return this.counters.lines[slot * LINE_F64 + LINE_QUALITY]!;
  }

  /** Records that a technician was notified of a job at `now` (feeds fairness and the notification cap). */
  recordOffer(id: string, now: number): void {
    const slot = this.slotOf(id);
    checkTime(now, 'recordOffer');
    if (this.counters.notify(slot, now)) this.setFlag(slot, F_NOTIFIED, true);
  }

  /**
   * Records an answer to an offer: `accepted` or not, after `responseMs` (omit for an offer that
   * expired unanswered: it counts as a refusal and leaves the response time alone).
   */
  recordResponse(id: string, accepted: boolean, responseMs?: number): void {
    const slot = this.slotOf(id);
    this.counters.respond(slot, id, accepted, responseMs);
    this.quality.touch(slot);
  }

  /** Records that a technician cancelled a job he won, or did not show up (see `FleetCounters.cancelled`). */
  recordCancellation(id: string): void {
    const slot = this.slotOf(id);
    this.counters.cancelled(slot);
    this.quality.touch(slot);
  }

  /**
   * Records that a technician won a job at `now`: awards counter +1 and load +1 (`holdsLoad: false`
   * for an appointment, which holds a reservation instead of load).
   */
  recordAward(id: string, now: number, holdsLoad = true): void {
    const slot = this.slotOf(id);
    checkTime(now, 'recordAward');
    this.counters.bump(slot, now, 0, 1);
    if (!holdsLoad) return;
    this.load[slot] = this.load[slot]! + 1;
    this.setFlag(slot, F_HAS_CAPACITY, this.load[slot]! < this.capacity[slot]!);
  }

  /** Releases one job of a technician (job done or cancelled): load −1. */
  release(id: string): void {
    const slot = this.slotOf(id);
    if (this.load[slot] === 0) {
      throw new InvalidArgumentError(
        `release('${id}'): the technician holds no job; release only after an award.`,
      );
    }
    this.load[slot] = this.load[slot]! - 1;
    this.setFlag(slot, F_HAS_CAPACITY, true);
  }

  /**
   * The counters the dispatcher writes for a slot (offers, awards, answers, load, notification
   * times), so that an input it rejects after writing can be undone exactly with {@link restoreCounters}.
   */
  saveCounters(slot: number, withTimes = true): SavedCounters {
    // Only recordOffer changes the notification times: other writes need not copy them.
    const c = this.counters;
    const times = withTimes ? c.notifications.get(slot) : undefined;
    return {
      withTimes,
      slot,
      line: c.lines.slice(slot * LINE_F64, (slot + 1) * LINE_F64),
      acceptRate: c.acceptRate[slot]!,
      responseMs: c.responseMs[slot]!,
      load: this.load[slot]!,
      flags: this.flags[slot]!,
      times: times === undefined ? undefined : times.slice(),
    };
  }

  /** Puts back counters read by {@link saveCounters} (same slot, same technician). */
  restoreCounters(saved: SavedCounters): void {
    const { slot } = saved;
    const c = this.counters;
    c.lines.set(saved.line, slot * LINE_F64);
    c.acceptRate[slot] = saved.acceptRate;
    c.responseMs[slot] = saved.responseMs;
    this.load[slot] = saved.load;
    if (saved.withTimes) {
      if (saved.times === undefined) c.notifications.delete(slot);
      else c.notifications.set(slot, saved.times);
    }
    this.flags[slot] = saved.flags;
    this.index.setFlags(slot, saved.flags | (this.schedules.idOf(slot) << SCHEDULE_SHIFT));
    this.quality.touch(slot);
  }

  /**
   * Whether a slot with windows is available at `now`; `indexFlags` is its flag word in the
   * index (it carries the schedule id, so no per-technician read is needed).
   */
  isAvailable(slot: number, indexFlags: number, now: number): boolean {
    return this.schedules.isOpen(slot, indexFlags >>> SCHEDULE_SHIFT, now);
  }

  /** Technicians with availability windows. */
  get withWindows(): number {
    let n = 0;
    for (const slot of this.ids.slots()) if (this.schedules.idOf(slot) !== 0) n++;
    return n;
  }

  /**
   * Whether a slot had at least `max` notifications within `windowMs` before `now` — the
   * notification cap — in O(1): the times are sorted, so it is whether the `max`-th most recent
   * one is inside the window.
   */
  atNotificationCap(slot: number, now: number, windowMs: number, max: number): boolean {
    return this.counters.atCap(slot, now, windowMs, max);
  }

  /** Notifications of a slot within `windowMs` before `now`. */
  notificationsWithin(slot: number, now: number, windowMs: number): number {
    return this.counters.within(slot, now, windowMs);
  }

  /**
   * Ids of technicians within `km` of a point (ignoring their own radius), nearest first.
   * @example fleet.within(47.37, 8.54, 10) // ['anna', …]
   */
  within(lat: number, lon: number, km: number): Neighbour[] {
    checkLatLon(lat, lon, 'within()', InvalidArgumentError);
    checkRadius(km, 'km', 'within()', InvalidArgumentError);
    return neighbours(this, lat, lon, km, false);
  }

  /** Technicians whose own service radius covers a point, nearest first. */
  covering(lat: number, lon: number): Neighbour[] {
    checkLatLon(lat, lon, 'covering()', InvalidArgumentError);
    if (this.maxRadius === 0) return [];
    return neighbours(this, lat, lon, this.maxRadius, true);
  }

  /** The `k` nearest technicians to a point (within `maxKm`, default: the whole globe), nearest first; ties by id. */
  nearest(lat: number, lon: number, k: number, maxKm = HALF_CIRCUMFERENCE_KM): Neighbour[] {
    checkLatLon(lat, lon, 'nearest()', InvalidArgumentError);
    if (!Number.isInteger(k) || k < 1)
      throw new InvalidArgumentError(`nearest(): k is ${k}; pass a whole number ≥ 1.`);
    if (!(maxKm > 0))
      throw new InvalidArgumentError(`nearest(): maxKm is ${maxKm}; pass a distance in km > 0.`);
    return nearestNeighbours(this, lat, lon, k, maxKm);
  }

  /** Bytes held by typed arrays (index and attributes); the id map and strings come on top. */
  get byteLength(): number {
    const attrs =
      this.rating.byteLength +
      this.ratingCount.byteLength +
      this.capacity.byteLength +
      this.load.byteLength +
      this.flags.byteLength +
      this.quality.byteLength +
      this.counters.byteLength;
    return attrs + this.index.byteLength;
  }

  /** Skill and certification masks of a live slot (0, 0 when it has no index entry). */
  private masksOf(slot: number): [number, number] {
    const entry = this.index.slotEntry[slot]!;
    if (entry === undefined || entry < 0) return [0, 0];
    const e = entry * M_STRIDE;
    return [this.index.meta[e + 1]! >>> 0, this.index.meta[e + 2]! >>> 0];
  }

  /** Mask of registered names (`skillBits` or `partnerBits`); unknown names set `unknown` (nobody can match them). */
  maskOf(
    registry: Map<string, number>,
    names: readonly string[] | undefined,
  ): { mask: number; unknown: boolean } {
    return (registry === this.partnerBits ? this.certs : this.skills).maskOf(names);
  }

  private write(t: TechnicianInput, existing: number | undefined): void {
    // Everything that can throw happens before the first write.
    this.skills.check(t.skills);
    this.certs.check(t.certifications);
    const areas: SlotAreas | undefined =
      t.areas === undefined || t.areas.length === 0 ? undefined : areasFor(t.areas, `technician '${t.id}'`);
    const radius = t.radiusKm ?? DEFAULT_RADIUS_KM;
    const capacity = t.capacity ?? 1;
    const load = t.load ?? 0;
    const [oldSkills, oldCerts] = existing === undefined ? [0, 0] : this.masksOf(existing);
    const skills = this.skills.register(t.skills);
    const certs = this.certs.register(t.certifications);
    this.skills.hold(oldSkills, skills);
    this.certs.hold(oldCerts, certs);
    let slot = existing;
    if (slot === undefined) {
      if (this.ids.next() >= this.flags.length) this.growSlots(Math.ceil(this.flags.length * 1.125) + 64);
      slot = this.ids.assign(t.id);
    }
    if (radius > this.maxRadius) this.maxRadius = radius;
    const rc = t.ratingCount ?? 0;
    this.rating[slot] = rc > 0 && t.rating !== undefined ? t.rating : Number.NaN;
    this.ratingCount[slot] = rc;
    this.capacity[slot] = capacity;
    this.load[slot] = load;
    // Counters are the dispatcher's: a record without `stats` keeps those of an existing technician.
    if (existing === undefined || t.stats) this.counters.seed(slot, t.stats);
    const scheduleId = this.schedules.set(slot, t.availability);
    this.areas.set(slot, areas);
    let flags = F_ALIVE;
    if (t.online ?? true) flags |= F_ONLINE;
    flags |= t.tier === 'pro' ? F_PRO : F_FRIEND;
    if (t.bestFriend) flags |= F_BEST;
    if (load < capacity) flags |= F_HAS_CAPACITY;
    if (t.availability) flags |= F_WINDOWS;
    if (this.counters.notifications.has(slot)) flags |= F_NOTIFIED;
    this.flags[slot] = flags;
    this.quality.touch(slot);
    flags |= scheduleId << SCHEDULE_SHIFT;
    const v = UNIT;
    if (existing === undefined || this.index.slotEntry[slot]! < 0) {
      toUnit(t.lat, t.lon, v, 0);
      this.index.insert(slot, v[0]!, v[1]!, v[2]!, t.lat, t.lon, kmToChord2(radius), flags, skills, certs);
    } else {
      // A record read back by get() and written again must not drift: keep the stored vector and
      // chord when the (rounded) values did not change.
      const [lat, lon] = this.positionOf(slot);
      if (lat !== t.lat || lon !== t.lon) {
        toUnit(t.lat, t.lon, v, 0);
        this.index.move(slot, v[0]!, v[1]!, v[2]!, t.lat, t.lon);
      }
      const r2 =
        this.radiusOf(slot) === radius
          ? this.index.coords[this.index.slotEntry[slot]! * C_STRIDE + 3]!
          : kmToChord2(radius);
      this.index.update(slot, r2, flags, skills, certs);
    }
  }

  private setFlag(slot: number, bit: number, on: boolean): void {
    const f = on ? this.flags[slot]! | bit : this.flags[slot]! & ~bit;
    this.flags[slot] = f;
    this.index.setFlags(slot, f | (this.schedules.idOf(slot) << SCHEDULE_SHIFT));
  }

  private growSlots(n: number): void {
    const grow = <T extends Float64Array | Float32Array | Uint32Array | Uint16Array | Uint8Array>(
      a: T,
      fill?: number,
    ): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      if (fill !== undefined) b.fill(fill);
      b.set(a);
      return b;
    };
    this.rating = grow(this.rating, Number.NaN);
    this.ratingCount = grow(this.ratingCount);
    this.capacity = grow(this.capacity);
    this.schedules.grow(n);
    this.load = grow(this.load);
    this.flags = grow(this.flags);
    this.counters.grow(n);
    this.quality.grow(n);
  }
}

const UNIT = new Float64Array(3);

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** A service radius in km from its squared chord, as the fleet reports it (see {@link Fleet.radiusOf}). */
export function radiusFromChord2(r2: number): number {
  return round9(chord2ToKm(r2));
}

function checkTime(now: number, fn: string): void {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new InvalidArgumentError(
      `${fn}(): now is ${describe(now)}; pass the current time in ms (a finite number).`,
    );
  }
}
