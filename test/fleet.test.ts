/**
 * Fleet: the live technician store. Unit tests of each operation, then a fast-check property:
 * after any sequence of add / upsert / move / setOnline / update / remove (with enough moves to
 * force index rebuilds), every query equals a brute-force scan over a plain model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { haversineKm } from '../src/fleet/geo/sphere.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import { DuplicateIdError, InvalidArgumentError, UnknownIdError } from '../src/shared/errors.js';
import { createRng } from '../src/shared/random.js';
import type { TechnicianInput } from '../src/shared/types.js';
import { anyPoint, type Point, pointIn, type TechAttrs, techAttrs } from './helpers/arbitraries.js';
import {
  type Hit,
  type Model,
  naiveCovering,
  naiveNearest,
  naiveWithin,
  onBoundary,
  setDiff,
} from './helpers/oracle.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('fleet.test.ts');

describe('Fleet operations', () => {
  it('add then get resolves every default', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend' });
    expect(fleet.get('anna')).toEqual({
      id: 'anna',
      lat: 47.3769,
      lon: 8.5417,
      tier: 'friend',
      radiusKm: 30,
      rating: undefined,
      ratingCount: 0,
      bestFriend: false,
      skills: [],
      certifications: [],
      online: true,
      availability: undefined,
      capacity: 1,
      load: 0,
      areas: [],
      stats: { recentOffers: 0, recentAwards: 0 },
    });
    expect(fleet.size).toBe(1);
    expect(fleet.has('anna')).toBe(true);
    expect(fleet.get('nobody')).toBeUndefined();
  });

  it('add keeps every given field', () => {
    const fleet = new Fleet();
    const availability = { timeZone: 'Europe/Zurich', windows: [{ day: 1, start: '08:00', end: '17:00' }] };
    fleet.add({
      id: 'ben',
      lat: 46.2,
      lon: 6.15,
      tier: 'pro',
      radiusKm: 42,
      rating: 4.5,
      ratingCount: 17,
      bestFriend: true,
      skills: ['router', 'tv-mount'],
      certifications: ['swisscom'],
      online: false,
      availability,
      capacity: 3,
      load: 2,
      stats: { recentOffers: 4, recentAwards: 1, acceptRate: 0.5, responseMs: 2000 },
    });
    const t = fleet.get('ben')!;
    expect(t).toMatchObject({ tier: 'pro', radiusKm: 42, rating: 4.5, ratingCount: 17, bestFriend: true });
    expect(t.skills.sort()).toEqual(['router', 'tv-mount']);
    expect(t.certifications).toEqual(['swisscom']);
    expect(t).toMatchObject({ online: false, availability, capacity: 3, load: 2 });
    expect(t.stats).toEqual({ recentOffers: 4, recentAwards: 1, acceptRate: 0.5, responseMs: 2000 });
  });

  it('rejects a duplicate id on add; upsert replaces every field', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend', skills: ['router'], radiusKm: 10 });
    expect(() => fleet.add({ id: 'a', lat: 46, lon: 7, tier: 'pro' })).toThrow(DuplicateIdError);
    fleet.upsert({ id: 'a', lat: 46, lon: 7, tier: 'pro' });
    expect(fleet.get('a')).toMatchObject({ lat: 46, lon: 7, tier: 'pro', radiusKm: 30, skills: [] });
    expect(fleet.size).toBe(1);
    fleet.upsert({ id: 'b', lat: 46, lon: 7, tier: 'pro' });
    expect(fleet.size).toBe(2);
  });

  it('update changes only the given fields and moves the technician in the index', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend', skills: ['router'], rating: 4.8, ratingCount: 20 });
    fleet.update('a', { radiusKm: 40, lat: 46.5, skills: ['router', 'tv'] });
    const t = fleet.get('a')!;
    expect(t).toMatchObject({ lat: 46.5, lon: 8, radiusKm: 40, tier: 'friend', ratingCount: 20 });
    expect(t.rating).toBeCloseTo(4.8, 5);
    expect(t.skills.sort()).toEqual(['router', 'tv']);
    expect(fleet.within(46.5, 8, 1).map((h) => h.id)).toEqual(['a']);
    expect(fleet.within(47, 8, 1)).toEqual([]);
    expect(() => fleet.update('zzz', { radiusKm: 3 })).toThrow(UnknownIdError);
  });

  it('update keeps the dispatcher’s counters unless stats are given', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend' });
    fleet.recordOffer('a', 1000);
    fleet.recordResponse('a', true, 5000);
    fleet.update('a', { radiusKm: 12 });
    expect(fleet.get('a')!.stats).toEqual({
      recentOffers: 1,
      recentAwards: 0,
      acceptRate: 1,
      responseMs: 5000,
    });
    fleet.update('a', { stats: { recentOffers: 7 } });
    expect(fleet.get('a')!.stats).toEqual({ recentOffers: 7, recentAwards: 0 });
  });

  it('move, setOnline, setLoad and remove', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend', capacity: 2 });
    fleet.move('a', -17, 179.99);
    expect(fleet.get('a')).toMatchObject({ lat: -17, lon: 179.99 });
    expect(fleet.within(-17, -179.99, 5).map((h) => h.id)).toEqual(['a']);
    fleet.setOnline('a', false);
    expect(fleet.get('a')!.online).toBe(false);
    fleet.setLoad('a', 2);
    expect(fleet.get('a')!.load).toBe(2);
    fleet.remove('a');
    expect(fleet.has('a')).toBe(false);
    expect(fleet.size).toBe(0);
    expect(fleet.within(-17, 179.99, 5)).toEqual([]);
    expect(() => fleet.remove('a')).toThrow(UnknownIdError);
    expect(() => fleet.move('a', 1, 1)).toThrow(UnknownIdError);
    expect(() => fleet.setOnline('a', true)).toThrow(UnknownIdError);
  });

  it('a reused slot does not inherit anything from the removed technician', () => {
    const fleet = new Fleet();
    fleet.add({
      id: 'old',
      lat: 47,
      lon: 8,
      tier: 'pro',
      bestFriend: true,
      availability: { timeZone: 'UTC', windows: [] },
      stats: { recentOffers: 9, acceptRate: 0.1 },
    });
    fleet.recordOffer('old', 5);
    fleet.remove('old');
    fleet.add({ id: 'new', lat: 10, lon: 10, tier: 'friend' });
    expect(fleet.get('new')).toMatchObject({
      tier: 'friend',
      bestFriend: false,
      availability: undefined,
      stats: { recentOffers: 0, recentAwards: 0 },
    });
    // No notification history either: the cap cannot exclude the newcomer.
    const policy = createPolicy({ notificationCap: { max: 1, windowMs: 1e6 } });
    const p = plan(fleet, { id: 'j', lat: 10, lon: 10 }, { now: 10, policy, explain: true });
    expect(p.candidates.map((c) => c.id)).toEqual(['new']);
  });

  it('recordOffer / recordResponse / recordAward / release keep the counters', () => {
    const fleet = new Fleet({ counterHalfLifeMs: 1000, movingAverageAlpha: 0.5 });
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend', capacity: 2 });
    fleet.recordOffer('a', 0);
    fleet.recordOffer('a', 1000); // the first offer has decayed to 1/2
    expect(fleet.get('a')!.stats.recentOffers).toBeCloseTo(1.5, 6);
    fleet.recordResponse('a', true, 1000);
    fleet.recordResponse('a', false, 3000);
    expect(fleet.get('a')!.stats.acceptRate).toBeCloseTo(0.5, 6);
    expect(fleet.get('a')!.stats.responseMs).toBeCloseTo(2000, 3);
    fleet.recordResponse('a', false); // expired: a refusal, response time unchanged
    expect(fleet.get('a')!.stats.acceptRate).toBeCloseTo(0.25, 6);
    expect(fleet.get('a')!.stats.responseMs).toBeCloseTo(2000, 3);
    fleet.recordAward('a', 2000);
    expect(fleet.get('a')).toMatchObject({ load: 1 });
    expect(fleet.get('a')!.stats.recentAwards).toBe(1);
    expect(fleet.countersAtTime(fleet.findSlot('a'), 3000).awards).toBeCloseTo(0.5, 6);
    expect(fleet.countersAtTime(fleet.findSlot('a'), 3000).offers).toBeCloseTo(0.75 / 2, 6);
    fleet.release('a');
    expect(fleet.get('a')!.load).toBe(0);
    expect(() => fleet.release('a')).toThrow(InvalidArgumentError);
  });

  it('counters seeded through stats count in full until the first record, then decay from it', () => {
    const fleet = new Fleet({ counterHalfLifeMs: 1000 });
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend', stats: { recentOffers: 6, recentAwards: 2 } });
    const slot = fleet.findSlot('a');
    expect(fleet.countersAtTime(slot, 1e12)).toEqual({ offers: 6, awards: 2 });
    fleet.recordOffer('a', 5000);
    expect(fleet.countersAtTime(slot, 5000)).toEqual({ offers: 7, awards: 2 });
    expect(fleet.countersAtTime(slot, 6000)).toEqual({ offers: 3.5, awards: 1 });
  });

  it('byteLength grows with the fleet and stays within the memory budget', () => {
    const fleet = new Fleet({ initialCapacity: 16 });
    const small = fleet.byteLength;
    const rng = createRng(1);
    for (let i = 0; i < 20_000; i++) {
      fleet.add({ id: `t${i}`, lat: -60 + rng.next() * 120, lon: -180 + rng.next() * 360, tier: 'friend' });
    }
    expect(fleet.byteLength).toBeGreaterThan(small);
    // Typed arrays only (the id map comes on top): well under the 200 bytes/technician budget.
    expect(fleet.byteLength / fleet.size).toBeLessThan(200);
  });
});

/** One operation of a random fleet history. */
type Op =
  | { kind: 'add'; at: Point; attrs: TechAttrs }
  | { kind: 'upsert'; pick: number; at: Point; attrs: TechAttrs }
  | { kind: 'move'; pick: number; at: Point }
  | { kind: 'online'; pick: number; online: boolean }
  | { kind: 'update'; pick: number; patch: Partial<TechnicianInput> }
  | { kind: 'remove'; pick: number }
  | { kind: 'scatter'; seed: number; rounds: number; region: 'ch' | 'pole' | 'antimeridian' | 'world' };

