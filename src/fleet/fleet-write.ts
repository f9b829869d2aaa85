/**
 * Writes to the fleet's records — add, upsert, update's merge, move, online, load, remove — with
 * {@link writeRecord}, the one place that turns a checked `TechnicianInput` into the slot's
 * attributes, flag word, skill and certification masks and index entry; plus the flag and room
 * plumbing the other writes share and the quality refresh the planner asks for. Plain functions over
 * the {@link Fleet}'s internal state, so the class stays a thin, documented surface that delegates.
 */
import { DuplicateIdError, describe, InvalidArgumentError } from '../shared/errors.js';
import type { TechnicianInput } from '../shared/types.js';
import { areasFor, type SlotAreas } from './areas.js';
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
import type { Fleet } from './fleet.js';
import { kmToChord2, toUnit } from './geo/sphere.js';
import { Coord, LINE_F64, LINE_QUALITY, Meta } from './layout.js';
import { SCHEDULE_SHIFT } from './schedules.js';
import { readTechnician, validateTechnician } from './technician-input.js';

const DEFAULT_RADIUS_KM = 30;

/** Scratch unit vector (writes are synchronous, so one is enough). */
const UNIT = new Float64Array(3);

/** {@link Fleet.add}: a new technician (throws {@link DuplicateIdError} if the id exists). */
export function addRecord(fleet: Fleet, record: TechnicianInput): void {
  // The copy is checked and stored: a getter or proxy is read once, unknown fields are refused.
  const input = readTechnician(record);
  if (fleet.ids.slotOf(input.id) !== undefined) {
    throw new DuplicateIdError(
      `technician '${input.id}' is already in the fleet; use upsert() or update() to change it.`,
    );
  }
  writeRecord(fleet, input, undefined);
}

/** {@link Fleet.upsert}: a new technician, or every field of an existing one replaced. */
export function upsertRecord(fleet: Fleet, record: TechnicianInput): void {
  const input = readTechnician(record);
  writeRecord(fleet, input, fleet.ids.slotOf(input.id));
}

/** {@link Fleet.setOnline}. */
export function setOnline(fleet: Fleet, id: string, online: boolean): void {
  const slot = fleet.slotOf(id);
  if (typeof online !== 'boolean') {
    throw new InvalidArgumentError(`setOnline('${id}', ${describe(online)}): pass true or false.`);
  }
  setFlag(fleet, slot, F_ONLINE, online);
}

/** {@link Fleet.setLoad}: the load, and the has-capacity bit with it. */
export function setLoad(fleet: Fleet, id: string, load: number): void {
  const slot = fleet.slotOf(id);
  if (!Number.isInteger(load) || load < 0 || load > 1000) {
    throw new InvalidArgumentError(`setLoad('${id}', ${describe(load)}): pass a whole number of jobs ≥ 0.`);
  }
  fleet.load[slot] = load;
  setFlag(fleet, slot, F_HAS_CAPACITY, load < fleet.capacity[slot]!);
}

/**
 * Writes a checked record into a new slot (`existing` undefined) or over an existing one. Everything
 * that can throw happens before the first write, so a rejected record leaves the fleet unchanged.
 */
export function writeRecord(fleet: Fleet, t: TechnicianInput, existing: number | undefined): void {
  fleet.skills.check(t.skills);
  fleet.certs.check(t.certifications);
  const areas: SlotAreas | undefined =
    t.areas === undefined || t.areas.length === 0 ? undefined : areasFor(t.areas, `technician '${t.id}'`);
  const radius = t.radiusKm ?? DEFAULT_RADIUS_KM;
  const capacity = t.capacity ?? 1;
  const load = t.load ?? 0;
  const [oldSkills, oldCerts] = existing === undefined ? [0, 0] : masksOf(fleet, existing);
  const skills = fleet.skills.register(t.skills);
  const certs = fleet.certs.register(t.certifications);
  fleet.skills.hold(oldSkills, skills);
  fleet.certs.hold(oldCerts, certs);
  let slot = existing;
  if (slot === undefined) {
    if (fleet.ids.next() >= fleet.flags.length) growSlots(fleet, Math.ceil(fleet.flags.length * 1.125) + 64);
    slot = fleet.ids.assign(t.id);
  }
  if (radius > fleet.maxRadius) fleet.maxRadius = radius;
  const rc = t.ratingCount ?? 0;
  fleet.rating[slot] = rc > 0 && t.rating !== undefined ? t.rating : Number.NaN;
  fleet.ratingCount[slot] = rc;
  fleet.capacity[slot] = capacity;
  fleet.load[slot] = load;
  // Counters are the dispatcher's: a record without `stats` keeps those of an existing technician.
  if (existing === undefined || t.stats) fleet.counters.seed(slot, t.stats);
  const scheduleId = fleet.schedules.set(slot, t.availability);
  fleet.areas.set(slot, areas);
  let flags = F_ALIVE;
  if (t.online ?? true) flags |= F_ONLINE;
  flags |= t.tier === 'pro' ? F_PRO : F_FRIEND;
  if (t.bestFriend) flags |= F_BEST;
  if (load < capacity) flags |= F_HAS_CAPACITY;
  if (t.availability) flags |= F_WINDOWS;
  if (fleet.counters.notifications.has(slot)) flags |= F_NOTIFIED;
  fleet.flags[slot] = flags;
  fleet.quality.touch(slot);
  flags |= scheduleId << SCHEDULE_SHIFT;
  const v = UNIT;
  const index = fleet.index;
  if (existing === undefined || index.slotEntry[slot]! < 0) {
    toUnit(t.lat, t.lon, v, 0);
    index.insert(slot, v[0]!, v[1]!, v[2]!, t.lat, t.lon, kmToChord2(radius), flags, skills, certs);
  } else {
    // A record read back by get() and written again must not drift: keep the stored vector and
    // chord when the (rounded) values did not change.
    const [lat, lon] = fleet.positionOf(slot);
    if (lat !== t.lat || lon !== t.lon) {
      toUnit(t.lat, t.lon, v, 0);
      index.move(slot, v[0]!, v[1]!, v[2]!, t.lat, t.lon);
    }
    const r2 =
      fleet.radiusOf(slot) === radius
        ? index.coords[index.slotEntry[slot]! * Coord.STRIDE + Coord.R2]!
        : kmToChord2(radius);
    index.update(slot, r2, flags, skills, certs);
  }
}

