/**
 * The session environment of the dispatchers, in one place: live, it answers the session
 * machine's questions from the fleet (who is skipped at send, a re-plan, an accept's verdict) and
 * records every answer as a fact of the event; replaying, it reads the same answers back from the
 * recorded facts, so a log replays without a fleet. The in-memory {@link Dispatcher} reuses one
 * environment across inputs; the store-backed dispatcher makes one per step.
 */

import { F_BEST } from '../fleet/flags.js';
import type { Fleet } from '../fleet/fleet.js';
import { plan, planJob } from '../plan/plan.js';
import type { Policy } from '../plan/policy.js';
import { InvalidRecordError } from '../shared/errors.js';
import type { Job, Plan } from '../shared/types.js';
import type { Fact } from './event-types.js';
import { ineligible, skipAtSend } from './fleet-facts.js';
import { PublicDistances } from './privacy.js';
import type { SessionEnv } from './session.js';
import type { IneligibleReason, PlannedOffer } from './types.js';

const NONE: string[] = [];
/** The facts of an event that recorded none (shared; never written to). */
export const NO_FACTS: Fact[] = [];

/** Where the facts come from: the fleet (recorded) or an event's facts (replayed). */
export class FactEnv implements SessionEnv {
  /** Facts recorded by the input being handled, or those being replayed. */
  facts: Fact[] = NO_FACTS;
  /** Whether the last live verdict found the technician one award short of his capacity. */
  saturated = false;
  /** Technicians a shared store found without capacity for this step (their verdict: `at_capacity`). */
  full: readonly string[] | null = null;
  private cursor = 0;
  private calls = 0;
  private replaying = false;
  private now = 0;
  private readonly distances = new PublicDistances();

  /**
   * @param judgeCapacity whether a verdict also refuses a technician at capacity and reports
   *   {@link saturated} (the in-memory dispatcher); a shared store reserves capacity itself.
   * @param where how errors name the replay (`'replay()'`, `"replayJob('j1') event 3"`).
   */
  constructor(
    private readonly fleet: Fleet | null,
    private readonly policy: Policy | null,
    private readonly judgeCapacity: boolean,
    private readonly where = 'replay()',
  ) {}

  /** Starts a live input at `now`: answers come from the fleet and are recorded. */
  live(now: number): this {
    this.facts = NO_FACTS;
    this.cursor = 0;
    this.calls = 0;
    this.replaying = false;
    this.now = now;
    return this;
  }

  /** Starts replaying an event: answers come from its recorded facts, in order. */
  replay(facts: readonly Fact[] | undefined, now = 0): this {
    this.facts = (facts ?? NO_FACTS) as Fact[];
    this.cursor = 0;
    this.calls = 0;
    this.replaying = true;
    this.now = now;
    return this;
  }

  get isReplaying(): boolean {
    return this.replaying;
  }

  /** Adds a fact to the event being handled. */
  record(fact: Fact): void {
    if (this.facts === NO_FACTS) this.facts = [];
    this.facts.push(fact);
  }

  /** The next recorded fact, without using it. */
  peek(): Fact | undefined {
    return this.facts[this.cursor];
  }

  /** Uses the peeked fact. */
  skip(): void {
    this.cursor++;
  }

  /** The next recorded fact, which must be of `kind`. */
  next<K extends Fact['kind']>(kind: K): Extract<Fact, { kind: K }> {
    const f = this.facts[this.cursor++];
    if (f === undefined || f.kind !== kind) {
      throw new InvalidRecordError(
        `${this.where}: expected a recorded '${kind}' fact but found ${f ? `'${f.kind}'` : 'none'}; the log does not match (same policy? complete log?).`,
      );
    }
    return f as Extract<Fact, { kind: K }>;
  }

  /** Throws unless the replay used every recorded fact. */
  done(path?: string): void {
    if (this.cursor !== this.facts.length) {
      throw new InvalidRecordError(
        `${this.where}: recorded facts the replay did not use; the log does not match.`,
        path,
      );
    }
  }

  /** Facts recorded so far in this input (with {@link callCount}, a position to roll back to). */
  get factCount(): number {
    return this.facts.length;
  }

  /** `unavailable` calls made so far in this input. */
  get callCount(): number {
    return this.calls;
  }

  /** Forgets the facts and calls after a position (one job of an `advance` failed and was undone). */
  rollback(factCount: number, callCount: number): void {
    if (this.facts !== NO_FACTS) this.facts.length = factCount;
    this.calls = callCount;
  }

