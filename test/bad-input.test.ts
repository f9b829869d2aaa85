/**
 * Bad input: every kind of mistake gets the right typed error with a message that says what was
 * wrong and what to do, and the fleet is unchanged afterwards — unit cases, then a fast-check
 * property (random valid fleet + random invalid operation → throws, deep snapshot identical).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy, type Policy } from '../src/plan/policy.js';
import {
  CrowdDispatchError,
  DuplicateIdError,
  InvalidArgumentError,
  InvalidJobError,
  InvalidPolicyError,
  InvalidTechnicianError,
  RegistryFullError,
  UnknownIdError,
} from '../src/shared/errors.js';
import type { Job, TechnicianInput } from '../src/shared/types.js';
import { anyPoint, type Point, technician } from './helpers/arbitraries.js';
import { fcSeed } from './helpers/seed.js';
import { snapshotFleet } from './helpers/snapshot.js';

const seed = fcSeed('bad-input.test.ts');
const NOW = Date.UTC(2026, 10, 23, 10);
const POLICY = createPolicy();
const PROBES: Point[] = [
  { lat: 47.37, lon: 8.54 },
  { lat: -17, lon: 179.99 },
  { lat: 89.95, lon: 0 },
];
/** Message vocabulary of a fix ("pass …", "use …", …). */
const SAYS_WHAT_TO_DO =
  /pass|use|add|give|write|check|merge|release|leave|call|remove|normalise|make|must be/i;

const BASE: TechnicianInput = { id: 'x', lat: 47.37, lon: 8.54, tier: 'friend' };

/** A small fleet with one of everything, including history. */
function sampleFleet(): Fleet {
  const fleet = new Fleet();
  fleet.add({
    id: 'anna',
    lat: 47.37,
    lon: 8.54,
    tier: 'friend',
    skills: ['router'],
    certifications: ['swisscom'],
  });
  fleet.add({
    id: 'ben',
    lat: -17.01,
    lon: -179.99,
    tier: 'pro',
    radiusKm: 80,
    rating: 4.6,
    ratingCount: 30,
    capacity: 2,
    availability: { timeZone: 'Pacific/Fiji', windows: [{ day: 1, start: '22:00', end: '06:00' }] },
  });
  fleet.add({ id: 'cleo', lat: 89.9, lon: 120, tier: 'friend', bestFriend: true, radiusKm: 500 });
  fleet.recordOffer('anna', NOW - 1000);
  fleet.recordResponse('anna', true, 4000);
  fleet.recordAward('ben', NOW - 500);
  return fleet;
}

/** Asserts `fn` throws `E` with a helpful message and leaves `fleet` exactly as it was. */
function rejects(
  fleet: Fleet,
  fn: () => unknown,
  E: new (...a: never[]) => CrowdDispatchError,
  message?: RegExp,
): void {
  const before = snapshotFleet(fleet, PROBES, NOW);
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(E);
  expect(error).toBeInstanceOf(CrowdDispatchError);
  const msg = (error as Error).message;
  expect(msg).toMatch(SAYS_WHAT_TO_DO);
  if (message) expect(msg).toMatch(message);
  expect(snapshotFleet(fleet, PROBES, NOW)).toEqual(before);
}

