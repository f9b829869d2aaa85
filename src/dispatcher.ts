/**
 * The dispatcher: many open jobs over one fleet and one policy. It plans a job when it opens, runs
 * one pure {@link transition} per job and input, fires due timers through a heap (never a scan of
 * every job), keeps the fleet's counters current, and logs every input with the fleet facts it
 * read, so that a replay of the log — or a snapshot plus the log's tail — rebuilds the same state
 * without the fleet.
 *
 * Every input is write-ahead and all or nothing: its changes are recorded in an undo journal, the
 * event goes to `onEvent` before the call returns, and if persisting it (or handling it) throws,
 * the journal puts sessions, timers, offers and fleet counters back exactly as they were.
 */

import { ineligible, skipAtSend } from './dispatch/fleet-facts.js';
import { Journal } from './dispatch/journal.js';
import { hashOf, isTime, MAX_TIME, readLog, UNAVAILABLE_REASONS } from './dispatch/log.js';
import { PublicDistances } from './dispatch/privacy.js';
import { deepFreeze, GENESIS_HASH, snapshotDigest } from './dispatch/record.js';
import { readSnapshot } from './dispatch/snapshot-schema.js';
import { TimerQueue } from './dispatch/timers.js';
import type {
  AcceptOutcome,
  DispatchEvent,
  DispatcherSnapshot,
  Effect,
  Fact,
  JobStatus,
  PlannedOffer,
  SessionJSON,
  UnavailableReason,
} from './dispatch/types.js';
import {
  CrowdDispatchError,
  DuplicateIdError,
  describe,
  InputFailedError,
  InvalidArgumentError,
  InvalidRecordError,
  InvalidStateError,
  JobsFailedError,
  PersistenceError,
} from './errors.js';
import { Fleet, type SavedCounters } from './fleet.js';
import { plan } from './plan.js';
import { assertPolicy, type Policy } from './policy.js';
import {
  dueAt,
  evictAt,
  isRunning,
  offerOf,
  openSession,
  type SessionEnv,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  transition,
} from './session.js';
import type { Job, Plan } from './types.js';
import { readFields, readJob } from './validate.js';

/** Options of a {@link Dispatcher}. */
export interface DispatcherOptions {
  /** The live fleet; the dispatcher reads it and updates its counters (offers, responses, awards, load). */
  fleet: Fleet;
  /** A policy made by `createPolicy`; sessions copy what they need when they open. */
  policy: Policy;
  /**
   * What {@link Dispatcher.eventLog} keeps in memory: `'checkpoint'` keeps the events since the last
   * {@link Dispatcher.checkpoint} — which the dispatcher moves forward on its own every 10,000
   * events (or twice the jobs it knows), so memory stays flat; `true` keeps every event; `false` none
   * (stream them with `onEvent`). @default 'checkpoint'
   */
  keepLog?: boolean | 'checkpoint';
  /**
   * How long a closed job (completed, cancelled, unfilled) stays queryable — `status`, idempotent
   * accept replies, snapshots — before `advance` forgets it, ms; `Infinity` keeps every job.
   * Assigned jobs stay until completed or cancelled. Replays must use the same value. @default 3600000
   */
  retainClosedMs?: number;
  /**
   * Persists each new event (deeply frozen) before the input's result is returned; if it throws,
   * the input is undone entirely and the call throws {@link PersistenceError} (retry it). Not
   * called for replayed events. The dispatcher cannot be used from inside the hook.
   */
  onEvent?: (event: Readonly<DispatchEvent>) => void;
}

/** Options of {@link Dispatcher.replay} (static). */
export interface ReplayOptions extends DispatcherOptions {
  /**
   * Also re-apply the fleet counter updates (recordOffer/recordResponse/recordAward/release) while
   * replaying — for a fleet rebuilt from the same state it had when the log began. @default false
   */
  applyToFleet?: boolean;
}

// Undo journal codes (see Dispatcher.undo) and fleet write kinds.
const U_SESSION = 0;
const U_TIMER = 1;
const U_EVICTION = 2;
const U_RETIRED_PUT = 3;
const U_RETIRED_DEL = 4;
const U_RETIRED_BACK = 5;
const U_UNTRACK = 6;
const U_RETRACK = 7;
const U_FLEET = 8;
const W_OFFER = 0;
const W_REFUSED = 1;
const W_AWARD = 2;
const W_RELEASE = 3;

