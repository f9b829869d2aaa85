/**
 * The dispatch session of one job as a pure state machine: `transition(state, event, env)` returns
 * the next state and the effects the caller performs; it never mutates its input (unchanged parts
 * are shared, changed ones copied) and reads the world only through `env` (fleet facts: who became
 * unavailable, a re-plan, an accept's eligibility), which the dispatcher records in its event log
 * so a replay needs no fleet. Every time in the state is absolute, so a restored session keeps its
 * deadlines whatever the policy says by then.
 */

import { scheduleOf } from '../plan/appointments.js';
import { outsidePartnerRegion } from '../plan/policy.js';
import {
  Ctx,
  checkExhausted,
  close,
  closeUnfilled,
  offerOf,
  pullForward,
  reopen,
  revokeLive,
  runDue,
} from './session-steps.js';
import type { Draft, OpenInput, SessionEnv, SessionEvent, SessionState } from './session-types.js';
import { type AcceptOutcome, type Effect, isPending, type PlannedOffer, type SessionJSON } from './types.js';

export { offerOf } from './session-steps.js';
export type { OpenInput, SessionEnv, SessionEvent, SessionState } from './session-types.js';

/** Key of a winning request (technician and request id), as a session remembers retired ones. */
export const requestKey = (technicianId: string, requestId: string): string =>
  `${technicianId}\u0000${requestId}`;

/**
 * Rounds a distance to 0.5 km (the dispatcher measures it from a privacy cell first, see `dispatch/privacy.ts`).
 * @example
 * coarsenKm(2.26); // 2.5
 * coarsenKm(2.24); // 2
 */
export function coarsenKm(km: number): number {
  return Math.round(km * 2) / 2;
}

/**
 * When something is next due for the session, or undefined once it is closed.
 * @example
 * const [state] = openSession({ at: now, job, ordinal: 0, policy, candidates, waves }, env);
 * const due = dueAt(state)!; // next wave, offer expiry, escalation step, award or deadline: whichever is first
 * const [next, effects] = transition(state, { type: 'tick', at: due }, env); // what falls due then
 * dueAt(transition(next, { type: 'cancel', at: due }, env)[0]); // undefined: a closed session waits for nothing
 */
export function dueAt(s: SessionState): number | undefined {
  if (s.state !== 'open') return undefined;
  let t = s.deadlineAt;
  const e = s.expiries[0];
  if (e !== undefined && e.at < t) t = e.at;
  // While an award window runs, waves and steps wait (see runDue).
  if (s.awardAt !== undefined) return s.awardAt < t ? s.awardAt : t;
  const p = s.pending[0];
  if (p !== undefined && p.at < t) t = p.at;
  const st = s.steps[s.nextStep];
  if (st !== undefined && st.at < t) t = st.at;
  return t;
}

/**
 * Whether a technician's offer is running at `now` (sent, unanswered, not expired, job open).
 * @example
 * const candidates = [{ id: 'anna', km: 1 }, { id: 'ben', km: 2.5 }];
 * const [state] = openSession({ at: now, job, ordinal: 0, policy, candidates, waves: [0, 1] }, env);
 * isRunning(state, 'anna', now + 1_000); // true: notified in wave 0, not answered, not expired
 * isRunning(state, 'ben', now + 1_000); // false: wave 1 has not been sent yet
 * isRunning(state, 'anna', now + policy.offerTtlMs); // false: her offer has expired
 */
export function isRunning(s: SessionState, technicianId: string, now: number): boolean {
  const o = offerOf(s, technicianId);
  return s.state === 'open' && o !== undefined && o.status === 'live' && o.expiresAt > now;
}

/**
 * Opens a session: stores the plan's waves and reserve, sends every wave due at once.
 * @example
 * const [state, effects] = openSession({ at: now, job, ordinal: 0, policy, candidates, waves }, env);
 */
