/**
 * Public types of live dispatch: the reasons, the outcome of an accept, a job's status, and the
 * offers and JSON form of a session (the effects are in `effects.ts`, the event log and the snapshot
 * in `event-types.ts`). Outcomes are plain JSON-serialisable objects.
 */

import type { AwardCriterion, EscalationStep } from '../plan/policy.js';
import type { Bonus } from '../shared/currency.js';
import type { Job } from '../shared/types.js';
import type { Effect } from './effects.js';

export type {
  AssignedEffect,
  Effect,
  EffectBase,
  EscalatedEffect,
  ExpiredEffect,
  HeldEffect,
  NotifyEffect,
  ReopenedEffect,
  RevokeEffect,
  UnfilledEffect,
} from './effects.js';

/** Why a technician can no longer take offers (reported with `Dispatcher.technicianUnavailable`). */
export type UnavailableReason = 'offline' | 'at_capacity' | 'removed' | 'certification_revoked';

/** Why a technician's accept is refused although the offer is still running. */
export type IneligibleReason =
  | 'offline'
  | 'at_capacity'
  | 'removed'
  | 'not_certified'
  /** he holds an appointment that collides with this job (travel included) */
  | 'booked_in_window'
  /** his availability windows no longer cover the appointment window */
  | 'unavailable_in_window';

/** Why the notified technicians are told the job is gone. */
export type RevokeReason =
  /** someone else won it */
  | 'taken'
  /** the job was cancelled */
  | 'cancelled'
  /** the job was handed back to the partner unfilled */
  | 'unfilled'
  /** the technician became unavailable (offline, at capacity, removed, certification revoked) */
  | 'unavailable';

/** Why a job is handed back to its partner. */
export type UnfilledReason =
  /** nobody accepted before `policy.deadlineMs` */
  | 'deadline'
  /** nothing is left to try: no running offer, no pending wave, no escalation step left */
  | 'exhausted'
  /** the customer asked for his chosen technician(s) only, and none of them took the job in time */
  | 'preferred_unavailable'
  /** the job lies outside its partner's region (`PartnerRules.region`): handed back at open */
  | 'outside_partner_region';

/**
 * Every {@link UnfilledReason}, in a fixed order: for validating a stored reason and for tallying
 * unfilled jobs by reason.
 */
export const UNFILLED_REASONS = [
  'deadline',
  'exhausted',
  'preferred_unavailable',
  'outside_partner_region',
] as const satisfies readonly UnfilledReason[];

// The list names every reason of the type (a reason added to one only does not compile).
const complete: [UnfilledReason] extends [(typeof UNFILLED_REASONS)[number]] ? true : false = true;
void complete;

/**
 * How an assigned job ended (`Dispatcher.complete`): done, or a no-show. A technician's no-show
 * counts against his responsiveness like a cancellation (see `FleetCounters.cancelled`).
 */
export type CompletionReason = 'done' | 'customer_no_show' | 'technician_no_show';

/** Lifecycle of a dispatched job. */
export type JobState = 'open' | 'assigned' | 'completed' | 'cancelled' | 'unfilled';

/** Refusals of an accept; none of them reveals who else was offered or who won. */
export type AcceptRefusal =
  | 'unknown_job'
  /** this technician was never offered the job */
  | 'not_offered'
  /** someone else won (or the winner retried with a different request id) */
  | 'already_taken'
  | 'job_cancelled'
  /** the job was handed back to the partner unfilled */
  | 'job_unfilled'
  /** the offer ran past its `expiresAt` */
  | 'offer_expired'
  /** the technician declined this offer earlier */
  | 'offer_declined'
  /** the offer was withdrawn because the technician became unavailable (or revoked before the job re-opened) */
  | 'offer_withdrawn'
  /** this technician cancelled the job after winning it: he is not offered it again */
  | 'offer_cancelled';

/**
 * The answer to `Dispatcher.accept`. Exactly one accept per job is ever `assigned`; a repeat of the
 * winner's own accept with the same request id returns `assigned` again with `repeated: true` and
 * no effects (they were returned the first time).
 */
