/**
 * How the store-backed dispatcher changes one job: read it, run the same pure {@link transition}
 * as the in-memory dispatcher on this replica's fleet, and append the result at the version it
 * read; when another replica appended first, read again and retry (at most `maxRetries` times).
 * Arguments are checked by the caller ({@link StoreDispatcher}); nothing here checks them again.
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
import type { DispatchStore, Step, StoredEvent, StoredJob } from './types.js';

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
  ) {}

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
    const r = await this.store.append({
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
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const job = await this.store.get(jobId);
      if (!job) return [];
      const at = Math.max(now, job.lastAt);
      const s = sessionFromJSON(job.state);
      const env = this.env(at);
      const input = make(at, s);
      if (input === null) return [];
      const [next, effects] = transition(s, input, env);
      if (next === s) return [];
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
      const r = await this.store.append(step);
      if (r.ok) {
        onChange?.();
        return effects;
      }
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

function due(s: SessionState): number | null {
  return dueAt(s) ?? null;
}
