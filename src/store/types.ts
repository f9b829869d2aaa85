/**
 * The store port: everything replicas of a dispatcher must share — each job's event stream and
 * current version, the request ids already answered, technicians' load against capacity, when each
 * job is next due, and the effects still to deliver (the outbox). {@link MemoryStore} is the
 * embedded default; `crowd-dispatch/postgres` holds the PostgreSQL one. Both pass one contract suite.
 */

import type { Fact } from '../dispatch/event-types.js';
import type { SessionEvent } from '../dispatch/session.js';
import { type AcceptOutcome, type Effect, isPending, type SessionJSON } from '../dispatch/types.js';
import type { Reservation } from '../fleet/reservations.js';
import type { Job } from '../shared/types.js';

/** What a stored event applied: the job's opening, or one input to its session. */
export type StoredInput =
  | {
      /** Discriminant: the job's opening. */
      type: 'open';
      /** The job opened. */
      job: Job;
      /** The policy's fingerprint (every replica must use the same policy). */
      policy: string;
    }
  | SessionEvent;

/** One event of a job's stream; `version` is 1 for the opening and gap-free after it. */
export interface StoredEvent {
  /** The job the event belongs to. */
  jobId: string;
  /** The job's version after this event: the fencing token carried by its effects. */
  version: number;
  /** Time of the event, ms: the caller's `now`, raised to the job's previous event time if earlier. */
  at: number;
  /** What the event applied. */
  input: StoredInput;
  /** Fleet facts the step read (replayed instead of asking a fleet). */
  facts: Fact[];
  /** The effects the event produced (delivered through the outbox). */
  effects: Effect[];
  /** Fleet counter updates that are not effects: a winner's load released, a decline's response time. */
  released?: string;
  /** A technician declined: his response time, for the fleet's counters; absent otherwise. */
  declined?: {
    /** The technician who declined. */
    technicianId: string;
    /** Time from his offer to his decline, ms. */
    responseMs: number;
  };
  /** An appointment was assigned: its window is reserved for the winner (no load is taken). */
  reserved?: {
    /** The winner. */
    technicianId: string;
  } & Reservation;
  /** An assigned appointment was completed or cancelled: the winner's reservation is released. */
  unreserved?: {
    /** The winner whose reservation is released. */
    technicianId: string;
    /** The appointment's job. */
    jobId: string;
  };
}

/** A job as stored: its session, version and the time of its last event. */
export interface StoredJob {
  /** The job's id. */
  jobId: string;
  /** The job's current version (that of its last event). */
  version: number;
  /** The job's session. */
  state: SessionJSON;
  /** Time of the job's last event, ms. */
  lastAt: number;
  /** The answer recorded for the request id passed to `get`, if any. */
  answer?: AcceptOutcome;
}

/** Technicians holding a running (or held) offer in a session (none once it is closed). */
export function liveOf(state: SessionJSON): string[] {
  if (state.state !== 'open') return [];
  return state.offers.filter(isPending).map((o) => o.technicianId);
}

/** One step to append: all of it or none of it is stored. */
export interface Step {
  /** The version the step was computed from; 0 creates the job. */
  expectedVersion: number;
  /** The event to append (its `version` is `expectedVersion` + 1). */
  event: StoredEvent;
  /** The job's session after the event. */
  state: SessionJSON;
  /** When the job is next due (null once closed). */
  dueAt: number | null;
  /** Reserve one unit of this technician's capacity (the step fails with `capacity` when he has none). */
  reserve?: {
    /** The technician. */
    technicianId: string;
    /** His capacity, used when the store has not seen him yet. */
    capacity: number;
  };
  /**
   * With `event.reserved` (an assigned appointment): the policy's travel speed. The store refuses
   * the step (`booked`) when the window collides with another reservation it holds for the winner,
   * travel between the two places counted at this speed, so replicas that each saw him free cannot
   * both book him; it keeps the reservation until an event with `unreserved` drops it.
   */
  travelSpeedKmh?: number;
  /** Release one unit of this technician's load. */
  release?: string;
  /** Remember the answer to this accept. */
  request?: {
    /** The accept's request id. */
    requestId: string;
    /** The answer to remember. */
    outcome: AcceptOutcome;
  };
}

/** Why a step was not stored: see {@link AppendResult}. */
export type AppendConflict = 'version' | 'exists' | 'capacity' | 'booked';

/** Whether a conflict names the winner (no capacity left, or a colliding appointment): an award then goes to someone else. */
export function winnerConflict(conflict: string): conflict is 'capacity' | 'booked' {
  return conflict === 'capacity' || conflict === 'booked';
}

/** The technician a step assigns (capacity reserved or window booked); undefined when none. */
export function winnerOf(step: Step): string | undefined {
  return step.reserve?.technicianId ?? step.event.reserved?.technicianId;
}

