/**
 * The steps a session takes inside one transition — sending waves, expiring offers, escalating,
 * closing — on a working copy of the state ({@link Ctx}, `session-context.ts`) that copies only
 * what it changes. Used by `../session.ts`, which holds the machine's entry points and takes the
 * working copy from here too.
 */

import type { Bonus } from '../shared/currency.js';
import { Ctx, offerOf, positionOf } from './session-context.js';
import type { Draft, SessionEnv } from './session-types.js';
import {
  type Effect,
  type EscalatedEffect,
  isPending,
  type OfferRecord,
  type PlannedOffer,
  type ReopenedEffect,
  type UnfilledReason,
} from './types.js';

export { Ctx, offerOf };

/** Processes every item due at or before `now`, earliest first (ties: expiry, wave, step). */
export function runDue(c: Ctx): void {
  const { d, now } = c;
  for (;;) {
    if (d.state !== 'open') return;
    if (d.awardAt !== undefined && d.awardAt <= now) {
      // The window never runs past the deadline (awardAt ≤ deadlineAt): award before handing back.
      award(c);
      continue;
    }
    if (d.deadlineAt <= now) {
      // Items due before the deadline but processed late are skipped: their offers would be revoked at once.
      closeUnfilled(c, 'deadline');
      return;
    }
    const e = d.expiries[0];
    // While an award window runs, no more waves or steps go out: someone has accepted.
    const paused = d.awardAt !== undefined;
    const p = paused ? undefined : d.pending[0];
    const s = paused ? undefined : d.steps[d.nextStep];
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
  sendFrom(c, w.offers, w.offers.length, w.index, w.preferredUntil);
}

/** Whether an offer keeps its technician from being offered the job (again). */
function bars(d: Draft, o: Readonly<OfferRecord>): boolean {
  if (o.status === 'live' || o.status === 'cancelled') return true;
  // Revoked when someone took the job who then cancelled: he never answered, so he may be offered again.
  return !d.reoffer && o.status !== 'revoked';
}

/** Whether a technician may not be offered the job (again). */
function offeredBefore(d: Draft, id: string): boolean {
  const o = offerOf(d, id);
  return o !== undefined && bars(d, o);
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
  preferredUntil?: number,
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
      d.job,
    );
    for (const p of fresh) if (skipped.length === 0 || !skipped.includes(p.id)) out.push(p);
  }
  if (out.length === 0) return { used: i, sent: 0 };
  // A chosen technician's offer runs until `preferredUntil`, but never less than an offer TTL
  // (a wave processed late must not arrive expired).
  const ttlEnd = now + d.offerTtlMs;
  const expiresAt = Math.min(
    preferredUntil !== undefined && preferredUntil > ttlEnd ? preferredUntil : ttlEnd,
    d.deadlineAt,
  );
  for (const p of out)
    c.setOffer(p.id, { technicianId: p.id, wave, sentAt: now, expiresAt, status: 'live', km: p.km });
  d.notified += out.length;
  // Kept in time order: a chosen technician's offer may outlive later waves' offers.
  let k = d.expiries.length;
  while (k > 0 && d.expiries[k - 1]!.at > expiresAt) k--;
  d.expiries = [...d.expiries.slice(0, k), { at: expiresAt, wave }, ...d.expiries.slice(k)];
  const effect: Effect = {
    type: 'notify',
    ...c.base(),
    wave,
    technicianIds: out.map((p) => p.id),
    distancesKm: out.map((p) => p.km),
    expiresAt,
  };
  if (preferredUntil !== undefined) effect.preferred = true;
  if (d.bonus !== undefined) effect.bonus = { ...d.bonus };
  c.effects.push(effect);
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
export function pullForward(c: Ctx): void {
  if (c.d.awardAt !== undefined) return; // someone has accepted: the window decides
  if (exclusive(c)) return;
  if (c.d.pending.length > 0) sendPending(c);
  else sendReserve(c, 1);
}

