/**
 * Random service areas for the planner's property tests, and their oracle. Shapes are star
 * polygons (vertices in angular order around a centre, every gap under 180°, so the ring is
 * simple), sometimes with a hole (a smaller star inside the shell's inscribed circle) or as a
 * MultiPolygon of two stars; longitudes are normalised, so an area near 180° steps across the
 * antimeridian. The oracle is @turf/boolean-point-in-polygon on the unwrapped rings, asked at
 * lon, lon + 360 and lon − 360: nothing shared with src/fleet/geo.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import type { GeoJsonArea } from '../../src/shared/types.js';
import { unwrapRing } from '../polygon-shapes.js';
import type { Point } from './arbitraries.js';

const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

function normLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** A closed star ring around (lat, lon): `radii[i]` degrees at angle 2π(i + jitter[i]·0.8)/k. */
function starRing(lat: number, lon: number, radii: number[], jitter: number[]): number[][] {
  const k = radii.length;
  // Longitude degrees shrink toward the poles; stretch them (bounded) to keep the shape round-ish.
  const stretch = Math.min(10, 1 / Math.max(0.1, Math.cos((lat * Math.PI) / 180)));
  const ring = radii.map((r, i) => {
    const a = (2 * Math.PI * (i + jitter[i]! * 0.8)) / k;
    return [normLon(lon + r * Math.cos(a) * stretch), lat + r * Math.sin(a)];
  });
  ring.push(ring[0]!);
  return ring;
}

/** One star polygon (maybe with a hole) around a centre within `spread`° of `c`, up to `size`° across. */
function starPolygon(c: Point, spread: number, size: number): fc.Arbitrary<number[][][]> {
  return fc
    .record({
      dLat: dbl(-spread, spread),
      dLon: dbl(-spread, spread),
      k: fc.integer({ min: 5, max: 12 }),
      rMin: dbl(0.02, size),
      hole: fc.boolean(),
      seeds: fc.array(dbl(0, 1), { minLength: 48, maxLength: 48 }),
    })
    .map(({ dLat, dLon, k, rMin, hole, seeds }) => {
      const rMax = rMin * 1.8;
      // Keep the whole star off the poles (a ring around a pole is refused).
      const lat = Math.max(-88 + rMax, Math.min(88 - rMax, c.lat + dLat));
      const lon = c.lon + dLon;
      const radii = Array.from({ length: k }, (_, i) => rMin + (rMax - rMin) * seeds[i]!);
      const shell = starRing(lat, lon, radii, seeds.slice(12, 12 + k));
      if (!hole) return [shell];
      // The shell's inscribed circle is at least rMin·cos(0.8·2π/k / 2·…) > 0.4·rMin for k ≥ 5.
      const inner = Array.from({ length: k }, (_, i) => rMin * (0.1 + 0.25 * seeds[24 + i]!));
      return [shell, starRing(lat, lon, inner, seeds.slice(36, 36 + k))];
    });
}

/** A service area near `c`: a Polygon (maybe with a hole) or a MultiPolygon of two, sometimes a Feature. */
export function areaNear(c: Point, spread = 1, size = 0.8): fc.Arbitrary<GeoJsonArea> {
  return fc
    .tuple(fc.integer({ min: 0, max: 4 }), starPolygon(c, spread, size), starPolygon(c, spread * 2, size))
    .map(([kind, a, b]): GeoJsonArea => {
      if (kind === 0) return { type: 'MultiPolygon', coordinates: [a, b] };
      if (kind === 1)
        return {
          type: 'Feature',
          properties: { name: 'area' },
          geometry: { type: 'Polygon', coordinates: a },
        };
      return { type: 'Polygon', coordinates: a };
    });
}

function polygonsOf(area: GeoJsonArea): number[][][][] {
  const g = area.type === 'Feature' ? area.geometry : area;
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
  return polys;
}

/** The oracle: is (lat, lon) in the area? turf on the unwrapped rings, at lon and lon ± 360. */
export function oracleInArea(area: GeoJsonArea, lat: number, lon: number): boolean {
  for (const rings of polygonsOf(area)) {
    const unwrapped = rings.map(unwrapRing);
    // Holes unwrap on their own: bring each to its shell's side of the map.
    const mid = (r: number[][]) => (Math.min(...r.map((p) => p[0]!)) + Math.max(...r.map((p) => p[0]!))) / 2;
    const c0 = mid(unwrapped[0]!);
    const placed = unwrapped.map((r, i) =>
      i === 0 ? r : r.map((p) => [p[0]! + 360 * Math.round((c0 - mid(r)) / 360), p[1]!]),
    );
    const poly = { type: 'Polygon' as const, coordinates: placed };
    for (const shift of [0, 360, -360]) {
      if (booleanPointInPolygon([lon + shift, lat], poly)) return true;
    }
  }
  return false;
}

/** Whether any of the areas holds the point (the oracle). */
export function oracleInAreas(areas: readonly GeoJsonArea[] | undefined, lat: number, lon: number): boolean {
  return (areas ?? []).some((a) => oracleInArea(a, lat, lon));
}
