/**
 * The in-memory state of a dispatcher and how an input changes it: sessions, the timer heaps, the
 * offer index, the retired requests, and the fleet's counters — each change registered in the undo
 * journal, so the facade ({@link Dispatcher}) can persist an input's event first and roll the
 * input back entirely if that fails. One pure {@link transition} per job and input.
 */

import type { Fleet } from '../fleet/fleet.js';
import { reservationOf } from '../plan/appointments.js';
import type { Policy } from '../plan/policy.js';
import { InvalidStateError } from '../shared/errors.js';
import { TimeHeap } from '../shared/time-heap.js';
import type { Job } from '../shared/types.js';
import { FactEnv, offersOf } from './env.js';
import type { DispatchEvent, DispatcherSnapshot } from './event-types.js';
import { FleetWriter } from './fleet-writes.js';
import { Journal } from './journal.js';
import { LiveOffers } from './live-offers.js';
import { type Retired, RetiredRequests } from './retired.js';
import {
  dueAt,
  evictAt,
  isRunning,
  offerOf,
  openSession,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  technicianCancelRefusal,
  transition,
} from './session.js';
import {
  type AcceptOutcome,
  type Effect,
  isPending,
  type SessionJSON,
  type TechnicianCancelOutcome,
  type UnavailableReason,
} from './types.js';

// Undo journal codes (see DispatchCore.undo) and fleet write kinds.
const U_SESSION = 0;
const U_TIMER = 1;
const U_EVICTION = 2;
const U_RETIRED_SET = 3;
const U_RETIRED_DEL = 4;
const U_RETIRED_PUT = 5;
const U_LIVE_REMOVE = 6;
const U_LIVE_ADD = 7;
const U_FLEET = 8;

/** What an input returns. */
export type Result = Effect[] | AcceptOutcome | TechnicianCancelOutcome | boolean;

/** A due job whose step threw during `advance` (left as it was). */
export interface JobFailure {
  jobId: string;
  error: unknown;
}

/** The parts of a snapshot the core holds (the facade adds sequence, hash and time). */
export type CoreSnapshot = Pick<DispatcherSnapshot, 'ordinal' | 'sessions' | 'retired'>;

export class DispatchCore {
  private sessions = new Map<string, SessionState>();
  private timers = new TimeHeap<string>();
  /** When closed jobs are forgotten. */
  private evictions = new TimeHeap<string>();
  private retired = new RetiredRequests();
  private live = new LiveOffers();
  /** Open order of the next job (ties in the timer heaps, the order of withdrawals). */
  ordinal = 0;
  readonly journal = new Journal((op, a, b, c) => this.undo(op, a, b, c));
  readonly env: FactEnv;
  /** The fleet's counters, written undoably (`writes.enabled`: a replay may leave the fleet alone). */
  readonly writes: FleetWriter;
  /** Due jobs of the current `advance` whose step threw. */
  failures: JobFailure[] | undefined;

  constructor(
    readonly fleet: Fleet,
    readonly policy: Policy,
    private readonly policyKey: string,
    private readonly retainMs: number,
  ) {
    this.env = new FactEnv(fleet, policy, true);
    this.writes = new FleetWriter(fleet, this.journal, U_FLEET);
  }

  /** Jobs known (open and closed). */
  get size(): number {
    return this.sessions.size;
  }

  session(jobId: string): SessionState | undefined {
    return this.sessions.get(jobId);
  }

  /** When the next timer is due, dropping stale heap entries on the way. */
  nextDueAt(): number | undefined {
    for (;;) {
      const t = this.timers.peekAt();
      if (t === undefined) return undefined;
      const s = this.sessions.get(this.timers.peekValue());
      if (s && dueAt(s) === t) return t;
      this.timers.pop();
    }
  }