/** Whether the chosen technicians still have the job to themselves: before the crowd's first wave, one of their offers runs. */
function exclusive(c: Ctx): boolean {
  const { d, now } = c;
  const chosen = d.job.preferred?.technicianIds;
  const next = d.pending[0];
  if (chosen === undefined || next === undefined || next.at <= now) return false;
  for (const id of chosen) {
    const o = offerOf(d, id);
    if (o !== undefined && o.status === 'live' && o.expiresAt > now) return true;
  }
  return false;
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
  // Raised before the step's own offers go out, so they carry it; the running ones are named.
  if (step.bonus !== undefined) {
    effect.bonus = raiseBonus(d, step.bonus);
    const running: string[] = [];
    for (const o of d.offers) if (o.status === 'live' && o.expiresAt > c.now) running.push(o.technicianId);
    if (running.length > 0) effect.runningOffers = running;
  }
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
  replan(c);
  effect.notified = sendReserve(c, step.action === 'broadcast' ? Number.POSITIVE_INFINITY : d.batch);
}

/** Adds a step's bonus to the job's, capped by the policy's `maxBonusPerJob`; returns the new bonus. */
function raiseBonus(d: Draft, add: Bonus): Bonus {
  const cap = d.maxBonus?.amount ?? Number.POSITIVE_INFINITY;
  d.bonus = { amount: Math.min(cap, (d.bonus?.amount ?? 0) + add.amount), currency: add.currency };
  return { ...d.bonus };
}

/** Fills the reserve from a re-plan with the step state reached (radius, Pros), excluding barred technicians. */
function replan(c: Ctx): void {
  const { d } = c;
  const exclude: string[] = [];
  for (const o of d.offers) if (bars(d, o)) exclude.push(o.technicianId);
  const overrides: Parameters<SessionEnv['replan']>[1] = { allowProsOnFriendJobs: d.allowPros, exclude };
  if (d.widenKm !== null) overrides.maxRadiusKm = d.widenKm;
  d.reserve = c.env.replan(d.job, overrides);
}

/**
 * The winner cancelled: the job is open again without him. What restarts: the deadline (its full
 * length, counted from now; an appointment keeps its own), the escalation steps not yet taken (each keeps its offset, counted
 * from now), and a first batch from a fresh re-plan (the radius and Pros the steps already granted
 * are kept). He is barred from the job for good (`cancelled`); the technicians whose offers the
 * assignment revoked may be offered it again. With nobody to notify and no step left, the job is
 * handed back unfilled at once (`exhausted`).
 */
export function reopen(c: Ctx, technicianId: string, reason: string | undefined): void {
  const { d, now } = c;
  // What the deadline and the steps counted from: the last re-opening, else the crowd's start.
  const first = d.steps[0];
  const from = d.reopenedAt ?? (first === undefined ? d.openedAt : first.at - first.step.afterMs);
  // An appointment's deadline is tied to its window, which does not move.
  if (d.job.window === undefined) d.deadlineAt = now + (d.deadlineAt - from);
  d.steps = d.steps.map((s, i) => (i < d.nextStep ? s : { at: now + (s.at - from), step: s.step }));
  d.reopenedAt = now;
  d.state = 'open';
  d.winner = null;
  d.closedAt = null;
  for (const o of d.offers) {
    if (o.technicianId === technicianId) c.setOffer(o.technicianId, { ...o, status: 'cancelled' });
    // The losers of a best-accept award too: they were told it was taken.
    else if (isPending(o)) c.setOffer(o.technicianId, { ...o, status: 'revoked' });
  }
  const effect: ReopenedEffect = { type: 'reopened', ...c.base(), technicianId, deadlineAt: d.deadlineAt };
  if (reason !== undefined) effect.reason = reason;
  c.effects.push(effect);
  // A booking only the chosen may take goes back `preferred_unavailable` (by runDue) instead.
  if (d.job.preferred?.only !== true) {
    replan(c);
    sendReserve(c, d.batch);
  }
  runDue(c);
}

