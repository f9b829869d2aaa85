/**
 * Brute-force oracles: a plain model of the fleet (a Map of technician records) and linear
 * haversine scans over it. Nothing here shares code with the index beyond `haversineKm`, the
 * reference formula itself.
 */
import { haversineKm } from '../../src/fleet/geo/sphere.js';
import type { TechnicianInput } from '../../src/shared/types.js';

/** Points this close to a boundary (km) may fall on either side of it; comparisons skip them. */
export const BOUNDARY_KM = 1e-6;

/** The fleet as a plain map, updated alongside the real one. */
export type Model = Map<string, TechnicianInput>;

/** A naive result row. */
export interface Hit {
  id: string;
  distanceKm: number;
}

/** A technician whose distance is within {@link BOUNDARY_KM} of one of the radii that matter. */
export function onBoundary(d: number, ...radii: number[]): boolean {
  return radii.some((r) => Number.isFinite(r) && Math.abs(d - r) <= BOUNDARY_KM);
}

/** Technicians within `km` of a point, by a linear haversine scan, nearest first then by id. */
export function naiveWithin(model: Model, lat: number, lon: number, km: number): Hit[] {
  const out: Hit[] = [];
  for (const t of model.values()) {
    const d = haversineKm(lat, lon, t.lat, t.lon);
    if (d <= km) out.push({ id: t.id, distanceKm: d });
  }
  return sortHits(out);
}

/** Technicians whose own radius covers a point (and within `maxKm`), by a linear haversine scan. */
export function naiveCovering(
  model: Model,
  lat: number,
  lon: number,
  maxKm = Number.POSITIVE_INFINITY,
): Hit[] {
  const out: Hit[] = [];
  for (const t of model.values()) {
    const d = haversineKm(lat, lon, t.lat, t.lon);
    if (d <= (t.radiusKm ?? 30) && d <= maxKm) out.push({ id: t.id, distanceKm: d });
  }
  return sortHits(out);
}

/** Every technician with its distance to a point, nearest first then by id. */
export function naiveAll(model: Model, lat: number, lon: number): Hit[] {
  const out: Hit[] = [];
  for (const t of model.values()) out.push({ id: t.id, distanceKm: haversineKm(lat, lon, t.lat, t.lon) });
  return sortHits(out);
}

/** The `k` nearest technicians to a point by a linear scan (insertion into a sorted top-k), ties by id. */
export function naiveNearest(model: Model, lat: number, lon: number, k: number): Hit[] {
  const top: Hit[] = [];
  const before = (a: Hit, b: Hit) =>
    a.distanceKm < b.distanceKm || (a.distanceKm === b.distanceKm && a.id < b.id);
  for (const t of model.values()) {
    const h = { id: t.id, distanceKm: haversineKm(lat, lon, t.lat, t.lon) };
    if (top.length === k && !before(h, top[k - 1]!)) continue;
    let i = top.length === k ? k - 1 : top.length;
    if (top.length === k) top.pop();
    while (i > 0 && before(h, top[i - 1]!)) i--;
    top.splice(i, 0, h);
  }
  return top;
}

function sortHits(hits: Hit[]): Hit[] {
  return hits.sort((a, b) => a.distanceKm - b.distanceKm || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Asserts-free comparison of two id sets, ignoring ids for which `ambiguous(id)` holds (points on a
 * boundary). Returns the ids only in `actual` and only in `expected`.
 */
export function setDiff(
  actual: Iterable<string>,
  expected: Iterable<string>,
  ambiguous: (id: string) => boolean,
): { extra: string[]; missing: string[] } {
  const a = new Set(actual);
  const e = new Set(expected);
  const extra = [...a].filter((id) => !e.has(id) && !ambiguous(id));
  const missing = [...e].filter((id) => !a.has(id) && !ambiguous(id));
  return { extra, missing };
}
