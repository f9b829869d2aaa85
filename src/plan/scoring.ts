/**
 * Scoring: six factors, each normalised to [0, 1], weighted by the policy. The planner ranks by
 * the weighted score; the breakdown is reported per candidate so every ranking can be explained.
 *
 * Three factors do not depend on the job (rating, Best Friend, responsiveness): their weighted sum
 * is the technician's *quality*, cached per policy by the fleet. The hot path then adds distance,
 * tier fit and fairness (whose counters decay with time, so they are computed at `now`).
 */

import { F_BEST, F_PRO } from '../fleet/flags.js';
import type { Fleet } from '../fleet/fleet.js';
import { LINE_AWARDS, LINE_F32, LINE_OFFERS } from '../fleet/layout.js';
import type { JobContext } from './eligibility.js';
import { FACTORS, type Policy } from './policy.js';

export { FACTORS };

import type { ScoreBreakdown } from '../shared/types.js';

/** Rating shrunk toward the policy prior: a Bayesian average worth `priorCount` ratings, normalised to [0, 1]. */
export function ratingFactor(avg: number, count: number, policy: Policy): number {
  const { prior, priorCount } = policy.rating;
  const shrunk =
    count > 0 && !Number.isNaN(avg) ? (prior * priorCount + avg * count) / (priorCount + count) : prior;
  return (shrunk - 1) / 4;
}

/** Fewer recent offers and awards rank higher: 1 / (1 + offers/offersScale + awards/awardsScale). */
export function fairnessFactor(offers: number, awards: number, policy: Policy): number {
  return 1 / (1 + offers / policy.fairness.offersScale + awards / policy.fairness.awardsScale);
}

/** Mean of the accept rate and a response-time term; unknown values take the policy priors. */
export function responsivenessFactor(acceptRate: number, responseMs: number, policy: Policy): number {
  const r = policy.responsiveness;
  const ar = Number.isNaN(acceptRate) ? r.acceptRatePrior : acceptRate;
  const rm = Number.isNaN(responseMs) ? r.responseMsPrior : responseMs;
  return 0.5 * ar + 0.5 / (1 + rm / r.responseScaleMs);
}

/** How well a technician's tier fits the job's. */
export function tierFitFactor(flags: number, ctx: JobContext, policy: Policy): number {
  const pro = (flags & F_PRO) !== 0;
  if (ctx.tier === 'any') return pro ? policy.tierFit.proOnAny : policy.tierFit.friendOnAny;
  if (ctx.tier === 'friend') return pro ? policy.tierFit.proOnFriend : 1;
  return 1;
}

/** Distance factor: 1 at the job, 0 at the radius that applies. */
export function distanceFactor(distanceKm: number, radiusKm: number): number {
  return radiusKm > 0 ? Math.max(0, 1 - distanceKm / radiusKm) : 0;
}

/** Weighted sum of the job-independent factors of a slot (rating, Best Friend, responsiveness). */
export function qualityOf(fleet: Fleet, slot: number, policy: Policy): number {
  const w = policy.weights;
  return (
    w.rating * ratingFactor(fleet.rating[slot]!, fleet.ratingCount[slot]!, policy) +
    w.bestFriend * (fleet.flags[slot]! & F_BEST ? 1 : 0) +
    w.responsiveness * responsivenessFactor(fleet.acceptRate[slot]!, fleet.responseMs[slot]!, policy)
  );
}

/** Everything the hot path needs to score for one plan, resolved once. */
export interface ScoreContext {
  readonly wDistance: number;
  readonly wTierFit: number;
  readonly wFairness: number;
  /** 1 / (sum of weights). */
  readonly invTotal: number;
  readonly tierFitFriend: number;
  readonly tierFitPro: number;
  /** 1 / offersScale and 1 / awardsScale. */
  readonly offersK: number;
  readonly awardsK: number;
  readonly now: number;
}

const qualityCompute = new WeakMap<Policy, (fleet: Fleet, slot: number) => number>();

/** Resolves the score context of a job (refreshes the fleet's quality cache for the policy). */
export function scoreContext(fleet: Fleet, ctx: JobContext, policy: Policy): ScoreContext {
  const w = policy.weights;
  let compute = qualityCompute.get(policy);
  if (!compute) {
    compute = (f, slot) => qualityOf(f, slot, policy);
    qualityCompute.set(policy, compute);
  }
  fleet.qualityFor(policy, compute);
  return {
    wDistance: w.distance,
    wTierFit: w.tierFit,
    wFairness: w.fairness,
    invTotal: 1 / (w.distance + w.tierFit + w.rating + w.bestFriend + w.fairness + w.responsiveness),
    tierFitFriend: tierFitFactor(0, ctx, policy),
    tierFitPro: tierFitFactor(F_PRO, ctx, policy),
    offersK: 1 / policy.fairness.offersScale,
    awardsK: 1 / policy.fairness.awardsScale,
    now: ctx.now,
  };
}

