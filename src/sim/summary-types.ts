/**
 * What a simulation run reports: the compact, rounded summary ({@link SimSummary}), the per-item
 * detail behind the report's charts ({@link SimDetail}) and their parts. Filled in by `metrics.ts`.
 */

import type { UnfilledReason } from 'crowd-dispatch';

/** Distribution figures of one group of technicians. */
export interface FairnessFigures {
  /** Technicians in the group. */
  technicians: number;
  /** Gini of awards per technician (0 = equal). */
  awardsGini: number | null;
  /** Share of awards won by the top 10 % of the group. */
  awardsTopDecileShare: number | null;
  /** Gini of offers (notifications) per technician (0 = equal); null for an empty group. */
  offersGini: number | null;
  /** Share of offers received by the top 10 % of the group; null for an empty group. */
  offersTopDecileShare: number | null;
  /** Awards per technician scaled to 30 days: median, 90th percentile, maximum. */
  awardsPer30Days: {
    /** Median; null for an empty group. */
    p50: number | null;
    /** 90th percentile; null for an empty group. */
    p90: number | null;
    /** Maximum; null for an empty group. */
    max: number | null;
  };
  /** Share of the group with no award in the run. */
  withoutAward: number | null;
}

/** The summary of one simulation run (JSON-serialisable, rounded). */
export interface SimSummary {
  /** The scenario's name. */
  scenario: string;
  /** The policy's name (the run's `policyName` option; `custom` when none is given). */
  policy: string;
  /** The run's random seed. */
  seed: number;
  /** Simulated days. */
  days: number;
  /** Technicians in the fleet. */
  technicians: number;
  /** Jobs created, customer cancellations included. */
  jobs: number;
  /**
   * Seconds from the job's accept clock start to the winning accept, over assigned jobs: from its
   * creation for an on-demand job (the customer waits), from when its first offers are due for an
   * appointment (the policy's lead time before its window: the booking's lead is not waiting).
   */
  timeToAcceptS: {
    /** Median, s; null when no job was assigned. */
    p50: number | null;
    /** 90th percentile, s; null when no job was assigned. */
    p90: number | null;
    /** 99th percentile, s; null when no job was assigned. */
    p99: number | null;
    /** Mean, s; null when no job was assigned. */
    mean: number | null;
  };
  /**
   * Seconds from the accept clock start to the first accept the dispatcher took, over assigned
   * jobs: the same as `timeToAcceptS` under first accept; under a best-accept window (`policy.award`)
   * the technicians' own speed, the window's wait for the award left out.
   */
  timeToFirstAcceptS: {
    /** Median, s; null when no job was assigned. */
    p50: number | null;
    /** 90th percentile, s; null when no job was assigned. */
    p90: number | null;
  };
  /** Share of jobs (customer cancellations excluded) accepted within 10 s of their clock start (see `timeToAcceptS`); null when every job was cancelled. */
  acceptedWithin10s: number | null;
  /** Share of jobs (customer cancellations excluded) accepted within 60 s of their clock start; null when every job was cancelled. */
  acceptedWithin60s: number | null;
  /** Assigned / jobs not cancelled by the customer. */
  fillRate: number | null;
  /**
   * Share of jobs (cancellations excluded) with a technician at the door within 60 min (an
   * appointment: before its window ends).
   */
  servedWithinHour: number | null;
  /** Minutes from opening to the technician at the door, assigned on-demand jobs. */
  onSiteMin: {
    /** Median, minutes; null when no on-demand job was assigned. */
    p50: number | null;
    /** 90th percentile, minutes; null when no on-demand job was assigned. */
    p90: number | null;
  };
  /** Jobs handed back to the partner, by reason; and customer cancellations. */
  unfilled: {
    /** Jobs handed back unfilled, whatever the reason (the sum of the four reasons below). */
    total: number;
    /** `total` over the jobs not cancelled by the customer; null when every job was cancelled. */
    share: number | null;
    /** Jobs handed back because nobody accepted before the deadline. */
    deadline: number;
    /** Jobs handed back with nothing left to try: no running offer, no pending wave, no escalation step left. */
    exhausted: number;
    /** Jobs whose customer asked for his chosen technician(s) only, none of whom took it. */
    preferredUnavailable: number;
    /** Jobs outside their partner's region, handed back at open. */
    outsidePartnerRegion: number;
  };
  /** Jobs cancelled by the customer before anyone accepted. */
  cancelledByCustomer: number;
  /**
   * Technicians notified per job created (mean), customer cancellations included: the notification
   * load the demand puts on the crowd (as `notificationsPerTechnicianPerDay` counts it).
   */
  notificationsPerJob: number | null;
  /** Notifications (offers) per technician per day, over every technician of the fleet. */
  notificationsPerTechnicianPerDay: {
    /** Mean; null for an empty fleet. */
    mean: number | null;
    /** 90th percentile; null for an empty fleet. */
    p90: number | null;
    /** Maximum; null for an empty fleet. */
    max: number | null;
  };
  /** Great-circle distance from the winner to the job, km. */
  travelKm: {
    /** Mean, km; null when no job was assigned. */
    mean: number | null;
    /** 90th percentile, km; null when no job was assigned. */
    p90: number | null;
  };
  /** `activeFriends`: Friends online at some point of the run (the ones a policy can reach). */
  fairness: {
    /** Every Friend. */
    friends: FairnessFigures;
    /** Friends online at some point of the run. */
    activeFriends: FairnessFigures;
    /** Every Pro. */
    pros: FairnessFigures;
  };
  /** Best Friends' mean notifications and awards relative to other Friends' (1 = no uplift). */
  bestFriends: {
    /** Best Friends in the fleet. */
    count: number;
    /** Best Friends' mean notifications ÷ other Friends'; null when either group is empty or the others got none. */
    notificationsUplift: number | null;
    /** Best Friends' mean awards ÷ other Friends'; null when either group is empty or the others got none. */
    awardsUplift: number | null;
  };
  /** Share of jobs with at least one escalation step, and steps taken by action. */
  escalations: {
    /** Share of all jobs (cancellations included) with at least one step; null without jobs. */
    jobsEscalatedShare: number | null;
    /** Steps taken, by action (`deeper`, `widen`, `allowPros`, `broadcast`). */
    steps: Record<string, number>;
  };
  /** Accepts refused, by reason (`already_taken` = lost races). */
  refusedAccepts: Record<string, number>;
  /** Awards the winner cancelled before arriving (each re-opened the job without him). */
  technicianCancels: number;
  /** Assigned jobs whose customer was not at home (completed as `customer_no_show`). */
  noShows: number;
  /** Replayed appointments that start sooner than the policy's `appointments.minLeadMs` after their creation: dispatched on demand. */
  appointmentsOnDemand: number;
  /** Assigned jobs that carried a bonus when accepted, and the sum of their bonuses. */
  bonus: {
    /** Assigned jobs that carried a bonus. */
    jobs: number;
    /** Sum of their bonus amounts, in the policy's bonus currency (minor units). */
    paid: number;
    /**
     * Accepts a raised bonus brought from technicians whose offers were already running (told of
     * it by the escalation's `runningOffers`), whether or not they won.
     */
    runningAccepts: number;
  };
}

