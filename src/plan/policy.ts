/**
 * Dispatch policy: every tunable of eligibility, scoring, waves and escalation, with documented
 * defaults, resolved and validated in one place ({@link createPolicy}).
 */

import { copyArea } from '../fleet/geo/area-copy.js';
import { areaContains, type CompiledArea, compileArea, InvalidAreaError } from '../fleet/geo/polygon.js';
import { type Bonus, isCurrency } from '../shared/currency.js';
import { describe, didYouMean, InvalidPolicyError } from '../shared/errors.js';
import type { FactorName, GeoJsonArea, Job, PartnerRules } from '../shared/types.js';

/** One first-round notification wave. */
export interface WaveSpec {
  /** How many technicians this wave notifies (> 0). */
  size: number;
  /** When it goes out, ms after the job opens (≥ 0, strictly increasing across waves). */
  offsetMs: number;
}

/**
 * One step of the escalation ladder, taken when no one has accepted by `afterMs`. Any step may
 * carry a `bonus`: when the step is taken it is added to the job's bonus (capped by
 * `maxBonusPerJob`), and every offer sent from then on carries the job's bonus.
 * @example
 * { action: 'deeper', afterMs: 60_000, size: 20, bonus: { amount: 500, currency: 'CHF' } } // + CHF 5.00
 */
export type EscalationStep = EscalationAction & {
  /** Added to the job's bonus when the step is taken (minor units; one currency per policy). */
  bonus?: Bonus;
};

/** What an escalation step does. */
export type EscalationAction =
  | {
      /** Notify the next `size` ranked candidates of the reserve. */
      action: 'deeper';
      afterMs: number;
      size: number;
    }
  | {
      /** Widen a job's own max radius to `radiusKm` (only for jobs that set one) and re-plan. */
      action: 'widen';
      afterMs: number;
      radiusKm: number;
    }
  | {
      /** Let Pros take a Friend job where the partner allows it, and re-plan. */
      action: 'allowPros';
      afterMs: number;
    }
  | {
      /** Notify every eligible technician not yet notified (up to the per-job cap). */
      action: 'broadcast';
      afterMs: number;
    };

/** How appointment jobs are dispatched (see `docs/appointments.md`). */
export interface AppointmentPolicy {
  /** Offers go out this long before the window starts (at once when that has passed), ms. @default 14400000 (4 h) */
  leadMs: number;
  /** The job must be assigned this long before the window starts, else it is handed back unfilled, ms. @default 3600000 (1 h) */
  assignBeforeMs: number;
  /** A window must start at least this long after it is opened or planned, ms (> `assignBeforeMs`). @default 7200000 (2 h) */
  minLeadMs: number;
  /** Longest window accepted, ms. @default 28800000 (8 h) */
  maxWindowMs: number;
  /** Speed for the travel time between consecutive appointments of a technician, km/h. @default 40 */
  travelSpeedKmh: number;
  /** How long an on-demand job is taken to occupy its technician, for conflicts with his appointments, ms. @default 7200000 (2 h) */
  onDemandMs: number;
}

/** What a best-accept award compares: distance, the plan's ranking, or fairness. */
export type AwardCriterion = 'nearest' | 'score' | 'fewestRecentAwards';

/**
 * Who gets a job among those who accept. `first` (the default): the first accept wins at once.
 * `best`: the first accept opens a window of `windowMs`; at its end the job goes to the best of the
 * technicians who accepted by then, by `by`:
 * - `nearest`: the shortest (coarsened) distance;
 * - `score`: the highest plan score — the one offered first (offers go out in rank order);
 * - `fewestRecentAwards`: the fewest recent awards (the fairness counter), then nearest.
 * Ties fall to the one offered first. With `bestFriendFirst`, Best Friends come before everyone
 * else whatever the criterion. The window never runs past the job's deadline.
 */