export function openSession(input: OpenInput, env: SessionEnv): [SessionState, Effect[]] {
  const { at, job, policy } = input;
  const chosen = input.preferred ?? [];
  const only = job.preferred?.only === true;
  // Appointments start at their lead time, the crowd after the chosen technicians' exclusive phase.
  const { offersAt, crowdAt, deadlineAt } = scheduleOf(job, policy, at, chosen.length > 0);
  const pending: SessionJSON['pending'] = only
    ? []
    : policy.waves.map((w, index) => ({ index, at: crowdAt + w.offsetMs, offers: [] }));
  const reserve: PlannedOffer[] = [];
  if (!only) {
    input.candidates.forEach((c, i) => {
      const w = input.waves[i]!;
      if (w >= 0) pending[w]!.offers.push(c);
      else reserve.push(c);
    });
  }
  let nextWave = policy.waves.length;
  if (chosen.length > 0) {
    // Their offers run through the exclusive phase and one offer TTL into the crowd's (only: to the deadline).
    const until = only ? deadlineAt : Math.min(crowdAt + policy.offerTtlMs, deadlineAt);
    pending.unshift({ index: nextWave++, at: offersAt, offers: chosen.slice(), preferredUntil: until });
  }
  const partnerRules = job.partner === undefined ? undefined : policy.partners[job.partner];
  const cert =
    job.partner !== undefined && (job.requireCertification ?? partnerRules?.requireCertification ?? false);
  // Whether letting Pros onto the job changes who is eligible (else the step needs no re-plan).
  const tier = partnerRules?.proOnly ? 'pro' : (job.tier ?? 'any');
  const partnerAllows = partnerRules?.allowProsOnFriendJobs;
  const prosStepApplies =
    tier === 'friend' && partnerAllows !== false && !(partnerAllows ?? policy.allowProsOnFriendJobs);
  const state: SessionState = {
    job,
    ordinal: input.ordinal,
    state: 'open',
    openedAt: at,
    deadlineAt,
    offerTtlMs: policy.offerTtlMs,
    maxNotified: policy.maxNotifiedPerJob,
    reoffer: policy.reofferDeclined,
    certPartner: cert ? job.partner! : null,
    pending: pending.filter((w) => w.offers.length > 0),
    reserve,
    steps: only ? [] : policy.escalation.map((step) => ({ at: crowdAt + step.afterMs, step })),
    nextStep: 0,
    batch: policy.waves[0]!.size,
    nextWave,
    notified: 0,
    widenKm: null,
    allowPros: false,
    prosStepApplies,
    offers: [],
    index: new Map(),
    expiries: [],
    winner: null,
    closedAt: null,
    completedAt: null,
    reason: null,
  };
  if (policy.award.mode === 'best') {
    const { windowMs, by, bestFriendFirst } = policy.award;
    (state as Draft).award = { windowMs, by, bestFriendFirst };
  }
  if (policy.maxBonusPerJob !== undefined) (state as Draft).maxBonus = { ...policy.maxBonusPerJob };
  if (input.retired !== undefined && input.retired.length > 0)
    (state as Draft).retired = input.retired.slice();
  const c = new Ctx(state, at, env);
  // Decided from the job and the policy alone, so a replay decides the same without a fact.
  if (outsidePartnerRegion(policy, job)) closeUnfilled(c, 'outside_partner_region');
  else runDue(c);
  return [c.d, c.effects];
}

/**
 * The pure transition of a session. The third element is the answer to an `accept` event.
 * Events that change nothing return the very same state object.
 * @example
 * const [next, effects, reply] = transition(state, { type: 'accept', at, technicianId: 'anna', requestId: null }, env);
 */
