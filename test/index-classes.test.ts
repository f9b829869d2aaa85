/**
 * The grid index's radius classes: a covering query (`ranges(…, covering = true)`) holds every
 * live entry whose own radius reaches the point, after random inserts, moves, radius changes that
 * cross classes, removals and rebuilds, for heavy-tailed radii up to 1000 km; and its cost does not
 * grow with the fleet's largest radius — a few nationwide technicians add only their own entries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFleet, loadSwissCities } from '../bench/data.js';
import { GridIndex, RangeBuffer } from '../src/fleet/geo/grid.js';
import { CLASS_KM, CLASSES, radiusClass } from '../src/fleet/geo/radius-classes.js';
import { haversineKm, kmToChord2, toUnit } from '../src/fleet/geo/sphere.js';
import { Meta } from '../src/fleet/layout.js';
import { anyPoint, type Point } from './helpers/arbitraries.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('index-classes.test.ts');

const v = new Float64Array(3);

function put(index: GridIndex, slot: number, p: Point, km: number): void {
  toUnit(p.lat, p.lon, v, 0);
  index.insert(slot, v[0]!, v[1]!, v[2]!, p.lat, p.lon, kmToChord2(km), 1, 0, 0);
}

/** Live slots in the ranges of a query, and how many entries the ranges span. */
function query(index: GridIndex, q: Point, km: number, covering: boolean) {
  const buf = new RangeBuffer();
  const pairs = index.ranges(q.lat, q.lon, km, buf, covering);
  const slots = new Set<number>();
  let span = 0;
  for (let p = 0; p < pairs; p++) {
    span += buf.data[2 * p + 1]! - buf.data[2 * p]!;
    for (let e = buf.data[2 * p]!; e < buf.data[2 * p + 1]!; e++) {
      if (index.meta[e * Meta.STRIDE] !== 0) slots.add(index.meta[e * Meta.STRIDE + 3]!);
    }
  }
  return { slots, span };
}

/** Heavy-tailed radii: most 5–50 km, some 50–400, a few 400–1000 (every class populated). */
const radius = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 1, max: 50, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: 50, max: 400, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 400, max: 1000, noNaN: true }) },
);

type Op =
  | { kind: 'move'; i: number; p: Point }
  | { kind: 'radius'; i: number; km: number }
  | { kind: 'remove'; i: number }
  | { kind: 'add'; p: Point; km: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('move' as const), i: fc.nat(), p: anyPoint }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('radius' as const), i: fc.nat(), km: radius }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), p: anyPoint, km: radius }) },
);

describe('grid index radius classes', () => {
  it('classes are ordered by their bounds; a radius falls in the first class whose bound reaches it', () => {
    expect(CLASS_KM.length).toBe(CLASSES);
    for (let c = 1; c < CLASSES; c++) expect(CLASS_KM[c]!).toBeGreaterThan(CLASS_KM[c - 1]!);
    expect(radiusClass(kmToChord2(1))).toBe(0);
    expect(radiusClass(kmToChord2(CLASS_KM[0]!))).toBe(0);
    expect(radiusClass(kmToChord2(CLASS_KM[0]! + 0.01))).toBe(1);
    expect(radiusClass(kmToChord2(1000))).toBe(CLASSES - 1);
  });

  it('property: a covering query holds every entry whose own radius reaches the point (after any history)', () => {
    let rebuilds = 0;
    let crossings = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyPoint, radius), { minLength: 1, maxLength: 200 }),
        fc.array(op, { maxLength: 800, size: 'large' }),
        fc.array(anyPoint, { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.double({ min: 1, max: 1000, noNaN: true })),
        (initial, ops, queries, jobKm) => {
          const index = new GridIndex(16);
          const model = new Map<number, { p: Point; km: number }>();
          let nextSlot = 0;
          for (const [p, km] of initial) {
            put(index, nextSlot, p, km);
            model.set(nextSlot++, { p, km });
          }
          for (const o of ops) {
            const live = [...model.keys()];
            if (o.kind === 'add') {
              put(index, nextSlot, o.p, o.km);
              model.set(nextSlot++, { p: o.p, km: o.km });
              continue;
            }
            if (live.length === 0) continue;
            const slot = live[o.i % live.length]!;
            const t = model.get(slot)!;
            if (o.kind === 'move') {
              toUnit(o.p.lat, o.p.lon, v, 0);
              index.move(slot, v[0]!, v[1]!, v[2]!, o.p.lat, o.p.lon);
              t.p = o.p;
            } else if (o.kind === 'radius') {
              if (radiusClass(kmToChord2(o.km)) !== radiusClass(kmToChord2(t.km))) crossings++;
              index.update(slot, kmToChord2(o.km), 1, 0, 0);
              t.km = o.km;
            } else {
              index.remove(slot);
              model.delete(slot);
            }
          }
          rebuilds += index.rebuilds;
          expect(index.live).toBe(model.size);
          const firstLive = [...model.values()][0]?.p;
          for (const q of firstLive ? [...queries, firstLive] : queries) {
            const { slots } = query(index, q, jobKm, true);
            const missing: number[] = [];
            for (const [slot, t] of model) {
              const d = haversineKm(q.lat, q.lon, t.p.lat, t.p.lon);
              // 1e-6 km of slack: the index is exact to rounding, the oracle is haversine.
              if (d <= t.km - 1e-6 && d <= jobKm - 1e-6 && !slots.has(slot)) missing.push(slot);
            }
            expect(missing).toEqual([]);
          }
        },
      ),
      { seed, numRuns: 120 },
    );
    expect(rebuilds).toBeGreaterThan(0);
    expect(crossings).toBeGreaterThan(0);
  });

  it('the covering scan does not grow with the largest radius: five nationwide technicians add ~5 entries', () => {
    const cities = loadSwissCities();
    const build = (nationwide: number) => {
      const index = new GridIndex(1600);
      generateFleet(cities, 1500, { seed: 1500, nationwide }).forEach((t, i) => {
        put(index, i, t, t.radiusKm!);
      });
      index.rebuild();
      return index;
    };
    const plain = build(0);
    const national = build(5);
    let spanPlain = 0;
    let spanNational = 0;
    let spanAll = 0;
    const jobs = generateFleet(cities, 300, { seed: 77 }); // points placed like jobs
    for (const j of jobs) {
      spanPlain += query(plain, j, Number.POSITIVE_INFINITY, true).span;
      spanNational += query(national, j, Number.POSITIVE_INFINITY, true).span;
      spanAll += query(national, j, 400, false).span;
    }
    // Without classes every query would read the whole fleet (a 400 km window over Switzerland).
    expect(spanAll / jobs.length).toBeGreaterThan(1400);
    expect(spanNational / jobs.length).toBeLessThan(spanAll / jobs.length / 2);
    // Five huge radii cost their five entries (at most), not the country.
    expect(spanNational - spanPlain).toBeLessThanOrEqual(5 * jobs.length);
  });
});