  unavailable(ids: readonly string[], cert: string | null, job: Job): string[] {
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
      if (skipAtSend(this.fleet!, this.policy!, id, cert, this.now, job)) (out ??= []).push(id);
    if (out === undefined) return NONE;
    this.record({ kind: 'skipped', call, ids: out });
    return out;
  }

  replan(job: Job, o: Parameters<SessionEnv['replan']>[1]): PlannedOffer[] {
    if (this.replaying) return offersOf(this.next('candidates'));
    const p = planJob(
      this.fleet!,
      job,
      {
        now: this.now,
        policy: this.policy!,
        exclude: o.exclude,
        allowProsOnFriendJobs: o.allowProsOnFriendJobs,
        ...(o.maxRadiusKm === undefined ? {} : { maxRadiusKm: o.maxRadiusKm }),
      },
      false,
    );
    const fact: Fact = { kind: 'candidates', ids: p.candidates.map((c) => c.id), km: this.publicKms(p, job) };
    this.record(fact);
    return offersOf(fact);
  }

  verdict(id: string, cert: string | null, job: Job): IneligibleReason | null {
    if (this.replaying) {
      const f = this.next('verdict');
      this.saturated = f.saturated;
      return f.reason;
    }
    const fleet = this.fleet!;
    const reason = this.full?.includes(id)
      ? 'at_capacity'
      : ineligible(fleet, id, cert, this.judgeCapacity, { job, policy: this.policy!, now: this.now });
    const slot = fleet.findSlot(id);
    // An appointment takes no capacity (a reservation instead): it never saturates him.
    this.saturated =
      this.judgeCapacity &&
      reason === null &&
      job.window === undefined &&
      fleet.load[slot]! + 1 >= fleet.capacity[slot]!;
    this.record({ kind: 'verdict', reason, saturated: this.saturated });
    return reason;
  }

  standing(ids: readonly string[]): { awards: number[]; bestFriend: boolean[] } {
    if (this.replaying) {
      const f = this.next('standing');
      if (f.ids.length !== ids.length || f.ids.some((id, i) => id !== ids[i])) {
        throw new InvalidRecordError(
          `${this.where}: a recorded 'standing' fact is about other technicians; the log does not match.`,
        );
      }
      return f;
    }
    const fleet = this.fleet!;
    const awards: number[] = [];
    const bestFriend: boolean[] = [];
    for (const id of ids) {
      const slot = fleet.findSlot(id);
      // A technician removed since he accepted has no standing; the verdict refuses him anyway.
      awards.push(slot < 0 ? 0 : Math.round(fleet.countersAtTime(slot, this.now).awards * 1e6) / 1e6);
      bestFriend.push(slot >= 0 && (fleet.flags[slot]! & F_BEST) !== 0);
    }
    this.record({ kind: 'standing', ids: ids.slice(), awards, bestFriend });
    return { awards, bestFriend };
  }

  /** The opening plan as a fact: candidates, their waves and the policy's fingerprint. */
  opening(job: Job, policyKey: string): Extract<Fact, { kind: 'candidates' }> {
    if (this.replaying) return this.next('candidates');
    const p = plan(this.fleet!, job, { now: this.now, policy: this.policy! });
    const fact: Extract<Fact, { kind: 'candidates' }> = {
      kind: 'candidates' as const,
      ids: p.candidates.map((c) => c.id),
      km: this.publicKms(p, job),
      waves: p.candidates.map((c) => c.wave),
      policy: policyKey,
    };
    if (p.preferred !== undefined) {
      const d = this.distances;
      const fleet = this.fleet!;
      const ids = p.preferred.filter((v) => v.reasons.length === 0).map((v) => v.id);
      fact.preferred = { ids, km: ids.map((id) => d.km(fleet, fleet.slotOf(id))) };
    }
    this.record(fact);
    return fact;
  }

  /** The distances effects show: from each technician's privacy cell, never his exact position. */
  private publicKms(p: Plan, job: Job): number[] {
    const d = this.distances;
    const fleet = this.fleet!;
    d.setJob(job.lat, job.lon);
    return p.candidates.map((c) => d.km(fleet, fleet.slotOf(c.id)));
  }
}

/** A recorded candidate list as the session machine's planned offers. */
export function offersOf(fact: { ids: string[]; km: number[] }): PlannedOffer[] {
  return fact.ids.map((id, i) => ({ id, km: fact.km[i]! }));
}

/** FNV-1a over the policy's JSON: a short tag that changes when any setting changes. */
export function fingerprint(policy: Policy): string {
  const text = JSON.stringify(policy);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
