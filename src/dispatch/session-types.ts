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
  readonly offers: readonly Readonly<OfferRecord>[];
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
  standing(ids: readonly string[]): { awards: number[]; bestFriend: boolean[] };
}

/** Inputs to a session after it was opened. */
export type SessionEvent =
  /** Process everything due up to `at` (waves, expiries, escalation steps, the deadline). */
  | { type: 'tick'; at: number }
  | { type: 'accept'; at: number; technicianId: string; requestId: string | null }
  | { type: 'decline'; at: number; technicianId: string }
  /** The technician became unavailable: withdraw his running offer and notify a replacement. */
  | { type: 'withdraw'; at: number; technicianId: string; reason: UnavailableReason }
  | { type: 'cancel'; at: number }
  /** The winner finished the job (or the visit was a no-show). */
  | { type: 'complete'; at: number; reason?: Exclude<CompletionReason, 'done'> }
  /** The winner cancelled the assigned job: it re-opens without him (see `reopen` in `session-steps.ts`). */
  | { type: 'technicianCancel'; at: number; technicianId: string; reason?: string };

/** What opens a session: the job, the plan's ranked candidates with their first-round waves. */
export interface OpenInput {
  at: number;
  job: Job;
  ordinal: number;
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
