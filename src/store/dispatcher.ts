/**
 * A dispatcher whose jobs live in a {@link DispatchStore} shared by several processes. Each input
 * reads the job, runs the same pure `transition` as the in-memory dispatcher, and appends the
 * result at the version it read; when another replica appended first, it re-reads and retries (at
 * most `maxRetries` times). An accept reserves the winner's capacity in the same append, so capacity
 * and "who won" are decided by the store, never by a replica's view of the fleet.
 *
 * This module is the public face: options and argument checks, then one call into the machinery —
 * `steps.ts` (read, transition, append, retry), `accept.ts` (the accept path), `advance.ts` (timers).
 */

import {
  checkCompletionReason,
  checkId,
  checkTime as checkNow,
  checkUnavailableReason,
} from '../dispatch/checks.js';
import { fingerprint } from '../dispatch/env.js';
import { technicianCancelRefusal } from '../dispatch/session.js';
import type {
  AcceptOutcome,
  CompletionReason,
  Effect,
  TechnicianCancelOutcome,
  UnavailableReason,
} from '../dispatch/types.js';
import { Fleet } from '../fleet/fleet.js';
import { readJob } from '../plan/job-input.js';
import { assertPolicy, type Policy } from '../plan/policy.js';
import { InvalidArgumentError } from '../shared/errors.js';
import type { Job } from '../shared/types.js';
import { readFields } from '../shared/validate.js';
import { acceptOnStore } from './accept.js';
import { advanceOnStore } from './advance.js';
import type { StoreConflictError } from './errors.js';
import { StoreSteps } from './steps.js';
import type { DispatchStore } from './types.js';

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
  /**
   * How many recently touched jobs this replica remembers at the version it last wrote or read,
   * so that a step on one of them is appended without reading it first (a stale copy costs one
   * version conflict and a read; refusals are always decided on a read). 0 reads every time.
   * @default 10000
   */
  rememberedJobs?: number;
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
  /** The shared store (as passed in the options). */
  readonly store: DispatchStore;
  /** This replica's fleet (as passed in the options). */
  readonly fleet: Fleet;
  /** The policy (as passed in the options). */
  readonly policy: Policy;
  private readonly steps: StoreSteps;
  private readonly timerBatch: number;

  constructor(options: StoreDispatcherOptions) {
    if (options === null || typeof options !== 'object' || !(options.fleet instanceof Fleet)) {
      throw new InvalidArgumentError(
        'new StoreDispatcher(options): pass { store, fleet, policy } with a Fleet.',
      );
    }
    // Unknown option names are refused (a misspelt one would silently keep its default).
    readFields(options, OPTION_FIELDS, 'new StoreDispatcher()', '', InvalidArgumentError);
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
    const policyKey = fingerprint(options.policy);
    const maxRetries = count(options.maxRetries, 8, 'maxRetries');
    this.timerBatch = count(options.timerBatch, 64, 'timerBatch');
    if (this.timerBatch < 1) {
      throw new InvalidArgumentError('new StoreDispatcher(): timerBatch is 0; pass at least 1.');
    }
    const remembered = count(options.rememberedJobs, 10_000, 'rememberedJobs');
    this.steps = new StoreSteps(this.store, this.fleet, this.policy, policyKey, maxRetries, remembered);
  }

  /** Opens a job: plans it on this replica's fleet and stores its session. Throws DuplicateIdError for a known id. */
  async open(job: Job, now: number): Promise<Effect[]> {
    checkNow(now, 'open');
    // A strict copy, read once: unknown fields are refused, as by the in-memory dispatcher.
    return this.steps.open(readJob(job), now);
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
    return acceptOnStore(this.steps, jobId, technicianId, now, requestId);
  }

  /** A technician declines: the next wave is pulled forward. */
  async decline(jobId: string, technicianId: string, now: number): Promise<Effect[]> {
    checkNow(now, 'decline');
    checkId(jobId, 'jobId', 'decline');
    checkId(technicianId, 'technicianId', 'decline');
    return this.steps.update(jobId, now, 'decline', (at) => ({ type: 'decline', at, technicianId }));
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
    return this.steps.update(jobId, now, 'withdraw', (at) => ({
      type: 'withdraw',
      at,
      technicianId,
      reason,
    }));
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
    return this.steps.withdrawAll(technicianId, now, reason, null);
  }

  /** Cancels a job; an assigned winner's capacity is released in the same step. */
  async cancel(jobId: string, now: number): Promise<Effect[]> {
    checkNow(now, 'cancel');
    checkId(jobId, 'jobId', 'cancel');
    return this.steps.update(jobId, now, 'cancel', (at) => ({ type: 'cancel', at }));
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
    await this.steps.update(
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
    const effects = await this.steps.update(jobId, now, 'technicianCancel', (at, s) => {
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
    return advanceOnStore(this.steps, now, this.timerBatch);
  }
}

const OPTION_FIELDS = ['store', 'fleet', 'policy', 'maxRetries', 'timerBatch', 'rememberedJobs'] as const;

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `new StoreDispatcher(): ${name} is ${String(value)}; pass an integer ≥ 0.`,
    );
  }
  return value;
}
