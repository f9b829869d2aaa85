/**
 * Per-job and per-technician records of one run, and every job's timeline, as flat plain rows:
 * what a data team loads into pandas or Observable (the CLI writes them with `--export`). Times
 * are seconds since the scenario's time 0 (local midnight of the first day).
 */
import { haversineKm } from 'crowd-dispatch';
import { OUTCOME, type Recorder, unfilledReasonOf } from './metrics.js';
import type { Scenario } from './scenario.js';
import { round } from './stats.js';
import type { World } from './world.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One job of a run. */
export interface JobRecord {
  /** The run's policy name. */
  policy: string;
  /** The run's random seed. */
  seed: number;
  /** The source id (replayed history) or the generated one. */
  id: string;
  /** When the customer asked, s since time 0. */
  createdS: number;
  /** Local hour 0–23 and weekday 0 = Sunday … 6 of the creation. */
  hour: number;
  /** Local weekday of the creation, 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** The customer's latitude, degrees. */
  lat: number;
  /** The customer's longitude, degrees. */
  lon: number;
  /** The job's partner; null for jobs without one. */
  partner: string | null;
  /** The tier the job asks for; null when it takes either (`any` by default). */
  tier: string | null;
  /** Skills needed, separated by `;`. */
  skills: string;
  /** Start of the appointment window, s since time 0; null for on-demand jobs. */
  appointmentStartS: number | null;
  /** End of the appointment window, s since time 0; null for on-demand jobs. */
  appointmentEndS: number | null;
  /** How the job ended (`open`: still open when the run stopped). */
  outcome: 'assigned' | 'unfilled' | 'cancelled' | 'open';
  /**
   * Why it was not assigned: the dispatcher's `UnfilledReason` when handed back (`deadline`,
   * `exhausted`, `preferred_unavailable`, `outside_partner_region`) or `customer` (cancelled).
   */
  reason: string | null;
  /** Notify batches (first-round waves and escalation batches), technicians notified, explicit declines. */
  waves: number;
  /** Technicians notified for the job. */
  notified: number;
  /** Offers of the job declined explicitly. */
  declines: number;
  /** Escalation steps taken for the job. */
  escalations: number;
  /**
   * When the job's accept clock started, s since time 0: its creation (on demand) or when its
   * first offers were due (an appointment); null for a job not yet opened when the run stopped.
   */
  offeredS: number | null;
  /** Seconds from `offeredS` to the winning accept; null unless assigned. */
  acceptS: number | null;
  /** Seconds from `offeredS` to the first accept taken (under a best-accept window, before the award); null unless assigned. */
  firstAcceptS: number | null;
  /** The winner; null when nobody holds the job. */
  technicianId: string | null;
  /** Great-circle distance from the winner's home to the job, km; null without a winner. */
  travelKm: number | null;
  /** Minutes from creation to the technician at the door. */
  onSiteMin: number | null;
  /** Time on site, minutes; null without a winner. */
  onJobMin: number | null;
  /** What happened in reality (replayed histories); null when not known. */
  observedOutcome: string | null;
  /** Seconds to accept in reality (replayed histories); null when not known. */
  observedAcceptS: number | null;
  /** Who took the job in reality (replayed histories); null when not known. */
  observedTechnicianId: string | null;
}

/** One technician of a run. */
export interface TechnicianRecord {
  /** The run's policy name. */
  policy: string;
  /** The run's random seed. */
  seed: number;
  /** The technician's id. */
  id: string;
  /** The technician's tier. */
  tier: 'friend' | 'pro';
  /** Whether he is a Best Friend. */
  bestFriend: boolean;
  /** Home latitude, degrees. */
  lat: number;
  /** Home longitude, degrees. */
  lon: number;
  /** Service radius, km; null when not given (the library's default, 30 km, applies). */
  radiusKm: number | null;
  /** Offers (notifications) he received. */
  offers: number;
  /** Jobs he won. */
  awards: number;
  /** Offers he declined explicitly. */
  declines: number;
  /** Accepts refused because someone else had won (`already_taken`). */
  lostRaces: number;
  /** Hours online (the app open) within the simulated days. */
  onlineHours: number;
  /** Hours on site over his awarded jobs. */
  onSiteHours: number;
  /** Pay for the awarded jobs (scenario `pay`: a fee per job plus time on site, plus a job's bonus), CHF. */
  earnings: number;
}

/** One event of a job's timeline. */
export interface TimelineEvent {
  /** The run's policy name. */
  policy: string;
  /** The run's random seed. */
  seed: number;
  /** The job's id (the source id for a replayed history). */
  jobId: string;
  /** Seconds since time 0. */
  atS: number;
  /** Seconds since the job was created. */
  sinceCreatedS: number;
  /** `opened`, `wave`, `escalated`, `assigned`, `technician_cancelled`, `reopened`, `on_demand`, `on_site`, `completed`, `no_show`, `unfilled`, `cancelled`. */
  event: string;
  /** `wave`: `<wave>:<notified>`; `escalated`: `<action>:<notified>`; `assigned`/`technician_cancelled`/`on_site`/`completed`/`no_show`: the technician; `unfilled`: the reason. */
  detail: string;
}