const REGIONS = ['ch', 'pole', 'antimeridian', 'world'] as const;

/** Positions drawn from one region per history, so technicians meet (dense) or spread (world). */
function opArb(at: fc.Arbitrary<Point>): fc.Arbitrary<Op> {
  const pick = fc.nat();
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('add' as const), at, attrs: techAttrs(false) }), weight: 4 },
    {
      arbitrary: fc.record({ kind: fc.constant('upsert' as const), pick, at, attrs: techAttrs(false) }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant('move' as const), pick, at }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant('online' as const), pick, online: fc.boolean() }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('update' as const),
        pick,
        patch: fc.oneof(
          fc.record({ radiusKm: fc.double({ min: 0.5, max: 400, noNaN: true }) }),
          at.map((p) => ({ lat: p.lat, lon: p.lon })),
          fc.record({ tier: fc.constantFrom('friend' as const, 'pro' as const) }),
        ),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('scatter' as const),
        seed: fc.nat(),
        rounds: fc.integer({ min: 1, max: 40 }),
        region: fc.constantFrom(...REGIONS),
      }),
      weight: 1,
    },
  );
}

const REGION_BOX: Record<(typeof REGIONS)[number], (r: () => number) => Point> = {
  ch: (r) => ({ lat: 45.8 + 2 * r(), lon: 5.9 + 4.6 * r() }),
  pole: (r) => ({ lat: (r() < 0.5 ? 1 : -1) * (88.5 + 1.5 * r()), lon: -180 + 360 * r() }),
  antimeridian: (r) => ({ lat: -25 + 95 * r(), lon: r() < 0.5 ? 177 + 3 * r() : -180 + 3 * r() }),
  world: (r) => ({ lat: -90 + 180 * r(), lon: -180 + 360 * r() }),
};

