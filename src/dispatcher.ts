/**
 * The dispatcher: many open jobs over one fleet and one policy. It plans a job when it opens, runs
 * one pure {@link transition} per job and input, fires due timers through a heap (never a scan of
 * every job), keeps the fleet's counters current, and logs every input with the fleet facts it
 * read, so that a replay of the log — or a snapshot plus the log's tail — rebuilds the same state
 * without the fleet.
 */

import { TimerQueue } from './dispatch/timers.js';
import type {
  AcceptOutcome,
  DispatchEvent,
  DispatcherSnapshot,
  Effect,
  Fact,
  IneligibleReason,
  JobStatus,
  PlannedOffer,
  SessionJSON,
  UnavailableReason,
} from './dispatch/types.js';
import { DuplicateIdError, InvalidArgumentError, InvalidStateError } from './errors.js';
import { F_HAS_CAPACITY, F_NOTIFIED, F_ONLINE, F_WINDOWS, Fleet } from './fleet.js';
import { M_STRIDE } from './geo/grid.js';
import { plan } from './plan.js';
import { assertPolicy, type Policy } from './policy.js';
import {
  coarsenKm,
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
import type { Job } from './types.js';
import { validateJob } from './validate.js';

/** Options of a {@link Dispatcher}. */
export interface DispatcherOptions {
  /** The live fleet; the dispatcher reads it and updates its counters (offers, responses, awards, load). */
  fleet: Fleet;
  /** A policy made by `createPolicy`; sessions copy what they need when they open. */
  policy: Policy;
  /** Keep every event in memory for {@link Dispatcher.eventLog}. Turn off and use `onEvent` to stream it instead. @default true */
  keepLog?: boolean;
  /**
   * How long a closed job (completed, cancelled, unfilled) stays queryable — `status`, idempotent
   * accept replies, snapshots — before `advance` forgets it, ms; `Infinity` keeps every job.
   * Assigned jobs stay until completed or cancelled. Replays must use the same value. @default 3600000
   */
  retainClosedMs?: number;
  /** Called with every new event once it is applied (to persist the log); not called for replayed events. */
  onEvent?: (event: DispatchEvent) => void;
}

/** Options of {@link Dispatcher.replay} (static). */
export interface ReplayOptions extends DispatcherOptions {
  /**
   * Also re-apply the fleet counter updates (recordOffer/recordResponse/recordAward/release) while
   * replaying — for a fleet rebuilt from the same state it had when the log began. @default false
   */
  applyToFleet?: boolean;
}

const NONE: string[] = [];
const NO_FACTS: Fact[] = [];
const UNAVAILABLE_REASONS: readonly UnavailableReason[] = [
  'offline',
  'at_capacity',
  'removed',
  'certification_revoked',
];

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
  private readonly sessions = new Map<string, SessionState>();
  private readonly timers = new TimerQueue();
  /** When closed jobs are forgotten. */
  private readonly evictions = new TimerQueue();
  private readonly retainMs: number;
  /** Technician id → jobs where he may hold a running offer (pruned lazily). */
  private readonly liveByTech = new Map<string, string[]>();
  private log: DispatchEvent[] = [];
  private readonly keepLog: boolean;
  private readonly onEvent: ((event: DispatchEvent) => void) | undefined;
  private seq = 0;
  private clock: number | null = null;
  private ordinal = 0;
  /** Facts of the event being handled: recorded live, read back when replaying. */
  private facts: Fact[] = NO_FACTS;
  /** Number of `unavailable` calls so far in the event being handled. */
  private calls = 0;
  private replaying = false;
  private cursor = 0;
  private fleetWrites = true;
  private saturated = false;
  private now = 0;
  private readonly env: SessionEnv;

  constructor(options: DispatcherOptions) {
    if (options === null || typeof options !== 'object' || !(options.fleet instanceof Fleet)) {
      throw new InvalidArgumentError(
        'new Dispatcher(options): options.fleet must be a Fleet; pass { fleet, policy }.',
      );
    }
    assertPolicy(options.policy);
    this.fleet = options.fleet;
    this.policy = options.policy;
    this.policyKey = fingerprint(options.policy);
    this.keepLog = options.keepLog ?? true;
    const retain = options.retainClosedMs ?? 3_600_000;
    if (typeof retain !== 'number' || Number.isNaN(retain) || retain < 0) {
      throw new InvalidArgumentError(
        `new Dispatcher(): retainClosedMs is ${String(retain)}; pass ms ≥ 0 (Infinity keeps every job).`,
      );
    }
    this.retainMs = retain;
    this.onEvent = options.onEvent;
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
        for (const id of ids) if (this.skipAtSend(id, cert)) (out ??= []).push(id);
        if (out === undefined) return NONE;
        this.record({ kind: 'skipped', call, ids: out });
        return out;
      },
      replan: (job, o) => {
        if (this.replaying) return offersOf(this.nextFact('candidates'));
        const p = plan(this.fleet, job, {
          now: this.now,
          policy: this.policy,
          exclude: o.exclude,
          allowProsOnFriendJobs: o.allowProsOnFriendJobs,
          ...(o.maxRadiusKm === undefined ? {} : { maxRadiusKm: o.maxRadiusKm }),
        });
        const fact: Fact = {
          kind: 'candidates',
          ids: p.candidates.map((c) => c.id),
          km: p.candidates.map((c) => coarsenKm(c.distanceKm)),
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
        const reason = this.ineligible(id, cert);
        const slot = this.fleet.findSlot(id);
        this.saturated = reason === null && this.fleet.load[slot]! + 1 >= this.fleet.capacity[slot]!;
        this.record({ kind: 'verdict', reason, saturated: this.saturated });
        return reason;
      },
    };
  }

  /**
   * Opens a job: plans it and sends the waves due at once. Throws {@link InvalidJobError} for a bad
   * job and {@link DuplicateIdError} for a job id the dispatcher already knows.
   */
  open(job: Job, now: number): Effect[] {
    this.checkNow(now, 'open');
    validateJob(job);
    if (this.sessions.has(job.id)) {
      throw new DuplicateIdError(`open(): job '${job.id}' was already opened; use a new id for a new job.`);
    }
    return this.handle({
      seq: 0,
      type: 'open',
      at: now,
      job: JSON.parse(JSON.stringify(job)) as Job,
    }) as Effect[];
  }

  /** Fires every timer due at or before `now` across all open jobs; returns their effects. */
  advance(now: number): Effect[] {
    this.checkNow(now, 'advance');
    return this.handle({ seq: 0, type: 'advance', at: now }) as Effect[];
  }

  /**
   * A technician accepts a job. Exactly one accept per job is `assigned`; every other answer is a
   * refusal (see {@link AcceptOutcome}). `requestId` makes a retry of the winner's accept idempotent.
   */
  accept(jobId: string, technicianId: string, now: number, requestId?: string): AcceptOutcome {
    this.checkNow(now, 'accept');
    checkId(jobId, 'jobId', 'accept');
    checkId(technicianId, 'technicianId', 'accept');
    if (requestId !== undefined) checkId(requestId, 'requestId', 'accept');
    const event: DispatchEvent = { seq: 0, type: 'accept', at: now, jobId, technicianId };
    if (requestId !== undefined) event.requestId = requestId;
    return this.handle(event) as AcceptOutcome;
  }

  /** A technician declines: the next wave is pulled forward. Declines of offers not running change nothing. */
  decline(jobId: string, technicianId: string, now: number): Effect[] {
    this.checkNow(now, 'decline');
    checkId(jobId, 'jobId', 'decline');
    checkId(technicianId, 'technicianId', 'decline');
    return this.handle({ seq: 0, type: 'decline', at: now, jobId, technicianId }) as Effect[];
  }

  /** Cancels a job: running offers (or the winner's assignment, whose load is released) are revoked. */
  cancel(jobId: string, now: number): Effect[] {
    this.checkNow(now, 'cancel');
    checkId(jobId, 'jobId', 'cancel');
    return this.handle({ seq: 0, type: 'cancel', at: now, jobId }) as Effect[];
  }

  /**
   * The winner finished an assigned job: his load is released (once) and the job is `completed`.
   * Returns false, changing nothing, for a job that is not assigned. Release a winner through this,
   * not `fleet.release`, so that a later cancel cannot release him twice.
   */
  complete(jobId: string, now: number): boolean {
    this.checkNow(now, 'complete');
    checkId(jobId, 'jobId', 'complete');
    return this.handle({ seq: 0, type: 'complete', at: now, jobId }) as boolean;
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
        `technicianUnavailable(): reason is ${JSON.stringify(reason)}; use one of ${UNAVAILABLE_REASONS.join(', ')}.`,
      );
    }
    return this.handle({ seq: 0, type: 'unavailable', at: now, technicianId, reason }) as Effect[];
  }

  /** A job's status, or undefined for a job the dispatcher does not know. */
  status(jobId: string): JobStatus | undefined {
    const s = this.sessions.get(jobId);
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

  /** Events kept in memory with `seq > sinceSeq` (all of them by default). */
  eventLog(sinceSeq = 0): DispatchEvent[] {
    const first = this.log[0]?.seq ?? this.seq + 1;
    return this.log.slice(Math.max(0, sinceSeq + 1 - first));
  }

  /** Drops logged events up to and including `seq` (after a snapshot has been persisted). */
  truncateLog(seq: number): void {
    const first = this.log[0]?.seq ?? this.seq + 1;
    this.log = this.log.slice(Math.max(0, seq + 1 - first));
  }

  /**
   * Everything the dispatcher holds, as plain JSON. The fleet is not included: it is the caller's,
   * and its counters already reflect every event up to {@link lastSeq}.
   */
  snapshot(): DispatcherSnapshot {
    const sessions: SessionJSON[] = [];
    for (const s of this.sessions.values()) sessions.push(sessionToJSON(s));
    return JSON.parse(
      JSON.stringify({ version: 1, seq: this.seq, now: this.clock, ordinal: this.ordinal, sessions }),
    ) as DispatcherSnapshot;
  }

  /**
   * Rebuilds a dispatcher from a {@link snapshot}; follow with `replay(tail)` for the events logged
   * after it. Running offers keep their original deadlines.
   */
  static restore(snapshot: DispatcherSnapshot, options: DispatcherOptions): Dispatcher {
    const d = new Dispatcher(options);
    if (
      snapshot === null ||
      typeof snapshot !== 'object' ||
      snapshot.version !== 1 ||
      !Array.isArray(snapshot.sessions) ||
      !Number.isInteger(snapshot.seq) ||
      !Number.isInteger(snapshot.ordinal)
    ) {
      throw new InvalidStateError(
        'Dispatcher.restore(): not a version 1 dispatcher snapshot; pass the object snapshot() returned (after JSON round trip).',
      );
    }
    const copy = JSON.parse(JSON.stringify(snapshot)) as DispatcherSnapshot;
    d.seq = copy.seq;
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
    return d;
  }

  /** Rebuilds a dispatcher by replaying a whole log from the start. */
  static replay(log: readonly DispatchEvent[], options: ReplayOptions): Dispatcher {
    return new Dispatcher(options).replay(log, options.applyToFleet ?? false);
  }

  /**
   * Applies logged events (each must have the next sequence number) using the facts they recorded.
   * With `applyToFleet`, the fleet's counters are updated as they were live.
   */
  replay(events: readonly DispatchEvent[], applyToFleet = false): this {
    for (const event of events) {
      if (event.seq !== this.seq + 1) {
        throw new InvalidStateError(
          `replay(): event seq ${event.seq} does not follow ${this.seq}; replay the log from the snapshot's seq + 1 without gaps.`,
        );
      }
      this.replaying = true;
      this.fleetWrites = applyToFleet;
      this.facts = event.facts ?? [];
      this.cursor = 0;
      try {
        this.handle(event);
        if (this.cursor !== this.facts.length) {
          throw new InvalidStateError(
            `replay(): event ${event.seq} recorded facts the replay did not use; the log does not match.`,
          );
        }
      } finally {
        this.replaying = false;
        this.fleetWrites = true;
      }
    }
    return this;
  }

  // ---- internals ----------------------------------------------------------------------------

  private handle(event: DispatchEvent): Effect[] | AcceptOutcome | boolean {
    if (!this.replaying) this.facts = NO_FACTS;
    this.calls = 0;
    this.now = event.at;
    let result: Effect[] | AcceptOutcome | boolean;
    switch (event.type) {
      case 'open':
        result = this.doOpen(event.job, event.at);
        break;
      case 'advance':
        result = this.doAdvance(event.at);
        break;
      case 'accept':
        result = this.doAccept(event.jobId, event.technicianId, event.at, event.requestId ?? null);
        break;
      case 'decline':
        result = this.doDecline(event.jobId, event.technicianId, event.at);
        break;
      case 'cancel':
        result = this.doCancel(event.jobId, event.at);
        break;
      case 'complete':
        result = this.doComplete(event.jobId, event.at);
        break;
      case 'unavailable':
        result = this.withdrawAll(event.technicianId, event.at, event.reason, null);
        break;
    }
    this.seq++;
    this.clock = event.at;
    // Live events are built by the public methods (ours to fill in); replayed ones are logged as given.
    const logged = event;
    if (!this.replaying) {
      logged.seq = this.seq;
      if (this.facts.length > 0) logged.facts = this.facts;
    }
    if (this.keepLog) this.log.push(logged);
    // Replayed events are already in the caller's durable log: only new ones are announced.
    if (!this.replaying) this.onEvent?.(logged);
    return result;
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
        km: p.candidates.map((c) => coarsenKm(c.distanceKm)),
        waves: p.candidates.map((c) => c.wave),
        policy: this.policyKey,
      };
      this.record(fact);
    }
    const [state, effects] = openSession(
      {
        at: now,
        job,
        ordinal: this.ordinal++,
        policy: this.policy,
        candidates: offersOf(fact),
        waves: fact.waves ?? [],
      },
      this.env,
    );
    this.sessions.set(job.id, state);
    const due = dueAt(state);
    if (due !== undefined) this.timers.push(due, state.ordinal, job.id);
    this.perform(effects);
    return effects;
  }

  private doAdvance(now: number): Effect[] {
    const out: Effect[] = [];
    for (;;) {
      const t = this.timers.peekAt();
      if (t === undefined || t > now) break;
      const jobId = this.timers.peekJob();
      this.timers.pop();
      const s = this.sessions.get(jobId);
      if (!s || dueAt(s) !== t) continue; // stale entry
      const effects = this.step(s, { type: 'tick', at: now });
      for (const e of effects) out.push(e);
    }
    for (;;) {
      const t = this.evictions.peekAt();
      if (t === undefined || t > now) break;
      const jobId = this.evictions.peekJob();
      this.evictions.pop();
      const s = this.sessions.get(jobId);
      if (s && evictAt(s, this.retainMs) === t) this.sessions.delete(jobId);
    }
    return out;
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
      if (this.fleetWrites && this.fleet.has(technicianId)) {
        this.fleet.recordResponse(technicianId, false, now - offer!.sentAt);
      }
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
    if (this.fleetWrites && this.fleet.has(id) && this.fleet.load[this.fleet.slotOf(id)]! > 0)
      this.fleet.release(id);
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
    this.sessions.set(s.job.id, next);
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
    const { fleet } = this;
    const writes = this.fleetWrites;
    for (const e of effects) {
      switch (e.type) {
        case 'notify':
          for (const id of e.technicianIds) {
            this.track(id, e.jobId);
            if (writes && fleet.has(id)) fleet.recordOffer(id, e.at);
          }
          break;
        case 'expired':
          for (const id of e.technicianIds) {
            this.untrack(id, e.jobId);
            if (writes && fleet.has(id)) fleet.recordResponse(id, false);
          }
          break;
        case 'revoke':
          for (const id of e.technicianIds) this.untrack(id, e.jobId);
          break;
        case 'assigned':
          this.untrack(e.technicianId, e.jobId);
          if (writes && fleet.has(e.technicianId)) {
            fleet.recordResponse(e.technicianId, true, e.responseMs);
            fleet.recordAward(e.technicianId, e.at);
          }
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
  }

  private untrack(technicianId: string, jobId: string): void {
    const jobs = this.liveByTech.get(technicianId);
    if (!jobs) return;
    const i = jobs.indexOf(jobId);
    if (i < 0) return;
    jobs[i] = jobs[jobs.length - 1]!;
    jobs.pop();
    if (jobs.length === 0) this.liveByTech.delete(technicianId);
  }

  /**
   * Whether a planned technician must be skipped when his wave goes out: no longer eligible, or
   * (rules of the plan that depend on time) outside his availability windows or at the policy's
   * notification cap by now.
   */
  private skipAtSend(technicianId: string, certPartner: string | null): boolean {
    if (this.ineligible(technicianId, certPartner) !== null) return true;
    const fleet = this.fleet;
    const slot = fleet.findSlot(technicianId);
    const flags = fleet.index.meta[fleet.index.slotEntry[slot]! * M_STRIDE]!;
    if (flags & F_WINDOWS && !fleet.isAvailable(slot, flags, this.now)) return true;
    const cap = this.policy.notificationCap;
    return (
      cap !== null &&
      (flags & F_NOTIFIED) !== 0 &&
      fleet.atNotificationCap(slot, this.now, cap.windowMs, cap.max)
    );
  }

  /** Why a technician cannot take a job now (null when he can), read from the fleet. */
  private ineligible(technicianId: string, certPartner: string | null): IneligibleReason | null {
    const fleet = this.fleet;
    const slot = fleet.findSlot(technicianId);
    if (slot < 0) return 'removed';
    const flags = fleet.flags[slot]!;
    if ((flags & F_ONLINE) === 0) return 'offline';
    if ((flags & F_HAS_CAPACITY) === 0) return 'at_capacity';
    if (certPartner !== null) {
      const bit = fleet.partnerBits.get(certPartner);
      const certs = fleet.index.meta[fleet.index.slotEntry[slot]! * M_STRIDE + 2]!;
      if (bit === undefined || (certs & bit) === 0) return 'not_certified';
    }
    return null;
  }

  private record(fact: Fact): void {
    if (this.facts === NO_FACTS) this.facts = [];
    this.facts.push(fact);
  }

  private nextFact<K extends Fact['kind']>(kind: K): Extract<Fact, { kind: K }> {
    const f = this.facts[this.cursor++];
    if (f === undefined || f.kind !== kind) {
      throw new InvalidStateError(
        `replay(): expected a recorded '${kind}' fact but found ${f ? `'${f.kind}'` : 'none'}; the log does not match this dispatcher (same policy? complete log?).`,
      );
    }
    return f as Extract<Fact, { kind: K }>;
  }

  private checkNow(now: number, fn: string): void {
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new InvalidArgumentError(
        `${fn}(): now is ${String(now)}; pass the current time in ms (a finite number).`,
      );
    }
    if (this.clock !== null && now < this.clock) {
      throw new InvalidArgumentError(
        `${fn}(): now is ${now}, before the previous input (${this.clock}); pass inputs in time order.`,
      );
    }
  }
}

function checkId(value: unknown, name: string, fn: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${fn}(): ${name} is ${JSON.stringify(value)}; pass a non-empty string.`);
  }
}

/** FNV-1a over the policy's JSON: a short tag that changes when any setting changes. */
function fingerprint(policy: Policy): string {
  const text = JSON.stringify(policy);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function offersOf(fact: { ids: string[]; km: number[] }): PlannedOffer[] {
  return fact.ids.map((id, i) => ({ id, km: fact.km[i]! }));
}
