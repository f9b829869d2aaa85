/**
 * The dispatch session of one job as a pure state machine: `transition(state, event, env)` returns
 * the next state and the effects the caller performs; it never mutates its input (unchanged parts
 * are shared, changed ones copied) and reads the world only through `env` (fleet facts: who became
 * unavailable, a re-plan, an accept's eligibility), which the dispatcher records in its event log
 * so a replay needs no fleet. Every time in the state is absolute, so a restored session keeps its
 * deadlines whatever the policy says by then.
 */
import type {
  AcceptOutcome,
  Effect,
  EscalatedEffect,
  IneligibleReason,
  OfferRecord,
  PlannedOffer,
  SessionJSON,
  UnavailableReason,
  UnfilledReason,
} from './dispatch/types.js';
import type { Policy } from './policy.js';
import type { Job } from './types.js';

/**
 * A session's state: {@link SessionJSON} plus `index`, technician id → position in `offers`. Offers
 * are only ever appended or replaced in place, so the index is append-only and shared by every
 * version of a session (copying a map per transition would cost more than the transition); a
 * version checks the position it finds and falls back to a scan, so states stay values.
 */
export type SessionState = Readonly<Omit<SessionJSON, 'offers'>> & {
  readonly offers: readonly Readonly<OfferRecord>[];
  readonly index: Map<string, number>;
};

/** Position of a technician's offer in `offers`, or -1. */
function positionOf(s: Pick<SessionState, 'offers' | 'index'>, technicianId: string): number {
  const i = s.index.get(technicianId);
  if (i === undefined) return -1;
  if (s.offers[i]?.technicianId === technicianId) return i;
  // Another version of this session (a branch) used the position: scan.
  return s.offers.findIndex((x) => x.technicianId === technicianId);
}

/** The offer a session made to a technician, if any. */
export function offerOf(
  s: Pick<SessionState, 'offers' | 'index'>,
  technicianId: string,
): Readonly<OfferRecord> | undefined {
  const i = positionOf(s, technicianId);
  return i < 0 ? undefined : s.offers[i];
}

/** What a session may ask of the world; the dispatcher answers from the fleet and logs the answers. */
export interface SessionEnv {
  /** Of these technicians about to be notified, the ones no longer available (skipped). */
  unavailable(ids: readonly string[], certPartner: string | null): string[];
  /** Ranked candidates for an escalation step, excluding `exclude`. */
  replan(
    job: Job,
    overrides: { maxRadiusKm?: number; allowProsOnFriendJobs: boolean; exclude: readonly string[] },
  ): PlannedOffer[];
  /** Whether a technician may still take the job: `null` when eligible, else why not. */
  verdict(technicianId: string, certPartner: string | null): IneligibleReason | null;
}

/** Inputs to a session after it was opened. */
export type SessionEvent =
  /** Process everything due up to `at` (waves, expiries, escalation steps, the deadline). */
  | { type: 'tick'; at: number }
  | { type: 'accept'; at: number; technicianId: string; requestId: string | null }
  | { type: 'decline'; at: number; technicianId: string }
  /** The technician became unavailable: withdraw his running offer and notify a replacement. */
  | { type: 'withdraw'; at: number; technicianId: string; reason: UnavailableReason }
  | { type: 'cancel'; at: number }
  /** The winner finished the job. */
  | { type: 'complete'; at: number };

/** What opens a session: the job, the plan's ranked candidates with their first-round waves. */
export interface OpenInput {
  at: number;
  job: Job;
  ordinal: number;
  policy: Policy;
  /** Ranked candidates (coarsened distances). */
  candidates: readonly PlannedOffer[];
  /** First-round wave of each candidate, −1 for the reserve. */
  waves: readonly number[];
  /** Winning request keys of earlier jobs with this id (see `SessionJSON.retired`). */
  retired?: readonly string[];
}

