/**
 * Real shapes for the service-area tests and the polygon benchmark, read from the dev-only data
 * packages (not copied into the repository; sources and licences in fixtures/areas/README.md):
 * - the 26 Swiss cantons and the country, swiss-maps 2024 `ch-combined.json` (WGS84 TopoJSON,
 *   geodata © BFS GEOSTAT);
 * - countries from world-atlas `countries-50m.json` (Natural Earth, public domain), in RFC 7946's
 *   split form at the antimeridian.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';

export type AreaFeature = Feature<Polygon | MultiPolygon, { name: string }>;

const require = createRequire(import.meta.url);

function topology(spec: string): Topology {
  return JSON.parse(readFileSync(require.resolve(spec), 'utf8')) as Topology;
}

const CANTON_NAMES = [
  '',
  'Zürich',
  'Bern',
  'Luzern',
  'Uri',
  'Schwyz',
  'Obwalden',
  'Nidwalden',
  'Glarus',
  'Zug',
  'Fribourg',
  'Solothurn',
  'Basel-Stadt',
  'Basel-Landschaft',
  'Schaffhausen',
  'Appenzell Ausserrhoden',
  'Appenzell Innerrhoden',
  'St. Gallen',
  'Graubünden',
  'Aargau',
  'Thurgau',
  'Ticino',
  'Vaud',
  'Valais',
  'Neuchâtel',
  'Genève',
  'Jura',
];

/** The 26 cantons (BFS number order) and Switzerland as features named in `properties.name`. */
export function swissAreas(): { cantons: AreaFeature[]; country: AreaFeature } {
  const t = topology('swiss-maps/2024/ch-combined.json');
  const cantons = (feature(t, t.objects.cantons!) as FeatureCollection<Polygon | MultiPolygon>).features.map(
    (f) => ({ ...f, properties: { name: CANTON_NAMES[Number(f.id)] ?? String(f.id) } }),
  );
  const ch = (feature(t, t.objects.country!) as FeatureCollection<Polygon | MultiPolygon>).features[0]!;
  return { cantons, country: { ...ch, properties: { name: 'Switzerland' } } };
}

/** Countries of world-atlas 50m by name (e.g. 'South Africa', 'Italy', 'Fiji', 'Russia'). */
export function worldAreas(names: readonly string[]): AreaFeature[] {
  const t = topology('world-atlas/countries-50m.json');
  const all = (
    feature(t, t.objects.countries!) as FeatureCollection<Polygon | MultiPolygon, { name: string }>
  ).features;
  return names.map((n) => {
    const f = all.find((c) => c.properties.name === n);
    if (f === undefined) throw new Error(`world-atlas has no country named ${n}`);
    return { type: 'Feature', geometry: f.geometry, properties: { name: n } };
  });
}

/** A ring's longitudes unwrapped: a step of more than 180° is taken across the antimeridian. */
export function unwrapRing(ring: readonly (readonly number[])[]): number[][] {
  let shift = 0;
  return ring.map((p, i) => {
    if (i > 0) {
      const d = p[0]! - ring[i - 1]![0]!;
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
    }
    return [p[0]! + shift, p[1]!];
  });
}

/** Sutherland–Hodgman against the half-plane x ≤ at (`west`) or x ≥ at; the result is closed. */
function clipRing(ring: number[][], at: number, west: boolean): number[][] {
  const inside = (p: number[]) => (west ? p[0]! <= at : p[0]! >= at);
  const out: number[][] = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    if (inside(a)) out.push(a);
    if (inside(a) !== inside(b)) {
      const t = (at - a[0]!) / (b[0]! - a[0]!);
      out.push([at, a[1]! + t * (b[1]! - a[1]!)]);
    }
  }
  if (out.length > 0) out.push(out[0]!);
  return out;
}

/**
 * The RFC 7946 split form of an area whose rings may cross the antimeridian: each polygon
 * unwrapped, then cut at 180° into a western and an eastern part (moved back by 360°). The oracle
 * is asked about this form; polygons that do not cross are kept as they are.
 */
export function splitForm(f: AreaFeature): AreaFeature {
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const out: number[][][][] = [];
  for (const p of polys) {
    const rings = p.map(unwrapRing);
    const xs = (r: number[][]) => r.map((q) => q[0]!);
    const shellMin = Math.min(...xs(rings[0]!));
    const move = shellMin <= -180 ? 360 : 0;
    const centre = (r: number[][]) => (Math.min(...xs(r)) + Math.max(...xs(r))) / 2;
    const c0 = centre(rings[0]!) + move;
    const placed = rings.map((r, i) => {
      const by = i === 0 ? move : 360 * Math.round((c0 - centre(r)) / 360);
      return r.map((q) => [q[0]! + by, q[1]!]);
    });
    if (Math.max(...xs(placed[0]!)) <= 180) {
      out.push(placed);
      continue;
    }
    const west = placed.map((r) => clipRing(r, 180, true));
    const east = placed.map((r) => clipRing(r, 180, false).map((q) => [q[0]! - 360, q[1]!]));
    for (const half of [west, east]) {
      if (half[0]!.length >= 4) out.push(half.filter((r) => r.length >= 4));
    }
  }
  return { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: out }, properties: f.properties };
}
