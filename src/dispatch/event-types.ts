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
      kind: 'candidates';
      ids: string[];
      km: number[];
      waves?: number[];
      policy?: string;
      /** the opening plan's chosen technicians that may be offered the job first (`Job.preferred`) */
      preferred?: { ids: string[]; km: number[] };
    }
  /** technicians skipped at send time because they became unavailable (`call`: which send of the event) */
  | { kind: 'skipped'; call: number; ids: string[] }
  /** the eligibility verdict of an accept: null when eligible */
  | { kind: 'verdict'; reason: IneligibleReason | null; saturated: boolean }
  /** a due job `advance` could not handle: it was left as it was (a replay skips it too) */
  | { kind: 'failed'; jobId: string }
  /** what a best-accept award compares (see `Policy.award`): recent awards and Best Friend status, per id asked */
  | { kind: 'standing'; ids: string[]; awards: number[]; bestFriend: boolean[] };

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
  | (EventBase & { type: 'open'; job: Job })
  | (EventBase & { type: 'advance' })
  | (EventBase & { type: 'accept'; jobId: string; technicianId: string; requestId?: string })
  | (EventBase & { type: 'decline'; jobId: string; technicianId: string })
  | (EventBase & { type: 'cancel'; jobId: string })
  | (EventBase & { type: 'complete'; jobId: string; reason?: Exclude<CompletionReason, 'done'> })
  | (EventBase & { type: 'technicianCancel'; jobId: string; technicianId: string; reason?: string })
  | (EventBase & { type: 'unavailable'; technicianId: string; reason: UnavailableReason });

/** Everything a dispatcher holds, JSON-serialisable; the fleet is the caller's and not included. */
export interface DispatcherSnapshot {
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
  retired?: { jobId: string; until: number; keys: string[] }[];
}