/** Rounds a distance to 0.5 km (the dispatcher measures it from a privacy cell first, see `dispatch/privacy.ts`). */
export function coarsenKm(km: number): number {
  return Math.round(km * 2) / 2;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<SessionState>;

/** Working context of one transition. */
class Ctx {
  readonly d: Draft;
  readonly effects: Effect[] = [];
  private ownOffers = false;
  constructor(
    state: SessionState,
    readonly now: number,
    readonly env: SessionEnv,
  ) {
    this.d = { ...state };
  }

  setOffer(id: string, record: OfferRecord): void {
    const { d } = this;
    if (!this.ownOffers) {
      d.offers = d.offers.slice();
      this.ownOffers = true;
    }
    const offers = d.offers as OfferRecord[];
    const i = positionOf(d, id);
    if (i < 0) {
      d.index.set(id, offers.length);
      offers.push(record);
    } else {
      offers[i] = record;
    }
  }

  base(): { jobId: string; partner?: string; at: number } {
    const { job } = this.d;
    return job.partner === undefined
      ? { jobId: job.id, at: this.now }
      : { jobId: job.id, partner: job.partner, at: this.now };
  }
}

/** When something is next due for the session, or undefined once it is closed. */
export function dueAt(s: SessionState): number | undefined {
  if (s.state !== 'open') return undefined;
  let t = s.deadlineAt;
  const e = s.expiries[0];
  if (e !== undefined && e.at < t) t = e.at;
  const p = s.pending[0];
  if (p !== undefined && p.at < t) t = p.at;
  const st = s.steps[s.nextStep];
  if (st !== undefined && st.at < t) t = st.at;
  return t;
}

/** Whether a technician's offer is running at `now` (sent, unanswered, not expired, job open). */
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
  const pending: SessionJSON['pending'] = policy.waves.map((w, index) => ({
    index,
    at: at + w.offsetMs,
    offers: [],
  }));
  const reserve: PlannedOffer[] = [];
  input.candidates.forEach((c, i) => {
    const w = input.waves[i]!;
    if (w >= 0) pending[w]!.offers.push(c);
    else reserve.push(c);
  });
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
    deadlineAt: at + policy.deadlineMs,
    offerTtlMs: policy.offerTtlMs,
    maxNotified: policy.maxNotifiedPerJob,
    reoffer: policy.reofferDeclined,
    certPartner: cert ? job.partner! : null,
    pending: pending.filter((w) => w.offers.length > 0),
    reserve,
    steps: policy.escalation.map((step) => ({ at: at + step.afterMs, step })),
    nextStep: 0,
    batch: policy.waves[0]!.size,
    nextWave: policy.waves.length,
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
  if (input.retired !== undefined && input.retired.length > 0)
    (state as Draft).retired = input.retired.slice();
  const c = new Ctx(state, at, env);
  runDue(c);
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
      if (state.state !== 'open' || o === undefined || o.status !== 'live') return [state, []];
      const c = new Ctx(state, event.at, env);
      c.setOffer(event.technicianId, { ...o, status: 'withdrawn' });
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
      return [{ ...state, state: 'completed', completedAt: event.at }, []];
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
  if (event.requestId !== null && state.retired?.includes(`${technicianId}\u0000${event.requestId}`)) {
    return [state, [], { outcome: 'already_taken', jobId }];
  }
  const o = offerOf(state, technicianId);
  // Checked before the job's state, so a technician who was never offered the job learns nothing about it.
  if (o === undefined) return [state, [], { outcome: 'not_offered', jobId }];
  if (state.state === 'cancelled') return [state, [], { outcome: 'job_cancelled', jobId }];
  if (state.state === 'assigned' || state.state === 'completed')
    return [state, [], { outcome: 'already_taken', jobId }];
  if (state.state === 'unfilled') return [state, [], { outcome: 'job_unfilled', jobId }];
  if (o.status === 'declined') return [state, [], { outcome: 'offer_declined', jobId }];
  if (o.status === 'withdrawn') return [state, [], { outcome: 'offer_withdrawn', jobId }];
  if (o.status === 'expired' || o.expiresAt <= at) return [state, [], { outcome: 'offer_expired', jobId }];
  const reason = env.verdict(technicianId, state.certPartner);
  if (reason !== null) return [state, [], { outcome: 'no_longer_eligible', jobId, reason }];
  const c = new Ctx(state, at, env);
  const responseMs = at - o.sentAt;
  c.d.winner = { technicianId, requestId: event.requestId, at, responseMs };
  c.effects.push({ type: 'assigned', ...c.base(), technicianId, responseMs });
  revokeLive(c, 'taken', technicianId);
  close(c, 'assigned');
  const effects = c.effects;
  return [c.d, effects, { outcome: 'assigned', jobId, technicianId, at, repeated: false, effects }];
}