/** The result of {@link DispatchStore.append}. */
export type AppendResult =
  /** `full`: the step's reservation took the technician's last unit of capacity */
  | {
      /** The step is stored. */
      ok: true;
      /** The job's new version. */
      version: number;
      /** True when the step's reservation took the technician's last unit of capacity; absent otherwise. */
      full?: boolean;
    }
  /** `version`: someone appended first (re-read and retry); `exists`: the job id is taken; `capacity`: no capacity left; `booked`: the winner holds a colliding appointment */
  | {
      /** Nothing is stored. */
      ok: false;
      /** Why: `version`, `exists`, `capacity` or `booked`. */
      conflict: AppendConflict;
      /**
       * On `version`, when the store can say so without another read: the job as it now stands,
       * with the step's request's recorded answer if it has one (what `get(jobId, requestId)` would return).
       */
      current?: StoredJob;
    };

/** How often `claimDue` computes a due step again after its reservation found no capacity. */
export const MAX_AWARD_TRIES = 8;

/** What {@link DispatchStore.claimDue} did. */
export interface ClaimResult {
  /** Jobs claimed (failed ones included). */
  claimed: number;
  /** The steps appended. */
  applied: Step[];
  /** Jobs left untouched, with what they threw. */
  failures: {
    /** The job left untouched. */
    jobId: string;
    /** What it threw. */
    error: unknown;
  }[];
}

/** An effect in the outbox: `id` is stable (`jobId:version:index`) for deduplication downstream. */
export interface OutboxEntry {
  /** Stable id, `jobId:version:index`. */
  id: string;
  /** The job the effect is about. */
  jobId: string;
  /** The job's version that produced it (fencing token: a receiver ignores a lower one than it has seen). */
  fence: number;
  /** The effect to deliver. */
  effect: Effect;
}

/** Position in the shared event feed (opaque; start from {@link FEED_START}). */
export type FeedCursor = string;
/** The feed position before every event. */
export const FEED_START: FeedCursor = '';

/** The store every replica shares. Methods reject with the store errors of `src/store/errors.ts`. */
export interface DispatchStore {
  /** A job's current state, or undefined for an unknown job; with `requestId`, also that accept's recorded answer (one read). */
  get(jobId: string, requestId?: string): Promise<StoredJob | undefined>;
  /** Appends one step at its expected version, all or nothing. */
  append(step: Step): Promise<AppendResult>;
  /**
   * Claims up to `limit` jobs due at or before `now` that no other replica holds (and not in
   * `skip`), and appends the step `compute` returns for each (null: nothing to do) — claimed and
   * written in one transaction, so the same due step never applies twice. A job whose `compute`
   * throws or whose step fails is left as it was (still due) and reported in `failures`; the
   * others are applied. A step whose reservation finds no capacity (an award of a best-accept
   * window) is computed again with that technician in `full`, up to {@link MAX_AWARD_TRIES} times.
   */
  claimDue(
    now: number,
    limit: number,
    compute: (job: StoredJob, full: readonly string[]) => Step | null,
    skip?: ReadonlySet<string>,
  ): Promise<ClaimResult>;
  /** The answer recorded for an accept's request id. */
  answer(jobId: string, requestId: string): Promise<AcceptOutcome | undefined>;
  /** Records a refusal for a request id; returns the answer already recorded if there is one. */
  remember(jobId: string, requestId: string, outcome: AcceptOutcome): Promise<AcceptOutcome>;
  /** Sets a technician's capacity (load is kept); capacity below the load refuses new reservations. */
  setCapacity(technicianId: string, capacity: number): Promise<void>;
  /** A technician's load and capacity, if the store has seen him. */
  capacityOf(technicianId: string): Promise<
    | {
        /** Jobs the technician holds now. */
        load: number;
        /** Jobs the technician can hold at once. */
        capacity: number;
      }
    | undefined
  >;
  /** Jobs in which a technician holds a running offer, oldest job first. */
  liveJobs(technicianId: string): Promise<string[]>;
  /** A job's events in version order. */
  events(jobId: string): Promise<StoredEvent[]>;
  /** Events of every job after `cursor`, in a stable order in which nothing is ever inserted behind the cursor. */
  feed(
    cursor: FeedCursor,
    limit: number,
  ): Promise<{
    /** The events after `cursor`, at most `limit`. */
    events: StoredEvent[];
    /** Where the next call continues from. */
    cursor: FeedCursor;
  }>;
  /**
   * Hands up to `limit` undelivered outbox entries to `deliver`; they are marked delivered only if
   * it resolves (a replica that dies meanwhile leaves them to another): at least once. Returns how many were handed.
   */
  deliver(limit: number, deliver: (entries: OutboxEntry[]) => Promise<void> | void): Promise<number>;
}
