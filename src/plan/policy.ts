/**
 * Dispatch policy: every tunable of eligibility, scoring, waves and escalation, with documented
 * defaults, resolved and validated in one place ({@link createPolicy}). The shapes are in
 * `./policy-types.ts`, the field readers in `./policy-read.ts`, the structured blocks in
 * `./policy-blocks.ts`, partner rules and regions in `./partner-rules.ts`.
 */

import type { Bonus } from '../shared/currency.js';
import { InvalidPolicyError } from '../shared/errors.js';
import type { FactorName } from '../shared/types.js';
import { resolvePartners } from './partner-rules.js';
import { resolveAppointments, resolveAward, resolveEscalation, resolveWaves } from './policy-blocks.js';
import { bool, DAY_MS, fail, num, object, readBonus } from './policy-read.js';
import { POLICY_BRAND, type Policy, type PolicyInput } from './policy-types.js';

export { outsidePartnerRegion } from './partner-rules.js';
export type {
  AppointmentPolicy,
  AwardCriterion,
  AwardRule,
  EscalationAction,
  EscalationStep,
  Policy,
  PolicyInput,
  WaveSpec,
} from './policy-types.js';

/** The smallest positive factor weight: below it the sum of weights could not be inverted. */
export const MIN_WEIGHT = 1e-6;

/** The default factor weights. */
export const DEFAULT_WEIGHTS: Readonly<Record<FactorName, number>> = Object.freeze({
  distance: 0.35,
  tierFit: 0.1,
  rating: 0.2,
  bestFriend: 0.1,
  fairness: 0.15,
  responsiveness: 0.1,
});

/** Score factor names, in breakdown order. */
export const FACTORS: readonly FactorName[] = Object.freeze([
  'distance',
  'tierFit',
  'rating',
  'bestFriend',
  'fairness',
  'responsiveness',
]);

/** Fields of {@link PolicyInput}; keep in step with the interface. */
const POLICY_FIELDS = [
  'appointments',
  'preferredExclusiveMs',
  'weights',
  'rating',
  'fairness',
  'responsiveness',
  'tierFit',
  'allowProsOnFriendJobs',
  'partners',
  'waves',
  'maxNotifiedPerJob',
  'bestFriendWaveAdvance',
  'notificationCap',
  'offerTtlMs',
  'reofferDeclined',
  'escalation',
  'deadlineMs',
  'award',
  'maxBonusPerJob',
] as const;

/**
 * Validates a policy and fills in every default. Throws {@link InvalidPolicyError} naming the
 * field (`path`) and the fix. The result is frozen and can be shared across plans and sessions.
 * @example
 * const policy = createPolicy({ waves: [{ size: 3, offsetMs: 0 }, { size: 10, offsetMs: 20_000 }] });
 */
