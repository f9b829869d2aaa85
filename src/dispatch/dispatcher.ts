/**
 * The dispatcher: many open jobs over one fleet and one policy — the public face of the in-memory
 * dispatch. It checks every argument, hands each input to the core (`./dispatch/core.ts`, which
 * plans, runs the session machines and keeps timers and fleet counters), and makes every input
 * write-ahead and all or nothing: the core journals its changes, the new event goes to `onEvent`
 * before the call returns, and if persisting it (or handling it) throws, the journal puts
 * everything back. It keeps the event log (folded into a checkpoint to bound memory), snapshots,
 * restores and replays (`restore.ts`) — a replay of the log, or a snapshot plus the log's tail,
 * rebuilds the same state without the fleet — and reports a job's status (`status.ts`).
 */

import type { Fleet } from '../fleet/fleet.js';
import { readJob } from '../plan/job-input.js';
import type { Policy } from '../plan/policy.js';
import {
  CrowdDispatchError,
  DuplicateIdError,
  describe,
  InputFailedError,
  InvalidArgumentError,
  InvalidRecordError,
  InvalidStateError,
  PersistenceError,
} from '../shared/errors.js';
import type { Job } from '../shared/types.js';
import { checkCompletionReason, checkId, checkTime, checkUnavailableReason } from './checks.js';
import { DispatchCore, type JobFailure, type Result } from './core.js';
import { fingerprint } from './env.js';
import { JobsFailedError } from './errors.js';
import type { DispatchEvent, DispatcherSnapshot } from './event-types.js';
import { hashOf, readLog } from './log.js';
import { type DispatcherOptions, type ReplayOptions, resolveOptions } from './options.js';
import { deepFreeze } from './record.js';
import { EventRecorder } from './recorder.js';
import { replayLog, restoreFrom, snapshotOf } from './restore.js';
import { readSnapshot } from './snapshot-schema.js';
import { statusOf } from './status.js';
import type {
  AcceptOutcome,
  CompletionReason,
  Effect,
  JobStatus,
  TechnicianCancelOutcome,
  UnavailableReason,
} from './types.js';

export type { DispatcherOptions, ReplayOptions } from './options.js';

/**
 * Runs live dispatch for many jobs at once.
 * @example
 * const dispatcher = new Dispatcher({ fleet, policy: createPolicy() });
 * let effects = dispatcher.open(job, now);          // notify wave 0
 * effects = dispatcher.advance(now + 15_000);       // wave 1, …
 * const r = dispatcher.accept(job.id, 'anna', now + 16_000, 'req-1');
 * if (r.outcome === 'assigned') perform(r.effects); // assigned + revoke to the others
 */
export class Dispatcher {
  /** The fleet offers are planned from (as passed to the constructor). */
  readonly fleet: Fleet;
  /** The policy every job follows (as passed to the constructor). */
  readonly policy: Policy;
  private readonly core: DispatchCore;
  /** The event log, its checkpoint, and the last event's sequence number, hash and time. */
  private readonly rec: EventRecorder;
  /** Whether events leave the dispatcher (kept or streamed): only then are they hashed and frozen. */
  private readonly exposed: boolean;
  private readonly onEvent: ((event: Readonly<DispatchEvent>) => void) | undefined;
  private busy = false;

  constructor(options: DispatcherOptions) {
    const o = resolveOptions(options);
    this.fleet = o.fleet;
    this.policy = o.policy;
    this.onEvent = o.onEvent;
    this.exposed = o.keepLog !== false || o.onEvent !== undefined;
    this.core = new DispatchCore(o.fleet, o.policy, fingerprint(o.policy), o.retainMs);
    this.rec = new EventRecorder(
      o.keepLog,
      () => snapshotOf(this.core, this.rec),
      () => this.core.size,
    );
    this.rec.base = snapshotOf(this.core, this.rec);
  }