const OPTION_FIELDS = ['fleet', 'policy', 'keepLog', 'retainClosedMs', 'onEvent', 'applyToFleet'];
const NONE: string[] = [];
const NO_FACTS: Fact[] = [];
/** Events kept before the log is folded into a checkpoint (at least; see `keepLog`). */
const CHECKPOINT_EVENTS = 10_000;
/** Key of a winning request, for idempotency across reuses of a job id. */
const requestKey = (technicianId: string, requestId: string): string => `${technicianId}\u0000${requestId}`;

type Result = Effect[] | AcceptOutcome | boolean;

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
  readonly fleet: Fleet;
  readonly policy: Policy;
  /** Fingerprint of the policy, recorded with every opened job so a replay can check it. */
  private readonly policyKey: string;
  private sessions = new Map<string, SessionState>();
  private timers = new TimerQueue();
  /** When closed jobs are forgotten. */
  private evictions = new TimerQueue();
  /** Winning request keys of forgotten jobs, by job id, until `until` (see {@link requestKey}). */
  private retired = new Map<string, { until: number; keys: string[] }>();
  private retiredExpiry = new TimerQueue();
  private readonly retainMs: number;
  /** Technician id → jobs where he may hold a running offer (pruned lazily). */
  private liveByTech = new Map<string, string[]>();
  private log: DispatchEvent[] = [];
  private base: DispatcherSnapshot;
  private readonly keepLog: boolean | 'checkpoint';
  /** Whether events leave the dispatcher (kept or streamed): only then are they hashed and frozen. */
  private readonly exposed: boolean;
  private readonly onEvent: ((event: Readonly<DispatchEvent>) => void) | undefined;
  private seq = 0;
  private hash = GENESIS_HASH;
  private clock: number | null = null;
  private ordinal = 0;
  private readonly journal = new Journal((op, a, b, c) => this.undo(op, a, b, c));
  private readonly distances = new PublicDistances();
  /** Facts of the event being handled: recorded live, read back when replaying. */
  private facts: Fact[] = NO_FACTS;
  /** Number of `unavailable` calls so far in the event being handled. */
  private calls = 0;
  private failures: { jobId: string; error: unknown }[] | undefined;
  private busy = false;
  private replaying = false;
  private cursor = 0;
  private fleetWrites = true;
  private saturated = false;
  private now = 0;
  private readonly env: SessionEnv;

  constructor(options: DispatcherOptions) {
    const o = readFields(options, OPTION_FIELDS, 'new Dispatcher(options)', 'options', InvalidArgumentError);
    if (!(o.fleet instanceof Fleet)) {
      throw new InvalidArgumentError(
        `new Dispatcher(options): options.fleet is ${describe(o.fleet)}; pass { fleet: new Fleet(), policy }.`,
        'fleet',
      );
    }
    assertPolicy(o.policy);
    this.fleet = o.fleet;
    this.policy = o.policy;
    this.policyKey = fingerprint(o.policy);
    const keep = o.keepLog === undefined ? 'checkpoint' : o.keepLog;
    if (keep !== true && keep !== false && keep !== 'checkpoint') {
      throw new InvalidArgumentError(
        `new Dispatcher(): keepLog is ${describe(keep)}; pass true, false or 'checkpoint'.`,
        'keepLog',
      );
    }
    this.keepLog = keep;
    const retain = o.retainClosedMs === undefined ? 3_600_000 : o.retainClosedMs;
    if (
      typeof retain !== 'number' ||
      Number.isNaN(retain) ||
      retain < 0 ||
      (retain > MAX_TIME && retain !== Number.POSITIVE_INFINITY)
    ) {
      throw new InvalidArgumentError(
        `new Dispatcher(): retainClosedMs is ${describe(retain)}; pass ms from 0 to ${MAX_TIME} (Infinity keeps every job).`,
        'retainClosedMs',
      );
    }
    this.retainMs = retain;
    if (o.onEvent !== undefined && typeof o.onEvent !== 'function') {
      throw new InvalidArgumentError(
        `new Dispatcher(): onEvent is ${describe(o.onEvent)}; pass a function or leave it out.`,
        'onEvent',
      );
    }
    if (o.applyToFleet !== undefined && typeof o.applyToFleet !== 'boolean') {
      throw new InvalidArgumentError(
        `Dispatcher.replay(): applyToFleet is ${describe(o.applyToFleet)}; pass true or false.`,
        'applyToFleet',
      );
    }
    this.onEvent = o.onEvent as ((event: Readonly<DispatchEvent>) => void) | undefined;
    this.exposed = keep !== false || this.onEvent !== undefined;
    this.base = this.snapshotNow();
    this.env = {
      unavailable: (ids, cert) => {
        // Recorded only when someone was skipped (rare), tagged with the call's number in the event.
        const call = this.calls++;
        if (this.replaying) {
          const f = this.facts[this.cursor];
          if (f?.kind !== 'skipped' || f.call !== call) return NONE;
          this.cursor++;
          return f.ids;
        }
        let out: string[] | undefined;
        for (const id of ids)
          if (skipAtSend(this.fleet, this.policy, id, cert, this.now)) (out ??= []).push(id);
        if (out === undefined) return NONE;
        this.record({ kind: 'skipped', call, ids: out });
        return out;
      },
      replan: (job, ov) => {
        if (this.replaying) return offersOf(this.nextFact('candidates'));
        const p = plan(this.fleet, job, {
          now: this.now,
          policy: this.policy,
          exclude: ov.exclude,
          allowProsOnFriendJobs: ov.allowProsOnFriendJobs,
          ...(ov.maxRadiusKm === undefined ? {} : { maxRadiusKm: ov.maxRadiusKm }),
        });
        const fact: Fact = {
          kind: 'candidates',
          ids: p.candidates.map((c) => c.id),
          km: this.publicKms(p, job),
        };
        this.record(fact);
        return offersOf(fact);
      },
      verdict: (id, cert) => {
        if (this.replaying) {
          const f = this.nextFact('verdict');
          this.saturated = f.saturated;
          return f.reason;
        }
        const reason = ineligible(this.fleet, id, cert);
        const slot = this.fleet.findSlot(id);
        this.saturated = reason === null && this.fleet.load[slot]! + 1 >= this.fleet.capacity[slot]!;
        this.record({ kind: 'verdict', reason, saturated: this.saturated });
        return reason;
      },
    };
  }

  /**
   * Opens a job: plans it and sends the waves due at once. The job is copied to plain data first
   * (each field read once; unknown fields refused) and the copy is validated and stored. Throws
   * {@link InvalidJobError} for a bad job and {@link DuplicateIdError} for a job id the dispatcher knows.
   */
  open(job: Job, now: number): Effect[] {
    this.checkNow(now, 'open');
    const copy = readJob(job);
    if (this.sessions.has(copy.id)) {
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
   * not `fleet.release`, so that a later cancel cannot release him twice.
   */
  complete(jobId: string, now: number): boolean {
    this.checkNow(now, 'complete');
    checkId(jobId, 'jobId', 'complete');
    return this.handle('complete', { seq: 0, type: 'complete', at: now, jobId }) as boolean;
  }

  /**
   * A technician can no longer take jobs (went offline, reached capacity, was removed, lost a
   * certification): his running offers are withdrawn and each job notifies a replacement. Update
   * the fleet too; an accept is checked against the fleet in any case.
   */
  technicianUnavailable(technicianId: string, now: number, reason: UnavailableReason): Effect[] {
    this.checkNow(now, 'technicianUnavailable');
    checkId(technicianId, 'technicianId', 'technicianUnavailable');
    if (!UNAVAILABLE_REASONS.includes(reason)) {
      throw new InvalidArgumentError(
        `technicianUnavailable(): reason is ${describe(reason)}; use one of ${UNAVAILABLE_REASONS.join(', ')}.`,
      );
    }
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
    const s = typeof jobId === 'string' ? this.sessions.get(jobId) : undefined;
    if (!s) return undefined;
    const out: JobStatus = {
      jobId,
      state: s.state,
      openedAt: s.openedAt,
      deadlineAt: s.deadlineAt,
      notified: s.notified,
      liveOffers: 0,
      escalationSteps: s.nextStep,
    };
    if (s.job.partner !== undefined) out.partner = s.job.partner;
    if (s.winner) out.technicianId = s.winner.technicianId;
    if (s.closedAt !== null) out.closedAt = s.closedAt;
    if (s.completedAt !== null) out.completedAt = s.completedAt;
    if (s.reason !== null) out.reason = s.reason;
    const now = this.clock ?? s.openedAt;
    for (const o of s.offers) if (isRunning(s, o.technicianId, now)) out.liveOffers++;
    const due = dueAt(s);
    if (due !== undefined) out.nextDueAt = due;
    return out;
  }

  /** Jobs the dispatcher knows (open and closed). */
  get size(): number {
    return this.sessions.size;
  }

  /** When the next timer is due (call {@link advance} then), or undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    this.checkIdle('nextDueAt');
    for (;;) {
      const t = this.timers.peekAt();
      if (t === undefined) return undefined;
      const s = this.sessions.get(this.timers.peekJob());
      if (s && dueAt(s) === t) return t;
      this.timers.pop(); // stale entry
    }
  }

  /** Sequence number of the last event applied (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Events kept in memory with `seq > sinceSeq` (deeply frozen). By default, those since the
   * {@link checkpoint}; asking for events folded into the checkpoint is an error.
   */
  eventLog(sinceSeq: number = this.base.seq): DispatchEvent[] {
    this.checkIdle('eventLog');
    if (!Number.isInteger(sinceSeq) || sinceSeq < 0) {
      throw new InvalidArgumentError(
        `eventLog(): sinceSeq is ${describe(sinceSeq)}; pass a sequence number ≥ 0.`,
      );
    }
    if (sinceSeq < this.base.seq) {
      throw new InvalidStateError(
        `eventLog(${sinceSeq}): events up to ${this.base.seq} were folded into checkpoint() to bound memory; use Dispatcher.restore(d.checkpoint()).replay(d.eventLog()), or keepLog: true to keep them all.`,
      );
    }
    const first = this.log[0]?.seq ?? this.seq + 1;
    return this.log.slice(Math.max(0, sinceSeq + 1 - first));
  }

  /** Drops logged events up to and including `seq` (after a snapshot has been persisted). */
  truncateLog(seq: number): void {
    this.checkIdle('truncateLog');
    const first = this.log[0]?.seq ?? this.seq + 1;
    this.log = this.log.slice(Math.max(0, seq + 1 - first));
  }

  /** The snapshot the in-memory {@link eventLog} follows: `restore(checkpoint()).replay(eventLog())` is this dispatcher. */
  checkpoint(): DispatcherSnapshot {
    this.checkIdle('checkpoint');
    return structuredClone(this.base);
  }

  /**
   * Everything the dispatcher holds, as plain JSON (a fresh copy). The fleet is not included: it is
   * the caller's, and its counters already reflect every event up to {@link lastSeq}.
   */
  snapshot(): DispatcherSnapshot {
    this.checkIdle('snapshot');
    return this.snapshotNow();
  }

  /**
   * Rebuilds a dispatcher from a {@link snapshot}; follow with `replay(tail)` for the events logged
   * after it. Every field is checked first ({@link InvalidRecordError} names the path); running
   * offers keep their original deadlines.
   */
  static restore(snapshot: DispatcherSnapshot, options: DispatcherOptions): Dispatcher {
    const d = new Dispatcher(options);
    const copy = readSnapshot(snapshot, options.policy);
    d.seq = copy.seq;
    d.hash = copy.hash;
    d.clock = copy.now;
    d.ordinal = copy.ordinal;
    for (const json of copy.sessions) {
      const s = sessionFromJSON(json);
      d.sessions.set(s.job.id, s);
      const due = dueAt(s);
      if (due !== undefined) d.timers.push(due, s.ordinal, s.job.id);
      d.scheduleEviction(s);
      if (s.state === 'open') {
        for (const o of s.offers) if (o.status === 'live') d.track(o.technicianId, s.job.id);
      }
    }
    for (const r of copy.retired ?? []) {
      d.retired.set(r.jobId, { until: r.until, keys: r.keys });
      d.retiredExpiry.push(r.until, 0, r.jobId);
    }
    d.base = d.snapshotNow();
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
    const log = readLog(events, { seq: this.seq, at: this.clock, hash: this.hash }, 'replay()');
    const saved = this.backup();
    this.busy = true;
    this.replaying = true;
    this.fleetWrites = applyToFleet;
    try {
      for (const event of log) {
        this.facts = event.facts ?? NO_FACTS;
        this.cursor = 0;
        this.apply(event);
        if (this.cursor !== this.facts.length) {
          throw new InvalidRecordError(
            `replay(): event ${event.seq} recorded facts the replay did not use; the log does not match.`,
            `[${event.seq - saved.seq - 1}].facts`,
          );
        }
        this.commitEvent(deepFreeze(event));
      }
    } catch (error) {
      this.journal.rollback();
      Object.assign(this, saved.fields);
      if (error instanceof CrowdDispatchError) throw error;
      throw new InvalidRecordError(
        `replay(): the log does not apply (${describe(error)}); nothing was replayed.`,
      );
    } finally {
      this.journal.clear();
      this.replaying = false;
      this.fleetWrites = true;
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
    this.facts = NO_FACTS;
    this.failures = undefined;
    const ordinal = this.ordinal;
    let result: Result;
    try {
      result = this.apply(event);
      // An input that changed nothing is not logged (a refused accept, an idle advance…).
      if (this.journal.mark === 0 && this.failures === undefined) return result;
      event.seq = this.seq + 1;
      if (this.facts.length > 0) event.facts = this.facts;
      // An event nobody can see (no log kept, none streamed) is neither hashed nor frozen.
      if (this.exposed) {
        event.hash = hashOf(this.hash, event);
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
      this.commitEvent(event);
    } catch (error) {
      this.journal.rollback();
      this.ordinal = ordinal;
      if (error instanceof CrowdDispatchError) throw error;
      throw new InputFailedError(
        `${fn}(): handling the input threw ${error instanceof Error ? describe(error.message) : describe(error)}; nothing was applied — fix the cause and retry.`,
        { cause: error },
      );
    } finally {
      this.journal.clear();
      this.busy = false;
    }
    const failures = this.failures as { jobId: string; error: unknown }[] | undefined;
    if (failures !== undefined) {
      this.failures = undefined;
      throw new JobsFailedError(
        `advance(): ${failures.length} due job(s) threw and were left as they were (${failures.map((f) => `'${f.jobId}'`).join(', ')}); the other jobs were applied — perform error.effects, and advance again to retry them.`,
        result as Effect[],
        failures,
      );
    }
    return result;
  }

  private commitEvent(event: DispatchEvent): void {
    this.seq = event.seq;
    if (event.hash !== undefined) this.hash = event.hash;
    this.clock = event.at;
    if (this.keepLog === false) return;
    this.log.push(event);
    if (
      this.keepLog === 'checkpoint' &&
      this.log.length > Math.max(CHECKPOINT_EVENTS, 2 * this.sessions.size)
    ) {
      // Fold the log into a checkpoint: forgotten jobs' events leave memory.
      this.base = this.snapshotNow();
      this.log = [];
    }
  }

  private apply(event: DispatchEvent): Result {
    this.calls = 0;
    this.now = event.at;
    switch (event.type) {
      case 'open':
        return this.doOpen(event.job, event.at);
      case 'advance':
        return this.doAdvance(event.at);
      case 'accept':
        return this.doAccept(event.jobId, event.technicianId, event.at, event.requestId ?? null);
      case 'decline':
        return this.doDecline(event.jobId, event.technicianId, event.at);
      case 'cancel':
        return this.doCancel(event.jobId, event.at);
      case 'complete':
        return this.doComplete(event.jobId, event.at);
      case 'unavailable':
        return this.withdrawAll(event.technicianId, event.at, event.reason, null);
    }
  }

  /** Registers how to undo a change of the dispatcher's own state (replays restore a backup instead). */
  private note(op: number, a?: unknown, b?: unknown, c?: unknown): void {
    if (!this.replaying) this.journal.push(op, a, b, c);
  }

  /** Takes back one journal entry (see the `U_` codes). */
  private undo(op: number, a: unknown, b: unknown, c: unknown): void {
    switch (op) {
      case U_SESSION:
        if (b === undefined) this.sessions.delete(a as string);
        else this.sessions.set(a as string, b as SessionState);
        break;
      case U_TIMER:
        this.timers.push(a as number, b as number, c as string);
        break;
      case U_EVICTION:
        this.evictions.push(a as number, b as number, c as string);
        break;
      case U_RETIRED_PUT:
        this.retired.set(a as string, b as { until: number; keys: string[] });
        break;
      case U_RETIRED_DEL:
        this.retired.delete(a as string);
        break;
      case U_RETIRED_BACK:
        this.retired.set(a as string, b as { until: number; keys: string[] });
        this.retiredExpiry.push(c as number, 0, a as string);
        break;
      case U_UNTRACK:
        this.removeTracked(a as string, b as string);
        break;
      case U_RETRACK:
        this.addTracked(a as string, b as string);
        break;
      case U_FLEET:
        this.fleet.restoreCounters(a as SavedCounters);
        break;
    }
  }

  private setSession(jobId: string, next: SessionState | undefined): void {
    const prev = this.sessions.get(jobId);
    if (next === undefined) this.sessions.delete(jobId);
    else this.sessions.set(jobId, next);
    this.note(U_SESSION, jobId, prev);
  }

  private doOpen(job: Job, now: number): Effect[] {
    let fact: Extract<Fact, { kind: 'candidates' }>;
    if (this.replaying) {
      fact = this.nextFact('candidates');
      if (fact.policy !== undefined && fact.policy !== this.policyKey) {
        throw new InvalidStateError(
          `replay(): job '${job.id}' was opened under another policy (${fact.policy}, this one is ${this.policyKey}); replay with the policy the log was recorded with.`,
        );
      }
    } else {
      const p = plan(this.fleet, job, { now, policy: this.policy });
      fact = {
        kind: 'candidates',
        ids: p.candidates.map((c) => c.id),
        km: this.publicKms(p, job),
        waves: p.candidates.map((c) => c.wave),
        policy: this.policyKey,
      };
      this.record(fact);
    }
    const retired = this.retired.get(job.id);
    if (retired !== undefined) {
      this.retired.delete(job.id);
      this.note(U_RETIRED_PUT, job.id, retired);
    }
    const [state, effects] = openSession(
      {
        at: now,
        job,
        ordinal: this.ordinal++,
        policy: this.policy,
        candidates: offersOf(fact),
        waves: fact.waves ?? [],
        ...(retired === undefined ? {} : { retired: retired.keys }),
      },
      this.env,
    );
    this.setSession(job.id, state);
    const due = dueAt(state);
    if (due !== undefined) this.timers.push(due, state.ordinal, job.id);
    this.perform(effects);
    return effects;
  }

  private doAdvance(now: number): Effect[] {
    const out: Effect[] = [];
    let retry: [number, number, string][] | undefined;
    for (;;) {
      const t = this.timers.peekAt();
      if (t === undefined || t > now) break;
      const jobId = this.timers.peekJob();
      this.timers.pop();
      const s = this.sessions.get(jobId);
      if (!s || dueAt(s) !== t) continue; // stale entry
      this.note(U_TIMER, t, s.ordinal, jobId);
      const f = this.replaying ? this.facts[this.cursor] : undefined;
      if (f?.kind === 'failed' && f.jobId === jobId) {
        this.cursor++;
        (retry ??= []).push([t, s.ordinal, jobId]);
        continue;
      }
      const mark = this.journal.mark;
      const facts = this.facts.length;
      const calls = this.calls;
      let effects: Effect[];
      try {
        effects = this.step(s, { type: 'tick', at: now });
      } catch (error) {
        if (this.replaying) throw error;
        // This job only: undo its partial changes, keep its timer, go on with the others.
        this.journal.rollback(mark);
        if (this.facts !== NO_FACTS) this.facts.length = facts;
        this.calls = calls;
        this.record({ kind: 'failed', jobId });
        (this.failures ??= []).push({ jobId, error });
        (retry ??= []).push([t, s.ordinal, jobId]);
        continue;
      }
      for (const e of effects) out.push(e);
    }
    for (const [t, o, j] of retry ?? []) this.timers.push(t, o, j);
    for (;;) {
      const t = this.evictions.peekAt();
      if (t === undefined || t > now) break;
      const jobId = this.evictions.peekJob();
      const ord = this.evictions.peekOrdinal();
      this.evictions.pop();
      const s = this.sessions.get(jobId);
      if (!s || evictAt(s, this.retainMs) !== t) continue;
      this.note(U_EVICTION, t, ord, jobId);
      this.setSession(jobId, undefined);
      this.retire(s, t);
    }
    for (;;) {
      const t = this.retiredExpiry.peekAt();
      if (t === undefined || t > now) break;
      const jobId = this.retiredExpiry.peekJob();
      this.retiredExpiry.pop();
      const r = this.retired.get(jobId);
      if (r === undefined || r.until !== t) continue;
      this.retired.delete(jobId);
      this.note(U_RETIRED_BACK, jobId, r, t);
    }
    return out;
  }

  /**
   * Remembers a forgotten job's winning request (and those of its earlier incarnations) for another
   * `retainClosedMs`, so a late retry cannot win a new job opened with the same id.
   */
  private retire(s: SessionState, at: number): void {
    const keys = s.retired === undefined ? [] : s.retired.slice();
    const w = s.winner;
    if (w !== null && w.requestId !== null) keys.push(requestKey(w.technicianId, w.requestId));
    if (keys.length === 0 || this.retainMs === Number.POSITIVE_INFINITY) return;
    const until = Math.min(MAX_TIME, at + this.retainMs);
    const jobId = s.job.id;
    this.retired.set(jobId, { until, keys });
    this.retiredExpiry.push(until, 0, jobId);
    this.note(U_RETIRED_DEL, jobId);
  }

  private doAccept(
    jobId: string,
    technicianId: string,
    now: number,
    requestId: string | null,
  ): AcceptOutcome {
    const s = this.sessions.get(jobId);
    if (!s) return { outcome: 'unknown_job', jobId };
    this.saturated = false;
    const [next, effects, reply] = transition(
      s,
      { type: 'accept', at: now, technicianId, requestId },
      this.env,
    );
    this.commit(s, next, effects);
    const outcome = reply!;
    if (outcome.outcome === 'assigned' && !outcome.repeated && this.saturated) {
      // He holds as many jobs as he can: his other running offers go to someone else.
      const more = this.withdrawAll(technicianId, now, 'at_capacity', jobId);
      if (more.length > 0) outcome.effects = [...outcome.effects, ...more];
    }
    return outcome;
  }

  private doDecline(jobId: string, technicianId: string, now: number): Effect[] {
    const s = this.sessions.get(jobId);
    if (!s) return [];
    const offer = offerOf(s, technicianId);
    const running = isRunning(s, technicianId, now);
    const effects = this.step(s, { type: 'decline', at: now, technicianId });
    if (running) {
      this.untrack(technicianId, jobId);
      this.fleetWrite(technicianId, W_REFUSED, now, now - offer!.sentAt);
    }
    return effects;
  }

  private doCancel(jobId: string, now: number): Effect[] {
    const s = this.sessions.get(jobId);
    if (!s) return [];
    const effects = this.step(s, { type: 'cancel', at: now });
    if (s.state === 'assigned') this.releaseWinner(s.winner!.technicianId);
    return effects;
  }

  private doComplete(jobId: string, now: number): boolean {
    const s = this.sessions.get(jobId);
    if (s?.state !== 'assigned') return false;
    this.step(s, { type: 'complete', at: now });
    this.releaseWinner(s.winner!.technicianId);
    return true;
  }

  private releaseWinner(id: string): void {
    const { fleet } = this;
    if (fleet.has(id) && fleet.load[fleet.slotOf(id)]! > 0) this.fleetWrite(id, W_RELEASE, 0);
  }

  /** Writes a technician's counters (when this dispatcher writes the fleet), undoably. */
  private fleetWrite(id: string, kind: number, at: number, ms?: number): void {
    const { fleet } = this;
    if (!this.fleetWrites) return;
    const slot = fleet.findSlot(id);
    if (slot < 0) return;
    this.journal.push(U_FLEET, fleet.saveCounters(slot, kind === W_OFFER));
    if (kind === W_OFFER) fleet.recordOffer(id, at);
    else if (kind === W_REFUSED) fleet.recordResponse(id, false, ms);
    else if (kind === W_AWARD) {
      fleet.recordResponse(id, true, ms);
      fleet.recordAward(id, at);
    } else fleet.release(id);
  }

  /** Withdraws a technician's running offers in every job (but `except`), oldest job first. */
  private withdrawAll(
    technicianId: string,
    now: number,
    reason: UnavailableReason,
    except: string | null,
  ): Effect[] {
    const jobs = this.liveByTech.get(technicianId);
    if (!jobs) return [];
    const ordered: SessionState[] = [];
    for (const jobId of jobs) {
      const s = this.sessions.get(jobId);
      if (s && jobId !== except) ordered.push(s);
    }
    ordered.sort((a, b) => a.ordinal - b.ordinal);
    const out: Effect[] = [];
    for (const s of ordered) {
      for (const e of this.step(s, { type: 'withdraw', at: now, technicianId, reason })) out.push(e);
    }
    return out;
  }

  /** Runs one transition, stores the result, reschedules the job and performs fleet updates. */
  private step(s: SessionState, event: SessionEvent): Effect[] {
    const [next, effects] = transition(s, event, this.env);
    this.commit(s, next, effects);
    return effects;
  }

  private commit(s: SessionState, next: SessionState, effects: Effect[]): void {
    if (next === s) return;
    this.setSession(s.job.id, next);
    const due = dueAt(next);
    if (due !== undefined && due !== dueAt(s)) this.timers.push(due, next.ordinal, next.job.id);
    if (next.state !== s.state) this.scheduleEviction(next);
    this.perform(effects);
  }

  private scheduleEviction(s: SessionState): void {
    const t = evictAt(s, this.retainMs);
    if (t !== undefined && t !== Number.POSITIVE_INFINITY) this.evictions.push(t, s.ordinal, s.job.id);
  }

  /** Keeps the offer index and the fleet's counters in step with the effects. */
  private perform(effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'notify':
          for (const id of e.technicianIds) {
            this.track(id, e.jobId);
            this.fleetWrite(id, W_OFFER, e.at);
          }
          break;
        case 'expired':
          for (const id of e.technicianIds) {
            this.untrack(id, e.jobId);
            this.fleetWrite(id, W_REFUSED, e.at);
          }
          break;
        case 'revoke':
          for (const id of e.technicianIds) this.untrack(id, e.jobId);
          break;
        case 'assigned':
          this.untrack(e.technicianId, e.jobId);
          this.fleetWrite(e.technicianId, W_AWARD, e.at, e.responseMs);
          break;
        default:
          break;
      }
    }
  }

  // A technician holds running offers in a handful of jobs at most: a small array beats a Set.
  private track(technicianId: string, jobId: string): void {
    const jobs = this.liveByTech.get(technicianId);
    if (!jobs) this.liveByTech.set(technicianId, [jobId]);
    else if (!jobs.includes(jobId)) jobs.push(jobId);
    else return;
    this.note(U_UNTRACK, technicianId, jobId);
  }

  private addTracked(technicianId: string, jobId: string): void {
    const jobs = this.liveByTech.get(technicianId);
    if (!jobs) this.liveByTech.set(technicianId, [jobId]);
    else if (!jobs.includes(jobId)) jobs.push(jobId);
  }

  private untrack(technicianId: string, jobId: string): void {
    if (this.removeTracked(technicianId, jobId)) this.note(U_RETRACK, technicianId, jobId);
  }

  private removeTracked(technicianId: string, jobId: string): boolean {
    const jobs = this.liveByTech.get(technicianId);
    if (!jobs) return false;
    const i = jobs.indexOf(jobId);
    if (i < 0) return false;
    jobs[i] = jobs[jobs.length - 1]!;
    jobs.pop();
    if (jobs.length === 0) this.liveByTech.delete(technicianId);
    return true;
  }

  /** The distances effects show: from each technician's privacy cell, never his exact position. */
  private publicKms(p: Plan, job: Job): number[] {
    const d = this.distances;
    d.setJob(job.lat, job.lon);
    return p.candidates.map((c) => d.km(this.fleet, this.fleet.slotOf(c.id)));
  }

  private record(fact: Fact): void {
    if (this.facts === NO_FACTS) this.facts = [];
    this.facts.push(fact);
  }

  private nextFact<K extends Fact['kind']>(kind: K): Extract<Fact, { kind: K }> {
    const f = this.facts[this.cursor++];
    if (f === undefined || f.kind !== kind) {
      throw new InvalidRecordError(
        `replay(): expected a recorded '${kind}' fact but found ${f ? `'${f.kind}'` : 'none'}; the log does not match this dispatcher (same policy? complete log?).`,
      );
    }
    return f as Extract<Fact, { kind: K }>;
  }

  private snapshotNow(): DispatcherSnapshot {
    const sessions: SessionJSON[] = [];
    for (const s of this.sessions.values()) sessions.push(sessionToJSON(s));
    const snap: DispatcherSnapshot = {
      version: 1,
      seq: this.seq,
      hash: this.hash,
      now: this.clock,
      ordinal: this.ordinal,
      sessions,
    };
    if (this.retired.size > 0) {
      snap.retired = [...this.retired].map(([jobId, r]) => ({ jobId, until: r.until, keys: r.keys.slice() }));
    }
    const copy = JSON.parse(JSON.stringify(snap)) as DispatcherSnapshot;
    copy.digest = snapshotDigest(copy);
    return copy;
  }

  /** What a failed replay puts back (sessions are immutable values: copying the maps is enough). */
  private backup(): { seq: number; fields: Record<string, unknown> } {
    const liveByTech = new Map<string, string[]>();
    for (const [k, v] of this.liveByTech) liveByTech.set(k, v.slice());
    return {
      seq: this.seq,
      fields: {
        sessions: new Map(this.sessions),
        timers: this.timers.clone(),
        evictions: this.evictions.clone(),
        retired: new Map(this.retired),
        retiredExpiry: this.retiredExpiry.clone(),
        liveByTech,
        log: this.log.slice(),
        base: this.base,
        seq: this.seq,
        hash: this.hash,
        clock: this.clock,
        ordinal: this.ordinal,
      },
    };
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
    if (!isTime(now)) {
      throw new InvalidArgumentError(
        `${fn}(): now is ${describe(now)}; pass the current time in ms (an integer within ±${MAX_TIME}, the JavaScript Date range).`,
        'now',
      );
    }
    if (this.clock !== null && now < this.clock) {
      throw new InvalidArgumentError(
        `${fn}(): now is ${now}, before the previous input (${this.clock}); pass inputs in time order.`,
        'now',
      );
    }
  }
}

function checkId(value: unknown, name: string, fn: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1_000) {
    throw new InvalidArgumentError(
      `${fn}(): ${name} is ${describe(value)}; pass a non-empty string (at most 1000 characters).`,
      name,
    );
  }
}

/** FNV-1a over the policy's JSON: a short tag that changes when any setting changes. */
export function fingerprint(policy: Policy): string {
  const text = JSON.stringify(policy);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function offersOf(fact: { ids: string[]; km: number[] }): PlannedOffer[] {
  return fact.ids.map((id, i) => ({ id, km: fact.km[i]! }));
}
