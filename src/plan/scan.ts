/**
 * The planner's scans over the index: the hot radius scan, the extra-area scan, and their
 * `explain` forms, each feeding eligible technicians to one bounded {@link Ranker}. Every loop
 * rejects on bitmasks ({@link passesMasks}) before it computes a distance.
 */

import { F_NOTIFIED, F_WINDOWS, type Fleet, radiusFromChord2 } from '../fleet/fleet.js';
import { RangeBuffer } from '../fleet/geo/grid.js';
import { chord2ToKm, EARTH_RADIUS_KM, kmToChord2 } from '../fleet/geo/sphere.js';
import { Coord, Meta } from '../fleet/layout.js';
import type { Exclusion } from '../shared/types.js';
import { inArea, type JobContext, passesBooking, passesSlow, reasonsFor } from './eligibility.js';
import { Ranker } from './ranker.js';
import { type ScoreContext, scoreOf, upperBound } from './scoring.js';

const SLOW_FLAGS = F_WINDOWS | F_NOTIFIED;

// Module scratch, reused across calls (a thread runs one plan at a time).
const ranges = new RangeBuffer();
/** The ranking of the plan being made (module scratch, like {@link ranges}). */
export const top = new Ranker();

// Own radius (km) by squared chord, memoised: a fleet has few distinct radii, and the conversion
// (square root, polynomial, rounding) was a tenth of a dense plan. Same input, same output.
const RADIUS_MASK = 1023;
const radiusR2 = new Float64Array(RADIUS_MASK + 1).fill(-1);
const radiusKm = new Float64Array(RADIUS_MASK + 1);

/** A technician's own radius, km, from its squared chord (memoised). */
export function ownRadiusKm(r2: number): number {
  const h = (r2 * 8e8) & RADIUS_MASK;
  if (radiusR2[h] === r2) return radiusKm[h]!;
  const km = radiusFromChord2(r2);
  radiusR2[h] = r2;
  radiusKm[h] = km;
  return km;
}
/** Largest arc/chord ratio of a radius up to 1000 km (θ / (2 sin(θ/2)) at θ = 1000/6371), rounded up. */
const ARC_PER_CHORD = 1.0011;

function consider(
  fleet: Fleet,
  slot: number,
  entry: number,
  flags: number,
  d2: number,
  ctx: JobContext,
  sc: ScoreContext,
): void {
  const r2 = fleet.index.coords[entry * Coord.STRIDE + Coord.R2]!;
  const jobRadius = ctx.jobRadiusKm;
  if (top.threshold !== Number.NEGATIVE_INFINITY) {
    // Upper bound from the index entry alone, with square roots instead of arcs: the distance is
    // at least the chord, the own radius at most its chord times the largest arc/chord ratio of
    // a radius ≤ 1000 km, fairness counts as 1. Technicians that cannot reach the bar never touch
    // their per-slot data.
    const ownUpper = ARC_PER_CHORD * EARTH_RADIUS_KM * Math.sqrt(r2);
    const bound = upperBound(
      sc,
      fleet.index.quality[entry]!,
      flags,
      EARTH_RADIUS_KM * Math.sqrt(d2),
      ownUpper < jobRadius ? ownUpper : jobRadius,
    );
    if (bound < top.threshold) return;
  }
  // The own radius from the index entry (same memory as the scan), not from the slot.
  const ownRadius = ownRadiusKm(r2);
  const radius = ownRadius < jobRadius ? ownRadius : jobRadius;
  top.add(scoreOf(sc, fleet, slot, flags, chord2ToKm(d2), radius), d2, slot);
}

/**
 * The job's bitmask rules on one index entry — required flags (alive, online, capacity), tier,
 * skills, certification — as plain numbers, so the hot loop keeps the job's masks in registers.
 * A dead entry (flags 0) fails.
 */
