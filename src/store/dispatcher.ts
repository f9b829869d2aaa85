/**
 * A dispatcher whose jobs live in a {@link DispatchStore} shared by several processes. Each input
 * reads the job, runs the same pure {@link transition} as the in-memory dispatcher, and appends the
 * result at the version it read; when another replica appended first, it re-reads and retries (at
 * most `maxRetries` times). An accept reserves the winner's capacity in the same append, so capacity
 * and "who won" are decided by the store, never by a replica's view of the fleet.
 */

import {
  checkCompletionReason,
  checkId,
  checkTime as checkNow,
  checkUnavailableReason,
} from '../dispatch/checks.js';
import { FactEnv, fingerprint, offersOf } from '../dispatch/env.js';
import { JobsFailedError } from '../dispatch/errors.js';
import {
  dueAt,
  openSession,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  technicianCancelRefusal,
  transition,
} from '../dispatch/session.js';
import type {
  AcceptOutcome,
  CompletionReason,
  Effect,
  SessionJSON,
  TechnicianCancelOutcome,
  UnavailableReason,
} from '../dispatch/types.js';
import { Fleet } from '../fleet/fleet.js';
import { reservationOf } from '../plan/appointments.js';
import { readJob } from '../plan/job-input.js';
import { assertPolicy, type Policy } from '../plan/policy.js';
import { DuplicateIdError, InvalidArgumentError } from '../shared/errors.js';
import type { Job } from '../shared/types.js';
import { StoreConflictError } from './errors.js';
import type { DispatchStore, Step, StoredEvent, StoredJob } from './types.js';

/** Options of a {@link StoreDispatcher}. */
export interface StoreDispatcherOptions {
  /** The shared store (a `MemoryStore`, or `PostgresStore` from `crowd-dispatch/postgres`). */
  store: DispatchStore;
  /** This replica's fleet: plans and eligibility are read from it (keep it current with a `FleetFollower`). */
  fleet: Fleet;
  /** The policy; every replica must use the same one (the opening event records its fingerprint). */
  policy: Policy;
  /** Re-reads of a job after another replica appended first, before {@link StoreConflictError}. @default 8 */
  maxRetries?: number;
  /** Jobs claimed per timer transaction by {@link StoreDispatcher.advance}. @default 64 */
  timerBatch?: number;
}

/**
 * Runs live dispatch on a shared store: any number of replicas, one winner per job.
 * @example
 * const dispatcher = new StoreDispatcher({ store, fleet, policy: createPolicy() });
 * await dispatcher.open(job, Date.now());
 * const r = await dispatcher.accept(job.id, 'anna', Date.now(), 'req-1'); // retry-safe
 * await dispatcher.advance(Date.now());                                   // from any replica
 * await store.deliver(100, send);                                         // effects, at least once
 */
export class StoreDispatcher {
  readonly store: DispatchStore;
  readonly fleet: Fleet;
  readonly policy: Policy;
  private readonly policyKey: string;
  private readonly maxRetries: number;
  private readonly timerBatch: number;

  constructor(options: StoreDispatcherOptions) {
    if (options === null || typeof options !== 'object' || !(options.fleet instanceof Fleet)) {
      throw new InvalidArgumentError(
        'new StoreDispatcher(options): pass { store, fleet, policy } with a Fleet.',
      );
    }
    const store = options.store as Partial<DispatchStore> | undefined;
    if (!store || typeof store.append !== 'function' || typeof store.claimDue !== 'function') {
      throw new InvalidArgumentError(
        'new StoreDispatcher(options): options.store is not a DispatchStore; pass a MemoryStore or a PostgresStore.',
      );
    }
    assertPolicy(options.policy);
    this.store = options.store;
    this.fleet = options.fleet;
    this.policy = options.policy;
    this.policyKey = fingerprint(options.policy);
    this.maxRetries = count(options.maxRetries, 8, 'maxRetries');
    this.timerBatch = count(options.timerBatch, 64, 'timerBatch');
    if (this.timerBatch < 1) {
      throw new InvalidArgumentError('new StoreDispatcher(): timerBatch is 0; pass at least 1.');
    }
  }