export type AcceptOutcome =
  | {
      /** The technician won the job. */
      outcome: 'assigned';
      /** The job accepted. */
      jobId: string;
      /** The winner (the technician who accepted). */
      technicianId: string;
      /** When the job was assigned (the first accept's `now`). */
      at: number;
      /** True for a repeat of the winner's own accept with the same request id (then `effects` is empty). */
      repeated: boolean;
      /** Effects to perform: `assigned`, `revoke` to the other notified technicians, … */
      effects: Effect[];
    }
  /**
   * Best-accept mode: the accept is collected; the job is awarded at `awardAt` to the best of the
   * technicians who accepted by then (an `assigned` effect to the winner, `revoke` to the others).
   * A repeat before the award answers `held` again, with no effects.
   */
  | {
      /** The accept is collected in the award window. */
      outcome: 'held';
      /** The job accepted. */
      jobId: string;
      /** The technician who accepted. */
      technicianId: string;
      /** When the window closes and the job is awarded, ms. */
      awardAt: number;
      /** Effects to perform (a `held` effect for this accept; none on a repeat). */
      effects: Effect[];
    }
  | {
      /** Why the accept is refused. */
      outcome: AcceptRefusal;
      /** The job accepted. */
      jobId: string;
    }
  | {
      /** The offer still runs, but the technician may no longer take the job. */
      outcome: 'no_longer_eligible';
      /** The job accepted. */
      jobId: string;
      /** Why the technician may no longer take it. */
      reason: IneligibleReason;
    };

/**
 * The answer to `Dispatcher.technicianCancel`: the job re-opened (perform `effects`), or why
 * nothing changed — the job is unknown, not assigned, or assigned to someone else.
 */
export type TechnicianCancelOutcome =
  | {
      /** The job is open again, without the canceller. */
      outcome: 'reopened';
      /** The job cancelled. */
      jobId: string;
      /** Effects to perform: `reopened`, then the re-dispatch's `notify`, … */
      effects: Effect[];
    }
  | {
      /** Why nothing changed: the job is unknown, not assigned, or assigned to someone else. */
      outcome: 'unknown_job' | 'not_assigned' | 'not_winner';
      /** The job cancelled. */
      jobId: string;
    };

/** A job's status, for operators (it names the winner; do not forward it to other technicians). */
export interface JobStatus {
  /** The job's id. */
  jobId: string;
  /** The job's partner; absent for jobs without a partner. */
  partner?: string;
  /** Where the job is in its lifecycle. */
  state: JobState;
  /** When the job was opened, ms. */
  openedAt: number;
  /** When the job is handed back unfilled if nobody accepts. */
  deadlineAt: number;
  /** The winner, once assigned. */
  technicianId?: string;
  /** An appointment's window (absent for on-demand jobs). */
  window?: {
    /** Start of the window, ms. */
    start: number;
    /** End of the window, ms. */
    end: number;
    /** The appointment's IANA time zone. */
    timeZone: string;
  };
  /** When it left the `open` state. */
  closedAt?: number;
  /** When the winner finished it. */
  completedAt?: number;
  /** How it ended when it was a no-show (absent: done). */
  completion?: Exclude<CompletionReason, 'done'>;
  /** Why it is unfilled. */
  reason?: UnfilledReason;
  /** Technicians notified so far. */
  notified: number;
  /** Offers still running (not answered, not expired). */
  liveOffers: number;
  /** Escalation steps taken so far. */
  escalationSteps: number;
  /** When something is next due for this job (undefined once closed). */
  nextDueAt?: number;
}

/** One offer of a job to a technician, as kept in a session. */
export interface OfferRecord {
  /** The technician offered the job. */
  technicianId: string;
  /** Wave number the offer went out in (as in the `notify` effect). */
  wave: number;
  /** When the offer was sent, ms. */
  sentAt: number;
  /** When the offer stops being acceptable, ms. */
  expiresAt: number;
  /**
   * `live` until answered, expired (processed by `advance`), withdrawn or the job closes;
   * `revoked`: the job was taken by someone who then cancelled (may be offered again);
   * `cancelled`: this technician won and cancelled (never offered the job again);
   * `held`: accepted in a best-accept window, until the award.
   */
  status: 'live' | 'declined' | 'expired' | 'withdrawn' | 'revoked' | 'cancelled' | 'held';
  /** Coarsened distance to the job, km (what a `nearest` award compares). */
  km?: number;
}

/**
 * Whether an offer still binds its job to the technician: running, or an accept held in an award
 * window. Such offers are withdrawn when he becomes unavailable and revoked when the job closes.
 */
export function isPending(o: Pick<OfferRecord, 'status'>): boolean {
  return o.status === 'live' || o.status === 'held';
}

/** A planned offer not yet sent: a technician and his coarsened distance. */
export interface PlannedOffer {
  /** The technician's id. */
  id: string;
  /** Distance to the job rounded to 0.5 km. */
  km: number;
}

/**
 * The JSON form of one job's session (see `src/session.ts`). Every time in it is absolute (ms), so
 * offers and steps keep their original deadlines after a restore, whatever the policy is then.
 */
