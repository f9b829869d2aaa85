/**
 * Golden test on real shapes: areaContains (with its grid, and without) against
 * @turf/boolean-point-in-polygon over random points, half of them within a few metres of a vertex
 * where the grid's boundary cells and the edge rule are exercised. Shapes: the 26 Swiss cantons
 * (St. Gallen with the two Appenzells as holes, Ticino around Campione, Bern, Fribourg and
 * Solothurn with exclaves), Switzerland, and Natural Earth countries with holes (South Africa
 * around Lesotho, Italy around San Marino and the Vatican) or split at the antimeridian (Fiji,
 * Russia, Kiribati). Boundary points are compared between the two modes and across cantons.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { describe, expect, it } from 'vitest';
import { areaContains, type CompiledArea, compileArea } from '../src/fleet/geo/polygon.js';
import { createRng } from '../src/shared/random.js';
import { fcSeed } from './helpers/seed.js';
import { type AreaFeature, splitForm, swissAreas, worldAreas } from './polygon-shapes.js';

const SEED = fcSeed('polygon.oracle.test.ts');
const { cantons, country } = swissAreas();
const world = worldAreas(['South Africa', 'Lesotho', 'Italy', 'Fiji', 'Russia', 'Kiribati']);

function positions(f: AreaFeature): number[][] {
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  return polys.flat(2);
}

/** `n` points: half uniform over the box widened by 10 %, half within ~1e-4° of a vertex. */
function samplePoints(area: CompiledArea, f: AreaFeature, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const [x0, y0, x1, y1] = area.bbox;
  const w = x1 - x0;
  const h = y1 - y0;
  const verts = positions(f);
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    let lon: number;
    let lat: number;
    if (i % 2 === 0) {
      lon = x0 - 0.05 * w + 1.1 * w * rng.next();
      lat = y0 - 0.05 * h + 1.1 * h * rng.next();
    } else {
      const v = verts[rng.int(verts.length)]!;
      const r = 10 ** (-6 + 2 * rng.next()); // 1e-6 … 1e-4 degrees
      lon = v[0]! + r * (2 * rng.next() - 1);
      lat = v[1]! + r * (2 * rng.next() - 1);
    }
    if (lon > 180) lon -= 360;
    if (lon < -180) lon += 360;
    out[i * 2] = Math.min(180, Math.max(-180, lon));
    out[i * 2 + 1] = Math.min(90, Math.max(-90, lat));
  }
  return out;
}

interface Case {
  name: string;
  feature: AreaFeature;
  /** What the oracle is asked: the RFC 7946 split form where a ring steps across the antimeridian. */
  oracle: AreaFeature;
  points: number;
}

const CASES: Case[] = [
  ...cantons.map((c) => ({ name: c.properties.name, feature: c, oracle: c, points: 2_400 })),
  { name: 'Switzerland', feature: country, oracle: country, points: 10_000 },
  ...world.map((c) => ({
    name: c.properties.name,
    feature: c,
    oracle: splitForm(c),
    points: c.properties.name === 'Russia' ? 6_000 : 5_000,
  })),
];

describe('areaContains equals @turf/boolean-point-in-polygon on real shapes', () => {
  let total = 0;
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_, c, i) => {
    const grid = compileArea(c.feature, c.name);
    const plain = compileArea(c.feature, c.name, { grid: 0 });
    const pts = samplePoints(grid, c.feature, c.points, SEED + i);
    const wrong: string[] = [];
    let inside = 0;
    for (let k = 0; k < c.points; k++) {
      const lon = pts[k * 2]!;
      const lat = pts[k * 2 + 1]!;
      const expected = booleanPointInPolygon([lon, lat], c.oracle);
      const a = areaContains(grid, lat, lon);
      const b = areaContains(plain, lat, lon);
      if (expected) inside++;
      if (a !== expected || b !== expected)
        wrong.push(`(${lat}, ${lon}): turf ${expected}, grid ${a}, plain ${b}`);
    }
    total += c.points;
    expect(wrong.slice(0, 5), `${wrong.length} of ${c.points} differ (seed ${SEED})`).toEqual([]);
    // The sample must exercise both answers, or the comparison proves little.
    expect(inside).toBeGreaterThan(c.points * 0.05);
    expect(inside).toBeLessThan(c.points * 0.95);
  });

  it('compared at least 100,000 points', () => {
    expect(total).toBeGreaterThanOrEqual(100_000);
  });
});

describe('boundary points', () => {
  const compiled = cantons.map((c) => compileArea(c));

  it('grid and plain scan agree on every vertex and edge midpoint of every shape', () => {
    let checked = 0;
    for (const f of [...cantons, country, ...world]) {
      const grid = compileArea(f);
      const plain = compileArea(f, 'area', { grid: 0 });
      const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const ring of polys.flat(1)) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const [ax, ay] = ring[i]!;
          const [bx, by] = ring[i + 1]!;
          for (const [lon, lat] of [
            [ax!, ay!],
            [(ax! + bx!) / 2, (ay! + by!) / 2],
          ]) {
            if (Math.abs(ax! - bx!) > 180) continue; // an antimeridian step: its midpoint is elsewhere
            expect(areaContains(grid, lat!, lon!), `${f.properties.name} at (${lat}, ${lon})`).toBe(
              areaContains(plain, lat!, lon!),
            );
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  });

  /** Each undirected canton edge and the cantons whose boundary uses it. */
  const edges = new Map<string, number[]>();
  cantons.forEach((f, ci) => {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const ring of polys.flat(1)) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const a = ring[i]!.join(',');
        const b = ring[i + 1]!.join(',');
        const key = a < b ? `${a};${b}` : `${b};${a}`;
        edges.set(key, [...(edges.get(key) ?? []), ci]);
      }
    }
  });

  it('a vertex where cantons meet belongs to at most one, and to exactly one off the outer border', () => {
    // A vertex is on the outer border of the cantons' union when an edge at it has one canton only.
    const users = new Map<string, Set<number>>();
    const outer = new Set<string>();
    for (const [key, owners] of edges) {
      for (const v of key.split(';')) {
        const set = users.get(v) ?? new Set<number>();
        for (const o of owners) set.add(o);
        users.set(v, set);
        if (owners.length === 1) outer.add(v);
      }
    }
    let inner = 0;
    let border = 0;
    for (const [v, set] of users) {
      if (set.size < 2) continue;
      const [lon, lat] = v.split(',').map(Number) as [number, number];
      const owners = compiled.filter((a) => areaContains(a, lat, lon)).length;
      if (outer.has(v)) {
        border++;
        expect(owners, `(${lat}, ${lon}) on the border`).toBeLessThanOrEqual(1);
      } else {
        inner++;
        expect(owners, `(${lat}, ${lon}) shared by ${[...set].map((o) => cantons[o]!.properties.name)}`).toBe(
          1,
        );
      }
    }
    expect(inner).toBeGreaterThan(1_000);
    expect(border).toBeGreaterThan(10);
  });

  it('edge midpoints shared by two cantons belong to exactly one of them', () => {
    let checked = 0;
    for (const [key, owners] of edges) {
      if (owners.length !== 2) continue;
      const [a, b] = key.split(';').map((s) => s.split(',').map(Number)) as [number[], number[]];
      const lon = (a[0]! + b[0]!) / 2;
      const lat = (a[1]! + b[1]!) / 2;
      const claims = owners.filter((ci) => areaContains(compiled[ci]!, lat, lon)).length;
      expect(claims, `(${lat}, ${lon}) between ${owners.map((o) => cantons[o]!.properties.name)}`).toBe(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(1_000);
  });
});