/** Everything a run records for export. */
export interface RunRecords {
  /** One row per job, in job order. */
  jobs: JobRecord[];
  /** One row per technician, in fleet order. */
  technicians: TechnicianRecord[];
  /** Every job's events, grouped by job and in time order. */
  timeline: TimelineEvent[];
}

const sec = (ms: number) => round(ms / 1000, 3);
const outcomeName = (o: number): JobRecord['outcome'] =>
  o === OUTCOME.open
    ? 'open'
    : o === OUTCOME.assigned
      ? 'assigned'
      : o === OUTCOME.cancelled
        ? 'cancelled'
        : 'unfilled';

/** Builds the records of a finished run (the recorder must have kept its timeline). */
export function recordsOf(
  scenario: Scenario,
  rec: Recorder,
  world: World,
  meta: { policy: string; seed: number },
): RunRecords {
  const { policy, seed } = meta;
  const horizon = scenario.days * DAY_MS;
  const jobIds = world.jobs.map((sj) => sj.sourceId ?? sj.job.id);
  const earnings = new Float64Array(world.technicians.length);
  const onSite = new Float64Array(world.technicians.length);
  const jobs = world.jobs.map((sj, j): JobRecord => {
    const o = rec.outcome[j]!;
    const t = rec.tech[j]!;
    const tech = t >= 0 ? world.technicians[t]! : undefined;
    if (tech) {
      earnings[t]! +=
        scenario.pay.perJob +
        (scenario.pay.perHourOnSite * rec.onJobMs[j]!) / HOUR_MS +
        // Bonuses are in minor units; the scenario's pay is in CHF (hundredths).
        rec.bonus[j]! / 100;
      onSite[t]! += rec.onJobMs[j]! / HOUR_MS;
    }
    const job = sj.job;
    return {
      policy,
      seed,
      id: jobIds[j]!,
      createdS: sec(sj.at)!,
      hour: Math.floor(sj.at / HOUR_MS) % 24,
      weekday: (scenario.startWeekday + Math.floor(sj.at / DAY_MS)) % 7,
      lat: job.lat,
      lon: job.lon,
      partner: job.partner ?? null,
      tier: job.tier ?? null,
      skills: (job.skills ?? []).join(';'),
      appointmentStartS: sj.appointment ? sec(sj.appointment.start) : null,
      appointmentEndS: sj.appointment ? sec(sj.appointment.end) : null,
      outcome: outcomeName(o),
      reason: o === OUTCOME.cancelled ? 'customer' : (unfilledReasonOf(o) ?? null),
      waves: rec.waves[j]!,
      notified: rec.notified[j]!,
      declines: rec.jobDeclines[j]!,
      escalations: rec.escalations[j]!,
      offeredS: Number.isNaN(rec.offeredFrom[j]!) ? null : sec(rec.offeredFrom[j]!),
      acceptS: o === OUTCOME.assigned ? round(rec.acceptDelayS(j), 3) : null,
      firstAcceptS: o === OUTCOME.assigned ? round(rec.firstAcceptDelayS(j), 3) : null,
      technicianId: tech ? tech.input.id : null,
      travelKm: tech ? round(haversineKm(tech.input.lat, tech.input.lon, job.lat, job.lon), 2) : null,
      onSiteMin: tech ? round((rec.onSiteAt[j]! - sj.at) / 60_000, 2) : null,
      onJobMin: tech ? round(rec.onJobMs[j]! / 60_000, 2) : null,
      observedOutcome: sj.observed?.outcome ?? null,
      observedAcceptS: sj.observed?.acceptS ?? null,
      observedTechnicianId: sj.observed?.technicianId ?? null,
    };
  });
  const technicians = world.technicians.map((t, i): TechnicianRecord => {
    let online = 0;
    for (let k = 0; k + 1 < t.shifts.length; k += 2)
      online += Math.max(0, Math.min(horizon, t.shifts[k + 1]!) - Math.min(horizon, t.shifts[k]!));
    return {
      policy,
      seed,
      id: t.input.id,
      tier: t.input.tier,
      bestFriend: t.input.bestFriend === true,
      lat: t.input.lat,
      lon: t.input.lon,
      radiusKm: t.input.radiusKm ?? null,
      offers: rec.offers[i]!,
      awards: rec.awards[i]!,
      declines: rec.declines[i]!,
      lostRaces: rec.lostRaces[i]!,
      onlineHours: round(online / HOUR_MS, 2)!,
      onSiteHours: round(onSite[i]!, 2)!,
      earnings: round(earnings[i]!, 2)!,
    };
  });
  const tl = rec.timeline ?? { job: [], at: [], event: [], detail: [] };
  const order = tl.job.map((_, k) => k);
  // Events of one job together, in time order (on_site is logged at award time with a later time).
  order.sort((a, b) => tl.job[a]! - tl.job[b]! || tl.at[a]! - tl.at[b]! || a - b);
  const timeline = order.map(
    (k): TimelineEvent => ({
      policy,
      seed,
      jobId: jobIds[tl.job[k]!]!,
      atS: sec(tl.at[k]!)!,
      sinceCreatedS: sec(tl.at[k]! - world.jobs[tl.job[k]!]!.at)!,
      event: tl.event[k]!,
      detail: tl.detail[k]!,
    }),
  );
  return { jobs, technicians, timeline };
}
