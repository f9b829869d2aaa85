/**
 * The in-memory state of a dispatcher — sessions, the timer heaps, the offer index, the retired
 * requests and the fleet's counters — and its changes, each registered in the undo journal so the
 * facade ({@link Dispatcher}) can persist an input's event first and roll the input back entirely if
 * that fails; with the state's snapshot, restore and backup. How an input changes it is
 * {@link DispatchCore} (`core.ts`), which extends this class.
 */

import type { Fleet } from '../fleet/fleet.js';
import { reservationOf } from '../plan/appointments.js';
import type { Policy } from '../plan/policy.js';
import { TimeHeap } from '../shared/time-heap.js';
import { FactEnv } from './env.js';
import type { DispatcherSnapshot } from './event-types.js';
import { FleetWriter } from './fleet-writes.js';
import { Journal } from './journal.js';
import { LiveOffers } from './live-offers.js';
import { type Retired, RetiredRequests } from './retired.js';
import {
  dueAt,
  evictAt,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  transition,
} from './session.js';
import { type Effect, isPending, type SessionJSON } from './types.js';

// Undo journal codes (see CoreState.undo) and fleet write kinds; DispatchCore journals its own
// timer, eviction and retired-request changes with them too.
const U_SESSION = 0;
export const U_TIMER = 1;
export const U_EVICTION = 2;
export const U_RETIRED_SET = 3;
export const U_RETIRED_DEL = 4;
export const U_RETIRED_PUT = 5;
const U_LIVE_REMOVE = 6;
const U_LIVE_ADD = 7;
const U_FLEET = 8;

/** The parts of a snapshot the core holds (the facade adds sequence, hash and time). */
export type CoreSnapshot = Pick<DispatcherSnapshot, 'ordinal' | 'sessions' | 'retired'>;

export class CoreState {
  protected sessions = new Map<string, SessionState>();
  protected timers = new TimeHeap<string>();
  /** When closed jobs are forgotten. */
  protected evictions = new TimeHeap<string>();
  protected retired = new RetiredRequests();
  protected live = new LiveOffers();
  /** Open order of the next job (ties in the timer heaps, the order of withdrawals). */
  ordinal = 0;
  readonly journal = new Journal((op, a, b, c) => this.undo(op, a, b, c));
  readonly env: FactEnv;
  /** The fleet's counters, written undoably (`writes.enabled`: a replay may leave the fleet alone). */
  readonly writes: FleetWriter;

  constructor(
    readonly fleet: Fleet,
    readonly policy: Policy,
    protected readonly retainMs: number,
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

  // ---- state changes, each journalled ---------------------------------------------------------

  /** Runs one transition, stores the result, reschedules the job and performs fleet updates. */
  protected step(s: SessionState, event: SessionEvent): Effect[] {
    const [next, effects] = transition(s, event, this.env);
    this.commit(s, next, effects);
    return effects;
  }

  protected commit(s: SessionState, next: SessionState, effects: Effect[]): void {
    if (next === s) return;
    this.setSession(s.job.id, next);
    const due = dueAt(next);
    if (due !== undefined && due !== dueAt(s)) this.timers.push(due, next.ordinal, next.job.id);
    if (next.state !== s.state) this.scheduleEviction(next);
    this.perform(effects);
  }

  protected setSession(jobId: string, next: SessionState | undefined): void {
    const prev = this.sessions.get(jobId);
    if (next === undefined) this.sessions.delete(jobId);
    else this.sessions.set(jobId, next);
    this.note(U_SESSION, jobId, prev);
  }

  protected scheduleEviction(s: SessionState): void {
    const t = evictAt(s, this.retainMs);
    if (t !== undefined && t !== Number.POSITIVE_INFINITY) this.evictions.push(t, s.ordinal, s.job.id);
  }

  /** Keeps the offer index and the fleet's counters in step with the effects. */
  protected perform(effects: readonly Effect[]): void {
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

  protected untrack(technicianId: string, jobId: string): void {
    if (this.live.remove(technicianId, jobId)) this.note(U_LIVE_ADD, technicianId, jobId);
  }

  /** Registers how to undo a change of the core's own state (replays restore a backup instead). */
  protected note(op: number, a?: unknown, b?: unknown, c?: unknown): void {
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