export function createPolicy(input: PolicyInput = {}): Policy {
  const root = object(input, '(root)', POLICY_FIELDS);
  const w = object(root.weights, 'weights');
  for (const key of Object.keys(w)) {
    if (!FACTORS.includes(key as FactorName)) {
      fail(`weights.${key}`, 'is not a score factor', `use one of ${FACTORS.join(', ')}`);
    }
  }
  const weights = Object.fromEntries(
    FACTORS.map((f) => [f, num(w[f], DEFAULT_WEIGHTS[f], `weights.${f}`, 0, 1000)]),
  ) as Record<FactorName, number>;
  if (FACTORS.every((f) => weights[f] === 0))
    fail('weights', 'are all 0', 'give at least one factor a weight > 0');
  for (const f of FACTORS) {
    // The score divides by the sum of weights: a denormal weight alone would overflow it.
    if (weights[f] > 0 && weights[f] < MIN_WEIGHT)
      fail(
        `weights.${f}`,
        `is ${weights[f]}, above 0 but below ${MIN_WEIGHT}`,
        `use 0 to turn the factor off or a weight ≥ ${MIN_WEIGHT}`,
      );
  }

  const r = object(root.rating, 'rating', ['prior', 'priorCount']);
  const fa = object(root.fairness, 'fairness', ['offersScale', 'awardsScale']);
  const re = object(root.responsiveness, 'responsiveness', [
    'acceptRatePrior',
    'responseScaleMs',
    'responseMsPrior',
  ]);
  const tf = object(root.tierFit, 'tierFit', ['friendOnAny', 'proOnAny', 'proOnFriend']);
  const partners = resolvePartners(root.partners);
  const waves = resolveWaves(root.waves);
  const firstRound = waves.reduce((s, x) => s + x.size, 0);
  const maxNotifiedPerJob = num(
    root.maxNotifiedPerJob,
    Math.max(60, firstRound),
    'maxNotifiedPerJob',
    1,
    100_000,
    {
      integer: true,
    },
  );
  if (maxNotifiedPerJob < firstRound) {
    fail(
      'maxNotifiedPerJob',
      `is ${maxNotifiedPerJob}, below the ${firstRound} technicians the waves notify`,
      'raise it or shrink the waves',
    );
  }
  let notificationCap: Policy['notificationCap'] = { max: 12, windowMs: 3_600_000 };
  if (root.notificationCap === null) notificationCap = null;
  else if (root.notificationCap !== undefined) {
    const c = object(root.notificationCap, 'notificationCap', ['max', 'windowMs']);
    notificationCap = {
      max: num(c.max, 12, 'notificationCap.max', 1, 64, { integer: true }),
      windowMs: num(c.windowMs, 3_600_000, 'notificationCap.windowMs', 1, 7 * DAY_MS),
    };
  }
  const escalation = resolveEscalation(root.escalation);
  let maxBonusPerJob: Bonus | undefined;
  if (root.maxBonusPerJob !== undefined) {
    maxBonusPerJob = readBonus(root.maxBonusPerJob, 'maxBonusPerJob');
    const used = escalation.find((x) => x.bonus !== undefined)?.bonus?.currency;
    if (used !== undefined && used !== maxBonusPerJob.currency) {
      fail(
        'maxBonusPerJob.currency',
        `is '${maxBonusPerJob.currency}', but the steps pay ${used}`,
        `use ${used}`,
      );
    }
  }
  const deadlineMs = num(root.deadlineMs, 900_000, 'deadlineMs', 1, 7 * DAY_MS);
  const award = resolveAward(root.award);
  const lastWave = waves[waves.length - 1]!.offsetMs;
  if (deadlineMs <= lastWave) {
    fail('deadlineMs', `is ${deadlineMs}, not after the last wave (${lastWave} ms)`, 'set a later deadline');
  }
  const policy = {
    appointments: resolveAppointments(root.appointments),
    preferredExclusiveMs: num(root.preferredExclusiveMs, 600_000, 'preferredExclusiveMs', 0, DAY_MS, {
      minExclusive: true,
    }),
    weights: Object.freeze(weights),
    rating: Object.freeze({
      prior: num(r.prior, 4.3, 'rating.prior', 1, 5),
      priorCount: num(r.priorCount, 10, 'rating.priorCount', 0, 1e6),
    }),
    fairness: Object.freeze({
      offersScale: num(fa.offersScale, 20, 'fairness.offersScale', 1e-3, 1e6),
      awardsScale: num(fa.awardsScale, 4, 'fairness.awardsScale', 1e-3, 1e6),
    }),
    responsiveness: Object.freeze({
      acceptRatePrior: num(re.acceptRatePrior, 0.5, 'responsiveness.acceptRatePrior', 0, 1),
      responseScaleMs: num(re.responseScaleMs, 30_000, 'responsiveness.responseScaleMs', 1, DAY_MS),
      responseMsPrior: num(re.responseMsPrior, 30_000, 'responsiveness.responseMsPrior', 0, DAY_MS),
    }),
    tierFit: Object.freeze({
      friendOnAny: num(tf.friendOnAny, 1, 'tierFit.friendOnAny', 0, 1),
      proOnAny: num(tf.proOnAny, 0.8, 'tierFit.proOnAny', 0, 1),
      proOnFriend: num(tf.proOnFriend, 0.5, 'tierFit.proOnFriend', 0, 1),
    }),
    allowProsOnFriendJobs: bool(root.allowProsOnFriendJobs, false, 'allowProsOnFriendJobs'),
    partners: Object.freeze(partners),
    waves: Object.freeze(waves.map((x) => Object.freeze(x))),
    maxNotifiedPerJob,
    bestFriendWaveAdvance: num(root.bestFriendWaveAdvance, 1, 'bestFriendWaveAdvance', 0, 100, {
      integer: true,
    }),
    notificationCap: notificationCap && Object.freeze(notificationCap),
    offerTtlMs: num(root.offerTtlMs, 60_000, 'offerTtlMs', 0, DAY_MS, { minExclusive: true }),
    reofferDeclined: bool(root.reofferDeclined, false, 'reofferDeclined'),
    escalation: Object.freeze(
      escalation.map((x) => {
        if (x.bonus !== undefined) Object.freeze(x.bonus);
        return Object.freeze(x);
      }),
    ),
    deadlineMs,
    award: Object.freeze(award),
    ...(maxBonusPerJob === undefined ? {} : { maxBonusPerJob: Object.freeze(maxBonusPerJob) }),
  };
  // A non-enumerable brand: `{ ...policy, x }` drops it, so an edited copy cannot skip validation.
  Object.defineProperty(policy, POLICY_BRAND, { value: true, enumerable: false });
  return Object.freeze(policy) as Policy;
}

/**
 * True when `value` was made by {@link createPolicy}.
 * @example
 * const policy = createPolicy({ offerTtlMs: 30_000 });
 * isPolicy(policy); // true
 * isPolicy({ ...policy, offerTtlMs: 1 }); // false: a copy is unchecked; change the input and call createPolicy again
 */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && (value as Policy)[POLICY_BRAND] === true;
}

/** Throws unless `value` was made by {@link createPolicy}; used at entry points that take a policy. */
export function assertPolicy(value: unknown): asserts value is Policy {
  if (!isPolicy(value)) {
    throw new InvalidPolicyError(
      'expected a resolved policy; call createPolicy(input) once and pass its result.',
      '(root)',
    );
  }
}