export function transition(
  state: SessionState,
  event: SessionEvent,
  env: SessionEnv,
): [SessionState, Effect[], AcceptOutcome?] {
  switch (event.type) {
    case 'tick': {
      const due = dueAt(state);
      if (due === undefined || due > event.at) return [state, []];
      const c = new Ctx(state, event.at, env);
      runDue(c);
      return [c.d, c.effects];
    }
    case 'accept':
      return accept(state, event, env);
    case 'decline': {
      if (!isRunning(state, event.technicianId, event.at)) return [state, []];
      const c = new Ctx(state, event.at, env);
      c.setOffer(event.technicianId, { ...offerOf(state, event.technicianId)!, status: 'declined' });
      pullForward(c);
      checkExhausted(c);
      return [c.d, c.effects];
    }
    case 'withdraw': {
      const o = offerOf(state, event.technicianId);
      if (state.state !== 'open' || o === undefined || !isPending(o)) return [state, []];
      const c = new Ctx(state, event.at, env);
      c.setOffer(event.technicianId, { ...o, status: 'withdrawn' });
      if (o.status === 'held') unhold(c, event.technicianId);
      c.effects.push({
        type: 'revoke',
        ...c.base(),
        technicianIds: [event.technicianId],
        reason: 'unavailable',
      });
      pullForward(c);
      checkExhausted(c);
      return [c.d, c.effects];
    }
    case 'complete': {
      if (state.state !== 'assigned') return [state, []];
      const done: SessionState = { ...state, state: 'completed', completedAt: event.at };
      if (event.reason !== undefined) (done as Draft).completion = event.reason;
      return [done, []];
    }
    case 'technicianCancel': {
      if (technicianCancelRefusal(state, event.technicianId) !== null) return [state, []];
      const c = new Ctx(state, event.at, env);
      reopen(c, event.technicianId, event.reason);
      return [c.d, c.effects];
    }
    case 'cancel': {
      if (state.state !== 'open' && state.state !== 'assigned') return [state, []];
      const c = new Ctx(state, event.at, env);
      if (state.state === 'assigned') {
        c.effects.push({
          type: 'revoke',
          ...c.base(),
          technicianIds: [state.winner!.technicianId],
          reason: 'cancelled',
        });
      } else {
        revokeLive(c, 'cancelled');
      }
      close(c, 'cancelled');
      return [c.d, c.effects];
    }
  }
}

/**
 * Why a technician cannot cancel a job (`not_assigned`, `not_winner`), or null when he can: only
 * the winner of an assigned job cancels it.
 * @example
 * if (technicianCancelRefusal(state, 'anna') === null) [state, effects] = transition(state, { type: 'technicianCancel', at, technicianId: 'anna' }, env);
 */
export function technicianCancelRefusal(
  s: SessionState,
  technicianId: string,
): 'not_assigned' | 'not_winner' | null {
  if (s.state !== 'assigned') return 'not_assigned';
  return s.winner!.technicianId === technicianId ? null : 'not_winner';
}

