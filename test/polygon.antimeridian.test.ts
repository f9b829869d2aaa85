/**
 * Areas across the antimeridian. Random star-shaped polygons (with and without a hole) centred
 * near 180°, given with wrapped longitudes so their edges step from 179.x to −179.x, are compared
 * with two oracles: @turf/boolean-point-in-polygon on the RFC 7946 split form, and turf on the
 * same shape moved 20° west, where nothing wraps.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { areaBoxes, areaContains, compileArea, InvalidAreaError } from '../src/fleet/geo/polygon.js';
import { createRng } from '../src/shared/random.js';
import { fcSeed } from './helpers/seed.js';
import { type AreaFeature, splitForm, worldAreas } from './polygon-shapes.js';

const SEED = fcSeed('polygon.antimeridian.test.ts');

const wrap = (lon: number) => (lon > 180 ? lon - 360 : lon <= -180 ? lon + 360 : lon);

/** A closed star ring around (cx, cy): one vertex per sector, so it never crosses itself. */
function star(cx: number, cy: number, radii: number[], jitter: number[]): number[][] {
  const n = radii.length;
  const ring = radii.map((r, i) => {
    const a = ((i + 0.1 + 0.8 * jitter[i]!) * 2 * Math.PI) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  return [...ring, ring[0]!];
}

function feature(rings: number[][][], dx: number): AreaFeature {
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: rings.map((r) => r.map(([x, y]) => [wrap(x! + dx), y!])) },
    properties: { name: 'star' },
  };
}

const shape = fc.record({
  cx: fc.double({ min: 179, max: 181, noNaN: true }),
  cy: fc.double({ min: -70, max: 70, noNaN: true }),
  radii: fc.array(fc.double({ min: 1, max: 3, noNaN: true }), { minLength: 3, maxLength: 40 }),
  jitter: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
    minLength: 40,
    maxLength: 40,
  }),
  hole: fc.option(fc.array(fc.double({ min: 0.05, max: 0.4, noNaN: true }), { minLength: 3, maxLength: 12 })),
  seed: fc.integer(),
});

describe('random stars across the antimeridian', () => {
  it('agree with turf on the split form and on the shape moved off the antimeridian', () => {
    let points = 0;
    let crossing = 0;
    fc.assert(
      fc.property(shape, ({ cx, cy, radii, jitter, hole, seed }) => {
        // With a hole, the shell gets 6+ sectors (≤ 108° each) so its edges stay beyond 0.58·min(r)
        // of the centre, and the hole stays within 0.2·min(r): inside, by construction.
        let shellRadii = radii;
        while (hole !== null && shellRadii.length < 6) shellRadii = [...shellRadii, ...radii];
        const rings = [star(cx, cy, shellRadii.slice(0, 40), jitter)];
        const minR = Math.min(...shellRadii);
        if (hole !== null)
          rings.push(
            star(
              cx,
              cy,
              hole.map((h) => h * 0.5 * minR),
              jitter,
            ).reverse(),
          );
        const wrapped = feature(rings, 0);
        const moved = feature(rings, -20);
        const split = splitForm(wrapped);
        const area = compileArea(wrapped);
        const plain = compileArea(wrapped, 'area', { grid: 0 });
        if (area.crossesAntimeridian) crossing++;
        const rng = createRng(seed);
        const [x0, y0, x1, y1] = area.bbox;
        for (let i = 0; i < 400; i++) {
          const x = x0 - 0.3 + (x1 - x0 + 0.6) * rng.next();
          const lat = y0 - 0.3 + (y1 - y0 + 0.6) * rng.next();
          const lon = wrap(x);
          const got = areaContains(area, lat, lon);
          expect(areaContains(plain, lat, lon)).toBe(got);
          expect(got, `(${lat}, ${lon}) split form`).toBe(booleanPointInPolygon([lon, lat], split));
          expect(got, `(${lat}, ${lon}) moved`).toBe(booleanPointInPolygon([wrap(lon - 20), lat], moved));
          points++;
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(points).toBe(60_000);
    expect(crossing).toBeGreaterThan(100);
  });
});

describe('antimeridian semantics', () => {
  // Written with wrapped longitudes: the edges from 170° to −170° are taken across 180°.
  const band = compileArea({
    type: 'Polygon',
    coordinates: [
      [
        [170, 0],
        [-170, 0],
        [-170, 10],
        [170, 10],
        [170, 0],
      ],
    ],
  });

  it('an edge whose longitudes differ by more than 180° crosses the antimeridian', () => {
    expect(band.crossesAntimeridian).toBe(true);
    expect(band.bbox).toEqual([170, 0, 190, 10]);
    expect(areaContains(band, 5, 175)).toBe(true);
    expect(areaContains(band, 5, -175)).toBe(true);
    expect(areaContains(band, 5, 0)).toBe(false);
    expect(areaContains(band, 5, 169.9)).toBe(false);
    expect(areaContains(band, 5, -169.9)).toBe(false);
    expect(areaBoxes(band)).toEqual([
      [170, 0, 180, 10],
      [-180, 0, -170, 10],
    ]);
  });

  it('longitudes −180 and 180 are the same meridian', () => {
    const fiji = compileArea(worldAreas(['Fiji'])[0]!);
    const rng = createRng(SEED);
    for (let i = 0; i < 2_000; i++) {
      const lat = -21 + 5 * rng.next();
      expect(areaContains(fiji, lat, -180)).toBe(areaContains(fiji, lat, 180));
      expect(areaContains(band, lat / 2 + 10, -180)).toBe(areaContains(band, lat / 2 + 10, 180));
    }
    expect(areaContains(band, 5, 180)).toBe(true);
  });

  it('the split form and the unwrapped form answer alike, on the seam too', () => {
    const split = compileArea({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [170, 0],
            [180, 0],
            [180, 10],
            [170, 10],
            [170, 0],
          ],
        ],
        [
          [
            [-180, 0],
            [-170, 0],
            [-170, 10],
            [-180, 10],
            [-180, 0],
          ],
        ],
      ],
    });
    for (const lon of [169.99, 170, 175, 179.999, 180, -180, -179.999, -175, -170.0001, -170]) {
      for (const lat of [-0.001, 0, 0.001, 5, 9.999, 10]) {
        expect(areaContains(split, lat, lon), `(${lat}, ${lon})`).toBe(areaContains(band, lat, lon));
      }
    }
  });

  it('a ring that circles a pole is refused, not misread', () => {
    const ring = [-180, -90, 0, 90, 180].map((lon) => [lon, 80]);
    ring.push([180, 90], [-180, 90], [-180, 80]);
    try {
      compileArea({ type: 'Polygon', coordinates: [ring] }, 'cap');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidAreaError);
      expect((e as InvalidAreaError).path).toBe('cap.coordinates[0]');
      expect((e as Error).message).toMatch(/winds around a pole/);
    }
    expect(() => compileArea(worldAreas(['Antarctica'])[0]!.geometry, 'Antarctica')).toThrow(
      /winds around a pole/,
    );
  });
});