const BAD_TECHNICIANS: [string, Record<string, unknown>, RegExp][] = [
  ['NaN latitude', { lat: Number.NaN }, /lat is NaN/],
  ['infinite latitude', { lat: Number.POSITIVE_INFINITY }, /lat is Infinity/],
  ['latitude 90.0001', { lat: 90.0001 }, /-90 and 90/],
  ['latitude -91', { lat: -91 }, /-90 and 90/],
  ['longitude 180.5', { lon: 180.5 }, /-180 and 180/],
  ['longitude -Infinity', { lon: Number.NEGATIVE_INFINITY }, /lon is -Infinity/],
  ['string latitude', { lat: '47' }, /lat/],
  ['missing longitude', { lon: undefined }, /lon is undefined/],
  ['radius 0', { radiusKm: 0 }, /radiusKm is 0/],
  ['negative radius', { radiusKm: -5 }, /radiusKm/],
  ['absurd radius (metres?)', { radiusKm: 30_000 }, /at most 1000/],
  ['NaN radius', { radiusKm: Number.NaN }, /radiusKm/],
  ['unknown tier', { tier: 'gold' }, /tier is "gold"/],
  ['missing tier', { tier: undefined }, /tier/],
  ['rating 0.5', { rating: 0.5, ratingCount: 3 }, /between 1 and 5/],
  ['rating 5.1', { rating: 5.1, ratingCount: 3 }, /between 1 and 5/],
  ['NaN rating', { rating: Number.NaN, ratingCount: 3 }, /rating/],
  ['negative rating count', { ratingCount: -1 }, /ratingCount/],
  ['fractional rating count', { ratingCount: 2.5 }, /ratingCount/],
  ['capacity 0', { capacity: 0 }, /capacity/],
  ['negative load', { load: -1 }, /load/],
  ['online as a string', { online: 'yes' }, /online/],
  ['bestFriend as a number', { bestFriend: 1 }, /bestFriend/],
  ['skills not an array', { skills: 'router' }, /skills/],
  ['empty skill name', { skills: ['router', ''] }, /skills/],
  ['certifications with a number', { certifications: [3] }, /certifications/],
  ['acceptRate 1.5', { stats: { acceptRate: 1.5 } }, /acceptRate/],
  ['negative recentOffers', { stats: { recentOffers: -1 } }, /recentOffers/],
  ['infinite responseMs', { stats: { responseMs: Number.POSITIVE_INFINITY } }, /responseMs/],
  ['availability not an object', { availability: 'weekdays' }, /availability/],
  ['unknown time zone', { availability: { timeZone: 'Europe/Zurch', windows: [] } }, /IANA/],
  ['missing time zone', { availability: { windows: [] } }, /timeZone/],
  ['windows not an array', { availability: { timeZone: 'UTC', windows: {} } }, /windows/],
  [
    'window day 7',
    { availability: { timeZone: 'UTC', windows: [{ day: 7, start: '09:00', end: '10:00' }] } },
    /day/,
  ],
  [
    'window start 25:00',
    { availability: { timeZone: 'UTC', windows: [{ day: 1, start: '25:00', end: '10:00' }] } },
    /HH:MM/,
  ],
  [
    'window start 9:00',
    { availability: { timeZone: 'UTC', windows: [{ day: 1, start: '9:00', end: '10:00' }] } },
    /HH:MM/,
  ],
  ['window end missing', { availability: { timeZone: 'UTC', windows: [{ day: 1, start: '09:00' }] } }, /end/],
  [
    'empty window',
    { availability: { timeZone: 'UTC', windows: [{ day: 1, start: '09:00', end: '09:00' }] } },
    /length/,
  ],
];

describe('technician records', () => {
  it.each(BAD_TECHNICIANS)(
    'add with %s → InvalidTechnicianError, fleet unchanged',
    (_name, patch, message) => {
      const fleet = sampleFleet();
      rejects(
        fleet,
        () => fleet.add({ ...BASE, ...patch } as TechnicianInput),
        InvalidTechnicianError,
        message,
      );
      rejects(
        fleet,
        () => fleet.upsert({ ...BASE, id: 'anna', ...patch } as TechnicianInput),
        InvalidTechnicianError,
        message,
      );
    },
  );

  it.each(BAD_TECHNICIANS)(
    'update with %s → InvalidTechnicianError, fleet unchanged',
    (_name, patch, message) => {
      const fleet = sampleFleet();
      rejects(
        fleet,
        () => fleet.update('ben', patch as Partial<TechnicianInput>),
        InvalidTechnicianError,
        message,
      );
    },
  );

  it('a record that is not an object, or without an id', () => {
    const fleet = sampleFleet();
    rejects(fleet, () => fleet.add(null as unknown as TechnicianInput), InvalidTechnicianError);
    rejects(fleet, () => fleet.add({ ...BASE, id: '' }), InvalidTechnicianError, /id/);
    rejects(
      fleet,
      () => fleet.add({ ...BASE, id: 7 } as unknown as TechnicianInput),
      InvalidTechnicianError,
      /id/,
    );
    rejects(fleet, () => fleet.update('anna', null as unknown as object), InvalidArgumentError, /patch/);
    rejects(
      fleet,
      () => fleet.update('anna', { id: 'bob' } as object),
      InvalidArgumentError,
      /id cannot change/,
    );
  });

  it('duplicate and unknown ids', () => {
    const fleet = sampleFleet();
    rejects(fleet, () => fleet.add({ ...BASE, id: 'anna' }), DuplicateIdError, /upsert\(\) or update\(\)/);
    const unknown: [string, () => unknown][] = [
      ['update', () => fleet.update('zed', { radiusKm: 3 })],
      ['move', () => fleet.move('zed', 1, 1)],
      ['setOnline', () => fleet.setOnline('zed', true)],
      ['setLoad', () => fleet.setLoad('zed', 0)],
      ['remove', () => fleet.remove('zed')],
      ['recordOffer', () => fleet.recordOffer('zed', NOW)],
      ['recordResponse', () => fleet.recordResponse('zed', true, 10)],
      ['recordAward', () => fleet.recordAward('zed', NOW)],
      ['release', () => fleet.release('zed')],
    ];
    for (const [, fn] of unknown) rejects(fleet, fn, UnknownIdError, /'zed' is not in the fleet/);
  });

  it('the 33rd distinct skill or certification → RegistryFullError, fleet unchanged', () => {
    const fleet = new Fleet();
    const skills = Array.from({ length: 32 }, (_, i) => `skill-${i}`);
    const partners = Array.from({ length: 32 }, (_, i) => `partner-${i}`);
    fleet.add({ ...BASE, id: 'all', skills, certifications: partners });
    // The 32 known ones are still fine, on any technician.
    fleet.add({ ...BASE, id: 'some', skills: skills.slice(0, 5), certifications: partners.slice(3, 9) });
    rejects(
      fleet,
      () => fleet.add({ ...BASE, id: 'new', skills: ['skill-33'] }),
      RegistryFullError,
      /33rd distinct skill/,
    );
    rejects(
      fleet,
      () => fleet.add({ ...BASE, id: 'new', skills: ['skill-1'], certifications: ['partner-33'] }),
      RegistryFullError,
      /33rd distinct certification/,
    );
    rejects(fleet, () => fleet.update('some', { skills: ['skill-1', 'skill-33'] }), RegistryFullError);
    rejects(fleet, () => fleet.upsert({ ...BASE, id: 'all', skills: ['fresh'] }), RegistryFullError);
    expect(fleet.get('some')!.skills).toHaveLength(5);
  });
});