  /**
   * Opens a job: plans it and sends the waves due at once. The job is copied to plain data first
   * (each field read once; unknown fields refused) and the copy is validated and stored. Throws
   * {@link InvalidJobError} for a bad job and {@link DuplicateIdError} for a job id the dispatcher knows.
   */
  open(job: Job, now: number): Effect[] {
    this.checkNow(now, 'open');
    const copy = readJob(job);
    if (this.core.session(copy.id) !== undefined) {
      throw new DuplicateIdError(`open(): job '${copy.id}' was already opened; use a new id for a new job.`);
    }
    return this.handle('open', { seq: 0, type: 'open', at: now, job: copy }) as Effect[];
  }

  /**
   * Fires every timer due at or before `now` across all open jobs; returns their effects. Each job
   * is handled all or nothing: if one throws, it is left exactly as it was (timer included) and the
   * others are applied; the call then throws {@link JobsFailedError}, whose `effects` must be performed.
   */
  advance(now: number): Effect[] {
    this.checkNow(now, 'advance');
    return this.handle('advance', { seq: 0, type: 'advance', at: now }) as Effect[];
  }

  /**
   * A technician accepts a job. Exactly one accept per job is `assigned`; every other answer is a
   * refusal (see {@link AcceptOutcome}). `requestId` makes a retry of the winner's accept idempotent,
   * also after the job was forgotten and its id opened again.
   */
  accept(jobId: string, technicianId: string, now: number, requestId?: string): AcceptOutcome {
    this.checkNow(now, 'accept');
    checkId(jobId, 'jobId', 'accept');
    checkId(technicianId, 'technicianId', 'accept');
    if (requestId !== undefined) checkId(requestId, 'requestId', 'accept');
    const event: DispatchEvent = { seq: 0, type: 'accept', at: now, jobId, technicianId };
    if (requestId !== undefined) event.requestId = requestId;
    return this.handle('accept', event) as AcceptOutcome;
  }

  /** A technician declines: the next wave is pulled forward. Declines of offers not running change nothing. */
  decline(jobId: string, technicianId: string, now: number): Effect[] {
    this.checkNow(now, 'decline');
    checkId(jobId, 'jobId', 'decline');
    checkId(technicianId, 'technicianId', 'decline');
    return this.handle('decline', { seq: 0, type: 'decline', at: now, jobId, technicianId }) as Effect[];
  }

  /** Cancels a job: running offers (or the winner's assignment, whose load is released) are revoked. */
  cancel(jobId: string, now: number): Effect[] {
    this.checkNow(now, 'cancel');
    checkId(jobId, 'jobId', 'cancel');
    return this.handle('cancel', { seq: 0, type: 'cancel', at: now, jobId }) as Effect[];
  }

  /**
   * The winner finished an assigned job: his load is released (once) and the job is `completed`.
   * Returns false, changing nothing, for a job that is not assigned. Release a winner through this,
   * not `fleet.release`, so that a later cancel cannot release him twice. `reason` records a
   * no-show (`customer_no_show`, `technician_no_show` — the latter counts against his
   * responsiveness like a cancellation); leave it out (or `done`) for a finished job.
   * @example
   * dispatcher.complete(job.id, now);                       // done
   * dispatcher.complete(job.id, now, 'customer_no_show');   // nobody home: released, logged
   */
  complete(jobId: string, now: number, reason: CompletionReason = 'done'): boolean {
    this.checkNow(now, 'complete');
    checkId(jobId, 'jobId', 'complete');
    checkCompletionReason(reason, 'complete');
    const event: DispatchEvent = { seq: 0, type: 'complete', at: now, jobId };
    if (reason !== 'done') event.reason = reason;
    return this.handle('complete', event) as boolean;
  }

