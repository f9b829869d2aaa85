/**
 * The types of a dispatch session (see `../session.ts`): its state, the inputs it takes, and what it
 * may ask of the world.
 */
import type { Policy } from '../plan/policy.js';
import type { Job } from '../shared/types.js';
import type {
  CompletionReason,
  IneligibleReason,
  OfferRecord,
  PlannedOffer,
  SessionJSON,
  UnavailableReason,
} from './types.js';

/**
 * A session's state: {@link SessionJSON} plus `index`, technician id → position in `offers`. Offers
 * are only ever appended or replaced in place, so the index is append-only and shared by every
 * version of a session (copying a map per transition would cost more than the transition); a
 * version checks the position it finds and falls back to a scan, so states stay values.
 */
export type SessionState = Readonly<Omit<SessionJSON, 'offers'>> & {
  /** Every offer sent for the job. */
  readonly offers: readonly Readonly<OfferRecord>[];
  /** Technician id → position in `offers` (shared by every version of the session). */
  readonly index: Map<string, number>;
};

/** What a session may ask of the world; the dispatcher answers from the fleet and logs the answers. */
export interface SessionEnv {
  /** Of these technicians about to be notified, the ones no longer available (skipped). */
  unavailable(ids: readonly string[], certPartner: string | null, job: Job): string[];
  /** Ranked candidates for an escalation step, excluding `exclude`. */
  replan(
    job: Job,
    overrides: { maxRadiusKm?: number; allowProsOnFriendJobs: boolean; exclude: readonly string[] },
  ): PlannedOffer[];
  /** Whether a technician may still take the job: `null` when eligible, else why not. */
  verdict(technicianId: string, certPartner: string | null, job: Job): IneligibleReason | null;
  /** What a best-accept award compares: each technician's recent awards and Best Friend status. */
  standing(ids: readonly string[]): {
    /** Each technician's recent awards (the decayed fairness counter). */
    awards: number[];
    /** Whether each one is a Best Friend. */
    bestFriend: boolean[];
  };
}

/** Inputs to a session after it was opened. */
export type SessionEvent =
  /** Process everything due up to `at` (waves, expiries, escalation steps, the deadline). */
  | {
      /** Discriminant: a tick. */
      type: 'tick';
      /** The `now` of the input, ms. */
      at: number;
    }
  /** A technician accepts the offer. */
  | {
      /** Discriminant: an accept. */
      type: 'accept';
      /** The `now` of the input, ms. */
      at: number;
      /** The technician who accepts. */
      technicianId: string;
      /** The accept's request id; null when none was given. */
      requestId: string | null;
    }
  /** A technician declines the offer. */
  | {
      /** Discriminant: a decline. */
      type: 'decline';
      /** The `now` of the input, ms. */
      at: number;
      /** The technician who declines. */
      technicianId: string;
    }
  /** The technician became unavailable: withdraw his running offer and notify a replacement. */
  | {
      /** Discriminant: a withdrawal. */
      type: 'withdraw';
      /** The `now` of the input, ms. */
      at: number;
      /** The technician no longer available. */
      technicianId: string;
      /** Why he is no longer available. */
      reason: UnavailableReason;
    }
  /** The customer cancelled the job. */
  | {
      /** Discriminant: a cancellation. */
      type: 'cancel';
      /** The `now` of the input, ms. */
      at: number;
    }
  /** The winner finished the job (or the visit was a no-show). */
  | {
      /** Discriminant: a completion. */
      type: 'complete';
      /** The `now` of the input, ms. */
      at: number;
      /** A no-show's reason; absent: done. */
      reason?: Exclude<CompletionReason, 'done'>;
    }
  /** The winner cancelled the assigned job: it re-opens without him (see `reopen` in `session-steps.ts`). */
  | {
      /** Discriminant: the winner's cancellation. */
      type: 'technicianCancel';
      /** The `now` of the input, ms. */
      at: number;
      /** The winner who cancels. */
      technicianId: string;
      /** His reason; absent when none was given. */
      reason?: string;
    };

/** What opens a session: the job, the plan's ranked candidates with their first-round waves. */
export interface OpenInput {
  /** The `now` of the open, ms. */
  at: number;
  /** The job to dispatch. */
  job: Job;
  /** Order the job was opened in (breaks ties between jobs due at the same time). */
  ordinal: number;
  /** The policy the session follows. */
  policy: Policy;
  /** Ranked candidates (coarsened distances). */
  candidates: readonly PlannedOffer[];
  /** First-round wave of each candidate, −1 for the reserve. */
  waves: readonly number[];
  /** The job's chosen technicians that may be offered it, in the customer's order (see `Job.preferred`). */
  preferred?: readonly PlannedOffer[];
  /** Winning request keys of earlier jobs with this id (see `SessionJSON.retired`). */
  retired?: readonly string[];
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type Draft = Mutable<SessionState>;