export type AwardRule =
  | { mode: 'first' }
  | { mode: 'best'; windowMs: number; by: AwardCriterion; bestFriendFirst?: boolean };

/** Everything a caller may set; every field is optional and has a documented default. */
export interface PolicyInput {
  /** Appointment jobs: lead time, deadline margin, window limits, travel speed. @default see {@link AppointmentPolicy} */
  appointments?: Partial<AppointmentPolicy>;
  /** How long the customer's chosen technicians have the job to themselves before the crowd waves, ms. @default 600000 (10 min) */
  preferredExclusiveMs?: number;
  /** Factor weights (≥ 0, at least one > 0). Defaults: distance 0.35, tierFit 0.1, rating 0.2, bestFriend 0.1, fairness 0.15, responsiveness 0.1. */
  weights?: Partial<Record<FactorName, number>>;
  /** Rating shrinkage: a Bayesian average toward `prior` worth `priorCount` ratings. @default { prior: 4.3, priorCount: 10 } */
  rating?: { prior?: number; priorCount?: number };
  /** Fairness: score = 1 / (1 + recentOffers/offersScale + recentAwards/awardsScale). @default { offersScale: 20, awardsScale: 4 } */
  fairness?: { offersScale?: number; awardsScale?: number };
  /** Responsiveness: mean of accept rate and 1/(1 + responseMs/responseScaleMs); unknown values use the priors. @default { acceptRatePrior: 0.5, responseScaleMs: 30000, responseMsPrior: 30000 } */
  responsiveness?: { acceptRatePrior?: number; responseScaleMs?: number; responseMsPrior?: number };
  /** Tier fit of each pairing, 0–1. @default { friendOnAny: 1, proOnAny: 0.8, proOnFriend: 0.5 } (exact tier matches are 1) */
  tierFit?: { friendOnAny?: number; proOnAny?: number; proOnFriend?: number };
  /** Whether Pros may take Friend jobs in the first round (a partner may override). @default false */
  allowProsOnFriendJobs?: boolean;
  /** Rules per partner id. @default {} */
  partners?: Record<string, PartnerRules>;
  /** First-round waves; the default fits inside 60 s. @default [{size:5,offsetMs:0},{size:10,offsetMs:15000},{size:15,offsetMs:35000}] */
  waves?: WaveSpec[];
  /** Most technicians one job may ever notify, escalation included. @default 60 */
  maxNotifiedPerJob?: number;
  /** Waves a Best Friend moves forward (0 disables the boost in distribution). @default 1 */
  bestFriendWaveAdvance?: number;
  /** Per-technician notification cap over a sliding window; `null` disables. @default { max: 12, windowMs: 3600000 } */
  notificationCap?: { max: number; windowMs: number } | null;
  /** How long an offer stays valid after it is sent, ms. @default 60000 */
  offerTtlMs?: number;
  /** Whether a technician who declined or let an offer expire may be offered the same job again. @default false */
  reofferDeclined?: boolean;
  /** Escalation ladder, in order of `afterMs`. @default deeper 20 at 60 s, widen to 60 km at 120 s, allowPros at 180 s, broadcast at 300 s */
  escalation?: EscalationStep[];
  /** Hand the job back to the partner as unfilled this long after it opened, ms. @default 900000 (15 min) */
  deadlineMs?: number;
  /** First accept wins, or the best accept within a short window. @default { mode: 'first' } */
  award?: AwardRule;
  /** Most bonus one job may carry, in the steps' currency (minor units). @default none: the sum of the steps' bonuses */
  maxBonusPerJob?: Bonus;
}