/** Processes every item due at or before `now`, earliest first (ties: expiry, wave, step). */
function runDue(c: Ctx): void {
  const { d, now } = c;
  for (;;) {
    if (d.state !== 'open') return;
    if (d.deadlineAt <= now) {
      // Items due before the deadline but processed late are skipped: their offers would be revoked at once.
      closeUnfilled(c, 'deadline');
      return;
    }
    const e = d.expiries[0];
    const p = d.pending[0];
    const s = d.steps[d.nextStep];
    const te = e === undefined ? Number.POSITIVE_INFINITY : e.at;
    const tp = p === undefined ? Number.POSITIVE_INFINITY : p.at;
    const ts = s === undefined ? Number.POSITIVE_INFINITY : s.at;
    if (te <= now && te <= tp && te <= ts) expire(c);
    else if (tp <= now && tp <= ts) sendPending(c);
    else if (ts <= now) escalate(c);
    else break;
  }
  checkExhausted(c);
}

function expire(c: Ctx): void {
  const { d, now } = c;
  const batch = d.expiries[0]!;
  d.expiries = d.expiries.slice(1);
  const ids: string[] = [];
  for (const o of d.offers) {
    if (o.wave === batch.wave && o.status === 'live' && o.expiresAt <= now) ids.push(o.technicianId);
  }
  for (const id of ids) c.setOffer(id, { ...offerOf(d, id)!, status: 'expired' });
  if (ids.length > 0) c.effects.push({ type: 'expired', ...c.base(), technicianIds: ids });
}

function sendPending(c: Ctx): void {
  const w = c.d.pending[0]!;
  c.d.pending = c.d.pending.slice(1);
  sendFrom(c, w.offers, w.offers.length, w.index);
}

/** Whether a technician may not be offered the job (again). */
function offeredBefore(d: Draft, id: string): boolean {
  const o = offerOf(d, id);
  return o !== undefined && (o.status === 'live' || !d.reoffer);
}

/**
 * Notifies up to `want` technicians taken in order from `list` (skipping those offered before and
 * those no longer available), within the job's notification cap, as one wave. Returns how many
 * entries of `list` were used and how many technicians were notified.
 */
function sendFrom(
  c: Ctx,
  list: readonly PlannedOffer[],
  want: number,
  wave: number,
): { used: number; sent: number } {
  const { d, now } = c;
  // At or past the deadline (not yet processed) an offer would be dead on arrival.
  if (now >= d.deadlineAt) return { used: 0, sent: 0 };
  want = Math.min(want, d.maxNotified - d.notified);
  const out: PlannedOffer[] = [];
  let i = 0;
  while (out.length < want && i < list.length) {
    const chunk = list.slice(i, i + (want - out.length));
    i += chunk.length;
    const fresh = chunk.filter((p) => !offeredBefore(d, p.id));
    if (fresh.length === 0) continue;
    const skipped = c.env.unavailable(
      fresh.map((p) => p.id),
      d.certPartner,
    );
    for (const p of fresh) if (skipped.length === 0 || !skipped.includes(p.id)) out.push(p);
  }
  if (out.length === 0) return { used: i, sent: 0 };
  const expiresAt = Math.min(now + d.offerTtlMs, d.deadlineAt);
  for (const p of out) c.setOffer(p.id, { technicianId: p.id, wave, sentAt: now, expiresAt, status: 'live' });
  d.notified += out.length;
  d.expiries = [...d.expiries, { at: expiresAt, wave }];
  c.effects.push({
    type: 'notify',
    ...c.base(),
    wave,
    technicianIds: out.map((p) => p.id),
    distancesKm: out.map((p) => p.km),
    expiresAt,
  });
  return { used: i, sent: out.length };
}