  /** Opens a job: plans it on this replica's fleet and stores its session. Throws DuplicateIdError for a known id. */
  async open(job: Job, now: number): Promise<Effect[]> {
    checkNow(now, 'open');
    // A strict copy, read once: unknown fields are refused, as by the in-memory dispatcher.
    const copy = readJob(job);
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
   * A technician accepts. Exactly one accept per job is ever `assigned`, across every replica; a
   * retry with the same `requestId` (after a timeout, or from another replica) returns the original answer.
   */
  async accept(jobId: string, technicianId: string, now: number, requestId?: string): Promise<AcceptOutcome> {
    checkNow(now, 'accept');
    checkId(jobId, 'jobId', 'accept');
    checkId(technicianId, 'technicianId', 'accept');
    if (requestId !== undefined) checkId(requestId, 'requestId', 'accept');
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      // One read: the job and, for a retry, the answer it already got.
      const job = await this.store.get(jobId, requestId);
      if (!job) return { outcome: 'unknown_job', jobId };
      // An assignment stands while its request still holds the job (not after its winner cancelled).
      const stale = job.answer?.outcome === 'assigned' && !holds(job.state, technicianId, requestId);
      if (job.answer && !stale) return repeatOf(job.answer);
      const at = Math.max(now, job.lastAt);
      const s = sessionFromJSON(job.state);
      const env = this.env(at);
      const input: SessionEvent = { type: 'accept', at, technicianId, requestId: requestId ?? null };
      const [next, effects, reply] = transition(s, input, env);
      const outcome = reply!;
      if (outcome.outcome === 'held') {
        // Best accept: collected, no capacity reserved (the award reserves it); the answer is not final.
        if (next === s) return outcome;
        const r = await this.store.append(this.stepOf(job, at, input, env.facts, next, effects));
        if (r.ok) return outcome;
        continue;
      }
      if (outcome.outcome !== 'assigned' || next === s)
        return stale ? outcome : this.refuse(jobId, requestId, outcome);
      const step = this.stepOf(job, at, input, env.facts, next, effects);
      this.claim(step, next, technicianId);
      if (requestId !== undefined) step.request = { requestId, outcome: { ...outcome, effects: [] } };
      const r = await this.store.append(step);
      if (r.ok) {
        if (r.full) {
          // He holds as many jobs as he can: his other running offers go to someone else. The
          // assignment is committed whatever happens here; offers a failure leaves running are
          // refused at accept by the store's capacity, and technicianUnavailable finishes the job.
          try {
            const more = await this.withdrawAll(technicianId, now, 'at_capacity', jobId);
            if (more.length > 0) outcome.effects = [...outcome.effects, ...more];
          } catch {
            // The caller gets the assignment; the withdrawals that failed stay undone (see above).
          }
        }
        return outcome;
      }
      if (r.conflict === 'capacity') {
        return this.refuse(jobId, requestId, { outcome: 'no_longer_eligible', jobId, reason: 'at_capacity' });
      }
    }
    throw this.conflict('accept', jobId);
  }

  /** A technician declines: the next wave is pulled forward. */
  async decline(jobId: string, technicianId: string, now: number): Promise<Effect[]> {
    checkNow(now, 'decline');
    checkId(jobId, 'jobId', 'decline');
    checkId(technicianId, 'technicianId', 'decline');
    return this.update(jobId, now, 'decline', (at) => ({ type: 'decline', at, technicianId }));
  }