/** A validated policy with every default filled in. Create it with {@link createPolicy}. */
export interface Policy {
  readonly weights: Readonly<Record<FactorName, number>>;
  readonly rating: { readonly prior: number; readonly priorCount: number };
  readonly fairness: { readonly offersScale: number; readonly awardsScale: number };
  readonly responsiveness: {
    readonly acceptRatePrior: number;
    readonly responseScaleMs: number;
    readonly responseMsPrior: number;
  };
  readonly tierFit: { readonly friendOnAny: number; readonly proOnAny: number; readonly proOnFriend: number };
  readonly allowProsOnFriendJobs: boolean;
  readonly partners: Readonly<Record<string, Readonly<PartnerRules>>>;
  readonly waves: readonly Readonly<WaveSpec>[];
  readonly maxNotifiedPerJob: number;
  readonly bestFriendWaveAdvance: number;
  readonly notificationCap: { readonly max: number; readonly windowMs: number } | null;
  readonly offerTtlMs: number;
  readonly reofferDeclined: boolean;
  readonly escalation: readonly Readonly<EscalationStep>[];
  readonly deadlineMs: number;
  readonly appointments: Readonly<AppointmentPolicy>;
  readonly preferredExclusiveMs: number;
  readonly award:
    | { readonly mode: 'first' }
    | {
        readonly mode: 'best';
        readonly windowMs: number;
        readonly by: AwardCriterion;
        readonly bestFriendFirst: boolean;
      };
  /** The per-job bonus cap; present only when set, so policies without one keep their fingerprint. */
  readonly maxBonusPerJob?: Readonly<Bonus>;
  /** Brand: only {@link createPolicy} makes these. */
  readonly [POLICY_BRAND]: true;
}

const POLICY_BRAND: unique symbol = Symbol('crowd-dispatch.policy');

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

function fail(path: string, what: string, fix: string): never {
  throw new InvalidPolicyError(`policy.${path} ${what}; ${fix}.`, path);
}

function num(
  value: unknown,
  fallback: number,
  path: string,
  min: number,
  max: number,
  opts: { integer?: boolean; minExclusive?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(path, `is ${describe(value)}, not a finite number`, `pass a number between ${min} and ${max}`);
  }
  if (opts.integer && !Number.isInteger(value)) fail(path, `is ${value}`, 'pass a whole number');
  if ((opts.minExclusive ? value <= min : value < min) || value > max) {
    fail(
      path,
      `is ${value}, outside ${opts.minExclusive ? '(' : '['}${min}, ${max}]`,
      `pass a value in that range`,
    );
  }
  return value;
}

function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, `is ${describe(value)}`, 'pass true or false');
  return value;
}

/** An optional object; with `known`, any other key is a mistake (a typo must not be silently ignored). */
function object(value: unknown, path: string, known?: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(path, 'is not an object', 'pass an object or leave it out');
  }
  const o = value as Record<string, unknown>;
  if (known) {
    for (const key of Object.keys(o)) {
      if (!known.includes(key)) {
        fail(
          path === '(root)' ? key : `${path}.${key}`,
          'is not a policy field',
          `${didYouMean(key, known).trim() ? `${didYouMean(key, known).trim()} If not, use` : 'use'} one of ${known.join(', ')}`,
        );
      }
    }
  }
  return o;
}

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

const DAY_MS = 86_400_000;

function resolveWaves(input: unknown): WaveSpec[] {
  if (input === undefined) {
    return [
      { size: 5, offsetMs: 0 },
      { size: 10, offsetMs: 15_000 },
      { size: 15, offsetMs: 35_000 },
    ];
  }
  if (!Array.isArray(input) || input.length === 0) {
    fail('waves', 'is not a non-empty array', 'pass at least one { size, offsetMs }');
  }
  let previous = -1;
  return input.map((w, i) => {
    const o = object(w, `waves[${i}]`, ['size', 'offsetMs']);
    const size = num(o.size, Number.NaN, `waves[${i}].size`, 1, 10_000, { integer: true });
    if (Number.isNaN(size)) fail(`waves[${i}].size`, 'is missing', 'give every wave a size ≥ 1');
    const offsetMs = num(o.offsetMs, Number.NaN, `waves[${i}].offsetMs`, 0, DAY_MS);
    if (Number.isNaN(offsetMs)) fail(`waves[${i}].offsetMs`, 'is missing', 'give every wave an offsetMs ≥ 0');
    if (offsetMs <= previous) {
      fail(
        `waves[${i}].offsetMs`,
        `is ${offsetMs}, not after the previous wave`,
        'make offsets strictly increasing',
      );
    }
    previous = offsetMs;
    return { size, offsetMs };
  });
}

