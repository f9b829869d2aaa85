/**
 * Technicians' extra service areas and partner regions in the fleet and the planner: the planner
 * against a brute-force oracle (haversine + turf over every technician) on random fleets with
 * random areas (holes, MultiPolygons, the antimeridian, homes thousands of km away) through
 * upserts, updates and removals; real shapes (the Swiss cantons); the fleet's read-back; bad input
 * (typed errors with the path, nothing changed).
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { haversineKm } from '../src/fleet/geo/sphere.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy, outsidePartnerRegion } from '../src/plan/policy.js';
import { InvalidPolicyError, InvalidTechnicianError } from '../src/shared/errors.js';
import { createRng } from '../src/shared/random.js';
import type { GeoJsonArea, Job, TechnicianInput } from '../src/shared/types.js';
import { anyPoint, near, type Point } from './helpers/arbitraries.js';
import { areaNear, oracleInAreas } from './helpers/areas.js';
import { onBoundary } from './helpers/oracle.js';
import { fcSeed } from './helpers/seed.js';
import { swissAreas } from './polygon-shapes.js';

const seed = fcSeed('plan.areas.test.ts');
const NOW = Date.UTC(2026, 11, 2, 12);
const policy = createPolicy({ maxNotifiedPerJob: 100_000 });

/** A square area (lon/lat box) as a GeoJSON Polygon. */
function box(lon0: number, lat0: number, lon1: number, lat1: number): GeoJsonArea {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lon0, lat0],
        [lon1, lat0],
        [lon1, lat1],
        [lon0, lat1],
        [lon0, lat0],
      ],
    ],
  };
}

/** Expected candidates by brute force: within the own radius or in an area, and within the job's radius. */
function oracle(model: Map<string, TechnicianInput>, job: Job): Map<string, 'radius' | 'area'> | null {
  const out = new Map<string, 'radius' | 'area'>();
  for (const t of model.values()) {
    const d = haversineKm(job.lat, job.lon, t.lat, t.lon);
    const r = t.radiusKm ?? 30;
    if (onBoundary(d, r, job.maxRadiusKm ?? Number.POSITIVE_INFINITY)) return null; // either side is right
    if (d > (job.maxRadiusKm ?? Number.POSITIVE_INFINITY)) continue;
    if (d <= r) out.set(t.id, 'radius');
    else if (oracleInAreas(t.areas, job.lat, job.lon)) out.set(t.id, 'area');
  }
  return out;
}

/** A fleet scenario around a centre: technicians near it or far away, with or without areas, then changes. */
const fleetArb = anyPoint.chain((c: Point) => {
  const farLat = c.lat > 0 ? c.lat - 50 : c.lat + 50;
  const tech = (id: string) =>
    fc
      .record({
        home: fc.oneof(near(c, 200), fc.constant({ lat: farLat, lon: c.lon })),
        tier: fc.constantFrom('friend' as const, 'pro' as const),
        radiusKm: fc.double({ min: 1, max: 120, noNaN: true }),
        areas: fc.option(fc.array(areaNear(c, 0.8, 0.6), { minLength: 1, maxLength: 3 }), { nil: undefined }),
      })
      .map(
        ({ home, areas, ...rest }): TechnicianInput => ({
          id,
          ...home,
          ...rest,
          ...(areas ? { areas } : {}),
        }),
      );
  const ids = Array.from({ length: 30 }, (_, i) => `t${i}`);
  return fc.record({
    c: fc.constant(c),
    techs: fc.tuple(...ids.map(tech)),
    ops: fc.array(
      fc.oneof(
        fc.nat({ max: 29 }).chain((i) => tech(`t${i}`).map((t) => ({ op: 'upsert' as const, t }))),
        fc.record({
          op: fc.constant('update' as const),
          id: fc.nat({ max: 29 }),
          radiusKm: fc.double({ min: 1, max: 120, noNaN: true }),
        }),
        fc.record({ op: fc.constant('remove' as const), id: fc.nat({ max: 29 }) }),
      ),
      { maxLength: 15 },
    ),
    jobs: fc.array(
      fc.record(
        { p: near(c, 60), maxRadiusKm: fc.double({ min: 5, max: 1000, noNaN: true }) },
        { requiredKeys: ['p'] },
      ),
      { minLength: 1, maxLength: 4 },
    ),
  });
});