export function passesMasks(
  flags: number,
  skills: number,
  certs: number,
  requiredFlags: number,
  tierMask: number,
  skillMask: number,
  certMask: number,
): boolean {
  return (
    (flags & requiredFlags) === requiredFlags &&
    (flags & tierMask) !== 0 &&
    (skills & skillMask) === skillMask &&
    (certMask & ~certs) === 0
  );
}

/** {@link passesMasks} for the entry at `meta[m …]`, with the masks read from the job context (cold paths). */
function passesJobMasks(flags: number, meta: Uint32Array, m: number, ctx: JobContext): boolean {
  return passesMasks(
    flags,
    meta[m + Meta.SKILLS]!,
    meta[m + Meta.CERTS]!,
    ctx.requiredFlags,
    ctx.tierMask,
    ctx.skillMask,
    ctx.certMask,
  );
}

/** Squared chord from the job's unit vector to index entry `e`. */
export function chord2To(coords: Float64Array, e: number, jx: number, jy: number, jz: number): number {
  const o = e * Coord.STRIDE;
  const dx = coords[o + Coord.X]! - jx;
  const dy = coords[o + Coord.Y]! - jy;
  const dz = coords[o + Coord.Z]! - jz;
  return dx * dx + dy * dy + dz * dz;
}

/**
 * The technicians of the job's cell in the area index that the radius scan leaves out — the job
 * is beyond their own radius — and that have an area holding the job: the same masks and rules
 * as {@link scan}, with the area test in place of the radius test.
 */
export function scanAreas(fleet: Fleet, ctx: JobContext, sc: ScoreContext, slots: readonly number[]): number {
  const { coords, meta, slotEntry } = fleet.index;
  let eligible = 0;
  for (const slot of slots) {
    const e = slotEntry[slot]!;
    const m = e * Meta.STRIDE;
    const flags = meta[m + Meta.FLAGS]!;
    if (!passesJobMasks(flags, meta, m, ctx)) continue;
    const d2 = chord2To(coords, e, ctx.jx, ctx.jy, ctx.jz);
    // Within his own radius he is the radius scan's; beyond the job's max radius nobody's.
    if (d2 <= coords[e * Coord.STRIDE + Coord.R2]! || d2 > ctx.jobChord2 || !inArea(fleet, slot, ctx))
      continue;
    if (!passesSlow(fleet, slot, flags, ctx)) continue;
    eligible++;
    consider(fleet, slot, e, flags, d2, ctx, sc);
  }
  return eligible;
}

/**
 * For `explain`: the area technicians {@link explainScan} did not reach (farther than `searchKm`)
 * whose area holds the job, each with every rule it fails. Those whose areas miss the job are not
 * near it and are not listed, like anyone else beyond the scan.
 */
export function explainAreas(
  fleet: Fleet,
  ctx: JobContext,
  sc: ScoreContext,
  searchKm: number,
  excluded: Exclusion[],
): number {
  const slots = fleet.areas.at(ctx.job.lat, ctx.job.lon);
  if (slots === undefined) return 0;
  const { coords, meta, slotEntry } = fleet.index;
  const limit = searchKm > 0 ? kmToChord2(searchKm) : -1;
  let eligible = 0;
  for (const slot of slots) {
    const e = slotEntry[slot]!;
    const d2 = chord2To(coords, e, ctx.jx, ctx.jy, ctx.jz);
    if (d2 <= limit || !inArea(fleet, slot, ctx)) continue;
    eligible += explainOne(fleet, slot, e, meta[e * Meta.STRIDE + Meta.FLAGS]!, d2, ctx, sc, excluded);
  }
  return eligible;
}