function accept(
  state: SessionState,
  event: Extract<SessionEvent, { type: 'accept' }>,
  env: SessionEnv,
): [SessionState, Effect[], AcceptOutcome] {
  const jobId = state.job.id;
  const { technicianId, at } = event;
  const w = state.winner;
  if (
    w !== null &&
    w.technicianId === technicianId &&
    w.requestId === event.requestId &&
    (state.state === 'assigned' || state.state === 'completed')
  ) {
    return [state, [], { outcome: 'assigned', jobId, technicianId, at: w.at, repeated: true, effects: [] }];
  }
  // A retry of a request that won an earlier job with this id is never a fresh win of this one.
  if (event.requestId !== null && state.retired?.includes(requestKey(technicianId, event.requestId))) {
    return [state, [], { outcome: 'already_taken', jobId }];
  }
  const o = offerOf(state, technicianId);
  // Checked before the job's state, so a technician who was never offered the job learns nothing about it.
  if (o === undefined) return [state, [], { outcome: 'not_offered', jobId }];
  if (o.status === 'held' && state.state === 'open') {
    return [state, [], { outcome: 'held', jobId, technicianId, awardAt: state.awardAt!, effects: [] }];
  }
  if (state.state === 'cancelled') return [state, [], { outcome: 'job_cancelled', jobId }];
  if (state.state === 'assigned' || state.state === 'completed')
    return [state, [], { outcome: 'already_taken', jobId }];
  if (state.state === 'unfilled') return [state, [], { outcome: 'job_unfilled', jobId }];
  if (o.status === 'declined') return [state, [], { outcome: 'offer_declined', jobId }];
  if (o.status === 'withdrawn' || o.status === 'revoked')
    return [state, [], { outcome: 'offer_withdrawn', jobId }];
  if (o.status === 'cancelled') return [state, [], { outcome: 'offer_cancelled', jobId }];
  if (o.status === 'expired' || o.expiresAt <= at) return [state, [], { outcome: 'offer_expired', jobId }];
  const reason = env.verdict(technicianId, state.certPartner, state.job);
  if (reason !== null) return [state, [], { outcome: 'no_longer_eligible', jobId, reason }];
  const c = new Ctx(state, at, env);
  const responseMs = at - o.sentAt;
  if (state.award !== undefined) {
    // Best accept: collect it; the first one opens the window (never past the deadline).
    const awardAt = state.awardAt ?? Math.min(at + state.award.windowMs, state.deadlineAt);
    c.setOffer(technicianId, { ...o, status: 'held' });
    c.d.held = [...(state.held ?? []), { technicianId, requestId: event.requestId, at, responseMs }];
    c.d.awardAt = awardAt;
    // An accept after awardAt that comes before the award is processed (the next advance) still joins.
    c.effects.push({ type: 'held', ...c.base(), technicianId, awardAt });
    const effects = c.effects;
    return [c.d, effects, { outcome: 'held', jobId, technicianId, awardAt, effects }];
  }
  c.d.winner = { technicianId, requestId: event.requestId, at, responseMs };
  c.effects.push({ type: 'assigned', ...c.base(), technicianId, responseMs });
  revokeLive(c, 'taken', technicianId);
  close(c, 'assigned');
  const effects = c.effects;
  return [c.d, effects, { outcome: 'assigned', jobId, technicianId, at, repeated: false, effects }];
}

/** Takes a withdrawn accepter out of the award window; an empty window closes without an award. */
function unhold(c: Ctx, technicianId: string): void {
  const held = c.d.held!.filter((h) => h.technicianId !== technicianId);
  if (held.length > 0) {
    c.d.held = held;
  } else {
    delete c.d.held;
    delete c.d.awardAt;
  }
}

/**
 * The JSON form of a session (offers as an array in the order they were made).
 * @example
 * const json = sessionToJSON(state); // plain data, no Map: JSON.stringify it to store or send it
 * json.offers.map((o) => o.technicianId); // e.g. ['anna', 'ben'], in the order they were offered the job
 */
export function sessionToJSON(s: SessionState): SessionJSON {
  const { index: _index, ...rest } = s;
  return { ...rest, offers: s.offers.map((o) => ({ ...o })) };
}

/**
 * Reads a session back from its JSON form.
 * @example
 * const state = sessionFromJSON(JSON.parse(stored)); // stored = JSON.stringify(sessionToJSON(s))
 * const [next, effects] = transition(state, { type: 'tick', at: now }, env); // carries on where s left off
 */
export function sessionFromJSON(json: SessionJSON): SessionState {
  const offers = json.offers.map((o) => ({ ...o }));
  const index = new Map<string, number>();
  for (let i = 0; i < offers.length; i++) index.set(offers[i]!.technicianId, i);
  return { ...json, offers, index };
}

/** When a closed session may be forgotten: `retainMs` after it closed (or was completed); never while assigned. */
export function evictAt(s: SessionState, retainMs: number): number | undefined {
  if (s.state === 'open' || s.state === 'assigned') return undefined;
  return (s.completedAt ?? s.closedAt!) + retainMs;
}