const AWARD_CRITERIA: readonly AwardCriterion[] = ['nearest', 'score', 'fewestRecentAwards'];

function resolveAward(input: unknown): Policy['award'] {
  if (input === undefined) return { mode: 'first' };
  const o = object(input, 'award', ['mode', 'windowMs', 'by', 'bestFriendFirst']);
  if (o.mode === 'first') {
    for (const k of ['windowMs', 'by', 'bestFriendFirst'])
      if (o[k] !== undefined)
        fail(`award.${k}`, "is set for mode 'first'", "leave it out or use mode 'best'");
    return { mode: 'first' };
  }
  if (o.mode !== 'best') fail('award.mode', `is ${describe(o.mode)}`, "use 'first' or 'best'");
  const windowMs = num(o.windowMs, Number.NaN, 'award.windowMs', 0, 600_000, { minExclusive: true });
  if (Number.isNaN(windowMs)) fail('award.windowMs', 'is missing', 'give the window in ms, e.g. 10000');
  if (!AWARD_CRITERIA.includes(o.by as AwardCriterion)) {
    fail('award.by', `is ${describe(o.by)}`, `use one of ${AWARD_CRITERIA.join(', ')}`);
  }
  return {
    mode: 'best',
    windowMs,
    by: o.by as AwardCriterion,
    bestFriendFirst: bool(o.bestFriendFirst, false, 'award.bestFriendFirst'),
  };
}

function resolveEscalation(input: unknown): EscalationStep[] {
  if (input === undefined) {
    return [
      { action: 'deeper', afterMs: 60_000, size: 20 },
      { action: 'widen', afterMs: 120_000, radiusKm: 60 },
      { action: 'allowPros', afterMs: 180_000 },
      { action: 'broadcast', afterMs: 300_000 },
    ];
  }
  if (!Array.isArray(input)) fail('escalation', 'is not an array', 'pass a list of steps (or [] for none)');
  let previous = -1;
  let currency: string | undefined;
  return input.map((s, i) => {
    const o = object(s, `escalation[${i}]`, ['action', 'afterMs', 'size', 'radiusKm', 'bonus']);
    const step = resolveStep(o, i, previous);
    previous = step.afterMs;
    if (o.bonus !== undefined) {
      const path = `escalation[${i}].bonus`;
      step.bonus = readBonus(o.bonus, path);
      currency ??= step.bonus.currency;
      if (step.bonus.currency !== currency) {
        fail(
          `${path}.currency`,
          `is '${step.bonus.currency}', not the ${currency} of the steps before`,
          `use ${currency} for every bonus of a policy`,
        );
      }
    }
    return step;
  });
}

/** Largest bonus amount, minor units (sums stay exact integers far beyond any real bonus). */
const MAX_BONUS = 1e9;

/** Reads a bonus: a whole amount ≥ 0 in minor units and an active ISO 4217 code (src/currency.ts). */
function readBonus(value: unknown, path: string): Bonus {
  const o = object(value, path, ['amount', 'currency']);
  const { amount, currency } = o;
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    fail(
      `${path}.amount`,
      `is ${describe(amount)}, not a whole number`,
      'give the amount in minor units (500 = 5.00)',
    );
  }
  if (amount < 0)
    fail(`${path}.amount`, `is ${amount}, negative`, 'give a bonus ≥ 0 (a bonus never takes pay away)');
  if (amount > MAX_BONUS)
    fail(`${path}.amount`, `is ${amount}, above ${MAX_BONUS}`, 'give a smaller amount (minor units)');
  if (!isCurrency(currency)) {
    const upper = typeof currency === 'string' ? currency.toUpperCase() : '';
    fail(
      `${path}.currency`,
      `is ${describe(currency)}, not an ISO 4217 currency code`,
      isCurrency(upper)
        ? `use '${upper}' (upper case)`
        : "use a three-letter ISO 4217 code such as 'CHF' or 'EUR'",
    );
  }
  return { amount, currency };
}