  /**
   * The winner cancels an assigned job: his load is released, the cancellation counts against his
   * responsiveness, and the job re-opens without him (a new deadline and the steps not yet taken
   * count from now, a first batch is re-planned — see docs/cancellations.md). He is never offered
   * this job again. Anyone else, or a job that is not assigned, gets a refusal and nothing changes.
   * @example
   * const r = dispatcher.technicianCancel(job.id, 'anna', now, 'car broke down');
   * if (r.outcome === 'reopened') perform(r.effects); // reopened + notify
   */
  technicianCancel(
    jobId: string,
    technicianId: string,
    now: number,
    reason?: string,
  ): TechnicianCancelOutcome {
    this.checkNow(now, 'technicianCancel');
    checkId(jobId, 'jobId', 'technicianCancel');
    checkId(technicianId, 'technicianId', 'technicianCancel');
    if (reason !== undefined) checkId(reason, 'reason', 'technicianCancel');
    const event: DispatchEvent = { seq: 0, type: 'technicianCancel', at: now, jobId, technicianId };
    if (reason !== undefined) event.reason = reason;
    return this.handle('technicianCancel', event) as TechnicianCancelOutcome;
  }

  /**
   * A technician can no longer take jobs (went offline, reached capacity, was removed, lost a
   * certification): his running offers are withdrawn and each job notifies a replacement. Update
   * the fleet too; an accept is checked against the fleet in any case.
   */
  technicianUnavailable(technicianId: string, now: number, reason: UnavailableReason): Effect[] {
    this.checkNow(now, 'technicianUnavailable');
    checkId(technicianId, 'technicianId', 'technicianUnavailable');
    checkUnavailableReason(reason, 'technicianUnavailable');
    return this.handle('technicianUnavailable', {
      seq: 0,
      type: 'unavailable',
      at: now,
      technicianId,
      reason,
    }) as Effect[];
  }

  /** A job's status, or undefined for a job the dispatcher does not know. */
  status(jobId: string): JobStatus | undefined {
    this.checkIdle('status');
    const s = typeof jobId === 'string' ? this.core.session(jobId) : undefined;
    if (!s) return undefined;
    return statusOf(jobId, s, this.rec.clock);
  }

  /** Jobs the dispatcher knows (open and closed). */
  get size(): number {
    return this.core.size;
  }

  /** When the next timer is due (call {@link advance} then), or undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    this.checkIdle('nextDueAt');
    return this.core.nextDueAt();
  }

  /** Sequence number of the last event applied (0 before any). */
  get lastSeq(): number {
    return this.rec.seq;
  }

  /**
   * Events kept in memory with `seq > sinceSeq` (deeply frozen). By default, those since the
   * {@link checkpoint}; asking for events folded into the checkpoint is an error.
   */
  eventLog(sinceSeq: number = this.rec.base.seq): DispatchEvent[] {
    this.checkIdle('eventLog');
    return this.rec.since(sinceSeq);
  }

  /** Drops logged events up to and including `seq` (after a snapshot has been persisted). */
  truncateLog(seq: number): void {
    this.checkIdle('truncateLog');
    this.rec.truncate(seq);
  }

  /** The snapshot the in-memory {@link eventLog} follows: `restore(checkpoint()).replay(eventLog())` is this dispatcher. */
  checkpoint(): DispatcherSnapshot {
    this.checkIdle('checkpoint');
    return structuredClone(this.rec.base);
  }

  /**
   * Everything the dispatcher holds, as plain JSON (a fresh copy). The fleet is not included: it is
   * the caller's, and its counters already reflect every event up to {@link lastSeq}.
   */
  snapshot(): DispatcherSnapshot {
    this.checkIdle('snapshot');
    return snapshotOf(this.core, this.rec);
  }

  /**
   * Rebuilds a dispatcher from a {@link Dispatcher.snapshot | snapshot}; follow with `replay(tail)` for the events logged
   * after it. Every field is checked first ({@link InvalidRecordError} names the path); running
   * offers keep their original deadlines.
   */
  static restore(snapshot: DispatcherSnapshot, options: DispatcherOptions): Dispatcher {
    const d = new Dispatcher(options);
    restoreFrom(d.core, d.rec, readSnapshot(snapshot, options.policy));
    return d;
  }

