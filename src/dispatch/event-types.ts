/**
 * What live dispatch persists: every input as a logged event, with the fleet facts it read (so a
 * replay needs no fleet), and the snapshot of everything a dispatcher holds. Both are plain JSON;
 * `log.ts` and `snapshot-schema.ts` check them field by field when they are read back.
 */

import type { Job } from '../shared/types.js';
import type { CompletionReason, IneligibleReason, SessionJSON, UnavailableReason } from './types.js';

/**
 * Facts read from the fleet while handling an input, recorded so that a replay does not need the
 * fleet to be in the same state: opaque to callers, JSON-serialisable.
 */
export type Fact =
  /** a ranked candidate list (the plan at open, with the policy's fingerprint, or a re-plan for an escalation step) */
  | {
      /** Discriminant: a candidate list. */
      kind: 'candidates';
      /** Candidate ids, best ranked first. */
      ids: string[];
      /** Each candidate's public distance to the job, km (from his privacy cell, coarsened). */
      km: number[];
      /** First-round wave of each candidate, −1 for the reserve; absent for a re-plan. */
      waves?: number[];
      /** The policy's fingerprint; absent for a re-plan. */
      policy?: string;
      /** the opening plan's chosen technicians that may be offered the job first (`Job.preferred`) */
      preferred?: {
        /** The chosen technicians who are eligible, in the customer's order. */
        ids: string[];
        /** Each one's public distance to the job, km. */
        km: number[];
      };
    }
  /** technicians skipped at send time because they became unavailable (`call`: which send of the event) */
  | {
      /** Discriminant: technicians skipped. */
      kind: 'skipped';
      /** Which send of the event this is (0-based). */
      call: number;
      /** The technicians skipped. */
      ids: string[];
    }
  /** the eligibility verdict of an accept: null when eligible */
  | {
      /** Discriminant: a verdict. */
      kind: 'verdict';
      /** Why the technician may no longer take the job; null when eligible. */
      reason: IneligibleReason | null;
      /** Whether the award fills the technician's capacity (his other running offers are then withdrawn). */
      saturated: boolean;
    }
  /** a due job `advance` could not handle: it was left as it was (a replay skips it too) */
  | {
      /** Discriminant: a failed job. */
      kind: 'failed';
      /** The job that failed. */
      jobId: string;
    }
  /** what a best-accept award compares (see `Policy.award`): recent awards and Best Friend status, per id asked */
  | {
      /** Discriminant: standings. */
      kind: 'standing';
      /** The technicians asked about. */
      ids: string[];
      /** Each one's recent awards (the decayed fairness counter; 0 for a removed technician). */
      awards: number[];
      /** Whether each one is a Best Friend. */
      bestFriend: boolean[];
    };

/** Fields of every logged event. */
export interface EventBase {
  /** 1-based, gap-free sequence number. */
  seq: number;
  /** The `now` of the call, ms. */
  at: number;
  /** Recorded fleet facts (see {@link Fact}); absent when the input needed none. */
  facts?: Fact[];
  /**
   * Chain hash: FNV-1a (two 32-bit lanes) of the previous event's hash and this event's canonical
   * JSON; replay checks it (see `docs/reliability.md` for what it does and does not detect).
   */
  hash?: string;
}

/** One input to the dispatcher, as logged. Replaying the log rebuilds exactly the same state. */
export type DispatchEvent =
  | (EventBase & {
      /** `Dispatcher.open`. */
      type: 'open';
      /** The job opened. */
      job: Job;
    })
  | (EventBase & {
      /** `Dispatcher.advance`. */
      type: 'advance';
    })
  | (EventBase & {
      /** `Dispatcher.accept`. */
      type: 'accept';
      /** The job accepted. */
      jobId: string;
      /** The technician who accepted. */
      technicianId: string;
      /** The accept's request id; absent when none was given. */
      requestId?: string;
    })
  | (EventBase & {
      /** `Dispatcher.decline`. */
      type: 'decline';
      /** The job declined. */
      jobId: string;
      /** The technician who declined. */
      technicianId: string;
    })
  | (EventBase & {
      /** `Dispatcher.cancel`. */
      type: 'cancel';
      /** The job cancelled. */
      jobId: string;
    })
  | (EventBase & {
      /** `Dispatcher.complete`. */
      type: 'complete';
      /** The job completed. */
      jobId: string;
      /** A no-show's reason; absent: done. */
      reason?: Exclude<CompletionReason, 'done'>;
    })
  | (EventBase & {
      /** `Dispatcher.technicianCancel`. */
      type: 'technicianCancel';
      /** The job cancelled. */
      jobId: string;
      /** The winner who cancelled. */
      technicianId: string;
      /** His reason; absent when none was given. */
      reason?: string;
    })
  | (EventBase & {
      /** `Dispatcher.technicianUnavailable`. */
      type: 'unavailable';
      /** The technician no longer available. */
      technicianId: string;
      /** Why he is no longer available. */
      reason: UnavailableReason;
    });

/** Everything a dispatcher holds, JSON-serialisable; the fleet is the caller's and not included. */
export interface DispatcherSnapshot {
  /** Snapshot format version. */
  version: 1;
  /** Sequence number of the last event applied. */
  seq: number;
  /** The latest `now` seen (inputs must not go back before it). */
  now: number | null;
  /** Next job ordinal. */
  ordinal: number;
  /** Hash of the last event applied (the log's chain continues from it). */
  hash: string;
  /** Digest of the rest of the snapshot (FNV-1a, two lanes, over sorted-key JSON): restore refuses an edited one. */
  digest?: string;
  /** Every job the dispatcher still knows, open and closed, in ordinal order. */
  sessions: SessionJSON[];
  /** Winning request keys of forgotten jobs, kept until `until` (see `SessionJSON.retired`). */
  retired?: {
    /** The forgotten job's id. */
    jobId: string;
    /** Until when the keys are kept, ms. */
    until: number;
    /** Its winning request keys (`technicianId` + NUL + `requestId`). */
    keys: string[];
  }[];
}