/** Tells everyone with a running (or held) offer, but `except`, that the job is gone. */
export function revokeLive(c: Ctx, reason: 'taken' | 'cancelled' | 'unfilled', except?: string): void {
  const ids: string[] = [];
  for (const o of c.d.offers) if (isPending(o) && o.technicianId !== except) ids.push(o.technicianId);
  if (ids.length > 0) c.effects.push({ type: 'revoke', ...c.base(), technicianIds: ids, reason });
}

export function close(
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
  delete d.held;
  delete d.awardAt;
}

export function closeUnfilled(c: Ctx, why: UnfilledReason): void {
  // Asked for the chosen technicians only: handed back because none of them took it (unless the
  // job was refused at open, outside its partner's region: nobody could have taken it).
  const reason: UnfilledReason =
    c.d.job.preferred?.only === true && why !== 'outside_partner_region' ? 'preferred_unavailable' : why;
  revokeLive(c, 'unfilled');
  close(c, 'unfilled', reason);
  c.effects.push({ type: 'unfilled', ...c.base(), reason, notified: c.d.notified });
}

/**
 * Closes a best-accept window: the held accepters in the policy's order (see {@link awardOrder}),
 * the first still eligible wins. When none is, they are told (`revoke`, `unavailable`) and the
 * job goes on as if nobody had accepted: the waves and steps the window held back are due again.
 */
function award(c: Ctx): void {
  const { d } = c;
  const held = d.held!;
  for (const i of awardOrder(c, held)) {
    const h = held[i]!;
    if (c.env.verdict(h.technicianId, d.certPartner, d.job) !== null) continue;
    // `at` is his accept's time, as in first-accept mode; the effect carries the award's.
    d.winner = { technicianId: h.technicianId, requestId: h.requestId, at: h.at, responseMs: h.responseMs };
    c.effects.push({ type: 'assigned', ...c.base(), technicianId: h.technicianId, responseMs: h.responseMs });
    revokeLive(c, 'taken', h.technicianId);
    close(c, 'assigned');
    return;
  }
  const ids = held.map((h) => h.technicianId);
  for (const id of ids) c.setOffer(id, { ...offerOf(d, id)!, status: 'withdrawn' });
  c.effects.push({ type: 'revoke', ...c.base(), technicianIds: ids, reason: 'unavailable' });
  delete d.held;
  delete d.awardAt;
}

/**
 * Indices of `held` best first: Best Friends first when the policy says so, then the criterion,
 * then whoever was offered the job first (offers go out in rank order).
 */
function awardOrder(c: Ctx, held: NonNullable<Draft['held']>): number[] {
  const { d } = c;
  const rule = d.award!;
  const ids = held.map((h) => h.technicianId);
  const standing = rule.by === 'fewestRecentAwards' || rule.bestFriendFirst ? c.env.standing(ids) : undefined;
  const position = ids.map((id) => positionOf(d, id));
  const km = ids.map((id) => offerOf(d, id)?.km ?? Number.POSITIVE_INFINITY);
  const key = (i: number): number[] => {
    const k: number[] = [];
    if (rule.bestFriendFirst) k.push(standing!.bestFriend[i] ? 0 : 1);
    if (rule.by === 'nearest') k.push(km[i]!);
    else if (rule.by === 'fewestRecentAwards') k.push(standing!.awards[i]!, km[i]!);
    k.push(position[i]!);
    return k;
  };
  const keys = held.map((_, i) => key(i));
  return held
    .map((_, i) => i)
    .sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return x[j]! - y[j]!;
      return 0;
    });
}

/** Hands the job back early when nothing is left to try (no running offer, wave or step). */
export function checkExhausted(c: Ctx): void {
  const { d } = c;
  if (
    d.state === 'open' &&
    d.awardAt === undefined &&
    d.pending.length === 0 &&
    d.nextStep >= d.steps.length &&
    (d.expiries.length === 0 || (d.job.preferred?.only === true && !anyLive(c)))
  ) {
    closeUnfilled(c, 'exhausted');
  }
}

/** Whether an offer still runs (a chosen-only job is handed back as soon as every chosen one said no). */
function anyLive(c: Ctx): boolean {
  for (const o of c.d.offers) if (o.status === 'live' && o.expiresAt > c.now) return true;
  return false;
}
