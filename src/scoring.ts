/**
 * Scoring: six factors, each normalised to [0, 1], weighted by the policy. The planner ranks by
 * the weighted score; the breakdown is reported per candidate so every ranking can be explained.
 */

import type { JobContext } from './eligibility.js';
import { F_BEST, F_PRO, type Fleet } from './fleet.js';
import type { Policy } from './policy.js';
import type { FactorName, ScoreBreakdown } from './types.js';

/** Factor order of breakdown arrays. */
export const FACTORS: readonly FactorName[] = [
  'distance',
  'tierFit',
  'rating',
  'bestFriend',
  'fairness',
  'responsiveness',
];

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

/**
 * Computes every factor of one technician into `out[at … at + 5]` ({@link FACTORS} order) and
 * returns the weighted score in [0, 1].
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
  const offers = fleet.offers[slot]!;
  const awards = fleet.awards[slot]!;
  const decay = offers === 0 && awards === 0 ? 1 : fleet.decay(slot, ctx.now);
  out[at] = radiusKm > 0 ? Math.max(0, 1 - distanceKm / radiusKm) : 0;
  out[at + 1] = tierFitFactor(flags, ctx, policy);
  out[at + 2] = ratingFactor(fleet.rating[slot]!, fleet.ratingCount[slot]!, policy);
  out[at + 3] = flags & F_BEST ? 1 : 0;
  out[at + 4] = fairnessFactor(offers * decay, awards * decay, policy);
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
export function breakdownOf(f: Float64Array): ScoreBreakdown {
  return {
    distance: f[0]!,
    tierFit: f[1]!,
    rating: f[2]!,
    bestFriend: f[3]!,
    fairness: f[4]!,
    responsiveness: f[5]!,
  };
}