  /** Applies one input (after `env.live()` or `env.replay()`); every change is journalled. */
  apply(event: DispatchEvent): Result {
    switch (event.type) {
      case 'open':
        return this.open(event.job, event.at);
      case 'advance':
        return this.advance(event.at);
      case 'accept':
        return this.accept(event.jobId, event.technicianId, event.at, event.requestId ?? null);
      case 'decline':
        return this.decline(event.jobId, event.technicianId, event.at);
      case 'cancel':
        return this.cancel(event.jobId, event.at);
      case 'complete':
        return this.complete(event.jobId, event.at, event.reason);
      case 'technicianCancel':
        return this.technicianCancel(event.jobId, event.technicianId, event.at, event.reason);
      case 'unavailable':
        return this.withdrawAll(event.technicianId, event.at, event.reason, null);
    }
  }

  // ---- snapshots and backups ----------------------------------------------------------------

  snapshot(): CoreSnapshot {
    const sessions: SessionJSON[] = [];
    for (const s of this.sessions.values()) sessions.push(sessionToJSON(s));
    const out: CoreSnapshot = { ordinal: this.ordinal, sessions };
    if (this.retired.size > 0) out.retired = this.retired.toJSON();
    return out;
  }

  /** Loads a checked snapshot into this (empty) core; running offers keep their deadlines. */
  restore(snap: CoreSnapshot): void {
    this.ordinal = snap.ordinal;
    for (const json of snap.sessions) {
      const s = sessionFromJSON(json);
      this.sessions.set(s.job.id, s);
      const due = dueAt(s);
      if (due !== undefined) this.timers.push(due, s.ordinal, s.job.id);
      this.scheduleEviction(s);
      if (s.state === 'open') {
        for (const o of s.offers) if (isPending(o)) this.live.add(o.technicianId, s.job.id);
      }
    }
    for (const r of snap.retired ?? []) this.retired.put(r.jobId, { until: r.until, keys: r.keys });
  }

  /**
   * Makes the fleet's reservations agree with the sessions (after a restore or a replay, which may
   * leave the fleet alone): every assigned appointment holds its winner's window, and no known job
   * that is not (or no longer) assigned holds one. Reservations of jobs the dispatcher does not
   * know (seeded by the caller, or of jobs already forgotten) are left as they are.
   */
  syncReservations(): void {
    const { fleet } = this;
    for (const s of this.sessions.values()) {
      const r = reservationOf(s);
      if (r !== undefined && fleet.has(s.winner!.technicianId)) {
        fleet.reservations.add(fleet.slotOf(s.winner!.technicianId), r);
      }
    }
    for (const [slot, r] of fleet.reservations.all()) {
      const s = this.sessions.get(r.jobId);
      if (
        s !== undefined &&
        (reservationOf(s) === undefined || s.winner!.technicianId !== fleet.idOf(slot))
      ) {
        fleet.reservations.remove(slot, r.jobId);
      }
    }
  }

  /** A copy of the state a failed replay puts back (sessions are immutable values). */
  backup(): object {
    return {
      sessions: new Map(this.sessions),
      timers: this.timers.clone(),
      evictions: this.evictions.clone(),
      retired: this.retired.clone(),
      live: this.live.clone(),
      ordinal: this.ordinal,
    };
  }

  putBack(backup: object): void {
    Object.assign(this, backup);
  }

  // ---- inputs -------------------------------------------------------------------------------

  private open(job: Job, now: number): Effect[] {
    const fact = this.env.opening(job, this.policyKey);
    if (fact.policy !== undefined && fact.policy !== this.policyKey) {
      throw new InvalidStateError(
        `replay(): job '${job.id}' was opened under another policy (${fact.policy}, this one is ${this.policyKey}); replay with the policy the log was recorded with.`,
      );
    }
    const retired = this.retired.get(job.id);
    if (retired !== undefined) {
      this.retired.delete(job.id);
      this.note(U_RETIRED_SET, job.id, retired);
    }
    const [state, effects] = openSession(
      {
        at: now,
        job,
        ordinal: this.ordinal++,
        policy: this.policy,
        candidates: offersOf(fact),
        waves: fact.waves ?? [],
        ...(fact.preferred === undefined ? {} : { preferred: offersOf(fact.preferred) }),
        ...(retired === undefined ? {} : { retired: retired.keys }),
      },
      this.env,
    );
    this.setSession(job.id, state);
    const due = dueAt(state);
    if (due !== undefined) this.timers.push(due, state.ordinal, job.id);
    // A job can close at open (outside its partner's region): it is then retained like any other.
    if (state.state !== 'open') this.scheduleEviction(state);
    this.perform(effects);
    return effects;
  }

