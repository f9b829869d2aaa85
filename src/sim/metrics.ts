/**
 * What a simulation run records while it runs ({@link Recorder}) and how it becomes the summary
 * (`summary-types.ts`): speed, fill, reach, travel, fairness, Best Friend uplift, escalations and
 * unfilled jobs. Every figure is rounded, so the JSON of a seed is byte-identical across runs.
 */

import { UNFILLED_REASONS, type UnfilledReason } from 'crowd-dispatch';
import { gini, mean, quantile, round, sortedCopy, topDecileShare } from './stats.js';
import type { Breakdown, FairnessFigures, SimDetail, SimSummary } from './summary-types.js';
import type { SimJob, SimTechnician } from './world.js';

export type { Breakdown, FairnessFigures, SimDetail, SimSummary } from './summary-types.js';

/** Job outcome codes: one per way a job ends, and one per reason it is handed back unfilled. */
export const OUTCOME = {
  open: 0,
  assigned: 1,
  cancelled: 2,
  deadline: 3,
  exhausted: 4,
  preferred_unavailable: 5,
  outside_partner_region: 6,
} as const satisfies Record<'open' | 'assigned' | 'cancelled' | UnfilledReason, number>;

/** Why a job with outcome code `o` was handed back; undefined unless it was. */
export function unfilledReasonOf(o: number): UnfilledReason | undefined {
  return UNFILLED_REASONS.find((r) => OUTCOME[r] === o);
}

const DAY_MS = 86_400_000;

/** Per-job and per-technician counters filled in by the runner. */
export class Recorder {
  readonly acceptedAt: Float64Array;
  /** The job's first accept that was taken (assigned, or held in a best-accept window); NaN before it. */
  readonly firstAcceptAt: Float64Array;
  /**
   * When the job's accept clock starts: its creation for an on-demand job; for an appointment, when
   * its first offers are due (`scheduleOf(…).offersAt`: the policy's lead time before its window).
   */
  readonly offeredFrom: Float64Array;
  readonly onSiteAt: Float64Array;
  readonly distanceKm: Float64Array;
  readonly tech: Int32Array;
  readonly notified: Int32Array;
  readonly escalations: Int32Array;
  readonly outcome: Uint8Array;
  readonly offers: Int32Array;
  readonly awards: Int32Array;
  readonly declines: Int32Array;
  readonly lostRaces: Int32Array;
  /** Time on site of each assigned job, ms. */
  readonly onJobMs: Float64Array;
  /** Notify effects (waves, escalation batches included) and explicit declines per job. */
  readonly waves: Int32Array;
  readonly jobDeclines: Int32Array;
  /** Per-job timeline, kept only when asked for (exports): parallel arrays, one entry an event. */
  readonly timeline: { job: number[]; at: number[]; event: string[]; detail: string[] } | undefined;
  readonly steps: Record<string, number> = { deeper: 0, widen: 0, allowPros: 0, broadcast: 0 };
  refusals: Record<string, number> = {};
  /** Each job's bonus amount as last offered (0: none). */
  readonly bonus: Float64Array;
  technicianCancels = 0;
  /** Accepts a raised bonus brought from running offers (see `Summary.bonus.runningAccepts`). */
  bonusAccepts = 0;
  noShows = 0;
  /** Replayed appointments booked too close to their start for the policy, dispatched on demand. */
  appointmentsOnDemand = 0;

  constructor(jobs: number, technicians: number, timeline = false) {
    this.onJobMs = new Float64Array(jobs).fill(Number.NaN);
    this.bonus = new Float64Array(jobs);
    this.waves = new Int32Array(jobs);
    this.jobDeclines = new Int32Array(jobs);
    this.timeline = timeline ? { job: [], at: [], event: [], detail: [] } : undefined;
    this.acceptedAt = new Float64Array(jobs).fill(Number.NaN);
    this.firstAcceptAt = new Float64Array(jobs).fill(Number.NaN);
    this.offeredFrom = new Float64Array(jobs).fill(Number.NaN);
    this.onSiteAt = new Float64Array(jobs).fill(Number.NaN);
    this.distanceKm = new Float64Array(jobs).fill(Number.NaN);
    this.tech = new Int32Array(jobs).fill(-1);
    this.notified = new Int32Array(jobs);
    this.escalations = new Int32Array(jobs);
    this.outcome = new Uint8Array(jobs);
    this.offers = new Int32Array(technicians);
    this.awards = new Int32Array(technicians);
    this.declines = new Int32Array(technicians);
    this.lostRaces = new Int32Array(technicians);
  }

  /** Seconds from the job's accept clock start (`offeredFrom`) to its winning accept; NaN unless assigned. */
  acceptDelayS(j: number): number {
    return (this.acceptedAt[j]! - this.offeredFrom[j]!) / 1000;
  }

  /** Seconds from the accept clock start to the first accept taken (see `firstAcceptAt`); NaN unless assigned. */
  firstAcceptDelayS(j: number): number {
    return (this.firstAcceptAt[j]! - this.offeredFrom[j]!) / 1000;
  }

