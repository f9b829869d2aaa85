/**
 * The session environment of a store-backed step: answers from the replica's own fleet, recorded as
 * facts in the stored event so that a replay needs no fleet — and the replay environment that reads
 * them back. Capacity is not judged here: the store reserves it (the fleet's view may be stale).
 */
import { skipAtSend } from '../dispatch/fleet-facts.js';
import { PublicDistances } from '../dispatch/privacy.js';
import type { Fact, IneligibleReason, PlannedOffer } from '../dispatch/types.js';
import { InvalidStateError } from '../errors.js';
import { F_ONLINE, type Fleet } from '../fleet.js';
import { M_STRIDE } from '../geo/grid.js';
import { plan } from '../plan.js';
import type { Policy } from '../policy.js';
import type { SessionEnv } from '../session.js';
import type { Job, Plan } from '../types.js';

const NONE: string[] = [];

/** Why a technician cannot take a job, from the fleet (capacity excepted); null when he can. */
export function ineligible(fleet: Fleet, id: string, certPartner: string | null): IneligibleReason | null {
  const slot = fleet.findSlot(id);
  if (slot < 0) return 'removed';
  if ((fleet.flags[slot]! & F_ONLINE) === 0) return 'offline';
  if (certPartner !== null) {
    const bit = fleet.partnerBits.get(certPartner);
    const certs = fleet.index.meta[fleet.index.slotEntry[slot]! * M_STRIDE + 2]!;
    if (bit === undefined || (certs & bit) === 0) return 'not_certified';
  }
  return null;
}

/** A live environment over a fleet that records every answer in `facts`. */
export class RecordingEnv implements SessionEnv {
  readonly facts: Fact[] = [];
  private calls = 0;
  constructor(
    private readonly fleet: Fleet,
    private readonly policy: Policy,
    private readonly now: number,
  ) {}

  unavailable(ids: readonly string[], cert: string | null): string[] {
    const call = this.calls++;
    let out: string[] | undefined;
    for (const id of ids) if (skipAtSend(this.fleet, this.policy, id, cert, this.now)) (out ??= []).push(id);
    if (out === undefined) return NONE;
    this.facts.push({ kind: 'skipped', call, ids: out });
    return out;
  }

  replan(job: Parameters<SessionEnv['replan']>[0], o: Parameters<SessionEnv['replan']>[1]): PlannedOffer[] {
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
      km: publicKms(this.fleet, p, job),
    };
    this.facts.push(fact);
    return offersOf(fact);
  }

  verdict(id: string, cert: string | null): IneligibleReason | null {
    const reason = ineligible(this.fleet, id, cert);
    this.facts.push({ kind: 'verdict', reason, saturated: false });
    return reason;
  }
}

/** An environment that answers from recorded facts, in order; throws when the log does not match. */
export class ReplayEnv implements SessionEnv {
  private cursor = 0;
  private calls = 0;
  constructor(
    private readonly facts: readonly Fact[],
    private readonly where: string,
  ) {}

  unavailable(): string[] {
    const call = this.calls++;
    const f = this.facts[this.cursor];
    if (f?.kind !== 'skipped' || f.call !== call) return NONE;
    this.cursor++;
    return f.ids;
  }

  replan(): PlannedOffer[] {
    return offersOf(this.next('candidates'));
  }

  verdict(): IneligibleReason | null {
    return this.next('verdict').reason;
  }

  /** Throws unless every recorded fact was used. */
  done(): void {
    if (this.cursor !== this.facts.length) {
      throw new InvalidStateError(
        `${this.where}: recorded facts the replay did not use; the stream does not match.`,
      );
    }
  }

  next<K extends Fact['kind']>(kind: K): Extract<Fact, { kind: K }> {
    const f = this.facts[this.cursor++];
    if (f === undefined || f.kind !== kind) {
      throw new InvalidStateError(
        `${this.where}: expected a recorded '${kind}' fact but found ${f ? `'${f.kind}'` : 'none'}; replay with the policy and stream the job was recorded with.`,
      );
    }
    return f as Extract<Fact, { kind: K }>;
  }
}

const distances = new PublicDistances();

/**
 * The distances effects show, as the in-memory dispatcher computes them: from each technician's
 * privacy cell, never his exact position.
 */
export function publicKms(fleet: Fleet, p: Plan, job: Job): number[] {
  distances.setJob(job.lat, job.lon);
  return p.candidates.map((c) => distances.km(fleet, fleet.slotOf(c.id)));
}

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