describe('plan() with extra areas against a brute-force oracle (fast-check)', () => {
  it('candidates and how they were reached match haversine + turf, through upserts, updates and removals', () => {
    let viaArea = 0;
    let farViaArea = 0;
    let viaRadius = 0;
    let checked = 0;
    fc.assert(
      fc.property(fleetArb, ({ techs, ops, jobs }) => {
        const fleet = new Fleet({ initialCapacity: 8 });
        const model = new Map<string, TechnicianInput>();
        for (const t of techs) {
          fleet.add(t);
          model.set(t.id, t);
        }
        const check = () => {
          for (const [k, j] of jobs.entries()) {
            const job: Job = {
              id: `j${k}`,
              lat: j.p.lat,
              lon: j.p.lon,
              ...(j.maxRadiusKm ? { maxRadiusKm: j.maxRadiusKm } : {}),
            };
            const want = oracle(model, job);
            if (want === null) continue;
            const fast = plan(fleet, job, { now: NOW, policy });
            const explained = plan(fleet, job, { now: NOW, policy, explain: true });
            expect(fast.candidates).toEqual(explained.candidates);
            const got = new Map(fast.candidates.map((c) => [c.id, c.via]));
            expect(got).toEqual(want);
            // Nobody reached through an area is listed as excluded; those whose areas hold the job
            // but who are beyond the job's radius are listed with that reason alone.
            for (const x of explained.excluded!) expect(want.has(x.id)).toBe(false);
            for (const [id, via] of want) {
              if (via === 'area') viaArea++;
              else viaRadius++;
              if (
                via === 'area' &&
                haversineKm(job.lat, job.lon, model.get(id)!.lat, model.get(id)!.lon) > 1000
              )
                farViaArea++;
            }
            checked++;
          }
        };
        check();
        for (const o of ops) {
          if (o.op === 'upsert') {
            fleet.upsert(o.t);
            model.set(o.t.id, o.t);
          } else {
            const id = `t${o.id}`;
            if (!model.has(id)) continue;
            if (o.op === 'update') {
              fleet.update(id, { radiusKm: o.radiusKm });
              model.set(id, { ...model.get(id)!, radiusKm: o.radiusKm });
            } else {
              fleet.remove(id);
              model.delete(id);
            }
          }
        }
        check();
        // The area index holds exactly the live technicians with areas.
        expect(fleet.areas.technicians).toBe(
          [...model.values()].filter((t) => (t.areas ?? []).length > 0).length,
        );
      }),
      { seed, numRuns: 120 },
    );
    expect(checked).toBeGreaterThan(300);
    expect(viaArea).toBeGreaterThan(100);
    expect(farViaArea).toBeGreaterThan(20);
    expect(viaRadius).toBeGreaterThan(100);
  });
});

