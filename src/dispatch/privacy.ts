/**
 * Distances that cannot locate a technician. Effects tell a technician how far a job is; an
 * attacker who collects many of them (different jobs, same technician) could trilaterate his home
 * if they were exact — even rounded to 0.5 km, 100 offers pinned it to about 13 m. So the distance
 * is measured from the centre of a fixed cell of about {@link CELL_KM} km around the technician,
 * then rounded: every technician in a cell gets the same distances, and no number of offers tells
 * more than which cell he is in (up to ~1.4 km from the centre).
 */
import type { Fleet } from '../fleet/fleet.js';
import { EARTH_RADIUS_KM, haversineKm, toUnit } from '../fleet/geo/sphere.js';
import { Coord } from '../fleet/layout.js';

/** Side of a privacy cell, km (north–south; east–west it is as wide at its central latitude). */
export const CELL_KM = 2;
const CELL_DEG = (CELL_KM / 6371.0088) * (180 / Math.PI);

/** Centre of the fixed cell that holds a point. */
export function cellCentre(lat: number, lon: number): [number, number] {
  const row = Math.min(Math.floor((lat + 90) / CELL_DEG), Math.floor(180 / CELL_DEG));
  const cLat = Math.min(90, -90 + (row + 0.5) * CELL_DEG);
  // Columns are as wide in km as rows are high (clamped near the poles, where cells get few).
  const lonDeg = Math.min(360, CELL_DEG / Math.max(Math.cos((cLat * Math.PI) / 180), 1e-3));
  const col = Math.floor((lon + 180) / lonDeg);
  let cLon = -180 + (col + 0.5) * lonDeg;
  if (cLon > 180) cLon -= 360;
  return [cLat, cLon];
}

/** The distance an effect reports: from the technician's cell centre to the job, rounded to 0.5 km. */
export function publicKm(techLat: number, techLon: number, jobLat: number, jobLon: number): number {
  const [lat, lon] = cellCentre(techLat, techLon);
  return Math.round(haversineKm(lat, lon, jobLat, jobLon) * 2) / 2;
}

/**
 * {@link publicKm} for fleet slots, with each technician's cell centre cached (as a unit vector)
 * until he moves: the plan's candidates then cost one chord and one `asin` each.
 */
export class PublicDistances {
  /** Per slot: the unit vector the cell was computed for, then the cell centre's unit vector. */
  private cache = new Float64Array(0);
  private readonly job = new Float64Array(3);

  /** Sets the job the next {@link km} calls measure to. */
  setJob(lat: number, lon: number): void {
    toUnit(lat, lon, this.job, 0);
  }

  /** Public distance from a slot's cell to the job, km, rounded to 0.5 km. */
  km(fleet: Fleet, slot: number): number {
    const o = fleet.index.slotEntry[slot]! * Coord.STRIDE;
    const c = fleet.index.coords;
    const x = c[o + Coord.X]!;
    const y = c[o + Coord.Y]!;
    const z = c[o + Coord.Z]!;
    const k = slot * 6;
    if (k + 6 > this.cache.length) {
      const grown = new Float64Array(Math.max(k + 6, this.cache.length * 2));
      grown.set(this.cache);
      this.cache = grown;
    }
    const s = this.cache;
    if (s[k] !== x || s[k + 1] !== y || s[k + 2] !== z) {
      const [lat, lon] = fleet.positionOf(slot);
      const [cLat, cLon] = cellCentre(lat, lon);
      toUnit(cLat, cLon, s, k + 3);
      s[k] = x;
      s[k + 1] = y;
      s[k + 2] = z;
    }
    const j = this.job;
    const dx = s[k + 3]! - j[0]!;
    const dy = s[k + 4]! - j[1]!;
    const dz = s[k + 5]! - j[2]!;
    // Great-circle distance from the chord (exact enough at 0.5 km resolution).
    const half = Math.sqrt(dx * dx + dy * dy + dz * dz) / 2;
    return Math.round(2 * EARTH_RADIUS_KM * Math.asin(half < 1 ? half : 1) * 2) / 2;
  }
}