function apply(fleet: Fleet, model: Model, op: Op, nextId: () => string): void {
  const ids = [...model.keys()];
  const id = ids.length ? ids[('pick' in op ? op.pick : 0) % ids.length]! : undefined;
  switch (op.kind) {
    case 'add': {
      const t = { id: nextId(), ...op.at, ...op.attrs };
      fleet.add(t);
      model.set(t.id, t);
      return;
    }
    case 'upsert': {
      const t = { id: id ?? nextId(), ...op.at, ...op.attrs };
      fleet.upsert(t);
      model.set(t.id, t);
      return;
    }
    case 'scatter': {
      const rng = createRng(op.seed);
      const r = () => rng.next();
      // Many rounds of moves across cells: enough to push the index through rebuilds.
      for (let round = 0; round < op.rounds; round++) {
        for (const i of ids) {
          const p = REGION_BOX[op.region](r);
          fleet.move(i, p.lat, p.lon);
          model.set(i, { ...model.get(i)!, ...p });
        }
      }
      return;
    }
  }
  if (id === undefined) return;
  switch (op.kind) {
    case 'move':
      fleet.move(id, op.at.lat, op.at.lon);
      model.set(id, { ...model.get(id)!, ...op.at });
      return;
    case 'online':
      fleet.setOnline(id, op.online);
      model.set(id, { ...model.get(id)!, online: op.online });
      return;
    case 'update':
      fleet.update(id, op.patch);
      model.set(id, { ...model.get(id)!, ...op.patch });
      return;
    case 'remove':
      fleet.remove(id);
      model.delete(id);
      return;
  }
}

