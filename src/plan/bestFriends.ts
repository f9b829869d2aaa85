/**
 * Best Friend qualification, per the programme rules: over one year, an average rating of at
 * least 4.5 stars **and** at least 15 ratings **and** a place in the top 5 % of total revenue —
 * **or** a community engagement role (meet-up organiser, mentor, product tester, brand ambassador).
 *
 * The top-5 % cut: with N technicians, the top `ceil(0.05 · N)` revenue places qualify, and every
 * technician whose revenue equals the revenue at the last such place qualifies too (ties are never
 * split arbitrarily). Technicians with zero revenue are never in the top 5 %.
 */
import { InvalidArgumentError } from '../shared/errors.js';

/** Community engagement roles that qualify on their own. */
export type EngagementRole = 'meetup_organiser' | 'mentor' | 'product_tester' | 'brand_ambassador';

/** The roles, for validation and documentation. */
export const ENGAGEMENT_ROLES: readonly EngagementRole[] = [
  'meetup_organiser',
  'mentor',
  'product_tester',
  'brand_ambassador',
];

/** One technician's figures for the year. */
export interface YearFigures {
  /** The technician's id. */
  id: string;
  /** Average star rating over the year (1–5); ignored when `ratingCount` is 0. */
  averageRating: number;
  /** Ratings received over the year. */
  ratingCount: number;
  /** Total revenue over the year (any currency, ≥ 0). */
  revenue: number;
  /** Engagement roles held. @default [] */
  roles?: readonly EngagementRole[];
}

/** Why a technician qualifies or not. */
export type QualificationReason =
  | 'rating_below_4.5'
  | 'fewer_than_15_ratings'
  | 'not_top_5_percent_revenue'
  | 'performance'
  | `engagement:${EngagementRole}`;

/** The verdict for one technician. */
export interface Qualification {
  /** The technician's id. */
  id: string;
  /** Whether he qualifies as a Best Friend (by performance or by engagement). */
  qualifies: boolean;
  /** Qualified through performance (rating, count and revenue all met). */
  byPerformance: boolean;
  /** Qualified through engagement roles. */
  byEngagement: boolean;
  /** Reasons: what qualified, or every performance criterion that failed. */
  reasons: QualificationReason[];
  /** 1-based revenue rank (ties share the best rank). */
  revenueRank: number;
}

/** Criteria, fixed by the programme; exported for reports. */
export const BEST_FRIEND_CRITERIA = Object.freeze({
  /** Lowest average rating over the year (1–5). */
  minAverageRating: 4.5,
  /** Fewest ratings over the year. */
  minRatingCount: 15,
  /** Share of technicians, by revenue, who meet the revenue criterion (the top 5 %, rounded up). */
  topRevenueShare: 0.05,
});

/**
 * Decides who qualifies as a Best Friend for the year, with reasons.
 * @example
 * qualifyBestFriends([{ id: 'a', averageRating: 4.8, ratingCount: 40, revenue: 9000 }, …])
 *   .filter((q) => q.qualifies)
 */
export function qualifyBestFriends(figures: readonly YearFigures[]): Qualification[] {
  const seen = new Set<string>();
  figures.forEach((f, i) => {
    const at = `qualifyBestFriends(): figures[${i}]`;
    if (!f || typeof f.id !== 'string' || f.id.length === 0) {
      throw new InvalidArgumentError(`${at}.id must be a non-empty string.`);
    }
    if (seen.has(f.id))
      throw new InvalidArgumentError(`${at}: id '${f.id}' appears twice; pass one row per technician.`);
    seen.add(f.id);
    if (!Number.isInteger(f.ratingCount) || f.ratingCount < 0) {
      throw new InvalidArgumentError(`${at}.ratingCount is ${f.ratingCount}; pass a whole number ≥ 0.`);
    }
    if (f.ratingCount > 0 && !(f.averageRating >= 1 && f.averageRating <= 5)) {
      throw new InvalidArgumentError(
        `${at}.averageRating is ${f.averageRating}; pass a rating between 1 and 5.`,
      );
    }
    if (!(f.revenue >= 0) || !Number.isFinite(f.revenue)) {
      throw new InvalidArgumentError(`${at}.revenue is ${f.revenue}; pass a finite amount ≥ 0.`);
    }
    for (const r of f.roles ?? []) {
      if (!ENGAGEMENT_ROLES.includes(r)) {
        throw new InvalidArgumentError(
          `${at}.roles has '${String(r)}'; use one of ${ENGAGEMENT_ROLES.join(', ')}.`,
        );
      }
    }
  });
  const revenues = figures.map((f) => f.revenue).sort((a, b) => b - a);
  const places = Math.ceil(BEST_FRIEND_CRITERIA.topRevenueShare * figures.length);
  const cut = places > 0 ? revenues[places - 1]! : Number.POSITIVE_INFINITY;
  return figures.map((f) => {
    const ratingOk = f.ratingCount > 0 && f.averageRating >= BEST_FRIEND_CRITERIA.minAverageRating;
    const countOk = f.ratingCount >= BEST_FRIEND_CRITERIA.minRatingCount;
    const revenueOk = f.revenue > 0 && f.revenue >= cut;
    const byPerformance = ratingOk && countOk && revenueOk;
    const roles = [...new Set(f.roles ?? [])];
    const byEngagement = roles.length > 0;
    const reasons: QualificationReason[] = [];
    if (byPerformance) reasons.push('performance');
    for (const r of roles) reasons.push(`engagement:${r}`);
    if (!byPerformance && !byEngagement) {
      if (!ratingOk) reasons.push('rating_below_4.5');
      if (!countOk) reasons.push('fewer_than_15_ratings');
      if (!revenueOk) reasons.push('not_top_5_percent_revenue');
    }
    return {
      id: f.id,
      qualifies: byPerformance || byEngagement,
      byPerformance,
      byEngagement,
      reasons,
      revenueRank: lowerRank(revenues, f.revenue),
    };
  });
}

/** 1-based rank of `value` in a descending list (ties share the best rank). */
function lowerRank(desc: readonly number[], value: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (desc[mid]! > value) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}
