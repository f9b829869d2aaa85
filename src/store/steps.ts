/**
 * How the store-backed dispatcher changes one job: read it, run the same pure {@link transition}
 * as the in-memory dispatcher on this replica's fleet, and append the result at the version it
 * read; when another replica appended first, read again and retry (at most `maxRetries` times).
 * Arguments are checked by the caller ({@link StoreDispatcher}); nothing here checks them again.
 *
 * A replica remembers the last version it wrote or read of recently touched jobs and decides a
 * step on it without reading the store first. That only saves a round trip, never changes an
 * outcome: a step is appended at the version it was decided on, so a stale copy costs one
 * conflict and a fresh read; and a decision that writes nothing (a refusal, a no-op) is never
 * taken on a remembered copy — it is taken again on a fresh read.
 */

import { FactEnv, offersOf } from '../dispatch/env.js';
import {
  dueAt,
  openSession,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  transition,
} from '../dispatch/session.js';
import type { Effect, UnavailableReason } from '../dispatch/types.js';
import type { Fleet } from '../fleet/fleet.js';
import { reservationOf } from '../plan/appointments.js';
import type { Policy } from '../plan/policy.js';
import { DuplicateIdError } from '../shared/errors.js';
import type { Job } from '../shared/types.js';
import { StoreConflictError } from './errors.js';
import type { AppendResult, DispatchStore, Step, StoredEvent, StoredJob } from './types.js';

/**
 * One replica's steps on a shared store: the transitions and the retry-on-conflict loop that
 * {@link StoreDispatcher}'s methods, its accept path and its timers are made of.
 * @internal
 */
export class StoreSteps {
  constructor(
    readonly store: DispatchStore,
    readonly fleet: Fleet,
    readonly policy: Policy,
    /** The policy's fingerprint, recorded by the opening event. */
    private readonly policyKey: string,
    /** Re-reads after a version conflict before {@link StoreConflictError}. */
    readonly maxRetries: number,
    /** How many jobs' last known versions this replica remembers (0: always read first). */
    private readonly knownLimit: number,
  ) {}

  /** Jobs' last known (version, state, time) as JSON text, least recently touched first. */
  private readonly known = new Map<string, { version: number; state: string; lastAt: number }>();

  /**
   * The job to decide a step on: `current` when a conflicting append returned it, else this
   * replica's remembered copy unless `fresh`, else the store's (with the request's recorded
   * answer, if any). A remembered copy carries no answer.
   */
  async read(
    jobId: string,
    requestId: string | undefined,
    fresh: boolean,
    current?: StoredJob,
  ): Promise<Read | undefined> {
    if (current) {
      // The store's answer to a conflicting append: as fresh as a read.
      this.note(jobId, current.version, JSON.stringify(current.state), current.lastAt);
      return { job: current, remembered: false };
    }
    const k = fresh ? undefined : this.known.get(jobId);
    if (k) {
      const job = { jobId, version: k.version, state: JSON.parse(k.state), lastAt: k.lastAt };
      return { job, remembered: true };
    }
    const job = await this.store.get(jobId, requestId);
    if (!job) {
      this.known.delete(jobId);
      return undefined;
    }
    this.note(jobId, job.version, JSON.stringify(job.state), job.lastAt);
    return { job, remembered: false };
  }

  /** Appends `step`; remembers the job's new version when stored, forgets it on any conflict. */
  async append(step: Step): Promise<AppendResult> {
    const r = await this.store.append(step);
    if (r.ok) this.stored(step);
    else this.known.delete(step.event.jobId);
    return r;
  }

  /** Remembers the version a stored step gave its job (also for steps another path stored, e.g. timers). */
  stored(step: Step): void {
    this.note(step.event.jobId, step.event.version, JSON.stringify(step.state), step.event.at);
  }

  private note(jobId: string, version: number, state: string, lastAt: number): void {
    if (this.knownLimit === 0) return;
    this.known.delete(jobId);
    this.known.set(jobId, { version, state, lastAt });
    if (this.known.size > this.knownLimit) this.known.delete(this.known.keys().next().value!);
  }

  /** Plans a checked job copy on this replica's fleet and appends its opening event at version 0. */
  async open(copy: Job, now: number): Promise<Effect[]> {
    const env = this.env(now);
    const fact = env.opening(copy, this.policyKey);
    const [state, effects] = openSession(
      {
        at: now,
        job: copy,
        ordinal: 0,
        policy: this.policy,
        candidates: offersOf(fact),
        waves: fact.waves ?? [],
        ...(fact.preferred === undefined ? {} : { preferred: offersOf(fact.preferred) }),
      },
      env,
    );
    const event: StoredEvent = {
      jobId: copy.id,
      version: 1,
      at: now,
      input: { type: 'open', job: copy, policy: this.policyKey },
      facts: env.facts,
      effects,
    };
    const r = await this.append({
      expectedVersion: 0,
      event,
      state: sessionToJSON(state),
      dueAt: due(state),
    });
    if (!r.ok) {
      throw new DuplicateIdError(`open(): job '${copy.id}' was already opened; use a new id for a new job.`);
    }
    return effects;
  }