function sameHits(actual: Hit[], expected: Hit[], radii: (id: string, d: number) => number[]): string[] {
  const truth = new Map([...expected, ...actual].map((h) => [h.id, h.distanceKm]));
  const { extra, missing } = setDiff(
    actual.map((h) => h.id),
    expected.map((h) => h.id),
    (id) => onBoundary(truth.get(id)!, ...radii(id, truth.get(id)!)),
  );
  return [...extra.map((id) => `extra ${id}`), ...missing.map((id) => `missing ${id}`)];
}

describe('indexed queries equal the naive scan after random histories (fast-check)', () => {
  const policy = createPolicy({ maxNotifiedPerJob: 100_000, notificationCap: null });
  let rebuilds = 0;
  let moves = 0;

  it('within / covering / nearest / plan candidates', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS).chain((region) =>
          fc.record({
            region: fc.constant(region),
            ops: fc.array(opArb(pointIn(region)), { minLength: 1, maxLength: 120, size: 'medium' }),
            queries: fc.array(fc.oneof(pointIn(region), anyPoint), { minLength: 1, maxLength: 4 }),
            km: fc.double({ min: 0.5, max: 1000, noNaN: true }),
            k: fc.integer({ min: 1, max: 8 }),
          }),
        ),
        ({ ops, queries, km, k }) => {
          const fleet = new Fleet({ initialCapacity: 16 });
          const model: Model = new Map();
          let n = 0;
          for (const op of ops) {
            apply(fleet, model, op, () => `t${n++}`);
            if (op.kind === 'scatter') moves += model.size * op.rounds;
          }
          rebuilds += fleet.index.rebuilds;
          expect(fleet.size).toBe(model.size);
          // Query at the generated points and at a few technicians' own positions.
          const points = [...queries, ...[...model.values()].slice(0, 2)];
          for (const q of points) {
            const problems = [
              ...sameHits(fleet.within(q.lat, q.lon, km), naiveWithin(model, q.lat, q.lon, km), () => [km]),
              ...sameHits(fleet.covering(q.lat, q.lon), naiveCovering(model, q.lat, q.lon), (id) => [
                model.get(id)!.radiusKm ?? 30,
              ]),
            ];
            const online = new Map([...model].filter(([, t]) => t.online !== false));
            const p = plan(fleet, { id: 'j', lat: q.lat, lon: q.lon }, { now: 0, policy });
            problems.push(
              ...sameHits(
                p.candidates.map((c) => ({ id: c.id, distanceKm: c.distanceKm })),
                naiveCovering(online, q.lat, q.lon),
                (id) => [model.get(id)!.radiusKm ?? 30],
              ),
            );
            if (model.size) {
              const near = fleet.nearest(q.lat, q.lon, k);
              const want = naiveNearest(model, q.lat, q.lon, k);
              expect(near.length).toBe(want.length);
              near.forEach((h, i) => {
                expect(Math.abs(h.distanceKm - want[i]!.distanceKm)).toBeLessThan(1e-6);
                const t = model.get(h.id)!;
                expect(Math.abs(haversineKm(q.lat, q.lon, t.lat, t.lon) - h.distanceKm)).toBeLessThan(1e-6);
              });
            }
            expect(problems).toEqual([]);
          }
        },
      ),
      { seed, numRuns: 300 },
    );
    // The histories were long enough to push the index through full rebuilds.
    expect(moves).toBeGreaterThan(300);
    expect(rebuilds).toBeGreaterThan(0);
  });

  it('a long deterministic history of moves rebuilds the index and still matches', () => {
    const rng = createRng(seed);
    const fleet = new Fleet({ initialCapacity: 16 });
    const model: Model = new Map();
    for (let i = 0; i < 2000; i++) {
      const t: TechnicianInput = {
        id: `t${i}`,
        ...REGION_BOX.ch(() => rng.next()),
        tier: 'friend',
        radiusKm: 5 + 40 * rng.next(),
      };
      fleet.add(t);
      model.set(t.id, t);
    }
    for (let i = 0; i < 20_000; i++) {
      const id = `t${rng.int(2000)}`;
      const p = REGION_BOX[REGIONS[rng.int(4)]!](() => rng.next());
      fleet.move(id, p.lat, p.lon);
      model.set(id, { ...model.get(id)!, ...p });
      if (i % 97 === 0) {
        fleet.remove(id);
        model.delete(id);
        const t = { ...REGION_BOX.ch(() => rng.next()), id, tier: 'pro' as const, radiusKm: 30 };
        fleet.add(t);
        model.set(id, t);
      }
    }
    expect(fleet.index.rebuilds).toBeGreaterThan(3);
    for (let i = 0; i < 30; i++) {
      const q = REGION_BOX[REGIONS[i % 4]!](() => rng.next());
      expect(
        sameHits(fleet.covering(q.lat, q.lon), naiveCovering(model, q.lat, q.lon), (id) => [
          model.get(id)!.radiusKm!,
        ]),
      ).toEqual([]);
      expect(
        sameHits(fleet.within(q.lat, q.lon, 300), naiveWithin(model, q.lat, q.lon, 300), () => [300]),
      ).toEqual([]);
    }
  });
});

