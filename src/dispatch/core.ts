/**
 * How an input changes a dispatcher's state ({@link CoreState}, `core-state.ts`): opening a job,
 * firing due timers, accepts, declines, cancellations, completions and withdrawals — one pure
 * {@link transition} per job and input, every change journalled through the state's methods.
 */

import type { Fleet } from '../fleet/fleet.js';
import type { Policy } from '../plan/policy.js';
import { InvalidStateError } from '../shared/errors.js';
import type { Job } from '../shared/types.js';
import { CoreState, U_EVICTION, U_RETIRED_DEL, U_RETIRED_PUT, U_RETIRED_SET, U_TIMER } from './core-state.js';
import { offersOf } from './env.js';
import type { DispatchEvent } from './event-types.js';
import {
  dueAt,
  evictAt,
  isRunning,
  offerOf,
  openSession,
  type SessionEvent,
  type SessionState,
  technicianCancelRefusal,
  transition,
} from './session.js';
import type { AcceptOutcome, Effect, TechnicianCancelOutcome, UnavailableReason } from './types.js';

/** What an input returns. */
export type Result = Effect[] | AcceptOutcome | TechnicianCancelOutcome | boolean;

/** A due job whose step threw during `advance` (left as it was). */
export interface JobFailure {
  jobId: string;
  error: unknown;
}

export class DispatchCore extends CoreState {
  /** Due jobs of the current `advance` whose step threw. */
  failures: JobFailure[] | undefined;

  constructor(
    fleet: Fleet,
    policy: Policy,
    private readonly policyKey: string,
    retainMs: number,
  ) {
    super(fleet, policy, retainMs);
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

  /**
   * After a step that assigned the job (an accept, or a best-accept window closing): if the winner
   * now holds as many jobs as he can (the verdict said so), his other running offers go to someone else.
   */
  private afterAward(effects: readonly Effect[], now: number): Effect[] {
    if (!this.env.saturated) return [];
    const won = effects.find((e) => e.type === 'assigned');
    return won === undefined ? [] : this.withdrawAll(won.technicianId, now, 'at_capacity', won.jobId);
  }

  /** Withdraws a technician's running offers in every job (but `except`), oldest job first. */
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
}
