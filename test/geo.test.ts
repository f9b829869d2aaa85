/**
 * Geometry: haversine against known distances, the unit-vector/chord conversions, and the grid
 * index's candidate ranges (every point within `km` lies in a returned range) at the poles, the
 * antimeridian and everywhere, before and after rebuilds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CELL_DEG, COLS, cellKey, GridIndex, RangeBuffer, ROWS } from '../src/fleet/geo/grid.js';
import {
  chord2ToKm,
  EARTH_RADIUS_KM,
  haversineKm,
  kmToChord2,
  toUnit,
  unitLat,
  unitLon,
} from '../src/fleet/geo/sphere.js';
import { Meta } from '../src/fleet/layout.js';
import { anyPoint, near, type Point } from './helpers/arbitraries.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('geo.test.ts');

const unit = (p: Point) => {
  const v = new Float64Array(3);
  toUnit(p.lat, p.lon, v, 0);
  return v;
};
const chord2 = (a: Point, b: Point) => {
  const u = unit(a);
  const v = unit(b);
  return (u[0]! - v[0]!) ** 2 + (u[1]! - v[1]!) ** 2 + (u[2]! - v[2]!) ** 2;
};

describe('sphere', () => {
  it('haversine matches known great-circle distances', () => {
    // Zürich HB – Genève Cornavin ≈ 224 km; quarter of a meridian = πR/2.
    expect(haversineKm(47.3779, 8.5403, 46.2102, 6.1424)).toBeCloseTo(224.0, 0);
    expect(haversineKm(0, 0, 90, 0)).toBeCloseTo((Math.PI * EARTH_RADIUS_KM) / 2, 9);
    expect(haversineKm(0, 0, 0, 180)).toBeCloseTo(Math.PI * EARTH_RADIUS_KM, 9);
    // Across the antimeridian: 0.2° of longitude at the equator, not 359.8°.
    expect(haversineKm(0, 179.9, 0, -179.9)).toBeCloseTo((0.2 * Math.PI * EARTH_RADIUS_KM) / 180, 9);
    // At the pole longitude does not matter.
    expect(haversineKm(90, 0, 90, 123)).toBeCloseTo(0, 9);
    expect(haversineKm(89.9, 0, 89.9, 180)).toBeCloseTo((0.2 * Math.PI * EARTH_RADIUS_KM) / 180, 6);
  });

  it('unit vectors have length 1 and convert back to lat/lon', () => {
    fc.assert(
      fc.property(anyPoint, (p) => {
        const v = unit(p);
        expect(Math.hypot(v[0]!, v[1]!, v[2]!)).toBeCloseTo(1, 14);
        expect(unitLat(v[0]!, v[1]!, v[2]!)).toBeCloseTo(p.lat, 12);
        if (Math.abs(p.lat) < 89.999) {
          const dLon = Math.abs(unitLon(v[0]!, v[1]!) - p.lon);
          expect(Math.min(dLon, 360 - dLon)).toBeLessThan(1e-6);
        }
      }),
      { seed, numRuns: 500 },
    );
  });

  it('the chord distance agrees with haversine: to a millimetre up to 2,000 km, to a metre anywhere', () => {
    const pairs = fc.oneof(
      fc.tuple(anyPoint, anyPoint),
      anyPoint.chain((a) => fc.tuple(fc.constant(a), near(a, 1000))),
    );
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const h = haversineKm(a.lat, a.lon, b.lat, b.lon);
        const c = chord2ToKm(chord2(a, b));
        // Both formulas lose digits near the antipode (asin near 1); radii never exceed 1,000 km.
        expect(Math.abs(c - h)).toBeLessThan(h <= 2000 ? 1e-6 : 1e-3);
      }),
      { seed, numRuns: 1000 },
    );
  });

  it('kmToChord2 is monotone and inverts chord2ToKm up to half the circumference', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        (x, y) => {
          const [a, b] = x < y ? [x, y] : [y, x];
          expect(kmToChord2(a)).toBeLessThanOrEqual(kmToChord2(b));
          expect(chord2ToKm(kmToChord2(a))).toBeCloseTo(a, 6);
        },
      ),
      { seed, numRuns: 500 },
    );
    expect(kmToChord2(1e6)).toBe(4);
  });
});

describe('grid index', () => {
  it('cells cover the globe; ±180 and ±90 map to valid cells', () => {
    expect(ROWS * CELL_DEG).toBe(180);
    expect(COLS * CELL_DEG).toBe(360);
    for (const [lat, lon] of [
      [90, 180],
      [-90, -180],
      [0, 180],
      [0, -180],
      [89.99, 179.99],
    ] as const) {
      const k = cellKey(lat, lon);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(ROWS * COLS);
    }
  });

  /** Points inserted as slots 0…n-1; returns the slots inside the ranges of a query. */
  function rangedSlots(index: GridIndex, q: Point, km: number): Set<number> {
    const buf = new RangeBuffer();
    const pairs = index.ranges(q.lat, q.lon, km, buf);
    const out = new Set<number>();
    for (let p = 0; p < pairs; p++) {
      for (let e = buf.data[2 * p]!; e < buf.data[2 * p + 1]!; e++) {
        if (index.meta[e * Meta.STRIDE] !== 0) out.add(index.meta[e * Meta.STRIDE + 3]!);
      }
    }
    return out;
  }

  function insert(index: GridIndex, slot: number, p: Point): void {
    const v = unit(p);
    index.insert(slot, v[0]!, v[1]!, v[2]!, p.lat, p.lon, 0, 1, 0, 0);
  }

  it('property: every point within km lies in a returned range (poles, antimeridian, anywhere; after moves)', () => {
    let rebuilds = 0;
    fc.assert(
      fc.property(
        fc.array(anyPoint, { minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(), anyPoint), { maxLength: 1500, size: 'large' }),
        fc.array(anyPoint, { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        (points, moves, queries, km) => {
          const index = new GridIndex(16);
          const where = [...points];
          where.forEach((p, i) => {
            insert(index, i, p);
          });
          for (const [i, p] of moves) {
            const slot = i % where.length;
            const v = unit(p);
            index.move(slot, v[0]!, v[1]!, v[2]!, p.lat, p.lon);
            where[slot] = p;
          }
          rebuilds += index.rebuilds;
          expect(index.live).toBe(where.length);
          for (const q of [...queries, where[0]!]) {
            const got = rangedSlots(index, q, km);
            const missing = where
              .map((p, i) => [p, i] as const)
              .filter(([p, i]) => haversineKm(q.lat, q.lon, p.lat, p.lon) <= km && !got.has(i))
              .map(([, i]) => i);
            expect(missing).toEqual([]);
          }
        },
      ),
      { seed, numRuns: 150 },
    );
    expect(rebuilds).toBeGreaterThan(0);
  });

  it('removed entries are never live in a range; rebuild keeps every live entry', () => {
    const index = new GridIndex(16);
    const pts: Point[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = { lat: -80 + (i % 160), lon: -180 + ((i * 7) % 360) };
      pts.push(p);
      insert(index, i, p);
    }
    for (let i = 0; i < 1000; i += 2) index.remove(i);
    index.rebuild();
    expect(index.live).toBe(500);
    for (const q of pts.slice(0, 50)) {
      const got = rangedSlots(index, q, 300);
      for (const s of got) expect(s % 2).toBe(1);
      pts.forEach((p, i) => {
        if (i % 2 === 1 && haversineKm(q.lat, q.lon, p.lat, p.lon) <= 300) expect(got.has(i)).toBe(true);
      });
    }
  });
});