describe('extra areas on real shapes (the Swiss cantons)', () => {
  const { cantons } = swissAreas();
  const byName = new Map(cantons.map((c) => [c.properties.name, c]));
  const aargau = byName.get('Aargau')!;

  it('the user story: a Friend 10 km from Aarau with a 40 km radius gets jobs across his area extension', () => {
    const fleet = new Fleet();
    // Home in Olten (~10 km from Aarau); the extension is Zürich canton, whose far end is ~75 km away.
    const zurich = byName.get('Zürich')!;
    fleet.add({ id: 'friend', lat: 47.35, lon: 7.9, tier: 'friend', radiusKm: 40, areas: [zurich] });
    // Winterthur: ~75 km away, beyond his radius, inside his extra area.
    const winterthur: Job = { id: 'w', lat: 47.4988, lon: 8.7237 };
    expect(haversineKm(47.35, 7.9, winterthur.lat, winterthur.lon)).toBeGreaterThan(40);
    const p = plan(fleet, winterthur, { now: NOW, policy, explain: true });
    expect(p.candidates.map((c) => [c.id, c.via, c.breakdown.distance])).toEqual([['friend', 'area', 0]]);
    // St. Gallen: beyond the radius and outside the area: excluded with the one radius reason.
    const sg = plan(fleet, { id: 's', lat: 47.4245, lon: 9.3767 }, { now: NOW, policy, explain: true });
    expect(sg.candidates).toEqual([]);
    // Beyond the fleet's largest radius and outside every area: not near, so not listed at all.
    expect(sg.excluded).toEqual([]);
    // Aarau itself: inside his own radius, so reached by the radius.
    const aarau = plan(fleet, { id: 'a', lat: 47.3925, lon: 8.0444 }, { now: NOW, policy });
    expect(aarau.candidates[0]!.via).toBe('radius');
    // The job's own max radius still applies: areas widen what he accepts, not what the job allows.
    const capped = plan(fleet, { ...winterthur, maxRadiusKm: 50 }, { now: NOW, policy, explain: true });
    expect(capped.candidates).toEqual([]);
    expect(capped.excluded).toEqual([
      {
        id: 'friend',
        distanceKm: expect.closeTo(haversineKm(47.35, 7.9, winterthur.lat, winterthur.lon), 6),
        reasons: ['beyond_job_radius'],
      },
    ]);
  });

  it('every canton as an area: candidates match turf at seeded points all over Switzerland', () => {
    const fleet = new Fleet();
    // One technician per canton, living in Geneva with a 1 km radius: only his area can reach a job.
    for (const c of cantons) {
      fleet.add({
        id: c.properties.name,
        lat: 46.2044,
        lon: 6.1432,
        tier: 'friend',
        radiusKm: 1,
        areas: [c],
      });
    }
    const rng = createRng(seed);
    const points = Array.from({ length: 400 }, () => ({
      lat: 45.8 + 2 * rng.next(),
      lon: 5.9 + 4.6 * rng.next(),
    }));
    let inSome = 0;
    for (const [k, p] of points.entries()) {
      if (haversineKm(p.lat, p.lon, 46.2044, 6.1432) < 1.5) continue;
      const want = cantons
        .filter((c) => booleanPointInPolygon([p.lon, p.lat], c))
        .map((c) => c.properties.name);
      const got = plan(fleet, { id: `j${k}`, ...p }, { now: NOW, policy }).candidates.map((c) => c.id);
      expect(got.sort()).toEqual(want.sort());
      if (want.length > 0) inSome++;
    }
    expect(inSome).toBeGreaterThan(150);
    expect(fleet.areas.technicians).toBe(26);
  });

  it('a partner region (Aargau): jobs outside get no candidates and the job-level reason', () => {
    const regional = createPolicy({ partners: { acme: { region: aargau } } });
    const fleet = new Fleet();
    fleet.add({ id: 'anna', lat: 47.39, lon: 8.2, tier: 'friend', radiusKm: 50 });
    const inside: Job = { id: 'in', lat: 47.3925, lon: 8.0444, partner: 'acme' }; // Aarau
    const outside: Job = { id: 'out', lat: 47.3769, lon: 8.5417, partner: 'acme' }; // Zürich
    expect(outsidePartnerRegion(regional, inside)).toBe(false);
    expect(outsidePartnerRegion(regional, outside)).toBe(true);
    expect(outsidePartnerRegion(regional, { ...outside, partner: undefined })).toBe(false);
    expect(plan(fleet, inside, { now: NOW, policy: regional }).candidates.map((c) => c.id)).toEqual(['anna']);
    const refused = plan(fleet, outside, { now: NOW, policy: regional, explain: true });
    expect(refused).toMatchObject({
      candidates: [],
      eligibleCount: 0,
      excluded: [],
      jobReason: 'outside_partner_region',
    });
    // The same job without the partner, or with the default policy, is planned as usual.
    expect(
      plan(fleet, { ...outside, partner: undefined }, { now: NOW, policy: regional }).candidates,
    ).toHaveLength(1);
    expect(regional.partners.acme!.region).toEqual(aargau);
    expect(Object.isFrozen(regional.partners.acme!.region)).toBe(true);
  });
});

describe('the fleet keeps areas', () => {
  const a = box(8, 47, 8.5, 47.5);
  const b = box(179, -17, -179, -16); // steps across the antimeridian

  it('get reads them back; update keeps them; upsert replaces or drops them; remove clears the index', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'x', lat: 0, lon: 0, tier: 'pro', areas: [a, b] });
    expect(fleet.get('x')!.areas).toEqual([a, b]);
    const cells = fleet.areas.cellEntries;
    expect(cells).toBeGreaterThan(0);
    const fiji: Job = { id: 'f', lat: -16.5, lon: 179.9 };
    const fijiWest: Job = { id: 'g', lat: -16.5, lon: -179.5 };
    expect(plan(fleet, fiji, { now: NOW, policy }).candidates.map((c) => c.via)).toEqual(['area']);
    expect(plan(fleet, fijiWest, { now: NOW, policy }).candidates.map((c) => c.via)).toEqual(['area']);
    fleet.update('x', { radiusKm: 10 });
    expect(fleet.get('x')!.areas).toEqual([a, b]);
    expect(fleet.areas.cellEntries).toBe(cells);
    fleet.update('x', { areas: [a] });
    expect(fleet.get('x')!.areas).toEqual([a]);
    expect(plan(fleet, fiji, { now: NOW, policy }).candidates).toEqual([]);
    fleet.upsert({ id: 'x', lat: 0, lon: 0, tier: 'pro' });
    expect(fleet.get('x')!.areas).toEqual([]);
    expect(fleet.areas.cellEntries).toBe(0);
    fleet.upsert({ id: 'x', lat: 0, lon: 0, tier: 'pro', areas: [b] });
    fleet.remove('x');
    expect(fleet.areas.cellEntries).toBe(0);
    expect(fleet.areas.technicians).toBe(0);
  });

  it("stores a frozen copy: changing the caller's object later changes nothing", () => {
    const fleet = new Fleet();
    const mine = JSON.parse(JSON.stringify(a)) as { coordinates: number[][][] };
    fleet.add({ id: 'x', lat: 0, lon: 0, tier: 'pro', areas: [mine as unknown as GeoJsonArea] });
    mine.coordinates[0]![1]![0] = 100;
    expect(fleet.get('x')!.areas).toEqual([a]);
    expect(Object.isFrozen(fleet.get('x')!.areas[0])).toBe(true);
    expect(plan(fleet, { id: 'j', lat: 47.2, lon: 8.2 }, { now: NOW, policy }).candidates).toHaveLength(1);
  });
});