  /** Appends a timeline event (no-op unless the timeline is kept). */
  log(job: number, at: number, event: string, detail = ''): void {
    const t = this.timeline;
    if (!t) return;
    t.job.push(job);
    t.at.push(at);
    t.event.push(event);
    t.detail.push(detail);
  }
}

/** Width of a minutes-to-door bin, and how many bins (the last is open-ended). */
export const DOOR_BIN_MIN = 5;
export const DOOR_BINS = 37;

function breakdowns(
  rec: Recorder,
  jobs: readonly SimJob[],
  startWeekday: number,
): [Breakdown[], Breakdown[]] {
  const groups = [24, 7].map((n) =>
    Array.from({ length: n }, () => ({ jobs: 0, assigned: 0, served: 0, tta: [] as number[] })),
  );
  jobs.forEach((sj, j) => {
    const o = rec.outcome[j]!;
    if (o === OUTCOME.cancelled) return;
    const keys = [Math.floor(sj.at / 3_600_000) % 24, (startWeekday + Math.floor(sj.at / DAY_MS)) % 7];
    keys.forEach((k, g) => {
      const b = groups[g]![k]!;
      b.jobs++;
      if (o !== OUTCOME.assigned) return;
      b.assigned++;
      b.tta.push(rec.acceptDelayS(j));
      const end = sj.appointment ? sj.appointment.end : sj.at + 3_600_000;
      if (rec.onSiteAt[j]! <= end) b.served++;
    });
  });
  const out = groups.map((g) =>
    g.map((b) => ({
      jobs: b.jobs,
      assigned: b.assigned,
      served: b.served,
      acceptP50: round(quantile(sortedCopy(b.tta), 0.5), 2),
    })),
  );
  return [out[0]!, out[1]!];
}

function fairnessOf(rec: Recorder, idx: number[], days: number): FairnessFigures {
  const awards = idx.map((i) => rec.awards[i]!);
  const offers = idx.map((i) => rec.offers[i]!);
  const per30 = sortedCopy(awards.map((a) => (a * 30) / days));
  return {
    technicians: idx.length,
    awardsGini: round(gini(awards)),
    awardsTopDecileShare: round(topDecileShare(awards)),
    offersGini: round(gini(offers)),
    offersTopDecileShare: round(topDecileShare(offers)),
    awardsPer30Days: {
      p50: round(quantile(per30, 0.5), 2),
      p90: round(quantile(per30, 0.9), 2),
      max: round(per30.length ? per30[per30.length - 1]! : Number.NaN, 2),
    },
    withoutAward: round(idx.length ? awards.filter((a) => a === 0).length / idx.length : Number.NaN),
  };
}