function resolveStep(o: Record<string, unknown>, i: number, previous: number): EscalationStep {
  const afterMs = num(o.afterMs, Number.NaN, `escalation[${i}].afterMs`, 0, DAY_MS);
  if (Number.isNaN(afterMs)) fail(`escalation[${i}].afterMs`, 'is missing', 'give every step an afterMs');
  if (afterMs < previous) {
    fail(`escalation[${i}].afterMs`, `is ${afterMs}, before the previous step`, 'order steps by afterMs');
  }
  switch (o.action) {
    case 'deeper': {
      const size = num(o.size, Number.NaN, `escalation[${i}].size`, 1, 10_000, { integer: true });
      if (Number.isNaN(size)) fail(`escalation[${i}].size`, 'is missing', 'give a deeper step a size ≥ 1');
      return { action: 'deeper', afterMs, size };
    }
    case 'widen': {
      const radiusKm = num(o.radiusKm, Number.NaN, `escalation[${i}].radiusKm`, 0, 1000, {
        minExclusive: true,
      });
      if (Number.isNaN(radiusKm))
        fail(`escalation[${i}].radiusKm`, 'is missing', 'give a widen step a radiusKm');
      return { action: 'widen', afterMs, radiusKm };
    }
    case 'allowPros':
      return { action: 'allowPros', afterMs };
    case 'broadcast':
      return { action: 'broadcast', afterMs };
    default:
      return fail(
        `escalation[${i}].action`,
        `is ${describe(o.action)}`,
        "use one of 'deeper', 'widen', 'allowPros', 'broadcast'",
      );
  }
}