  private advance(now: number): Effect[] {
    const out: Effect[] = [];
    const env = this.env;
    let retry: [number, number, string][] | undefined;
    for (;;) {
      const t = this.timers.peekAt();
      if (t === undefined || t > now) break;
      const jobId = this.timers.peekValue();
      this.timers.pop();
      const s = this.sessions.get(jobId);
      if (!s || dueAt(s) !== t) continue; // stale entry
      this.note(U_TIMER, t, s.ordinal, jobId);
      const f = env.isReplaying ? env.peek() : undefined;
      if (f?.kind === 'failed' && f.jobId === jobId) {
        env.skip();
        (retry ??= []).push([t, s.ordinal, jobId]);
        continue;
      }
      const mark = this.journal.mark;
      const facts = env.factCount;
      const calls = env.callCount;
      let effects: Effect[];
      try {
        env.saturated = false;
        effects = this.step(s, { type: 'tick', at: now });
        const more = this.afterAward(effects, now);
        if (more.length > 0) effects = [...effects, ...more];
      } catch (error) {
        if (env.isReplaying) throw error;
        // This job only: undo its partial changes, keep its timer, go on with the others.
        this.journal.rollback(mark);
        env.rollback(facts, calls);
        env.record({ kind: 'failed', jobId });
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
      const jobId = this.evictions.peekValue();
      const ord = this.evictions.peekOrdinal();
      this.evictions.pop();
      const s = this.sessions.get(jobId);
      if (!s || evictAt(s, this.retainMs) !== t) continue;
      this.note(U_EVICTION, t, ord, jobId);
      this.setSession(jobId, undefined);
      if (this.retired.retire(s, t, this.retainMs)) this.note(U_RETIRED_DEL, jobId);
    }
    this.retired.expire(now, (jobId, r) => this.note(U_RETIRED_PUT, jobId, r));
    return out;
  }

  private accept(jobId: string, technicianId: string, now: number, requestId: string | null): AcceptOutcome {
    const s = this.sessions.get(jobId);
    if (!s) return { outcome: 'unknown_job', jobId };
    this.env.saturated = false;
    const [next, effects, reply] = transition(
      s,
      { type: 'accept', at: now, technicianId, requestId },
      this.env,
    );
    this.commit(s, next, effects);
    const outcome = reply!;
    if (outcome.outcome === 'assigned') {
      const more = this.afterAward(effects, now);
      if (more.length > 0) outcome.effects = [...outcome.effects, ...more];
    }
    return outcome;
  }

  private decline(jobId: string, technicianId: string, now: number): Effect[] {
    const s = this.sessions.get(jobId);
    if (!s) return [];
    const offer = offerOf(s, technicianId);
    const running = isRunning(s, technicianId, now);
    const effects = this.step(s, { type: 'decline', at: now, technicianId });
    if (running) {
      this.untrack(technicianId, jobId);
      this.writes.refused(technicianId, now - offer!.sentAt);
    }
    return effects;
  }

  private cancel(jobId: string, now: number): Effect[] {
    const s = this.sessions.get(jobId);
    if (!s) return [];
    const effects = this.step(s, { type: 'cancel', at: now });
    if (s.state === 'assigned') this.releaseWinner(s);
    return effects;
  }

  private complete(
    jobId: string,
    now: number,
    reason: Extract<SessionEvent, { type: 'complete' }>['reason'],
  ): boolean {
    const s = this.sessions.get(jobId);
    if (s?.state !== 'assigned') return false;
    const event: Extract<SessionEvent, { type: 'complete' }> = { type: 'complete', at: now };
    if (reason !== undefined) event.reason = reason;
    this.step(s, event);
    this.releaseWinner(s);
    if (reason === 'technician_no_show') this.writes.cancelled(s.winner!.technicianId);
    return true;
  }

  private technicianCancel(
    jobId: string,
    technicianId: string,
    now: number,
    reason: string | undefined,
  ): TechnicianCancelOutcome {
    const s = this.sessions.get(jobId);
    if (!s) return { outcome: 'unknown_job', jobId };
    const refusal = technicianCancelRefusal(s, technicianId);
    if (refusal !== null) return { outcome: refusal, jobId };
    const event: Extract<SessionEvent, { type: 'technicianCancel' }> = {
      type: 'technicianCancel',
      at: now,
      technicianId,
    };
    if (reason !== undefined) event.reason = reason;
    // Released before the re-plan, so the fleet's view of his load (or window) is right.
    this.releaseWinner(s);
    this.writes.cancelled(technicianId);
    return { outcome: 'reopened', jobId, effects: this.step(s, event) };
  }

  /** The winner's load, or for an appointment his reservation, is released. */
  private releaseWinner(s: SessionState): void {
    const id = s.winner!.technicianId;
    if (s.job.window === undefined) this.writes.release(id);
    else this.writes.unreserve(id, s.job.id);
  }

  /** Withdraws a technician's running offers in every job (but `except`), oldest job first. */
  /**
   * After a step that assigned the job (an accept, or a best-accept window closing): if the winner
   * now holds as many jobs as he can (the verdict said so), his other running offers go to someone else.
   */
  private afterAward(effects: readonly Effect[], now: number): Effect[] {
    if (!this.env.saturated) return [];
    const won = effects.find((e) => e.type === 'assigned');
    return won === undefined ? [] : this.withdrawAll(won.technicianId, now, 'at_capacity', won.jobId);
  }

  private withdrawAll(
    technicianId: string,
    now: number,
    reason: UnavailableReason,
    except: string | null,
  ): Effect[] {
    const jobs = this.live.jobsOf(technicianId);
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

  // ---- state changes, each journalled ---------------------------------------------------------

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

  private setSession(jobId: string, next: SessionState | undefined): void {
    const prev = this.sessions.get(jobId);
    if (next === undefined) this.sessions.delete(jobId);
    else this.sessions.set(jobId, next);
    this.note(U_SESSION, jobId, prev);
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
            if (this.live.add(id, e.jobId)) this.note(U_LIVE_REMOVE, id, e.jobId);
            this.writes.offer(id, e.at);
          }
          break;
        case 'expired':
          for (const id of e.technicianIds) {
            this.untrack(id, e.jobId);
            this.writes.refused(id);
          }
          break;
        case 'revoke':
          for (const id of e.technicianIds) this.untrack(id, e.jobId);
          break;
        case 'assigned': {
          this.untrack(e.technicianId, e.jobId);
          const r = reservationOf(this.sessions.get(e.jobId)!);
          this.writes.award(e.technicianId, e.at, e.responseMs, r === undefined);
          if (r !== undefined) this.writes.reserve(e.technicianId, r);
          break;
        }
        default:
          break;
      }
    }
  }

  private untrack(technicianId: string, jobId: string): void {
    if (this.live.remove(technicianId, jobId)) this.note(U_LIVE_ADD, technicianId, jobId);
  }

  /** Registers how to undo a change of the core's own state (replays restore a backup instead). */
  private note(op: number, a?: unknown, b?: unknown, c?: unknown): void {
    if (!this.env.isReplaying) this.journal.push(op, a, b, c);
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
      case U_RETIRED_SET:
        this.retired.set(a as string, b as Retired);
        break;
      case U_RETIRED_DEL:
        this.retired.delete(a as string);
        break;
      case U_RETIRED_PUT:
        this.retired.put(a as string, b as Retired);
        break;
      case U_LIVE_REMOVE:
        this.live.remove(a as string, b as string);
        break;
      case U_LIVE_ADD:
        this.live.add(a as string, b as string);
        break;
      case U_FLEET:
        this.writes.undo(a);
        break;
    }
  }
}
