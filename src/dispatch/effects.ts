/**
 * The effects a dispatch step produces: what the caller must do (notify, revoke, tell the partner),
 * one plain JSON-serialisable object each, never carrying coordinates (distances are coarsened to
 * 0.5 km) and only ever describing its own job.
 */

import type { EscalationStep } from '../plan/policy.js';
import type { Bonus } from '../shared/currency.js';
import type { RevokeReason, UnfilledReason } from './types.js';

/** Fields every effect carries. */
export interface EffectBase {
  /** The job the effect is about (an effect never describes another job). */
  jobId: string;
  /** The job's partner, for routing; absent for jobs without a partner. */
  partner?: string;
  /** When the effect was produced (the `now` of the call), ms. */
  at: number;
}

/** Send an offer to these technicians. */
export interface NotifyEffect extends EffectBase {
  /** Discriminant: a notify. */
  type: 'notify';
  /** Wave number: first-round waves keep their plan index; later batches count on from there. */
  wave: number;
  /** Technicians to notify, best ranked first. */
  technicianIds: string[];
  /** Distance of each technician to the job, km, rounded to 0.5 km (never coordinates). */
  distancesKm: number[];
  /** When the offer stops being acceptable, ms (never after the job's deadline). */
  expiresAt: number;
  /** Set on the exclusive offer to the customer's chosen technician(s) (`Job.preferred`). */
  preferred?: true;
  /** The job's bonus when the offers went out (after an escalation step with a bonus). */
  bonus?: Bonus;
}

/** Tell these technicians the job is no longer available. */
export interface RevokeEffect extends EffectBase {
  /** Discriminant: a revoke. */
  type: 'revoke';
  /** Technicians to tell the job is gone. */
  technicianIds: string[];
  /** Why the job is gone for them. */
  reason: RevokeReason;
}

/** These technicians let their offer expire unanswered (counted as refusals). */
export interface ExpiredEffect extends EffectBase {
  /** Discriminant: expired offers. */
  type: 'expired';
  /** Technicians whose offers expired. */
  technicianIds: string[];
}

/** The job is assigned to this technician (tell him and the partner). */
export interface AssignedEffect extends EffectBase {
  /** Discriminant: an assignment. */
  type: 'assigned';
  /** The winner. */
  technicianId: string;
  /** Time from his offer to his accept, ms. */
  responseMs: number;
}

/**
 * Best-accept mode (`policy.award.mode: 'best'`): the first accept opened an award window; accepts
 * collected until `awardAt` compete, and the winner follows as an `assigned` effect. The others
 * accepted are told with a `revoke` (`taken`).
 */
export interface HeldEffect extends EffectBase {
  /** Discriminant: a held accept. */
  type: 'held';
  /** The technician whose accept was collected. */
  technicianId: string;
  /** When the window closes and the job is awarded, ms. */
  awardAt: number;
}

/** An escalation step was taken (its notifications follow as a separate `notify`). */
export interface EscalatedEffect extends EffectBase {
  /** Discriminant: an escalation. */
  type: 'escalated';
  /** Index of the step in `policy.escalation`. */
  step: number;
  /** What the step did: `deeper`, `widen`, `allowPros` or `broadcast`. */
  action: EscalationStep['action'];
  /** Technicians newly notified by this step. */
  notified: number;
  /** Set when the step could not apply: `no_job_radius` (widen on a job without its own max radius). */
  skipped?: 'no_job_radius';
  /** The job's bonus after the step, when the step carries one (capped by `policy.maxBonusPerJob`). */
  bonus?: Bonus;
  /**
   * With a bonus: the technicians whose offers (sent before it rose) still run, in the order they
   * were offered — their offers are not re-sent, so tell them the new bonus. Absent when none runs.
   */
  runningOffers?: string[];
}

/**
 * The winner cancelled the assigned job: it is open again, without him (tell the partner). The
 * re-dispatch's offers follow as a separate `notify`.
 */
export interface ReopenedEffect extends EffectBase {
  /** Discriminant: the job re-opened. */
  type: 'reopened';
  /** Who cancelled (never offered this job again). */
  technicianId: string;
  /** His reason, as passed to `technicianCancel`. */
  reason?: string;
  /** The job's new deadline, ms. */
  deadlineAt: number;
}

/** The job is handed back to its partner unfilled. */
export interface UnfilledEffect extends EffectBase {
  /** Discriminant: the job is unfilled. */
  type: 'unfilled';
  /** Why it is handed back. */
  reason: UnfilledReason;
  /** Technicians notified over the job's whole life. */
  notified: number;
}

/** Something the caller must do (send push notifications, tell the partner…). */
export type Effect =
  | NotifyEffect
  | RevokeEffect
  | ExpiredEffect
  | AssignedEffect
  | HeldEffect
  | EscalatedEffect
  | ReopenedEffect
  | UnfilledEffect;
