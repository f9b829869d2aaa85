/**
 * Best Friend qualification: the exact boundaries (4.5 qualifies, 4.49 does not; 15 ratings
 * qualify, 14 do not), the top-5 % revenue cut with ties (as documented in src/plan/bestFriends.ts),
 * engagement roles on their own, and the reasons.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BEST_FRIEND_CRITERIA,
  ENGAGEMENT_ROLES,
  qualifyBestFriends,
  type YearFigures,
} from '../src/plan/bestFriends.js';
import { InvalidArgumentError } from '../src/shared/errors.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('bestFriends.test.ts');

/** A year of 40 technicians: `star` has the top revenue (so is in the top 5 % = 2 places), the rest earn less. */
function withStar(star: Partial<YearFigures>): YearFigures[] {
  const others = Array.from({ length: 39 }, (_, i) => ({
    id: `o${i}`,
    averageRating: 4.9,
    ratingCount: 100,
    revenue: 1000 + i,
  }));
  return [{ id: 'star', averageRating: 4.8, ratingCount: 40, revenue: 100_000, ...star }, ...others];
}

const verdict = (figures: YearFigures[], id = 'star') =>
  qualifyBestFriends(figures).find((q) => q.id === id)!;

describe('performance criteria boundaries', () => {
  it('the criteria are 4.5 stars, 15 ratings, top 5 %', () => {
    expect(BEST_FRIEND_CRITERIA).toEqual({
      minAverageRating: 4.5,
      minRatingCount: 15,
      topRevenueShare: 0.05,
    });
  });

  it('an average of exactly 4.5 qualifies; 4.49 does not', () => {
    expect(verdict(withStar({ averageRating: 4.5 }))).toMatchObject({
      qualifies: true,
      byPerformance: true,
      reasons: ['performance'],
    });
    expect(verdict(withStar({ averageRating: 4.49 }))).toMatchObject({
      qualifies: false,
      reasons: ['rating_below_4.5'],
    });
  });

  it('exactly 15 ratings qualify; 14 do not; 0 ratings fail the rating too', () => {
    expect(verdict(withStar({ ratingCount: 15 })).qualifies).toBe(true);
    expect(verdict(withStar({ ratingCount: 14 }))).toMatchObject({
      qualifies: false,
      reasons: ['fewer_than_15_ratings'],
    });
    expect(verdict(withStar({ ratingCount: 0, averageRating: 5 }))).toMatchObject({
      qualifies: false,
      reasons: ['rating_below_4.5', 'fewer_than_15_ratings'],
    });
  });

  it('every failed criterion is listed', () => {
    const figures = withStar({ averageRating: 4.2, ratingCount: 3, revenue: 0 });
    expect(verdict(figures)).toMatchObject({
      qualifies: false,
      byPerformance: false,
      byEngagement: false,
      reasons: ['rating_below_4.5', 'fewer_than_15_ratings', 'not_top_5_percent_revenue'],
    });
  });
});