/** Per-item data the report charts need (not part of the compact summary). */
export interface SimDetail {
  /** Seconds to accept of each assigned job, in job order. */
  acceptSeconds: number[];
  /** Every technician of the fleet, with the offers and awards he got. */
  technicians: {
    /** The technician's id. */
    id: string;
    /** Home latitude, degrees. */
    lat: number;
    /** Home longitude, degrees. */
    lon: number;
    /** The technician's tier. */
    tier: 'friend' | 'pro';
    /** Whether he is a Best Friend. */
    bestFriend: boolean;
    /** Offers (notifications) he received. */
    offers: number;
    /** Jobs he won. */
    awards: number;
  }[];
  /** The jobs handed back unfilled, in job order. */
  unfilledJobs: {
    /** The job's id. */
    id: string;
    /** The customer's latitude, degrees. */
    lat: number;
    /** The customer's longitude, degrees. */
    lon: number;
    /** Why it was handed back. */
    reason: UnfilledReason;
    /** The job's partner; null for jobs without one. */
    partner: string | null;
  }[];
  /** Jobs by local hour of creation (0–23) and by weekday (0 = Sunday), cancellations excluded. */
  byHour: Breakdown[];
  /** Jobs by weekday of creation (7 entries, 0 = Sunday), cancellations excluded. */
  byWeekday: Breakdown[];
  /**
   * Minutes from creation to the door of assigned on-demand jobs, counted in bins of
   * `DOOR_BIN_MIN` minutes (the last bin holds everything later).
   */
  doorMinutes: number[];
}

/** Jobs of one hour or weekday: how many, how many assigned, served in time, and the median time to accept. */
export interface Breakdown {
  /** Jobs created (customer cancellations excluded). */
  jobs: number;
  /** Of those, the jobs assigned. */
  assigned: number;
  /** Of those, the jobs with a technician at the door in time (within 60 min; an appointment: before its window ends). */
  served: number;
  /** Median seconds to accept of the assigned jobs; null when none was assigned. */
  acceptP50: number | null;
}