export interface SessionJSON {
  /** The job, as opened. */
  job: Job;
  /** Order the job was opened in (breaks ties between jobs due at the same time). */
  ordinal: number;
  /** Where the job is in its lifecycle. */
  state: JobState;
  /** When the job was opened, ms. */
  openedAt: number;
  /** When the job is handed back unfilled if nobody accepts, ms. */
  deadlineAt: number;
  /** How long an offer stays acceptable, ms (`policy.offerTtlMs`, copied at open). */
  offerTtlMs: number;
  /** Most technicians notified for the job (`policy.maxNotifiedPerJob`, copied at open). */
  maxNotified: number;
  /** Whether technicians who declined may be offered the job again (`policy.reofferDeclined`, copied at open). */
  reoffer: boolean;
  /** Partner whose certification an accept needs, if any. */
  certPartner: string | null;
  /** Waves not yet sent; `preferredUntil` marks the chosen technicians' exclusive wave (their offers run until then). */
  pending: {
    /** The wave's number. */
    index: number;
    /** When the wave is sent, ms. */
    at: number;
    /** The technicians it offers the job to. */
    offers: PlannedOffer[];
    /** Until when the chosen technicians' exclusive offers run, ms; absent for crowd waves. */
    preferredUntil?: number;
  }[];
  /** Candidates planned in no wave, drawn on for replacements and later batches. */
  reserve: PlannedOffer[];
  /** The escalation steps, each with when it falls due. */
  steps: {
    /** When the step falls due, ms. */
    at: number;
    /** The policy's step. */
    step: EscalationStep;
  }[];
  /** Index in `steps` of the next step to take. */
  nextStep: number;
  /** Size of a re-plan batch (`policy.waves[0].size`). */
  batch: number;
  /** Number the next wave sent from the reserve gets. */
  nextWave: number;
  /** Technicians notified so far. */
  notified: number;
  /** The radius a `widen` step set, km; null until one is taken. */
  widenKm: number | null;
  /** Whether an `allowPros` step has been taken. */
  allowPros: boolean;
  /** Whether the `allowPros` step changes who is eligible (a Friend job whose partner allows Pros). */
  prosStepApplies: boolean;
  /** Every offer sent for the job. */
  offers: OfferRecord[];
  /** When each sent wave's offers expire, earliest first. */
  expiries: {
    /** When the wave's offers expire, ms. */
    at: number;
    /** The wave's number. */
    wave: number;
  }[];
  /** The technician who won the job; null while nobody has. */
  winner: {
    /** The winner. */
    technicianId: string;
    /** The request id of his accept; null when it gave none. */
    requestId: string | null;
    /** When he won, ms. */
    at: number;
    /** Time from his offer to his accept, ms. */
    responseMs: number;
  } | null;
  /** When the job left the `open` state, ms; null while open. */
  closedAt: number | null;
  /** When the winner finished the job (`Dispatcher.complete`). */
  completedAt: number | null;
  /** A no-show's reason (absent: done, or not completed). */
  completion?: Exclude<CompletionReason, 'done'>;
  /** The job's current bonus (absent until a step with a bonus is taken). */
  bonus?: Bonus;
  /** The policy's per-job bonus cap, copied at open (absent: no cap). */
  maxBonus?: Bonus;
  /** When the winner last cancelled and the job re-opened (its deadline and steps count from then). */
  reopenedAt?: number;
  /** Why the job is unfilled; null unless it is. */
  reason: UnfilledReason | null;
  /** Best-accept mode (copied from the policy at open); absent in first-accept mode. */
  award?: {
    /** Length of the award window, ms. */
    windowMs: number;
    /** How the accepts collected are compared. */
    by: AwardCriterion;
    /** Whether Best Friends win over the others whatever the criterion. */
    bestFriendFirst: boolean;
  };
  /** Accepts collected in a running award window, in arrival order (best-accept mode only). */
  held?: {
    /** The technician who accepted. */
    technicianId: string;
    /** The request id of his accept; null when it gave none. */
    requestId: string | null;
    /** When he accepted, ms. */
    at: number;
    /** Time from his offer to his accept, ms. */
    responseMs: number;
  }[];
  /** When the running award window closes (best-accept mode, while `held` is not empty). */
  awardAt?: number;
  /**
   * Request ids (`technicianId` + NUL + `requestId`) that won earlier jobs with the same id, which
   * the dispatcher has forgotten: a late retry of one is `already_taken`, never a fresh win.
   */
  retired?: string[];
}