/**
 * The full record `update(id, patch)` writes: the technician read back with `patch` over it (its
 * counters left alone), checked as a whole.
 */
export function patchedRecord(
  fleet: Fleet,
  id: string,
  patch: Partial<Omit<TechnicianInput, 'id'>>,
): TechnicianInput {
  if (patch === null || typeof patch !== 'object') {
    throw new InvalidArgumentError(`update('${id}', patch): patch must be an object of fields to change.`);
  }
  const copy = readTechnician(patch, true, `technician '${id}'`);
  if ('id' in copy && copy.id !== id) {
    throw new InvalidArgumentError(`update('${id}'): the id cannot change; remove() and add() instead.`);
  }
  const { stats: _current, ...current } = fleet.get(id)!;
  const merged = { ...current, ...copy, id } as TechnicianInput;
  // The merged record too: an explicit `lat: undefined` or `tier: undefined` must not get through.
  validateTechnician(merged);
  return merged;
}

/** Takes a technician out of every structure that holds his slot; the slot is freed for reuse. */
export function removeRecord(fleet: Fleet, id: string, slot: number): void {
  const [skills, certs] = masksOf(fleet, slot);
  fleet.skills.hold(skills, 0);
  fleet.certs.hold(certs, 0);
  fleet.ids.release(id, slot);
  fleet.index.remove(slot);
  fleet.flags[slot] = 0;
  fleet.schedules.set(slot, undefined);
  fleet.areas.set(slot, undefined);
  fleet.counters.notifications.delete(slot);
  fleet.reservations.clear(slot);
}

/**
 * Writes `compute`'s quality of every stale live slot (all of them for a new policy) into its line
 * and its index entry; see {@link Fleet.qualityFor}.
 */
export function refreshQuality(
  fleet: Fleet,
  policy: object,
  compute: (fleet: Fleet, slot: number) => number,
): void {
  fleet.quality.refresh(policy, fleet.ids.slotCount, (slot) => {
    if (fleet.ids.idOf(slot) === undefined) return;
    const q = compute(fleet, slot);
    fleet.counters.lines[slot * LINE_F64 + LINE_QUALITY] = q;
    fleet.index.setQuality(slot, q);
  });
}

/** Skill and certification masks of a live slot (0, 0 when it has no index entry). */
export function masksOf(fleet: Fleet, slot: number): [number, number] {
  const index = fleet.index;
  const entry = index.slotEntry[slot]!;
  if (entry === undefined || entry < 0) return [0, 0];
  const e = entry * Meta.STRIDE;
  return [index.meta[e + Meta.SKILLS]! >>> 0, index.meta[e + Meta.CERTS]! >>> 0];
}

/**
 * Sets or clears one bit of a slot's flag word, in the fleet and in its index entry (which also
 * carries the schedule id above {@link SCHEDULE_SHIFT}, so the planner reads one word).
 */
export function setFlag(fleet: Fleet, slot: number, bit: number, on: boolean): void {
  const f = on ? fleet.flags[slot]! | bit : fleet.flags[slot]! & ~bit;
  fleet.flags[slot] = f;
  fleet.index.setFlags(slot, f | (fleet.schedules.idOf(slot) << SCHEDULE_SHIFT));
}

/** Room for `n` slots in every per-slot array, keeping what is there (the index grows on its own). */
export function growSlots(fleet: Fleet, n: number): void {
  const grow = <T extends Float64Array | Float32Array | Uint32Array | Uint16Array | Uint8Array>(
    a: T,
    fill?: number,
  ): T => {
    const b = new (a.constructor as new (n: number) => T)(n);
    if (fill !== undefined) b.fill(fill);
    b.set(a);
    return b;
  };
  fleet.rating = grow(fleet.rating, Number.NaN);
  fleet.ratingCount = grow(fleet.ratingCount);
  fleet.capacity = grow(fleet.capacity);
  fleet.schedules.grow(n);
  fleet.load = grow(fleet.load);
  fleet.flags = grow(fleet.flags);
  fleet.counters.grow(n);
  fleet.quality.grow(n);
}