/** Summarises a finished run. */
export function summarise(
  rec: Recorder,
  jobs: readonly SimJob[],
  techs: readonly SimTechnician[],
  meta: { scenario: string; policy: string; seed: number; days: number },
): SimSummary {
  const n = jobs.length;
  const tta: number[] = [];
  const firstTta: number[] = [];
  let considered = 0;
  let within10 = 0;
  let within60 = 0;
  let servedHour = 0;
  let assigned = 0;
  const unfilled: Record<UnfilledReason, number> = {
    deadline: 0,
    exhausted: 0,
    preferred_unavailable: 0,
    outside_partner_region: 0,
  };
  let cancelled = 0;
  let escalated = 0;
  let notifiedTotal = 0;
  let bonusJobs = 0;
  let bonusPaid = 0;
  const onSite: number[] = [];
  const travel: number[] = [];
  for (let j = 0; j < n; j++) {
    const o = rec.outcome[j]!;
    notifiedTotal += rec.notified[j]!;
    if (rec.escalations[j]! > 0) escalated++;
    if (o === OUTCOME.cancelled) {
      cancelled++;
      continue;
    }
    considered++;
    const reason = unfilledReasonOf(o);
    if (reason !== undefined) unfilled[reason]++;
    if (o !== OUTCOME.assigned) continue;
    assigned++;
    if (rec.bonus[j]! > 0) {
      bonusJobs++;
      bonusPaid += rec.bonus[j]!;
    }
    const s = rec.acceptDelayS(j);
    tta.push(s);
    firstTta.push(rec.firstAcceptDelayS(j));
    if (s <= 10) within10++;
    if (s <= 60) within60++;
    const appointment = jobs[j]!.appointment;
    if (appointment) {
      // An appointment is served when the technician is at the door before its window closes.
      if (rec.onSiteAt[j]! <= appointment.end) servedHour++;
    } else {
      const m = (rec.onSiteAt[j]! - jobs[j]!.at) / 60_000;
      onSite.push(m);
      if (m <= 60) servedHour++;
    }
    travel.push(rec.distanceKm[j]!);
  }
  const unfilledTotal = Object.values(unfilled).reduce((a, b) => a + b, 0);
  const ttaSorted = sortedCopy(tta);
  const firstSorted = sortedCopy(firstTta);
  const onSiteSorted = sortedCopy(onSite);
  const travelSorted = sortedCopy(travel);
  const perDay = sortedCopy(Array.from(rec.offers, (x) => x / meta.days));
  const friends: number[] = [];
  const active: number[] = [];
  const pros: number[] = [];
  const horizon = meta.days * DAY_MS;
  const best: number[] = [];
  const plain: number[] = [];
  techs.forEach((t, i) => {
    if (t.input.tier === 'pro') pros.push(i);
    else {
      friends.push(i);
      if (t.shifts.length > 0 && t.shifts[0]! < horizon) active.push(i);
      (t.input.bestFriend ? best : plain).push(i);
    }
  });
  const ratio = (arr: Int32Array) =>
    round(mean(best.map((i) => arr[i]!)) / mean(plain.map((i) => arr[i]!)), 3);
  const share = (k: number) => round(considered ? k / considered : Number.NaN);
  return {
    scenario: meta.scenario,
    policy: meta.policy,
    seed: meta.seed,
    days: meta.days,
    technicians: techs.length,
    jobs: n,
    timeToAcceptS: {
      p50: round(quantile(ttaSorted, 0.5), 2),
      p90: round(quantile(ttaSorted, 0.9), 2),
      p99: round(quantile(ttaSorted, 0.99), 2),
      mean: round(mean(ttaSorted), 2),
    },
    timeToFirstAcceptS: {
      p50: round(quantile(firstSorted, 0.5), 2),
      p90: round(quantile(firstSorted, 0.9), 2),
    },
    acceptedWithin10s: share(within10),
    acceptedWithin60s: share(within60),
    fillRate: share(assigned),
    servedWithinHour: share(servedHour),
    onSiteMin: { p50: round(quantile(onSiteSorted, 0.5), 1), p90: round(quantile(onSiteSorted, 0.9), 1) },
    unfilled: {
      total: unfilledTotal,
      share: share(unfilledTotal),
      deadline: unfilled.deadline,
      exhausted: unfilled.exhausted,
      preferredUnavailable: unfilled.preferred_unavailable,
      outsidePartnerRegion: unfilled.outside_partner_region,
    },
    cancelledByCustomer: cancelled,
    notificationsPerJob: round(n ? notifiedTotal / n : Number.NaN, 2),
    notificationsPerTechnicianPerDay: {
      mean: round(mean(perDay), 2),
      p90: round(quantile(perDay, 0.9), 2),
      max: round(perDay.length ? perDay[perDay.length - 1]! : Number.NaN, 2),
    },
    travelKm: { mean: round(mean(travelSorted), 2), p90: round(quantile(travelSorted, 0.9), 2) },
    fairness: {
      friends: fairnessOf(rec, friends, meta.days),
      activeFriends: fairnessOf(rec, active, meta.days),
      pros: fairnessOf(rec, pros, meta.days),
    },
    bestFriends: {
      count: best.length,
      notificationsUplift: ratio(rec.offers),
      awardsUplift: ratio(rec.awards),
    },
    escalations: { jobsEscalatedShare: round(n ? escalated / n : Number.NaN), steps: { ...rec.steps } },
    refusedAccepts: Object.fromEntries(Object.entries(rec.refusals).sort(([a], [b]) => (a < b ? -1 : 1))),
    technicianCancels: rec.technicianCancels,
    noShows: rec.noShows,
    appointmentsOnDemand: rec.appointmentsOnDemand,
    bonus: { jobs: bonusJobs, paid: Math.round(bonusPaid * 100) / 100, runningAccepts: rec.bonusAccepts },
  };
}

/** The per-item data behind the report's charts. */
export function detailOf(
  rec: Recorder,
  jobs: readonly SimJob[],
  techs: readonly SimTechnician[],
  startWeekday = 1,
): SimDetail {
  const acceptSeconds: number[] = [];
  const doorMinutes: number[] = new Array(DOOR_BINS).fill(0);
  const unfilledJobs: SimDetail['unfilledJobs'] = [];
  for (let j = 0; j < jobs.length; j++) {
    const o = rec.outcome[j]!;
    const job = jobs[j]!.job;
    if (o === OUTCOME.assigned) {
      acceptSeconds.push(round(rec.acceptDelayS(j), 2)!);
      if (!jobs[j]!.appointment) {
        const m = (rec.onSiteAt[j]! - jobs[j]!.at) / 60_000;
        doorMinutes[Math.min(DOOR_BINS - 1, Math.floor(m / DOOR_BIN_MIN))]!++;
      }
      continue;
    }
    const reason = unfilledReasonOf(o);
    if (reason !== undefined) {
      unfilledJobs.push({
        id: job.id,
        lat: job.lat,
        lon: job.lon,
        reason,
        partner: job.partner ?? null,
      });
    }
  }
  const [byHour, byWeekday] = breakdowns(rec, jobs, startWeekday);
  return {
    acceptSeconds,
    technicians: techs.map((t, i) => ({
      id: t.input.id,
      lat: t.input.lat,
      lon: t.input.lon,
      tier: t.input.tier,
      bestFriend: t.input.bestFriend === true,
      offers: rec.offers[i]!,
      awards: rec.awards[i]!,
    })),
    unfilledJobs,
    byHour,
    byWeekday,
    doorMinutes,
  };
}

export { DAY_MS };