function resolveAppointments(input: unknown): Readonly<AppointmentPolicy> {
  const a = object(input, 'appointments', [
    'leadMs',
    'assignBeforeMs',
    'minLeadMs',
    'maxWindowMs',
    'travelSpeedKmh',
    'onDemandMs',
  ]);
  const out: AppointmentPolicy = {
    leadMs: num(a.leadMs, 14_400_000, 'appointments.leadMs', 0, 30 * DAY_MS),
    assignBeforeMs: num(a.assignBeforeMs, 3_600_000, 'appointments.assignBeforeMs', 0, 30 * DAY_MS),
    minLeadMs: num(a.minLeadMs, 7_200_000, 'appointments.minLeadMs', 0, 30 * DAY_MS),
    maxWindowMs: num(a.maxWindowMs, 28_800_000, 'appointments.maxWindowMs', 0, 7 * DAY_MS, {
      minExclusive: true,
    }),
    travelSpeedKmh: num(a.travelSpeedKmh, 40, 'appointments.travelSpeedKmh', 0, 1000, { minExclusive: true }),
    onDemandMs: num(a.onDemandMs, 7_200_000, 'appointments.onDemandMs', 0, DAY_MS),
  };
  // Otherwise a window opened at the earliest allowed time would be due back before it could be offered.
  if (out.minLeadMs <= out.assignBeforeMs) {
    fail(
      'appointments.minLeadMs',
      `is ${out.minLeadMs}, not after appointments.assignBeforeMs (${out.assignBeforeMs})`,
      'make minLeadMs larger than assignBeforeMs',
    );
  }
  if (out.leadMs <= out.assignBeforeMs) {
    fail(
      'appointments.leadMs',
      `is ${out.leadMs}, not after appointments.assignBeforeMs (${out.assignBeforeMs})`,
      'make leadMs larger than assignBeforeMs, so offers go out before the job is due back',
    );
  }
  return Object.freeze(out);
}

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

  const r = object(root.rating, 'rating', ['prior', 'priorCount']);
  const fa = object(root.fairness, 'fairness', ['offersScale', 'awardsScale']);
  const re = object(root.responsiveness, 'responsiveness', [
    'acceptRatePrior',
    'responseScaleMs',
    'responseMsPrior',
  ]);
  const tf = object(root.tierFit, 'tierFit', ['friendOnAny', 'proOnAny', 'proOnFriend']);
  const partnersIn = object(root.partners, 'partners');
  const partners: Record<string, PartnerRules> = {};
  for (const [id, rules] of Object.entries(partnersIn)) {
    const p = object(rules, `partners.${id}`, [
      'proOnly',
      'requireCertification',
      'allowProsOnFriendJobs',
      'region',
    ]);
    const out: PartnerRules = {
      proOnly: bool(p.proOnly, false, `partners.${id}.proOnly`),
      requireCertification: bool(p.requireCertification, false, `partners.${id}.requireCertification`),
    };
    if (p.allowProsOnFriendJobs !== undefined) {
      out.allowProsOnFriendJobs = bool(
        p.allowProsOnFriendJobs,
        false,
        `partners.${id}.allowProsOnFriendJobs`,
      );
    }
    const region = p.region === undefined ? undefined : readRegion(p.region, `partners.${id}.region`);
    if (region !== undefined) out.region = region.source;
    partners[id] = Object.freeze(out);
    if (region !== undefined) REGIONS.set(partners[id]!, region.area);
  }
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
      offersScale: num(fa.offersScale, 20, 'fairness.offersScale', 0, 1e6, { minExclusive: true }),
      awardsScale: num(fa.awardsScale, 4, 'fairness.awardsScale', 0, 1e6, { minExclusive: true }),
    }),
    responsiveness: Object.freeze({
      acceptRatePrior: num(re.acceptRatePrior, 0.5, 'responsiveness.acceptRatePrior', 0, 1),
      responseScaleMs: num(re.responseScaleMs, 30_000, 'responsiveness.responseScaleMs', 0, DAY_MS, {
        minExclusive: true,
      }),
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

/** Compiled regions of the partner rules {@link createPolicy} made (kept off the rules: the fingerprint reads their JSON). */
const REGIONS = new WeakMap<Readonly<PartnerRules>, CompiledArea>();

function readRegion(value: unknown, path: string): { source: GeoJsonArea; area: CompiledArea } {
  try {
    const source = copyArea(value, path);
    return { source: source as GeoJsonArea, area: compileArea(source, path) };
  } catch (e) {
    if (e instanceof InvalidAreaError) throw new InvalidPolicyError(`policy.${e.message}`, e.path);
    return fail(
      path,
      `could not be read (${describe(e)})`,
      'pass a GeoJSON Polygon or MultiPolygon as plain data',
    );
  }
}

/**
 * Whether a job lies outside its partner's region (false when the job has no partner or the
 * partner no region): such a job may go to no one. Once per job, never per technician.
 * @example
 * const policy = createPolicy({ partners: { acme: { region: cantonAargau } } });
 * outsidePartnerRegion(policy, { id: 'j', lat: 47.37, lon: 8.54, partner: 'acme' }); // true: Zürich
 */
export function outsidePartnerRegion(policy: Policy, job: Pick<Job, 'lat' | 'lon' | 'partner'>): boolean {
  if (job.partner === undefined) return false;
  const rules = policy.partners[job.partner];
  const region = rules === undefined ? undefined : REGIONS.get(rules);
  return region !== undefined && !areaContains(region, job.lat, job.lon);
}

/** True when `value` was made by {@link createPolicy}. */
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
