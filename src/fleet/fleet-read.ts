/**
 * Reading a technician back out of the fleet's slots as the plain `Technician` that `Fleet.get`
 * returns. Position and radius are kept only in the index (unit vector, squared chord), so they are
 * read back rounded to nine decimals: a record given with up to nine decimals comes back as given,
 * and one read back and written again does not drift.
 */
import { describe, UnknownIdError } from '../shared/errors.js';
import type { Technician } from '../shared/types.js';
import { F_BEST, F_ONLINE, F_PRO } from './flags.js';
import type { Fleet } from './fleet.js';
import type { GridIndex } from './geo/grid.js';
import { chord2ToKm, unitLat, unitLon } from './geo/sphere.js';
import { Coord, LINE_AWARDS, LINE_F32, LINE_OFFERS, Meta } from './layout.js';

/** A live slot's technician as a plain object (what {@link Fleet.get} returns for it). */
export function readBack(fleet: Fleet, slot: number, id: string): Technician {
  const f = fleet.flags[slot]!;
  const skills: string[] = [];
  const certifications: string[] = [];
  const e = fleet.index.slotEntry[slot]! * Meta.STRIDE;
  const skillMask = fleet.index.meta[e + Meta.SKILLS]!;
  const certMask = fleet.index.meta[e + Meta.CERTS]!;
  for (const [name, bit] of fleet.skillBits) if (skillMask & bit) skills.push(name);
  for (const [name, bit] of fleet.partnerBits) if (certMask & bit) certifications.push(name);
  const pos = fleet.positionOf(slot);
  const rating = fleet.rating[slot]!;
  const ar = fleet.acceptRate[slot]!;
  const rm = fleet.responseMs[slot]!;
  return {
    id,
    lat: pos[0],
    lon: pos[1],
    tier: f & F_PRO ? 'pro' : 'friend',
    radiusKm: fleet.radiusOf(slot),
    rating: Number.isNaN(rating) ? undefined : rating,
    ratingCount: fleet.ratingCount[slot]!,
    bestFriend: (f & F_BEST) !== 0,
    skills,
    certifications,
    online: (f & F_ONLINE) !== 0,
    availability: fleet.schedules.sourceOf(slot),
    capacity: fleet.capacity[slot]!,
    load: fleet.load[slot]!,
    areas: fleet.areas.sourcesOf(slot),
    stats: {
      recentOffers: fleet.lines32[slot * LINE_F32 + LINE_OFFERS]!,
      recentAwards: fleet.lines32[slot * LINE_F32 + LINE_AWARDS]!,
      ...(Number.isNaN(ar) ? {} : { acceptRate: ar }),
      ...(Number.isNaN(rm) ? {} : { responseMs: rm }),
    },
  };
}

/** A slot's [lat, lon] in degrees from its index entry's unit vector (see {@link Fleet.positionOf}). */
export function slotPosition(index: GridIndex, slot: number): [number, number] {
  const o = index.slotEntry[slot]! * Coord.STRIDE;
  const c = index.coords;
  return [
    round9(unitLat(c[o + Coord.X]!, c[o + Coord.Y]!, c[o + Coord.Z]!)),
    round9(unitLon(c[o + Coord.X]!, c[o + Coord.Y]!)),
  ];
}

/** A service radius in km from its squared chord, as the fleet reports it (see {@link Fleet.radiusOf}). */
export function radiusFromChord2(r2: number): number {
  return round9(chord2ToKm(r2));
}

/** The error for an id that is not in the fleet (see {@link Fleet.slotOf}). */
export function unknownId(id: string): UnknownIdError {
  return new UnknownIdError(
    `technician ${typeof id === 'string' ? `'${id}'` : describe(id)} is not in the fleet; add it first or check the id.`,
  );
}

/** Technicians with availability windows. */
export function withWindows(fleet: Fleet): number {
  let n = 0;
  for (const slot of fleet.ids.slots()) if (fleet.schedules.idOf(slot) !== 0) n++;
  return n;
}

/** Bytes held by the fleet's typed arrays (index and attributes); the id map and strings come on top. */
export function byteLength(fleet: Fleet): number {
  const attrs =
    fleet.rating.byteLength +
    fleet.ratingCount.byteLength +
    fleet.capacity.byteLength +
    fleet.load.byteLength +
    fleet.flags.byteLength +
    fleet.quality.byteLength +
    fleet.counters.byteLength;
  return attrs + fleet.index.byteLength;
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
