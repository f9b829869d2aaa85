/**
 * The fleet's point queries — who is within a distance, whose own radius covers a point, the k
 * nearest — over the spatial index, each checked against a brute-force oracle in the tests. The
 * first three functions are {@link Fleet.within}, {@link Fleet.covering} and {@link Fleet.nearest}
 * with their argument checks; the two below them do the work.
 */
import { InvalidArgumentError } from '../shared/errors.js';
import { checkLatLon, checkRadius } from '../shared/validate.js';
import type { Fleet } from './fleet.js';
import { RangeBuffer } from './geo/grid.js';
import { EARTH_RADIUS_KM, kmToChord2, toUnit, vectorKm } from './geo/sphere.js';
import { Coord, Meta } from './layout.js';

/** A point result of {@link Fleet.nearest}, {@link Fleet.within} and {@link Fleet.covering}. */
export interface Neighbour {
  /** The technician's id. */
  id: string;
  /** Great-circle distance from the query point, km. */
  distanceKm: number;
}

/** Great-circle distance to the antipode, km: no two points are farther apart. */
export const HALF_CIRCUMFERENCE_KM = Math.PI * EARTH_RADIUS_KM;

const UNIT = new Float64Array(3);
const scratch = new RangeBuffer();

/** {@link Fleet.within}: checks the arguments, then {@link neighbours}. */
export function within(fleet: Fleet, lat: number, lon: number, km: number): Neighbour[] {
  checkLatLon(lat, lon, 'within()', InvalidArgumentError);
  checkRadius(km, 'km', 'within()', InvalidArgumentError);
  return neighbours(fleet, lat, lon, km, false);
}

/** {@link Fleet.covering}: checks the point, then {@link neighbours} up to the fleet's largest radius. */
export function covering(fleet: Fleet, lat: number, lon: number): Neighbour[] {
  checkLatLon(lat, lon, 'covering()', InvalidArgumentError);
  if (fleet.maxRadius === 0) return [];
  return neighbours(fleet, lat, lon, fleet.maxRadius, true);
}

/** {@link Fleet.nearest}: checks the arguments, then {@link nearestNeighbours}. */
export function nearest(fleet: Fleet, lat: number, lon: number, k: number, maxKm: number): Neighbour[] {
  checkLatLon(lat, lon, 'nearest()', InvalidArgumentError);
  if (!Number.isInteger(k) || k < 1)
    throw new InvalidArgumentError(`nearest(): k is ${k}; pass a whole number ≥ 1.`);
  if (!(maxKm > 0))
    throw new InvalidArgumentError(`nearest(): maxKm is ${maxKm}; pass a distance in km > 0.`);
  return nearestNeighbours(fleet, lat, lon, k, maxKm);
}

/**
 * Technicians within `km` of a point (`ownRadius`: also within their own radius of it), nearest
 * first, ties by id. Arguments are checked by the caller.
 */
export function neighbours(
  fleet: Fleet,
  lat: number,
  lon: number,
  km: number,
  ownRadius: boolean,
): Neighbour[] {
  const v = UNIT;
  toUnit(lat, lon, v, 0);
  const jx = v[0]!;
  const jy = v[1]!;
  const jz = v[2]!;
  // Past half the circumference every point qualifies (an antipode's chord² may round above 4).
  const limit = km >= HALF_CIRCUMFERENCE_KM ? Number.POSITIVE_INFINITY : kmToChord2(km);
  const idx = fleet.index;
  const pairs = idx.ranges(lat, lon, km, scratch, ownRadius);
  const buf = scratch.data;
  const out: { id: string; km: number }[] = [];
  const { coords, meta } = idx;
  for (let p = 0; p < pairs; p++) {
    for (let e = buf[2 * p]!, end = buf[2 * p + 1]!; e < end; e++) {
      if (meta[e * Meta.STRIDE + Meta.FLAGS] === 0) continue;
      const o = e * Coord.STRIDE;
      const dx = coords[o + Coord.X]! - jx;
      const dy = coords[o + Coord.Y]! - jy;
      const dz = coords[o + Coord.Z]! - jz;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= limit && (!ownRadius || d2 <= coords[o + Coord.R2]!)) {
        const id = fleet.idOf(meta[e * Meta.STRIDE + Meta.SLOT]!);
        out.push({
          id,
          km: vectorKm(coords[o + Coord.X]!, coords[o + Coord.Y]!, coords[o + Coord.Z]!, jx, jy, jz),
        });
      }
    }
  }
  // By the reported distance, not the chord: near the antipode chord² ≈ 4 cannot tell points
  // ~0.2 km apart (its float spacing there), while the atan2 distance can (a fast-check seed found
  // nearest() ranking a point 1 mm farther first).
  out.sort((a, b) => a.km - b.km || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out.map((x) => ({ id: x.id, distanceKm: x.km }));
}

/** The `k` nearest technicians within `maxKm`, nearest first (arguments checked by the caller). */
export function nearestNeighbours(
  fleet: Fleet,
  lat: number,
  lon: number,
  k: number,
  maxKm: number,
): Neighbour[] {
  // Grow the search radius until k are found inside it: nothing outside can be nearer.
  const limitKm = Math.min(maxKm, HALF_CIRCUMFERENCE_KM);
  for (let km = Math.min(10, limitKm); ; km = Math.min(km * 3, limitKm)) {
    const found = neighbours(fleet, lat, lon, km, false);
    if (found.length >= k || km >= limitKm) return found.slice(0, k);
  }
}
