/**
 * The shapes of a dispatch policy: what a caller may set ({@link PolicyInput}) and what
 * {@link createPolicy} returns ({@link Policy}). Resolution and validation live in `./policy.ts`.
 */

import type { Bonus } from '../shared/currency.js';
import type { FactorName, PartnerRules } from '../shared/types.js';

/** One first-round notification wave. */
export interface WaveSpec {
  /** How many technicians this wave notifies (> 0). */
  size: number;
  /**
   * When it goes out, ms after the crowd phase starts (≥ 0, strictly increasing across waves): the
   * job's opening, an appointment's first offers, or the end of the chosen technicians' exclusive phase.
   */
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
      /** When the step is taken if nobody has accepted, ms after the crowd's offers start (`crowdAt`, see `scheduleOf`). */
      afterMs: number;
      /** How many more candidates to notify (> 0). */
      size: number;
    }
  | {
      /** Widen a job's own max radius to `radiusKm` (only for jobs that set one) and re-plan. */
      action: 'widen';
      /** When the step is taken if nobody has accepted, ms after the crowd's offers start (`crowdAt`, see `scheduleOf`). */
      afterMs: number;
      /** The job's new max radius, km. */
      radiusKm: number;
    }
  | {
      /** Let Pros take a Friend job where the partner allows it, and re-plan. */
      action: 'allowPros';
      /** When the step is taken if nobody has accepted, ms after the crowd's offers start (`crowdAt`, see `scheduleOf`). */
      afterMs: number;
    }
  | {
      /** Notify every eligible technician not yet notified (up to the per-job cap). */
      action: 'broadcast';
      /** When the step is taken if nobody has accepted, ms after the crowd's offers start (`crowdAt`, see `scheduleOf`). */
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
  /**
   * Local hours (the window's time zone, `HH:MM`) in which no appointment's first offers go out:
   * offers that the lead time would send then go out just before the quiet hours begin (the
   * evening before), or, for a job booked during them, when they end if that is before the job is
   * due back (else at once). `null` (the default): offers go out at the lead time, day or night.
   * @default null
   */
  quietHours: {
    /** When the quiet hours begin, `HH:MM` local. */
    readonly start: string;
    /** When they end, `HH:MM` local (before `start`: the next day). */
    readonly end: string;
  } | null;
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
  | {
      /** The first accept wins at once. */
      mode: 'first';
    }
  | {
      /** The best accept within a window wins. */
      mode: 'best';
      /** Length of the award window, ms, from the first accept. */
      windowMs: number;
      /** How the accepts collected are compared. */
      by: AwardCriterion;
      /** Whether Best Friends come before everyone else whatever the criterion. @default false */
      bestFriendFirst?: boolean;
    };

/** Everything a caller may set; every field is optional and has a documented default. */
export interface PolicyInput {
  /** Appointment jobs: lead time, deadline margin, window limits, travel speed. @default see {@link AppointmentPolicy} */
  appointments?: Partial<AppointmentPolicy>;
  /** How long the customer's chosen technicians have the job to themselves before the crowd waves, ms. @default 600000 (10 min) */
  preferredExclusiveMs?: number;
  /** Factor weights (0, or 1e-6 … 1000; at least one > 0). Defaults: distance 0.35, tierFit 0.1, rating 0.2, bestFriend 0.1, fairness 0.15, responsiveness 0.1. */
  weights?: Partial<Record<FactorName, number>>;
  /** Rating shrinkage: a Bayesian average toward `prior` worth `priorCount` ratings. @default { prior: 4.3, priorCount: 10 } */
  rating?: {
    /** The rating shrunk toward, 1 … 5. @default 4.3 */
    prior?: number;
    /** How many ratings the prior is worth. @default 10 */
    priorCount?: number;
  };
  /** Fairness: score = 1 / (1 + recentOffers/offersScale + recentAwards/awardsScale); scales 0.001 … 1e6. @default { offersScale: 20, awardsScale: 4 } */
  fairness?: {
    /** Recent offers that alone halve the fairness score (0.001 … 1e6). @default 20 */
    offersScale?: number;
    /** Recent awards that alone halve the fairness score (0.001 … 1e6). @default 4 */
    awardsScale?: number;
  };
  /** Responsiveness: mean of accept rate and 1/(1 + responseMs/responseScaleMs); responseScaleMs 1 ms … 1 day; unknown values use the priors. @default { acceptRatePrior: 0.5, responseScaleMs: 30000, responseMsPrior: 30000 } */
  responsiveness?: {
    /** Accept rate (0–1) used when a technician's accept rate is unknown. @default 0.5 */
    acceptRatePrior?: number;
    /** Response time at which the speed part is 0.5, ms (1 ms … 1 day). @default 30000 */
    responseScaleMs?: number;
    /** Response time used when a technician's is unknown, ms. @default 30000 */
    responseMsPrior?: number;
  };
  /** Tier fit of each pairing, 0–1. @default { friendOnAny: 1, proOnAny: 0.8, proOnFriend: 0.5 } (exact tier matches are 1) */
  tierFit?: {
    /** Fit of a Friend on a job that takes either tier (0–1). @default 1 */
    friendOnAny?: number;
    /** Fit of a Pro on a job that takes either tier (0–1). @default 0.8 */
    proOnAny?: number;
    /** Fit of a Pro on a job that asks for a Friend (0–1). @default 0.5 */
    proOnFriend?: number;
  };
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
  notificationCap?: {
    /** Most notifications per technician within the window. */
    max: number;
    /** Length of the sliding window, ms. */
    windowMs: number;
  } | null;
  /** How long an offer stays valid after it is sent, ms. @default 60000 */
  offerTtlMs?: number;
  /** Whether a technician who declined or let an offer expire may be offered the same job again. @default false */
  reofferDeclined?: boolean;
  /** Escalation ladder, in order of `afterMs`. @default deeper 20 at 60 s, widen to 60 km at 120 s, allowPros at 180 s, broadcast at 300 s */
  escalation?: EscalationStep[];
  /** Hand an on-demand job back to the partner as unfilled this long after its crowd phase starts (its opening, or the end of the chosen technicians' exclusive phase), ms; an appointment is due back `appointments.assignBeforeMs` before its window. @default 900000 (15 min) */
  deadlineMs?: number;
  /** First accept wins, or the best accept within a short window. @default { mode: 'first' } */
  award?: AwardRule;
  /** Most bonus one job may carry, in the steps' currency (minor units). @default none: the sum of the steps' bonuses */
  maxBonusPerJob?: Bonus;
}

/** A validated policy with every default filled in. Create it with {@link createPolicy}. */
export interface Policy {
  /** Factor weights (0, or 1e-6 … 1000; at least one > 0), every factor present. */
  readonly weights: Readonly<Record<FactorName, number>>;
  /** Rating shrinkage: a Bayesian average toward `prior` worth `priorCount` ratings. */
  readonly rating: {
    /** The rating shrunk toward, 1 … 5. */
    readonly prior: number;
    /** How many ratings the prior is worth. */
    readonly priorCount: number;
  };
  /** Fairness: score = 1 / (1 + recentOffers/offersScale + recentAwards/awardsScale). */
  readonly fairness: {
    /** Recent offers that alone halve the fairness score. */
    readonly offersScale: number;
    /** Recent awards that alone halve the fairness score. */
    readonly awardsScale: number;
  };
  /** Responsiveness: mean of accept rate and 1/(1 + responseMs/responseScaleMs); unknown values use the priors. */
  readonly responsiveness: {
    /** Accept rate (0–1) used when a technician's accept rate is unknown. */
    readonly acceptRatePrior: number;
    /** Response time at which the speed part is 0.5, ms. */
    readonly responseScaleMs: number;
    /** Response time used when a technician's is unknown, ms. */
    readonly responseMsPrior: number;
  };
  /** Tier fit of each pairing, 0–1 (exact tier matches are 1). */
  readonly tierFit: {
    /** Fit of a Friend on a job that takes either tier (0–1). */
    readonly friendOnAny: number;
    /** Fit of a Pro on a job that takes either tier (0–1). */
    readonly proOnAny: number;
    /** Fit of a Pro on a job that asks for a Friend (0–1). */
    readonly proOnFriend: number;
  };
  /** Whether Pros may take Friend jobs in the first round (a partner may override). */
  readonly allowProsOnFriendJobs: boolean;
  /** Rules per partner id. */
  readonly partners: Readonly<Record<string, Readonly<PartnerRules>>>;
  /** First-round waves. */
  readonly waves: readonly Readonly<WaveSpec>[];
  /** Most technicians one job may ever notify, escalation included. */
  readonly maxNotifiedPerJob: number;
  /** Waves a Best Friend moves forward (0 disables the boost in distribution). */
  readonly bestFriendWaveAdvance: number;
  /** Per-technician notification cap over a sliding window; `null`: no cap. */
  readonly notificationCap: {
    /** Most notifications per technician within the window. */
    readonly max: number;
    /** Length of the sliding window, ms. */
    readonly windowMs: number;
  } | null;
  /** How long an offer stays valid after it is sent, ms. */
  readonly offerTtlMs: number;
  /** Whether a technician who declined or let an offer expire may be offered the same job again. */
  readonly reofferDeclined: boolean;
  /** Escalation ladder, in order of `afterMs`. */
  readonly escalation: readonly Readonly<EscalationStep>[];
  /** Hand an on-demand job back as unfilled this long after its crowd phase starts, ms (see `PolicyInput.deadlineMs`). */
  readonly deadlineMs: number;
  /** Appointment jobs: lead time, deadline margin, window limits, travel speed. */
  readonly appointments: Readonly<AppointmentPolicy>;
  /** How long the customer's chosen technicians have the job to themselves before the crowd waves, ms. */
  readonly preferredExclusiveMs: number;
  /** First accept wins, or the best accept within a short window. */
  readonly award:
    | {
        /** The first accept wins at once. */
        readonly mode: 'first';
      }
    | {
        /** The best accept within a window wins. */
        readonly mode: 'best';
        /** Length of the award window, ms, from the first accept. */
        readonly windowMs: number;
        /** How the accepts collected are compared. */
        readonly by: AwardCriterion;
        /** Whether Best Friends come before everyone else whatever the criterion. */
        readonly bestFriendFirst: boolean;
      };
  /** The per-job bonus cap; present only when set, so policies without one keep their fingerprint. */
  readonly maxBonusPerJob?: Readonly<Bonus>;
  /** Brand: only {@link createPolicy} makes these. */
  readonly [POLICY_BRAND]: true;
}

/** @internal The brand only {@link createPolicy} sets (non-enumerable, so a spread copy loses it). */
export const POLICY_BRAND: unique symbol = Symbol('crowd-dispatch.policy');
