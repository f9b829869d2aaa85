/**
 * Score: every factor in [0, 1] (fast-check over random scenarios), the weighted score, rating
 * shrinkage, fairness with counter decay, responsiveness, weights, Best Friend and tier fit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy, DEFAULT_WEIGHTS, MIN_WEIGHT, type PolicyInput } from '../src/plan/policy.js';
import { FACTORS, fairnessFactor, ratingFactor, responsivenessFactor } from '../src/plan/scoring.js';
import type { Candidate, Job, TechnicianInput } from '../src/shared/types.js';
import { buildFleet, type Scenario, scenarioArb } from './helpers/scenario.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('scoring.test.ts');
const AT = { lat: 46.948, lon: 7.4474 }; // Bern
const JOB: Job = { id: 'job', ...AT };

/** Plans `techs` (all at the job unless placed) and returns candidates by id. */
function score(
  techs: (Partial<TechnicianInput> & { id: string })[],
  policyInput: PolicyInput = {},
  opts: { now?: number; job?: Partial<Job>; fleet?: Fleet; setup?: (f: Fleet) => void } = {},
): { ranked: string[]; by: Record<string, Candidate> } {
  const fleet = opts.fleet ?? new Fleet();
  for (const t of techs) fleet.add({ ...AT, tier: 'friend', ...t } as TechnicianInput);
  opts.setup?.(fleet);
  const p = plan(fleet, { ...JOB, ...opts.job }, { now: opts.now ?? 0, policy: createPolicy(policyInput) });
  return {
    ranked: p.candidates.map((c) => c.id),
    by: Object.fromEntries(p.candidates.map((c) => [c.id, c])),
  };
}