describe('bad areas: typed errors with the path, state unchanged', () => {
  const good = box(8, 47, 8.5, 47.5);
  const unclosed: GeoJsonArea = {
    type: 'Polygon',
    coordinates: [
      [
        [8, 47],
        [9, 47],
        [9, 48],
        [8, 48],
      ],
    ],
  };
  const bowTie: GeoJsonArea = {
    type: 'Polygon',
    coordinates: [
      [
        [8, 47],
        [9, 48],
        [9, 47],
        [8, 48],
        [8, 47],
      ],
    ],
  };
  const cases: [string, unknown, string, RegExp][] = [
    ['an unclosed ring', [good, unclosed], 'areas[1].coordinates[0]', /not closed/],
    ['a self-intersecting ring', [bowTie], 'areas[0].coordinates[0][0]', /cross/],
    ['a Point', [{ type: 'Point', coordinates: [8, 47] }], 'areas[0].type', /Point/],
    ['an unknown field', [{ ...good, crs: {} }], 'areas[0].crs', /crs/],
    ['a latitude out of range', [box(8, 47, 8.5, 95)], 'areas[0].coordinates[0][2][1]', /lat/],
    ['not an array', good, 'areas', /array/],
    ['too many', Array.from({ length: 65 }, () => good), 'areas', /at most 64/],
    [
      'a throwing getter',
      [
        Object.defineProperty({ type: 'Polygon' }, 'coordinates', {
          enumerable: true,
          get: () => {
            throw new Error('boom');
          },
        }),
      ],
      'areas[0]',
      /could not be read/,
    ],
  ];

  for (const [what, areas, path, message] of cases) {
    it(`${what}: InvalidTechnicianError at ${path}; add, upsert and update change nothing`, () => {
      const fleet = new Fleet();
      fleet.add({ id: 'x', lat: 47.2, lon: 8.2, tier: 'friend', radiusKm: 5, areas: [good] });
      const before = fleet.get('x');
      const job: Job = { id: 'j', lat: 47.45, lon: 8.45 };
      const planned = plan(fleet, job, { now: NOW, policy });
      const attempts = [
        () => fleet.add({ id: 'y', lat: 47.2, lon: 8.2, tier: 'friend', areas } as TechnicianInput),
        () => fleet.upsert({ id: 'x', lat: 46, lon: 7, tier: 'pro', areas } as TechnicianInput),
        () => fleet.update('x', { radiusKm: 80, areas } as Partial<TechnicianInput>),
      ];
      for (const attempt of attempts) {
        let caught: unknown;
        try {
          attempt();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(InvalidTechnicianError);
        expect((caught as InvalidTechnicianError).code).toBe('INVALID_TECHNICIAN');
        expect((caught as InvalidTechnicianError).path).toBe(path);
        expect((caught as Error).message).toMatch(message);
        expect(fleet.size).toBe(1);
        expect(fleet.get('x')).toEqual(before);
        expect(plan(fleet, job, { now: NOW, policy })).toEqual(planned);
      }
    });
  }

  it('a bad partner region: InvalidPolicyError at partners.<id>.region…', () => {
    const attempt = (region: unknown) => () => createPolicy({ partners: { acme: { region } } } as never);
    expect(attempt(unclosed)).toThrow(InvalidPolicyError);
    try {
      attempt(bowTie)();
    } catch (e) {
      expect((e as InvalidPolicyError).path).toBe('partners.acme.region.coordinates[0][0]');
      expect((e as Error).message).toMatch(/^policy\.partners\.acme\.region/);
    }
    expect(attempt({ type: 'Polygon', coordinates: [] })).toThrow(/partners\.acme\.region\.coordinates/);
    expect(attempt('Aargau')).toThrow(InvalidPolicyError);
  });
});
