/**
 * fast-check generators shared by the core tests: points in the regions that stress an index
 * (dense Switzerland, the antimeridian, the poles, anywhere), technicians with every attribute,
 * jobs, policy inputs and fleet operations.
 */
import fc from 'fast-check';
import type { PolicyInput } from '../../src/plan/policy.js';
import type { Availability, Job, TechnicianInput } from '../../src/shared/types.js';

/** A WGS84 point. */
export interface Point {
  lat: number;
  lon: number;
}

export type Region = 'ch' | 'antimeridian' | 'pole' | 'equator' | 'world';

const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** A point in one region. */
export function pointIn(region: Region): fc.Arbitrary<Point> {
  switch (region) {
    case 'ch':
      return fc.record({ lat: dbl(45.8, 47.8), lon: dbl(5.9, 10.5) });
    case 'antimeridian':
      return fc.record({
        lat: dbl(-25, 70),
        lon: fc.oneof(dbl(177, 180), dbl(-180, -177), fc.constantFrom(180, -180)),
      });
    case 'pole':
      return fc.record({
        lat: fc.oneof(dbl(88.5, 90), dbl(-90, -88.5), fc.constantFrom(90, -90, 89.9, -89.9)),
        lon: dbl(-180, 180),
      });
    case 'equator':
      return fc.record({ lat: dbl(-1, 1), lon: fc.oneof(dbl(-2, 2), dbl(178, 180), dbl(-180, -178)) });
    case 'world':
      return fc.record({ lat: dbl(-90, 90), lon: dbl(-180, 180) });
  }
}

/** A point in any region, weighted toward the hard ones. */
export const anyPoint: fc.Arbitrary<Point> = fc.oneof(
  { arbitrary: pointIn('ch'), weight: 3 },
  { arbitrary: pointIn('antimeridian'), weight: 2 },
  { arbitrary: pointIn('pole'), weight: 2 },
  { arbitrary: pointIn('equator'), weight: 1 },
  { arbitrary: pointIn('world'), weight: 1 },
);

export const SKILLS = ['router', 'tv-mount', 'email', 'printer', 'wifi'] as const;
export const PARTNERS = ['swisscom', 'brack', 'sunrise'] as const;
export const TIME_ZONES = [
  'Europe/Zurich',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Fiji',
  'UTC',
] as const;

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/** Valid weekly availability (windows may cross midnight). */
export const availabilityArb: fc.Arbitrary<Availability> = fc.record({
  timeZone: fc.constantFrom(...TIME_ZONES),
  windows: fc.array(
    fc
      .record({ day: fc.integer({ min: 0, max: 6 }), start: hhmm, end: fc.oneof(hhmm, fc.constant('24:00')) })
      .filter((w) => w.start !== w.end),
    { maxLength: 4 },
  ),
});

/** Every technician attribute except id and position. */
export type TechAttrs = Omit<TechnicianInput, 'id' | 'lat' | 'lon'>;

/** Technician attributes; `rich` adds availability, load and stats (eligibility and scoring tests). */
export function techAttrs(rich = true): fc.Arbitrary<TechAttrs> {
  const base = {
    tier: fc.constantFrom('friend' as const, 'pro' as const),
    radiusKm: fc.option(dbl(0.5, 250), { nil: undefined }),
  };
  if (!rich) return fc.record(base);
  return fc.record(
    {
      ...base,
      rating: dbl(1, 5),
      ratingCount: fc.integer({ min: 0, max: 300 }),
      bestFriend: fc.boolean(),
      skills: fc.subarray([...SKILLS]),
      certifications: fc.subarray([...PARTNERS]),
      online: fc.oneof(
        { arbitrary: fc.constant(true), weight: 4 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
      availability: fc.option(availabilityArb, { nil: undefined, freq: 3 }),
      capacity: fc.integer({ min: 1, max: 3 }),
      load: fc.integer({ min: 0, max: 3 }),
      stats: fc.option(
        fc.record(
          {
            recentOffers: dbl(0, 40),
            recentAwards: dbl(0, 10),
            acceptRate: dbl(0, 1),
            responseMs: dbl(0, 120_000),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['tier'] },
  );
}

/** A full technician with a given id near a point, or anywhere in `region`. */
export function technician(
  id: string,
  at: fc.Arbitrary<Point> = anyPoint,
  rich = true,
): fc.Arbitrary<TechnicianInput> {
  return fc.tuple(at, techAttrs(rich)).map(([p, a]) => ({ id, ...p, ...a }));
}

/** A point within about `km` of `p` (flat approximation; the tests only need "nearby"). */
export function near(p: Point, km: number): fc.Arbitrary<Point> {
  const dLat = km / 111;
  const dLon = Math.min(180, km / (111 * Math.max(0.01, Math.cos((p.lat * Math.PI) / 180))));
  return fc.record({ dy: dbl(-dLat, dLat), dx: dbl(-dLon, dLon) }).map(({ dy, dx }) => {
    let lat = p.lat + dy;
    let lon = p.lon + dx;
    if (lat > 90) lat = 180 - lat;
    if (lat < -90) lat = -180 - lat;
    lon = ((((lon + 180) % 360) + 360) % 360) - 180;
    return { lat, lon };
  });
}

/** A job at `at` with random tier, skills (sometimes one no one has), partner, radius and blocks among `ids`. */
export function jobArb(at: fc.Arbitrary<Point>, ids: readonly string[]): fc.Arbitrary<Job> {
  return fc
    .record(
      {
        p: at,
        tier: fc.constantFrom('friend' as const, 'pro' as const, 'any' as const),
        skills: fc.oneof(
          { arbitrary: fc.subarray([...SKILLS], { maxLength: 2 }), weight: 5 },
          { arbitrary: fc.constant(['plumbing']), weight: 1 },
        ),
        partner: fc.constantFrom(...PARTNERS, 'other'),
        requireCertification: fc.boolean(),
        maxRadiusKm: dbl(1, 300),
        blocked: fc.subarray([...ids], { maxLength: Math.min(3, ids.length) }),
      },
      { requiredKeys: ['p'] },
    )
    .map(({ p, ...rest }) => ({ id: 'job', lat: p.lat, lon: p.lon, ...rest }));
}

/** Policy inputs exercising partner rules, the Pro-on-Friend switch and the notification cap. */
export const policyInputArb: fc.Arbitrary<PolicyInput> = fc.record({
  allowProsOnFriendJobs: fc.boolean(),
  partners: fc.constant({
    swisscom: { requireCertification: true },
    brack: { proOnly: true },
    sunrise: { allowProsOnFriendJobs: true },
    other: { allowProsOnFriendJobs: false },
  }),
  notificationCap: fc.option(
    fc.record({ max: fc.integer({ min: 1, max: 4 }), windowMs: fc.integer({ min: 1, max: 7_200_000 }) }),
    { nil: null },
  ),
  maxNotifiedPerJob: fc.constant(100_000),
});

/** A time in 2026 (covers both DST switches of the northern and southern hemispheres). */
export const nowArb = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) });