  /** A technician can no longer take this job: his running offer is withdrawn and a replacement notified. */
  async withdraw(
    jobId: string,
    technicianId: string,
    now: number,
    reason: UnavailableReason,
  ): Promise<Effect[]> {
    checkNow(now, 'withdraw');
    checkId(jobId, 'jobId', 'withdraw');
    checkId(technicianId, 'technicianId', 'withdraw');
    checkUnavailableReason(reason, 'withdraw');
    return this.update(jobId, now, 'withdraw', (at) => ({ type: 'withdraw', at, technicianId, reason }));
  }

  /**
   * A technician can no longer take jobs (offline, at capacity, removed, lost a certification):
   * his running offers are withdrawn in every job, oldest job first, each job in its own step.
   * If the replica dies part-way, the offers left are still refused at accept by the store's
   * capacity or the replicas' eligibility checks; call it again to finish.
   */
  async technicianUnavailable(
    technicianId: string,
    now: number,
    reason: UnavailableReason,
  ): Promise<Effect[]> {
    checkNow(now, 'technicianUnavailable');
    checkId(technicianId, 'technicianId', 'technicianUnavailable');
    checkUnavailableReason(reason, 'technicianUnavailable');
    return this.withdrawAll(technicianId, now, reason, null);
  }

  /** Cancels a job; an assigned winner's capacity is released in the same step. */
  async cancel(jobId: string, now: number): Promise<Effect[]> {
    checkNow(now, 'cancel');
    checkId(jobId, 'jobId', 'cancel');
    return this.update(jobId, now, 'cancel', (at) => ({ type: 'cancel', at }));
  }

  /**
   * The winner finished the job (or a no-show, see `Dispatcher.complete`): his capacity is
   * released. False (nothing changed) unless the job is assigned.
   */
  async complete(jobId: string, now: number, reason: CompletionReason = 'done'): Promise<boolean> {
    checkNow(now, 'complete');
    checkId(jobId, 'jobId', 'complete');
    checkCompletionReason(reason, 'complete');
    let changed = false;
    await this.update(
      jobId,
      now,
      'complete',
      (at) => (reason === 'done' ? { type: 'complete', at } : { type: 'complete', at, reason }),
      () => {
        changed = true;
      },
    );
    return changed;
  }

  /**
   * The winner cancels an assigned job: his capacity is released in the same step and the job
   * re-opens without him (as `Dispatcher.technicianCancel`).
   * @example
   * const r = await dispatcher.technicianCancel(job.id, 'anna', Date.now(), 'car broke down');
   */
  async technicianCancel(
    jobId: string,
    technicianId: string,
    now: number,
    reason?: string,
  ): Promise<TechnicianCancelOutcome> {
    checkNow(now, 'technicianCancel');
    checkId(jobId, 'jobId', 'technicianCancel');
    checkId(technicianId, 'technicianId', 'technicianCancel');
    if (reason !== undefined) checkId(reason, 'reason', 'technicianCancel');
    let refusal: TechnicianCancelOutcome | undefined;
    const effects = await this.update(jobId, now, 'technicianCancel', (at, s) => {
      const why = technicianCancelRefusal(s, technicianId);
      if (why !== null) {
        refusal = { outcome: why, jobId };
        return null;
      }
      return reason === undefined
        ? { type: 'technicianCancel', at, technicianId }
        : { type: 'technicianCancel', at, technicianId, reason };
    });
    if (refusal === undefined && effects.length === 0) return { outcome: 'unknown_job', jobId };
    return refusal ?? { outcome: 'reopened', jobId, effects };
  }