/** Sends from the reserve as a new wave number. */
function sendReserve(c: Ctx, want: number): number {
  const { d } = c;
  const r = sendFrom(c, d.reserve, want, d.nextWave);
  d.reserve = d.reserve.slice(r.used);
  if (r.sent > 0) d.nextWave++;
  return r.sent;
}

/** A decline or a withdrawn offer pulls the next wave forward (or one replacement from the reserve). */
function pullForward(c: Ctx): void {
  if (c.d.pending.length > 0) sendPending(c);
  else sendReserve(c, 1);
}

function escalate(c: Ctx): void {
  const { d } = c;
  const index = d.nextStep;
  const { step } = d.steps[index]!;
  d.nextStep = index + 1;
  const effect: EscalatedEffect = {
    type: 'escalated',
    ...c.base(),
    step: index,
    action: step.action,
    notified: 0,
  };
  c.effects.push(effect);
  if (step.action === 'deeper') {
    effect.notified = sendReserve(c, step.size);
    return;
  }
  if (step.action === 'widen') {
    const own = d.job.maxRadiusKm;
    if (own === undefined) {
      effect.skipped = 'no_job_radius';
      return;
    }
    d.widenKm = Math.max(d.widenKm ?? own, step.radiusKm);
  } else if (step.action === 'allowPros') {
    d.allowPros = true;
    if (!d.prosStepApplies) {
      // The pool is the same as at the last plan: the next batch comes from the reserve.
      effect.notified = sendReserve(c, d.batch);
      return;
    }
  }
  const exclude: string[] = [];
  for (const o of d.offers) if (o.status === 'live' || !d.reoffer) exclude.push(o.technicianId);
  const overrides: Parameters<SessionEnv['replan']>[1] = { allowProsOnFriendJobs: d.allowPros, exclude };
  if (d.widenKm !== null) overrides.maxRadiusKm = d.widenKm;
  d.reserve = c.env.replan(d.job, overrides);
  effect.notified = sendReserve(c, step.action === 'broadcast' ? Number.POSITIVE_INFINITY : d.batch);
}

function revokeLive(c: Ctx, reason: 'taken' | 'cancelled' | 'unfilled', except?: string): void {
  const ids: string[] = [];
  for (const o of c.d.offers) if (o.status === 'live' && o.technicianId !== except) ids.push(o.technicianId);
  if (ids.length > 0) c.effects.push({ type: 'revoke', ...c.base(), technicianIds: ids, reason });
}

function close(
  c: Ctx,
  state: 'assigned' | 'cancelled' | 'unfilled',
  reason: UnfilledReason | null = null,
): void {
  const { d } = c;
  d.state = state;
  d.closedAt = c.now;
  d.reason = reason;
  d.pending = [];
  d.reserve = [];
  d.expiries = [];
}

function closeUnfilled(c: Ctx, reason: UnfilledReason): void {
  revokeLive(c, 'unfilled');
  close(c, 'unfilled', reason);
  c.effects.push({ type: 'unfilled', ...c.base(), reason, notified: c.d.notified });
}

/** Hands the job back early when nothing is left to try (no running offer, wave or step). */
function checkExhausted(c: Ctx): void {
  const { d } = c;
  if (
    d.state === 'open' &&
    d.pending.length === 0 &&
    d.expiries.length === 0 &&
    d.nextStep >= d.steps.length
  ) {
    closeUnfilled(c, 'exhausted');
  }
}

/** The JSON form of a session (offers as an array in the order they were made). */
export function sessionToJSON(s: SessionState): SessionJSON {
  const { index: _index, ...rest } = s;
  return { ...rest, offers: s.offers.map((o) => ({ ...o })) };
}

/** Reads a session back from its JSON form. */
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