/** The hot path: reads typed arrays only until a technician passes every mask and distance test. */
export function scan(fleet: Fleet, ctx: JobContext, sc: ScoreContext, searchKm: number): number {
  const idx = fleet.index;
  // Each radius class only out to its own largest radius: a few huge radii cost only their owners.
  const pairs = idx.ranges(ctx.job.lat, ctx.job.lon, searchKm, ranges, true);
  const buf = ranges.data;
  const { coords, meta } = idx;
  const { jx, jy, jz, tierMask, skillMask, certMask, requiredFlags } = ctx;
  const limit = Math.min(kmToChord2(searchKm), ctx.jobChord2);
  const useSets = ctx.blocked.size > 0 || ctx.offered.size > 0;
  // Chosen technicians or reservations anywhere in the fleet: one more check for everyone past the masks.
  const booking = ctx.chosen.size > 0 || ctx.booked;
  let eligible = 0;
  for (let p = 0; p < pairs; p++) {
    const end = buf[2 * p + 1]!;
    for (let e = buf[2 * p]!; e < end; e++) {
      const m = e * Meta.STRIDE;
      const flags = meta[m + Meta.FLAGS]!;
      // Bitmask tests first: most technicians fail here, before any distance. passesMasks
      // written out, as the hottest loop had it (tests hold both to RULES).
      if (
        (flags & requiredFlags) !== requiredFlags ||
        (flags & tierMask) === 0 ||
        (meta[m + Meta.SKILLS]! & skillMask) !== skillMask ||
        (certMask & ~meta[m + Meta.CERTS]!) !== 0
      ) {
        continue;
      }
      const o = e * Coord.STRIDE;
      const dx = coords[o + Coord.X]! - jx;
      const dy = coords[o + Coord.Y]! - jy;
      const dz = coords[o + Coord.Z]! - jz;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > limit || d2 > coords[o + Coord.R2]!) continue;
      const slot = meta[m + Meta.SLOT]!;
      if (
        useSets || (flags & SLOW_FLAGS) !== 0
          ? !passesSlow(fleet, slot, flags, ctx)
          : booking && !passesBooking(fleet, slot, ctx)
      ) {
        continue;
      }
      eligible++;
      consider(fleet, slot, e, flags, d2, ctx, sc);
    }
  }
  return eligible;
}

/** Every rule evaluated by name, for `explain: true`. Same candidates and ranking as {@link scan}. */
export function explainScan(
  fleet: Fleet,
  ctx: JobContext,
  sc: ScoreContext,
  searchKm: number,
  excluded: Exclusion[],
): number {
  const idx = fleet.index;
  const pairs = idx.ranges(ctx.job.lat, ctx.job.lon, searchKm, ranges);
  const buf = ranges.data;
  const { coords, meta } = idx;
  const limit = kmToChord2(searchKm);
  let eligible = 0;
  for (let p = 0; p < pairs; p++) {
    for (let e = buf[2 * p]!; e < buf[2 * p + 1]!; e++) {
      const m = e * Meta.STRIDE;
      const flags = meta[m + Meta.FLAGS]!;
      if (flags === 0) continue;
      const d2 = chord2To(coords, e, ctx.jx, ctx.jy, ctx.jz);
      if (d2 > limit) continue;
      const slot = meta[m + Meta.SLOT]!;
      if (ctx.chosen.has(slot)) continue; // reported in `Plan.preferred`, offered in their own wave
      eligible += explainOne(fleet, slot, e, flags, d2, ctx, sc, excluded);
    }
  }
  return eligible;
}

/** One technician near the job under `explain`: listed with every rule he fails, or ranked (1). */
function explainOne(
  fleet: Fleet,
  slot: number,
  e: number,
  flags: number,
  d2: number,
  ctx: JobContext,
  sc: ScoreContext,
  excluded: Exclusion[],
): number {
  const reasons = reasonsFor(fleet, slot, e, d2, ctx);
  if (reasons.length > 0) {
    excluded.push({ id: fleet.idOf(slot), distanceKm: chord2ToKm(d2), reasons });
    return 0;
  }
  consider(fleet, slot, e, flags, d2, ctx, sc);
  return 1;
}