describe('factors', () => {
  it('each factor and the score are in [0, 1], and the score is the weighted mean of the factors', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.record(
          Object.fromEntries(
            FACTORS.map((f) => [
              f,
              fc.oneof(fc.constant(0), fc.double({ min: MIN_WEIGHT, max: 10, noNaN: true })),
            ]),
          ),
        ),
        (s: Scenario, w) => {
          const weights = Object.values(w).some((x) => x > 0) ? w : { distance: 1 };
          const policy = createPolicy({ ...s.policy, weights });
          const p = plan(buildFleet(s), s.job, { now: s.now, policy, exclude: s.exclude });
          const total = FACTORS.reduce((acc, f) => acc + policy.weights[f], 0);
          for (const c of p.candidates) {
            for (const f of FACTORS) {
              expect(c.breakdown[f]).toBeGreaterThanOrEqual(0);
              expect(c.breakdown[f]).toBeLessThanOrEqual(1);
            }
            expect(c.score).toBeGreaterThanOrEqual(0);
            expect(c.score).toBeLessThanOrEqual(1 + 1e-12);
            const mean = FACTORS.reduce((acc, f) => acc + policy.weights[f] * c.breakdown[f], 0) / total;
            expect(c.score).toBeCloseTo(mean, 12);
            // Distance is relative to the radius that applies.
            expect(c.breakdown.distance).toBeCloseTo(Math.max(0, 1 - c.distanceKm / c.radiusKm), 9);
            expect(c.breakdown.bestFriend).toBe(c.bestFriend ? 1 : 0);
          }
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('default weights are documented and sum to 1', () => {
    expect(DEFAULT_WEIGHTS).toEqual({
      distance: 0.35,
      tierFit: 0.1,
      rating: 0.2,
      bestFriend: 0.1,
      fairness: 0.15,
      responsiveness: 0.1,
    });
    expect(Object.values(DEFAULT_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('distance: 1 at the job, 0 at the edge of the applied radius, linear in between', () => {
    const { by } = score([
      { id: 'here' },
      { id: 'half', lat: AT.lat + 15 / 111.195, radiusKm: 30 },
      { id: 'edge', lat: AT.lat + 29.999 / 111.195, radiusKm: 30 },
    ]);
    expect(by.here!.breakdown.distance).toBe(1);
    expect(by.half!.breakdown.distance).toBeCloseTo(0.5, 3);
    expect(by.edge!.breakdown.distance).toBeCloseTo(0, 3);
    // With a job radius of 20 km, 15 km is three quarters of the way out.
    const r = score(
      [{ id: 'half', lat: AT.lat + 15 / 111.195, radiusKm: 30 }],
      {},
      { job: { maxRadiusKm: 20 } },
    );
    expect(r.by.half!.breakdown.distance).toBeCloseTo(0.25, 3);
  });
});

describe('rating shrinkage', () => {
  const policy = createPolicy();

  it('5.0 from one rating ranks below 4.8 from 200 ratings', () => {
    expect(ratingFactor(5, 1, policy)).toBeLessThan(ratingFactor(4.8, 200, policy));
    const { ranked, by } = score([
      { id: 'lucky', rating: 5, ratingCount: 1 },
      { id: 'proven', rating: 4.8, ratingCount: 200 },
    ]);
    expect(ranked).toEqual(['proven', 'lucky']);
    expect(by.proven!.breakdown.rating).toBeGreaterThan(by.lucky!.breakdown.rating);
  });

  it('an unrated technician gets the prior; many ratings approach their average', () => {
    expect(ratingFactor(Number.NaN, 0, policy)).toBeCloseTo((4.3 - 1) / 4, 12);
    expect(ratingFactor(5, 0, policy)).toBeCloseTo((4.3 - 1) / 4, 12);
    expect(ratingFactor(5, 1e6, policy)).toBeCloseTo(1, 4);
    expect(ratingFactor(1, 1e6, policy)).toBeCloseTo(0, 4);
    // Exactly the Bayesian average with the documented prior (4.3 worth 10 ratings).
    expect(ratingFactor(4.8, 200, policy)).toBeCloseTo(((4.3 * 10 + 4.8 * 200) / 210 - 1) / 4, 12);
    // No shrinkage with priorCount 0.
    expect(ratingFactor(5, 1, createPolicy({ rating: { priorCount: 0 } }))).toBe(1);
  });

  it('more ratings at the same average above the prior always help', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 4.31, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        (avg, n) => {
          expect(ratingFactor(avg, n + 1, policy)).toBeGreaterThan(ratingFactor(avg, n, policy));
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});

describe('fairness', () => {
  const policy = createPolicy();

  it('fewer recent offers and awards rank higher', () => {
    expect(fairnessFactor(0, 0, policy)).toBe(1);
    expect(fairnessFactor(20, 0, policy)).toBeCloseTo(0.5, 12);
    expect(fairnessFactor(0, 4, policy)).toBeCloseTo(0.5, 12);
    const { ranked } = score(
      [{ id: 'busy' }, { id: 'idle' }],
      { weights: { fairness: 1 } },
      {
        now: 10_000,
        setup: (f) => {
          for (let i = 0; i < 5; i++) f.recordOffer('busy', i * 1000);
        },
      },
    );
    expect(ranked).toEqual(['idle', 'busy']);
    const awards = score(
      [{ id: 'winner' }, { id: 'other' }],
      { weights: { fairness: 1 } },
      {
        now: 10_000,
        setup: (f) => f.recordAward('winner', 0) /* capacity 1 → also at capacity */,
      },
    );
    expect(awards.ranked).toEqual(['other']);
  });

  it('awards weigh more than offers (default scales 20 and 4)', () => {
    const { by } = score(
      [
        { id: 'offered', capacity: 5 },
        { id: 'awarded', capacity: 5 },
      ],
      {},
      {
        now: 0,
        setup: (f) => {
          f.recordOffer('offered', 0);
          f.recordAward('awarded', 0);
        },
      },
    );
    expect(by.offered!.breakdown.fairness).toBeCloseTo(1 / (1 + 1 / 20), 12);
    expect(by.awarded!.breakdown.fairness).toBeCloseTo(1 / (1 + 1 / 4), 12);
  });

  it('counters decay with the fleet’s half-life', () => {
    const fleet = new Fleet({ counterHalfLifeMs: 3_600_000 });
    const setup = (f: Fleet) => {
      for (let i = 0; i < 8; i++) f.recordOffer('t', 0);
    };
    const at = (now: number) =>
      score([{ id: 't' }], { notificationCap: null }, { now, fleet: cloneEmpty(fleet), setup }).by.t!
        .breakdown.fairness;
    expect(at(0)).toBeCloseTo(1 / (1 + 8 / 20), 9);
    expect(at(3_600_000)).toBeCloseTo(1 / (1 + 4 / 20), 9);
    expect(at(7_200_000)).toBeCloseTo(1 / (1 + 2 / 20), 9);
    expect(at(1e12)).toBeCloseTo(1, 9);
  });

  it('counters seeded through stats count in the score', () => {
    const { ranked, by } = score(
      [
        { id: 'seeded', stats: { recentOffers: 20, recentAwards: 4 } },
        { id: 'fresh', stats: {} },
      ],
      { weights: { fairness: 1 } },
      { now: 1_790_000_000_000 },
    );
    expect(by.seeded!.breakdown.fairness).toBeCloseTo(1 / 3, 9);
    expect(ranked).toEqual(['fresh', 'seeded']);
  });
});

function cloneEmpty(_f: Fleet): Fleet {
  return new Fleet({ counterHalfLifeMs: 3_600_000 });
}

describe('responsiveness', () => {
  const policy = createPolicy();

  it('is the mean of the accept rate and a response-time term; unknowns use the priors', () => {
    expect(responsivenessFactor(Number.NaN, Number.NaN, policy)).toBeCloseTo(0.5 * 0.5 + 0.5 / 2, 12);
    expect(responsivenessFactor(1, 0, policy)).toBe(1);
    expect(responsivenessFactor(0, 30_000, policy)).toBeCloseTo(0.25, 12);
    expect(responsivenessFactor(1, 1e12, policy)).toBeCloseTo(0.5, 6);
  });

  it('fast, willing technicians rank higher', () => {
    const { ranked } = score(
      [{ id: 'slow' }, { id: 'fast' }, { id: 'unknown' }],
      { weights: { responsiveness: 1 } },
      {
        setup: (f) => {
          f.recordResponse('slow', false, 50_000);
          f.recordResponse('fast', true, 3_000);
        },
      },
    );
    expect(ranked).toEqual(['fast', 'unknown', 'slow']);
  });
});

describe('weights, tier fit and Best Friend', () => {
  it('a single weight decides the order', () => {
    const techs = [
      { id: 'near-low', lat: AT.lat + 0.01, rating: 3, ratingCount: 100 },
      { id: 'far-high', lat: AT.lat + 0.1, rating: 5, ratingCount: 100 },
    ];
    expect(
      score(techs, {
        weights: { distance: 1, rating: 0, tierFit: 0, bestFriend: 0, fairness: 0, responsiveness: 0 },
      }).ranked,
    ).toEqual(['near-low', 'far-high']);
    expect(
      score(techs, {
        weights: { distance: 0, rating: 1, tierFit: 0, bestFriend: 0, fairness: 0, responsiveness: 0 },
      }).ranked,
    ).toEqual(['far-high', 'near-low']);
  });

  it('scaling all weights does not change scores', () => {
    const techs = [{ id: 'a', lat: AT.lat + 0.05, rating: 4.1, ratingCount: 30, bestFriend: true }];
    const one = score(techs).by.a!.score;
    const scaled = score(techs, {
      weights: Object.fromEntries(Object.entries(DEFAULT_WEIGHTS).map(([k, v]) => [k, v * 7])),
    }).by.a!.score;
    expect(scaled).toBeCloseTo(one, 12);
  });

  it('tier fit: exact matches 1, Pro on an any-job 0.8, Pro on a Friend job 0.5 (policy values)', () => {
    const t = [
      { id: 'f', tier: 'friend' as const },
      { id: 'p', tier: 'pro' as const },
    ];
    const any = score(t).by;
    expect([any.f!.breakdown.tierFit, any.p!.breakdown.tierFit]).toEqual([1, 0.8]);
    const friendJob = score(t, { allowProsOnFriendJobs: true }, { job: { tier: 'friend' } }).by;
    expect([friendJob.f!.breakdown.tierFit, friendJob.p!.breakdown.tierFit]).toEqual([1, 0.5]);
    expect(score(t, {}, { job: { tier: 'pro' } }).by.p!.breakdown.tierFit).toBe(1);
    const custom = score(t, { tierFit: { proOnAny: 0.3 } }).by;
    expect(custom.p!.breakdown.tierFit).toBe(0.3);
  });

  it('Best Friend: factor 1, and with only that weight a Best Friend outranks an otherwise equal peer', () => {
    const { ranked, by } = score([{ id: 'a' }, { id: 'b', bestFriend: true }], {
      weights: { distance: 0, tierFit: 0, rating: 0, bestFriend: 1, fairness: 0, responsiveness: 0 },
    });
    expect(ranked).toEqual(['b', 'a']);
    expect([by.a!.breakdown.bestFriend, by.b!.breakdown.bestFriend]).toEqual([0, 1]);
    expect([by.a!.score, by.b!.score]).toEqual([0, 1]);
  });
});