  /** Rebuilds a dispatcher by replaying a whole log from the start. */
  static replay(log: readonly DispatchEvent[], options: ReplayOptions): Dispatcher {
    return new Dispatcher(options).replay(log, options.applyToFleet ?? false);
  }

  /**
   * Applies logged events using the facts they recorded. The whole log is checked first — schema,
   * consecutive sequence numbers, times, hash chain — and applied all or nothing: if any event does
   * not match, this dispatcher (and, with `applyToFleet`, the fleet) is left as it was.
   */
  replay(events: readonly DispatchEvent[], applyToFleet = false): this {
    this.checkIdle('replay');
    const rec = this.rec;
    const log = readLog(events, { seq: rec.seq, at: rec.clock, hash: rec.hash }, 'replay()');
    this.busy = true;
    try {
      replayLog(this.core, rec, log, applyToFleet);
    } finally {
      this.busy = false;
    }
    return this;
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Handles a live input write-ahead: apply with undo, persist, then commit — or undo everything. */
  private handle(fn: string, event: DispatchEvent): Result {
    if (this.busy) {
      throw new InvalidStateError(
        `${fn}(): the dispatcher is handling another input (called from inside onEvent?); call it after that input returns.`,
      );
    }
    this.busy = true;
    const core = this.core;
    core.env.live(event.at);
    core.failures = undefined;
    const ordinal = core.ordinal;
    let result: Result;
    try {
      result = core.apply(event);
      // An input that changed nothing is not logged (a refused accept, an idle advance…).
      if (core.journal.mark === 0 && core.failures === undefined) return result;
      event.seq = this.rec.seq + 1;
      if (core.env.facts.length > 0) event.facts = core.env.facts;
      // An event nobody can see (no log kept, none streamed) is neither hashed nor frozen.
      if (this.exposed) {
        event.hash = hashOf(this.rec.hash, event);
        deepFreeze(event);
      }
      if (this.onEvent !== undefined) {
        try {
          this.onEvent(event);
        } catch (cause) {
          throw new PersistenceError(
            `${fn}(): onEvent threw while persisting event ${event.seq} (${cause instanceof Error ? describe(cause.message) : describe(cause)}); nothing was applied — retry the same call.`,
            { cause },
          );
        }
      }
      this.rec.commit(event);
    } catch (error) {
      core.journal.rollback();
      core.ordinal = ordinal;
      if (error instanceof CrowdDispatchError) throw error;
      throw new InputFailedError(
        `${fn}(): handling the input threw ${error instanceof Error ? describe(error.message) : describe(error)}; nothing was applied — fix the cause and retry.`,
        { cause: error },
      );
    } finally {
      core.journal.clear();
      this.busy = false;
    }
    const failures = core.failures as JobFailure[] | undefined;
    if (failures !== undefined) {
      core.failures = undefined;
      throw new JobsFailedError(
        `advance(): ${failures.length} due job(s) threw and were left as they were (${failures.map((f) => `'${f.jobId}'`).join(', ')}); the other jobs were applied — perform error.effects, and advance again to retry them.`,
        result as Effect[],
        failures,
      );
    }
    return result;
  }

  private checkIdle(fn: string): void {
    if (this.busy) {
      throw new InvalidStateError(
        `${fn}(): the dispatcher is in the middle of an input (called from inside onEvent?); call it after that input returns.`,
      );
    }
  }

  private checkNow(now: number, fn: string): void {
    this.checkIdle(fn);
    checkTime(now, fn);
    const clock = this.rec.clock;
    if (clock !== null && now < clock) {
      throw new InvalidArgumentError(
        `${fn}(): now is ${now}, before the previous input (${clock}); pass inputs in time order.`,
        'now',
      );
    }
  }
}