  /**
   * Fires every wave, expiry, escalation step and deadline due at or before `now`, on any job,
   * in transactions of `timerBatch` jobs claimed so that no two replicas fire the same step.
   */
  async advance(now: number): Promise<Effect[]> {
    checkNow(now, 'advance');
    const out: Effect[] = [];
    const failures: { jobId: string; error: unknown }[] = [];
    const skip = new Set<string>();
    for (;;) {
      const r = await this.store.claimDue(
        now,
        this.timerBatch,
        (job, full) => {
          const at = Math.max(now, job.lastAt);
          const s = sessionFromJSON(job.state);
          const env = this.env(at);
          if (full.length > 0) env.full = full;
          const input: SessionEvent = { type: 'tick', at };
          const [next, effects] = transition(s, input, env);
          if (next === s) return null;
          const step = this.stepOf(job, at, input, env.facts, next, effects);
          // A best-accept window closed with an award: the store reserves the winner's capacity.
          const won = effects.find((e) => e.type === 'assigned');
          if (won) this.claim(step, next, won.technicianId);
          return step;
        },
        skip,
      );
      for (const step of r.applied) for (const e of step.event.effects) out.push(e);
      for (const f of r.failures) {
        failures.push(f);
        skip.add(f.jobId); // tried again by the next advance, not in this one
      }
      if (r.claimed < this.timerBatch) break;
    }
    if (failures.length > 0) {
      throw new JobsFailedError(
        `advance(): ${failures.length} due job(s) failed and were left as they were, still due (${failures
          .slice(0, 5)
          .map((f) => `'${f.jobId}'`)
          .join(
            ', ',
          )}${failures.length > 5 ? ', …' : ''}); the others were applied — perform error.effects, and see error.failures.`,
        out,
        failures,
      );
    }
    return out;
  }

  // ---- internals ----------------------------------------------------------------------------

  private async refuse(
    jobId: string,
    requestId: string | undefined,
    outcome: AcceptOutcome,
  ): Promise<AcceptOutcome> {
    if (requestId === undefined || outcome.outcome === 'assigned' || outcome.outcome === 'unknown_job')
      return outcome;
    return repeatOf(await this.store.remember(jobId, requestId, outcome), outcome);
  }

  private async withdrawAll(
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

  private async update(
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
   * What an assignment takes from the winner: one unit of capacity, reserved by the store — or,
   * for an appointment, no capacity: followers reserve its window on their fleets.
   */
  private claim(step: Step, next: SessionState, technicianId: string): void {
    const booked = reservationOf(next);
    if (booked === undefined) step.reserve = this.reservation(technicianId);
    else step.event.reserved = { technicianId, ...booked };
  }

  /** A reservation of one unit of a technician's capacity (as this replica's fleet knows it, 1 if unknown). */
  private reservation(technicianId: string): NonNullable<Step['reserve']> {
    const slot = this.fleet.findSlot(technicianId);
    return { technicianId, capacity: slot < 0 ? 1 : this.fleet.capacity[slot]! };
  }

  /** A live environment over this replica's fleet for one step at `at` (capacity is the store's). */
  private env(at: number): FactEnv {
    return new FactEnv(this.fleet, this.policy, false).live(at);
  }

  private stepOf(
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

  private conflict(fn: string, jobId: string): StoreConflictError {
    return new StoreConflictError(
      `${fn}('${jobId}'): other replicas changed the job on each of ${this.maxRetries + 1} attempts; retry later (with the same request id) or raise maxRetries.`,
    );
  }
}

/** Whether the job's winner is still this technician's request. */
function holds(state: SessionJSON, technicianId: string, requestId: string | undefined): boolean {
  const w = state.winner;
  return w !== null && w.technicianId === technicianId && w.requestId === (requestId ?? null);
}

function due(s: SessionState): number | null {
  return dueAt(s) ?? null;
}

/** A recorded answer handed out again: an assignment is marked as a repeat and carries no effects. */
function repeatOf(had: AcceptOutcome, fresh?: AcceptOutcome): AcceptOutcome {
  if (had.outcome === 'assigned') return { ...had, repeated: true, effects: [] };
  return fresh && JSON.stringify(fresh) === JSON.stringify(had) ? fresh : had;
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `new StoreDispatcher(): ${name} is ${String(value)}; pass an integer ≥ 0.`,
    );
  }
  return value;
}