describe('operations and queries', () => {
  it('move to bad coordinates', () => {
    const fleet = sampleFleet();
    for (const [lat, lon] of [
      [Number.NaN, 0],
      [0, Number.NaN],
      [91, 0],
      [0, -180.0001],
      [Number.POSITIVE_INFINITY, 0],
    ] as const) {
      rejects(fleet, () => fleet.move('anna', lat, lon), InvalidArgumentError, /lat|lon/);
    }
  });

  it('setOnline, setLoad, counters and release', () => {
    const fleet = sampleFleet();
    rejects(fleet, () => fleet.setOnline('anna', 'yes' as unknown as boolean), InvalidArgumentError);
    rejects(fleet, () => fleet.setLoad('anna', -1), InvalidArgumentError);
    rejects(fleet, () => fleet.setLoad('anna', 1.5), InvalidArgumentError);
    rejects(fleet, () => fleet.recordOffer('anna', Number.NaN), InvalidArgumentError, /now/);
    rejects(fleet, () => fleet.recordAward('anna', Number.POSITIVE_INFINITY), InvalidArgumentError, /now/);
    rejects(fleet, () => fleet.recordResponse('anna', true, -5), InvalidArgumentError, /responseMs/);
    rejects(fleet, () => fleet.recordResponse('anna', false, Number.NaN), InvalidArgumentError, /responseMs/);
    rejects(fleet, () => fleet.recordResponse('anna', 'yes' as unknown as boolean), InvalidArgumentError);
    rejects(fleet, () => fleet.release('anna'), InvalidArgumentError, /holds no job/);
  });

  it('within, covering and nearest reject bad points, radii and k', () => {
    const fleet = sampleFleet();
    rejects(fleet, () => fleet.within(Number.NaN, 8, 10), InvalidArgumentError, /lat/);
    rejects(fleet, () => fleet.within(47, 8, 0), InvalidArgumentError, /km/);
    rejects(fleet, () => fleet.within(47, 8, -1), InvalidArgumentError, /km/);
    rejects(fleet, () => fleet.within(47, 8, 1001), InvalidArgumentError, /at most 1000/);
    rejects(fleet, () => fleet.covering(47, 200), InvalidArgumentError, /lon/);
    rejects(fleet, () => fleet.nearest(47, 8, 0), InvalidArgumentError, /k/);
    rejects(fleet, () => fleet.nearest(47, 8, 2.5), InvalidArgumentError, /k/);
    rejects(fleet, () => fleet.nearest(47, 8, 3, 0), InvalidArgumentError, /maxKm/);
    rejects(fleet, () => fleet.nearest(-95, 8, 3), InvalidArgumentError, /lat/);
  });

  it('invalid FleetOptions', () => {
    expect(() => new Fleet({ counterHalfLifeMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Fleet({ counterHalfLifeMs: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => new Fleet({ movingAverageAlpha: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Fleet({ movingAverageAlpha: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new Fleet({ notificationHistory: 0 })).toThrow(/whole number/);
    for (const initialCapacity of [-1, 0, 1.5, Number.NaN, 1e9]) {
      expect(() => new Fleet({ initialCapacity })).toThrow(/initialCapacity is .*; pass a whole number/);
    }
    expect(() => new Fleet({ initialCapacity: 'x' } as never)).toThrow(
      /initialCapacity is string; pass a number/,
    );
    expect(() => new Fleet({ movingAverageAlpha: '0.5' } as never)).toThrow(InvalidArgumentError);
    expect(() => new Fleet({ initalCapacity: 64 } as never)).toThrow(/unknown field 'initalCapacity'/);
    expect(() => new Fleet(null as never)).toThrow(InvalidArgumentError);
    expect(new Fleet({ initialCapacity: 1 }).size).toBe(0);
  });
});

const JOB: Job = { id: 'job', lat: 47.37, lon: 8.54 };
const BAD_JOBS: [string, unknown, RegExp][] = [
  ['not an object', 'job', /object/],
  ['empty id', { ...JOB, id: '' }, /id/],
  ['NaN latitude', { ...JOB, lat: Number.NaN }, /lat/],
  ['longitude 181', { ...JOB, lon: 181 }, /lon/],
  ['unknown tier', { ...JOB, tier: 'gold' }, /tier/],
  ['max radius 0', { ...JOB, maxRadiusKm: 0 }, /maxRadiusKm/],
  ['absurd max radius', { ...JOB, maxRadiusKm: 5000 }, /maxRadiusKm/],
  ['skills not an array', { ...JOB, skills: 'router' }, /skills/],
  ['blocked with an empty id', { ...JOB, blocked: [''] }, /blocked/],
  ['empty partner', { ...JOB, partner: '' }, /partner/],
  ['requireCertification not boolean', { ...JOB, requireCertification: 'yes' }, /requireCertification/],
];

describe('plan inputs', () => {
  it.each(BAD_JOBS)('job with %s → InvalidJobError, fleet unchanged', (_name, job, message) => {
    const fleet = sampleFleet();
    rejects(fleet, () => plan(fleet, job as Job, { now: NOW, policy: POLICY }), InvalidJobError, message);
    rejects(
      fleet,
      () => plan(fleet, job as Job, { now: NOW, policy: POLICY, explain: true }),
      InvalidJobError,
      message,
    );
  });

  it('bad now, radius override and policy', () => {
    const fleet = sampleFleet();
    rejects(fleet, () => plan(fleet, JOB, { now: Number.NaN, policy: POLICY }), InvalidArgumentError, /now/);
    rejects(
      fleet,
      () => plan(fleet, JOB, { now: NOW, policy: POLICY, maxRadiusKm: 0 }),
      InvalidArgumentError,
      /maxRadiusKm/,
    );
    rejects(
      fleet,
      () => plan(fleet, JOB, { now: NOW, policy: POLICY, maxRadiusKm: 2000 }),
      InvalidArgumentError,
    );
    const edited = { ...POLICY, maxNotifiedPerJob: -1 } as Policy;
    rejects(fleet, () => plan(fleet, JOB, { now: NOW, policy: edited }), InvalidPolicyError, /createPolicy/);
    rejects(
      fleet,
      () => plan(fleet, JOB, { now: NOW, policy: {} as Policy }),
      InvalidPolicyError,
      /createPolicy/,
    );
  });
});

/** One invalid operation against a fleet whose ids are `ids`. */
type BadOp = { name: string; run: (fleet: Fleet, ids: string[]) => unknown };

const badValue = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e9, 1e9);

const badOpArb: fc.Arbitrary<BadOp> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...BAD_TECHNICIANS),
      fc.nat(),
      fc.constantFrom('add', 'upsert-existing', 'upsert-new', 'update'),
    )
    .map(([[name, patch], pick, how]) => ({
      name: `${how} ${name}`,
      run: (fleet: Fleet, ids: string[]) => {
        const id = ids[pick % ids.length]!;
        if (how === 'add') return fleet.add({ ...BASE, id: 'brand-new', ...patch } as TechnicianInput);
        if (how === 'upsert-existing') return fleet.upsert({ ...BASE, id, ...patch } as TechnicianInput);
        if (how === 'upsert-new')
          return fleet.upsert({ ...BASE, id: 'brand-new', ...patch } as TechnicianInput);
        return fleet.update(id, patch as Partial<TechnicianInput>);
      },
    })),
  fc.tuple(fc.nat(), fc.boolean(), badValue).map(([pick, latBad, v]) => ({
    name: `move to ${latBad ? 'lat' : 'lon'} ${v}`,
    run: (fleet: Fleet, ids: string[]) => fleet.move(ids[pick % ids.length]!, latBad ? v : 0, latBad ? 0 : v),
  })),
  fc.nat().map((pick) => ({
    name: 'add a duplicate id',
    run: (fleet: Fleet, ids: string[]) => fleet.add({ ...BASE, id: ids[pick % ids.length]! }),
  })),
  fc
    .constantFrom<(f: Fleet) => unknown>(
      (f) => f.update('ghost', { radiusKm: 5 }),
      (f) => f.move('ghost', 0, 0),
      (f) => f.setOnline('ghost', false),
      (f) => f.setLoad('ghost', 0),
      (f) => f.remove('ghost'),
      (f) => f.recordOffer('ghost', NOW),
      (f) => f.recordResponse('ghost', true),
      (f) => f.recordAward('ghost', NOW),
      (f) => f.release('ghost'),
    )
    .map((run) => ({ name: 'unknown id', run })),
  fc.tuple(fc.nat(), badValue).map(([pick, v]) => ({
    name: `counters with ${v}`,
    run: (fleet: Fleet, ids: string[]) => {
      const id = ids[pick % ids.length]!;
      if (Number.isNaN(v)) return fleet.recordOffer(id, v);
      if (v === Number.POSITIVE_INFINITY) return fleet.recordAward(id, v);
      return fleet.recordResponse(id, true, -Math.abs(v) - 1);
    },
  })),
  fc.tuple(fc.nat(), fc.constantFrom(-1, 0.5, 1e6)).map(([pick, load]) => ({
    name: `setLoad ${load}`,
    run: (fleet: Fleet, ids: string[]) => fleet.setLoad(ids[pick % ids.length]!, load),
  })),
  fc.constantFrom(...BAD_JOBS).map(([name, job]) => ({
    name: `plan ${name}`,
    run: (fleet: Fleet) => plan(fleet, job as Job, { now: NOW, policy: POLICY, explain: true }),
  })),
  fc.nat({ max: 3 }).map((n) => ({
    name: `registry overflow (+${n + 1})`,
    run: (fleet: Fleet) => {
      const fresh = Array.from({ length: 33 - fleet.skillBits.size + n }, (_, i) => `new-skill-${i}`);
      return fleet.add({ ...BASE, id: 'brand-new', skills: fresh });
    },
  })),
);

describe('property: random valid fleet + random invalid operation → typed error, fleet unchanged', () => {
  it('holds', () => {
    const fleetArb = fc
      .array(fc.nat(), { minLength: 1, maxLength: 25 })
      .chain((xs) => fc.tuple(...xs.map((_, i) => technician(`t${i}`, anyPoint, true))));
    fc.assert(
      fc.property(
        fleetArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3_600_000 })), { maxLength: 10 }),
        badOpArb,
        (techs, offers, op) => {
          const fleet = new Fleet();
          for (const t of techs) fleet.add(t);
          for (const [pick, age] of offers.sort((a, b) => b[1] - a[1])) {
            fleet.recordOffer(techs[pick % techs.length]!.id, NOW - age);
          }
          const ids = techs.map((t) => t.id);
          const probes = [...PROBES, { lat: techs[0]!.lat, lon: techs[0]!.lon }];
          const before = snapshotFleet(fleet, probes, NOW);
          let error: unknown;
          try {
            op.run(fleet, ids);
          } catch (e) {
            error = e;
          }
          expect(error, op.name).toBeInstanceOf(CrowdDispatchError);
          expect((error as Error).message).toMatch(SAYS_WHAT_TO_DO);
          expect(snapshotFleet(fleet, probes, NOW)).toEqual(before);
          // Still fully usable afterwards.
          fleet.upsert({ ...BASE, id: 'after' });
          expect(fleet.get('after')).toBeDefined();
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});
