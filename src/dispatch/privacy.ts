/**
 * Distances that cannot locate a technician. Effects tell a technician how far a job is; an
 * attacker who collects many of them (different jobs, same technician) could trilaterate his home
 * if they were exact — even rounded to 0.5 km, 100 offers pinned it to about 13 m. So the distance
 * is measured from the centre of a fixed cell of about {@link CELL_KM} km around the technician,
 * then rounded: every technician in a cell gets the same distances, and no number of offers tells
 * more than which cell he is in (up to ~1.4 km from the centre).
 */
import { haversineKm } from '../geo/sphere.js';

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