describe('top 5 % by revenue (ceil(0.05 · N) places, ties at the cut all qualify)', () => {
  const good = { averageRating: 4.9, ratingCount: 50 };
  const year = (revenues: number[]): YearFigures[] =>
    revenues.map((revenue, i) => ({ id: `t${i}`, revenue, ...good }));
  const qualified = (revenues: number[]) =>
    qualifyBestFriends(year(revenues))
      .filter((q) => q.qualifies)
      .map((q) => q.id);

  it('20 technicians → 1 place; 21 → 2 places', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => 100 - i);
    expect(qualified(twenty)).toEqual(['t0']);
    const twentyOne = Array.from({ length: 21 }, (_, i) => 100 - i);
    expect(qualified(twentyOne)).toEqual(['t0', 't1']);
  });

  it('ties at the cut all qualify (never split arbitrarily)', () => {
    // 20 technicians → 1 place; three share the top revenue.
    const revenues = [50, 90, 90, 10, 90, ...Array.from({ length: 15 }, () => 1)];
    expect(qualified(revenues)).toEqual(['t1', 't2', 't4']);
    const ranks = qualifyBestFriends(year(revenues)).map((q) => q.revenueRank);
    expect(ranks.slice(0, 5)).toEqual([4, 1, 1, 5, 1]);
  });

  it('one technician alone is the top 5 %; zero revenue never is', () => {
    expect(qualified([10])).toEqual(['t0']);
    expect(qualified([0])).toEqual([]);
    expect(qualified([0, 0, 0])).toEqual([]);
  });

  it('an empty year qualifies nobody', () => {
    expect(qualifyBestFriends([])).toEqual([]);
  });

  it('property: the performance qualifiers are exactly those at or above the ceil(5 %)-th revenue', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            revenue: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1e6 })),
            averageRating: fc.constantFrom(4.49, 4.5, 4.8, 5),
            ratingCount: fc.constantFrom(0, 14, 15, 100),
          }),
          { maxLength: 120 },
        ),
        (rows) => {
          const figures = rows.map((r, i) => ({ id: `t${i}`, ...r }));
          const out = qualifyBestFriends(figures);
          const sorted = figures.map((f) => f.revenue).sort((a, b) => b - a);
          const places = Math.ceil(0.05 * figures.length);
          const cut = places ? sorted[places - 1]! : Number.POSITIVE_INFINITY;
          out.forEach((q, i) => {
            const f = figures[i]!;
            const top = f.revenue > 0 && f.revenue >= cut;
            expect(q.byPerformance).toBe(top && f.averageRating >= 4.5 && f.ratingCount >= 15);
            expect(q.qualifies).toBe(q.byPerformance);
            expect(q.revenueRank).toBe(sorted.filter((r) => r > f.revenue).length + 1);
            if (!q.qualifies) expect(q.reasons.includes('not_top_5_percent_revenue')).toBe(!top);
          });
          // At least the places are filled when that many earn something (ties may add more).
          const earning = figures.filter((f) => f.revenue > 0).length;
          const topCount = figures.filter((f) => f.revenue > 0 && f.revenue >= cut).length;
          expect(topCount).toBeGreaterThanOrEqual(Math.min(places, earning));
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('engagement roles', () => {
  it.each(ENGAGEMENT_ROLES)('%s alone qualifies, with its reason', (role) => {
    const figures = withStar({ averageRating: 3, ratingCount: 0, revenue: 0, roles: [role] });
    expect(verdict(figures)).toMatchObject({
      qualifies: true,
      byPerformance: false,
      byEngagement: true,
      reasons: [`engagement:${role}`],
    });
  });

  it('performance and roles are both listed; duplicate roles once', () => {
    const figures = withStar({ roles: ['mentor', 'mentor', 'product_tester'] });
    expect(verdict(figures)).toMatchObject({
      qualifies: true,
      byPerformance: true,
      byEngagement: true,
      reasons: ['performance', 'engagement:mentor', 'engagement:product_tester'],
    });
  });
});

describe('bad figures', () => {
  const row: YearFigures = { id: 'a', averageRating: 4.6, ratingCount: 20, revenue: 10 };
  it.each([
    ['empty id', { ...row, id: '' }],
    ['rating above 5', { ...row, averageRating: 5.1 }],
    ['rating below 1', { ...row, averageRating: 0.5 }],
    ['NaN rating', { ...row, averageRating: Number.NaN }],
    ['fractional count', { ...row, ratingCount: 1.5 }],
    ['negative count', { ...row, ratingCount: -1 }],
    ['negative revenue', { ...row, revenue: -1 }],
    ['infinite revenue', { ...row, revenue: Number.POSITIVE_INFINITY }],
    ['unknown role', { ...row, roles: ['influencer'] }],
  ])('%s → InvalidArgumentError', (_name, bad) => {
    expect(() => qualifyBestFriends([bad as YearFigures])).toThrow(InvalidArgumentError);
    expect(() => qualifyBestFriends([bad as YearFigures])).toThrow(/pass|use|must/);
  });

  it('a duplicate id is rejected', () => {
    expect(() => qualifyBestFriends([row, row])).toThrow(/appears twice/);
  });

  it('an unrated technician may carry any average (it is ignored)', () => {
    expect(qualifyBestFriends([{ ...row, ratingCount: 0, averageRating: 0 }])[0]!.qualifies).toBe(false);
  });
});