/** The weighted score in [0, 1] of an eligible technician (the planner's hot path). */
export function scoreOf(
  sc: ScoreContext,
  fleet: Fleet,
  slot: number,
  flags: number,
  distanceKm: number,
  radiusKm: number,
): number {
  const tierFit = flags & F_PRO ? sc.tierFitPro : sc.tierFitFriend;
  const partial =
    sc.wDistance * distanceFactor(distanceKm, radiusKm) + sc.wTierFit * tierFit + fleet.qualityOf(slot);
  // Without a fairness weight its term is + 0 (the factor is finite): the counters are not read.
  if (sc.wFairness === 0) return (partial + 0) * sc.invTotal;
  const offers = fleet.lines32[slot * LINE_F32 + LINE_OFFERS]!;
  const awards = fleet.lines32[slot * LINE_F32 + LINE_AWARDS]!;
  const decay = offers === 0 && awards === 0 ? 1 : fleet.decay(slot, sc.now);
  const fairness = 1 / (1 + offers * decay * sc.offersK + awards * decay * sc.awardsK);
  return (partial + sc.wFairness * fairness) * sc.invTotal;
}

/**
 * An upper bound of {@link scoreOf} read from the index entry alone (no per-technician cache
 * miss): `minDistanceKm` must not exceed the true distance, `quality32` is the float32 copy of the
 * quality, and fairness counts as 1. The planner skips the exact score when it is below its bar.
 */
export function upperBound(
  sc: ScoreContext,
  quality32: number,
  flags: number,
  minDistanceKm: number,
  radiusKm: number,
): number {
  const tierFit = flags & F_PRO ? sc.tierFitPro : sc.tierFitFriend;
  // The margin covers the float32 quality (relative error 6e-8) and rounding in either formula.
  return (
    (sc.wDistance * distanceFactor(minDistanceKm, radiusKm) +
      sc.wTierFit * tierFit +
      quality32 +
      sc.wFairness) *
      sc.invTotal +
    1e-6
  );
}

/**
 * Computes every factor of one technician into `out[at … at + 5]` ({@link FACTORS} order) and
 * returns the weighted score in [0, 1]: the reference form of {@link scoreOf}, used for the
 * breakdown and by the benchmark's baselines.
 */
export function scoreSlot(
  fleet: Fleet,
  slot: number,
  flags: number,
  distanceKm: number,
  radiusKm: number,
  ctx: JobContext,
  policy: Policy,
  out: Float64Array,
  at = 0,
): number {
  const w = policy.weights;
  const decay = fleet.decay(slot, ctx.now);
  out[at] = distanceFactor(distanceKm, radiusKm);
  out[at + 1] = tierFitFactor(flags, ctx, policy);
  out[at + 2] = ratingFactor(fleet.rating[slot]!, fleet.ratingCount[slot]!, policy);
  out[at + 3] = flags & F_BEST ? 1 : 0;
  out[at + 4] = fairnessFactor(
    fleet.lines32[slot * LINE_F32 + LINE_OFFERS]! * decay,
    fleet.lines32[slot * LINE_F32 + LINE_AWARDS]! * decay,
    policy,
  );
  out[at + 5] = responsivenessFactor(fleet.acceptRate[slot]!, fleet.responseMs[slot]!, policy);
  const total = w.distance + w.tierFit + w.rating + w.bestFriend + w.fairness + w.responsiveness;
  return (
    (w.distance * out[at]! +
      w.tierFit * out[at + 1]! +
      w.rating * out[at + 2]! +
      w.bestFriend * out[at + 3]! +
      w.fairness * out[at + 4]! +
      w.responsiveness * out[at + 5]!) /
    total
  );
}

/** A breakdown object from a factor array. */
export function breakdownOf(f: Float64Array, at = 0): ScoreBreakdown {
  return {
    distance: f[at]!,
    tierFit: f[at + 1]!,
    rating: f[at + 2]!,
    bestFriend: f[at + 3]!,
    fairness: f[at + 4]!,
    responsiveness: f[at + 5]!,
  };
}