  /**
   * Applies the input `make` builds from the job's current state (null: none, nothing changes),
   * retrying on a version conflict. A step that ends an assignment releases the winner's capacity
   * (or, for an appointment, his reserved window) in the same append. `fn` names the caller in the
   * conflict error; `onChange` runs once the step is appended. Returns the step's effects.
   */
  async update(
    jobId: string,
    now: number,
    fn: string,
    make: (at: number, s: SessionState) => SessionEvent | null,
    onChange?: () => void,
  ): Promise<Effect[]> {
    let fresh = false;
    let current: StoredJob | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; ) {
      const read = await this.read(jobId, undefined, fresh, current);
      current = undefined;
      if (!read) return [];
      const { job, remembered } = read;
      // A stale remembered copy is not another replica's win: only fresh reads count as attempts.
      if (!remembered) attempt++;
      fresh = true;
      const at = Math.max(now, job.lastAt);
      const s = sessionFromJSON(job.state);
      const env = this.env(at);
      const input = make(at, s);
      const [next, effects] = input === null ? [s, []] : transition(s, input, env);
      if (input === null || next === s) {
        if (remembered) continue; // nothing to write on a remembered copy: decide on the store's
        return [];
      }
      const step = this.stepOf(job, at, input, env.facts, next, effects);
      const winner = s.winner?.technicianId;
      const releases =
        input.type === 'complete' || input.type === 'cancel' || input.type === 'technicianCancel';
      if (releases && s.state === 'assigned' && winner) {
        if (s.job.window === undefined) {
          step.release = winner;
          step.event.released = winner;
        } else {
          step.event.unreserved = { technicianId: winner, jobId };
        }
      }
      if (input.type === 'decline') {
        const o = s.offers.find((x) => x.technicianId === input.technicianId)!;
        step.event.declined = { technicianId: input.technicianId, responseMs: at - o.sentAt };
      }
      const r = await this.append(step);
      if (r.ok) {
        onChange?.();
        return effects;
      }
      current = r.current;
    }
    throw this.conflict(fn, jobId);
  }

  /**
   * Withdraws the technician's running offers in every job the store lists for him (but `except`),
   * oldest job first, each job in its own step.
   */
  async withdrawAll(
    technicianId: string,
    now: number,
    reason: UnavailableReason,
    except: string | null,
  ): Promise<Effect[]> {
    const out: Effect[] = [];
    for (const jobId of await this.store.liveJobs(technicianId)) {
      if (jobId === except) continue;
      const effects = await this.update(jobId, now, 'withdraw', (at) => ({
        type: 'withdraw',
        at,
        technicianId,
        reason,
      }));
      for (const e of effects) out.push(e);
    }
    return out;
  }

  /**
   * What an assignment takes from the winner: one unit of capacity, reserved by the store — or,
   * for an appointment, no capacity but its window, booked in the store (refused when it collides
   * with another of his) and reserved by followers on their fleets.
   */
  claim(step: Step, next: SessionState, technicianId: string): void {
    const booked = reservationOf(next);
    if (booked === undefined) step.reserve = this.reservation(technicianId);
    else {
      step.event.reserved = { technicianId, ...booked };
      step.travelSpeedKmh = this.policy.appointments.travelSpeedKmh;
    }
  }

  /** A live environment over this replica's fleet for one step at `at` (capacity is the store's). */
  env(at: number): FactEnv {
    return new FactEnv(this.fleet, this.policy, false).live(at);
  }

  /** The step that appends `input`'s transition of `job` at the version it was read at. */
  stepOf(
    job: StoredJob,
    at: number,
    input: SessionEvent,
    facts: StoredEvent['facts'],
    next: SessionState,
    effects: Effect[],
  ): Step {
    const version = job.version + 1;
    return {
      expectedVersion: job.version,
      event: { jobId: job.jobId, version, at, input, facts, effects },
      state: sessionToJSON(next),
      dueAt: due(next),
    };
  }

  /** The error once every attempt of `fn` on the job lost to another replica's append. */
  conflict(fn: string, jobId: string): StoreConflictError {
    return new StoreConflictError(
      `${fn}('${jobId}'): other replicas changed the job on each of ${this.maxRetries + 1} attempts; retry later (with the same request id) or raise maxRetries.`,
    );
  }

  /** A reservation of one unit of a technician's capacity (as this replica's fleet knows it, 1 if unknown). */
  private reservation(technicianId: string): NonNullable<Step['reserve']> {
    const slot = this.fleet.findSlot(technicianId);
    return { technicianId, capacity: slot < 0 ? 1 : this.fleet.capacity[slot]! };
  }
}

/** A job to decide a step on, and whether it is this replica's remembered copy (not read from the store). */
export interface Read {
  job: StoredJob;
  remembered: boolean;
}

function due(s: SessionState): number | null {
  return dueAt(s) ?? null;
}