describe('notification cap test', () => {
  it('atNotificationCap(max) = (notificationsWithin ≥ max), offers in any order, cap changed and offers added between queries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 6 }),
        fc.array(
          fc.record({
            now: fc.integer({ min: 0, max: 12_000 }),
            windowMs: fc.integer({ min: 1, max: 5_000 }),
            max: fc.integer({ min: 1, max: 20 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        (times, later, queries) => {
          const fleet = new Fleet({ notificationHistory: 16 });
          fleet.add({ id: 'x', lat: 47, lon: 8, tier: 'friend' });
          fleet.add({ id: 'y', lat: 47, lon: 8, tier: 'friend' });
          const slot = fleet.findSlot('x');
          const check = (recorded: number[]) => {
            // The oracle: the most recent 16 records (the history kept), counted by brute force.
            const kept = [...recorded].sort((a, b) => a - b).slice(-16);
            for (const { now, windowMs, max } of queries) {
              const within = kept.filter((t) => t > now - windowMs).length;
              expect(fleet.notificationsWithin(slot, now, windowMs)).toBe(within);
              expect(fleet.atNotificationCap(slot, now, windowMs, max)).toBe(within >= max);
              expect(fleet.atNotificationCap(fleet.findSlot('y'), now, windowMs, max)).toBe(false);
            }
          };
          for (const t of times) fleet.recordOffer('x', t);
          check(times);
          // Offers recorded after the cache was filled for the last query's cap update it.
          for (const t of later) fleet.recordOffer('x', t);
          check([...times, ...later]);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('a removed technician’s slot, reused, starts below the cap', () => {
    const fleet = new Fleet({ initialCapacity: 4 });
    fleet.add({ id: 'x', lat: 47, lon: 8, tier: 'friend' });
    for (let t = 0; t < 5; t++) fleet.recordOffer('x', 1000 + t);
    const slot = fleet.findSlot('x');
    expect(fleet.atNotificationCap(slot, 1010, 60_000, 5)).toBe(true);
    fleet.remove('x');
    fleet.add({ id: 'z', lat: 47, lon: 8, tier: 'friend' });
    expect(fleet.findSlot('z')).toBe(slot);
    expect(fleet.atNotificationCap(slot, 1010, 60_000, 5)).toBe(false);
  });
});
