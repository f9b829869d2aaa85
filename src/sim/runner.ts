/**
 * Runs one simulation: builds the world of a scenario for a seed, drives the real dispatcher with
 * a virtual clock and the behaviour model, and returns the summary (and, on request, the per-item
 * detail the report needs). The simulator performs the dispatcher's effects; it never decides who
 * is notified or who wins.
 */

import {
  type AcceptOutcome,
  type CompletionReason,
  createPolicy,
  Dispatcher,
  type Effect,
  Fleet,
  haversineKm,
  isPolicy,
  type Job,
  type Policy,
  type PolicyInput,
  scheduleOf,
  type TechnicianCancelOutcome,
} from 'crowd-dispatch';
import {
  type Answer,
  answer,
  answerToBonus,
  noShow,
  type OfferContext,
  onJobMinutes,
  technicianCancelAfterMs,
  travelMinutes,
} from './behaviour.js';
import { Environment } from './engine.js';
import { detailOf, OUTCOME, Recorder, type SimDetail, type SimSummary, summarise } from './metrics.js';
import { type RunRecords, recordsOf } from './records.js';
import { InvalidScenarioError, parseScenario, type Scenario, type ScenarioInput } from './scenario.js';
import { buildWorld, type SimJob, type World } from './world.js';

const HOUR_MS = 3_600_000;
/** How long a revoke takes to reach a phone: accepts inside it race the winner. */
const PUSH_LATENCY_MS = 2_000;

/** An offer as the simulator keeps it while it may still be answered: its situation and first answer. */
interface RunningOffer {
  ctx: OfferContext;
  first: Answer;
  expiresAt: number;
  /** A raised bonus replaced the first answer with an accept. */
  superseded: boolean;
}

/** The part of the dispatcher facade the simulator drives. */
export interface DispatchPort {
  open(job: Job, now: number): Effect[];
  advance(now: number): Effect[];
  accept(jobId: string, technicianId: string, now: number): AcceptOutcome;
  decline(jobId: string, technicianId: string, now: number): Effect[];
  cancel(jobId: string, now: number): Effect[];
  technicianUnavailable(technicianId: string, now: number, reason: 'offline'): Effect[];
  nextDueAt(): number | undefined;
  /** The winner finished the job (the dispatcher releases his load). */
  complete(jobId: string, now: number, reason?: CompletionReason): unknown;
  /** The winner gave the job back before arriving: it re-opens without him. */
  technicianCancel(jobId: string, technicianId: string, now: number): TechnicianCancelOutcome;
}

/** Options of {@link runSimulation}. */
export interface SimOptions {
  /** Seed of every random stream. @default 1 */
  seed?: number;
  /** Name of the policy in the results. @default 'custom' */
  policyName?: string;
  /** Also return the per-job and per-technician detail for charts. @default false */
  detail?: boolean;
  /** Called with the simulated fraction done (0–1), about once per simulated hour. */
  onProgress?: (fraction: number) => void;
  /** A world built earlier for this scenario and seed (saves rebuilding it for every policy). */
  world?: World;
  /** Also return every job's timeline and per-job and per-technician records (exports). @default false */
  records?: boolean;
}

/** The result of {@link runSimulation}. */
export interface SimResult {
  /** The run's summary. */
  summary: SimSummary;
  /** The report charts' data; absent unless asked for. */
  detail?: SimDetail;
  /** The per-job and per-technician records; absent unless asked for. */
  records?: RunRecords;
}

/**
 * A policy for a scenario: the scenario's partner rules first, the policy's own on top. A policy
 * already made by `createPolicy` is returned as it is, without the scenario's rules.
 * @example
 * const scenario = parseScenario({ partners: { acme: { share: 0.2, proOnly: true } } });
 * policyFor(scenario, { waves: [{ size: 10, offsetMs: 0 }] }).partners.acme; // acme's rule: proOnly true
 * policyFor(scenario, createPolicy()).partners.acme; // undefined: a made policy is taken as it is
 */
export function policyFor(scenario: Scenario, policy: Policy | PolicyInput): Policy {
  if (isPolicy(policy)) return policy;
  const partners: NonNullable<PolicyInput['partners']> = {};
  for (const [id, p] of Object.entries(scenario.partners)) {
    const rules: NonNullable<PolicyInput['partners']>[string] = {};
    if (p.proOnly !== undefined) rules.proOnly = p.proOnly;
    if (p.requireCertification !== undefined) rules.requireCertification = p.requireCertification;
    if (p.allowProsOnFriendJobs !== undefined) rules.allowProsOnFriendJobs = p.allowProsOnFriendJobs;
    partners[id] = rules;
  }
  return createPolicy({ ...policy, partners: { ...partners, ...policy.partners } });
}

/**
 * Simulates a scenario under a policy. Same scenario, policy and seed → byte-identical summary.
 * @example
 * const { summary } = runSimulation({ days: 1 }, { waves: [{ size: 10, offsetMs: 0 }] }, { seed: 7 });
 * summary.acceptedWithin60s; // e.g. 0.87
 */
export function runSimulation(
  scenarioInput: Scenario | ScenarioInput,
  policyInput: Policy | PolicyInput,
  options: SimOptions = {},
): SimResult {
  const scenario = parseScenario(scenarioInput);
  const seed = options.seed ?? 1;
  const policy = policyFor(scenario, policyInput);
  const world = options.world ?? buildWorld(scenario, seed);
  const fleet = new Fleet({ initialCapacity: world.technicians.length });
  // The event log is not needed here (and would hold every event of the week in memory).
  const dispatcher: DispatchPort = new Dispatcher({ fleet, policy, keepLog: false });
  return simulate(scenario, world, fleet, dispatcher, seed, options, policy);
}

function simulate(
  scenario: Scenario,
  world: World,
  fleet: Fleet,
  dispatcher: DispatchPort,
  seed: number,
  options: SimOptions,
  policy: Policy,
): SimResult {
  const { minLeadMs } = policy.appointments;
  const { technicians: techs, jobs } = world;
  const env = new Environment(0);
  const rec = new Recorder(jobs.length, techs.length, options.records === true);
  const horizon = Math.round(scenario.days * 24 * HOUR_MS);
  const techIndex = new Map<string, number>();
  const online = new Uint8Array(techs.length);
  const shiftPos = new Int32Array(techs.length);
  /** Jobs each technician holds (mirrors the fleet's load without a lookup by id). */
  const held = new Int32Array(techs.length);
  /** Awards per job so far: a callback of an earlier award (cancelled since) finds a newer one and stops. */
  const awardSeq = new Int32Array(jobs.length);

  const given = scenario.fleet.technicians !== undefined;
  techs.forEach((t, i) => {
    techIndex.set(t.input.id, i);
    try {
      fleet.add({ ...t.input, online: false, load: 0 });
    } catch (e) {
      // Name the scenario field at fault, not just the library's view of it.
      const where = given ? `fleet.technicians[${i}]` : `a technician generated from fleet (${t.input.id})`;
      throw new InvalidScenarioError(
        `Invalid scenario: ${where}: ${(e as Error).message}`,
        given ? `fleet.technicians[${i}]` : 'fleet',
      );
    }
  });

  const jobIndexOf = (id: string): number => Number(id.slice(1));
  let tickAt = Number.POSITIVE_INFINITY;

  const handle = (effects: readonly Effect[]): void => {
    for (const e of effects) {
      const j = jobIndexOf(e.jobId);
      switch (e.type) {
        case 'notify':
          if (e.bonus) rec.bonus[j] = e.bonus.amount;
          rec.waves[j]!++;
          rec.log(j, env.now, 'wave', `${e.wave}:${e.technicianIds.length}`);
          onNotify(j, e.technicianIds, e.distancesKm, e.expiresAt);
          break;
        case 'assigned':
          running[j] = undefined;
          rec.log(j, env.now, 'assigned', e.technicianId);
          onAssigned(j, e.technicianId);
          break;
        case 'escalated':
          if (e.bonus && e.runningOffers) onBonus(j, e.runningOffers, e.bonus.amount);
          rec.escalations[j]!++;
          rec.steps[e.action] = (rec.steps[e.action] ?? 0) + 1;
          rec.log(j, env.now, 'escalated', e.skipped ? `${e.action}:skipped` : `${e.action}:${e.notified}`);
          break;
        case 'unfilled':
          running[j] = undefined;
          rec.outcome[j] = OUTCOME[e.reason];
          rec.log(j, env.now, 'unfilled', e.reason);
          break;
        case 'reopened':
          rec.log(j, env.now, 'reopened');
          break;
        default:
          break; // revoke / expired: nothing to simulate (the technician just sees the job vanish)
      }
    }
    syncTick();
  };

  const tick = (): void => {
    if (env.now !== tickAt) return; // superseded by an earlier tick
    tickAt = Number.POSITIVE_INFINITY;
    handle(dispatcher.advance(env.now));
  };

  function syncTick(): void {
    const due = dispatcher.nextDueAt();
    if (due === undefined || due >= tickAt) return;
    tickAt = Math.max(due, env.now);
    env.at(tickAt, tick);
  }

  /**
   * Each running offer's situation and first answer, per job by technician, for a later bonus
   * (dropped once the job is taken or closed); kept only when some escalation step raises one.
   */
  const running: (Map<number, RunningOffer> | undefined)[] = [];
  const bonusSteps = policy.escalation.some((s) => s.bonus !== undefined);

  function onNotify(j: number, ids: readonly string[], km: readonly number[], expiresAt: number): void {
    const now = env.now;
    const hour = Math.floor(now / HOUR_MS) % 24;
    const bonus = rec.bonus[j]!;
    rec.notified[j]! += ids.length;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const t = techIndex.get(id)!;
      rec.offers[t]!++;
      const tech = techs[t]!;
      // The effect's distance (coarsened to 0.5 km) is precise enough for a person's decision.
      const ctx: OfferContext = {
        jobIndex: j,
        techIndex: t,
        distanceKm: km[k]!,
        hour,
        load: held[t]!,
        bonus,
      };
      const a = answer(scenario, seed, tech, ctx);
      const offer: RunningOffer = { ctx, first: a, expiresAt, superseded: false };
      if (bonusSteps) {
        let forJob = running[j];
        if (!forJob) running[j] = forJob = new Map();
        forJob.set(t, offer);
      }
      if (a.kind === 'ignore' || now + a.delayMs >= expiresAt) continue;
      env.schedule(a.delayMs, () => {
        if (!offer.superseded) respond(j, t, a);
      });
    }
  }

  /**
   * The job's bonus rose and these technicians' offers still run: each is told, and one whose
   * first answer was no may now accept (his pending decline, if any, is replaced).
   */
  function onBonus(j: number, ids: readonly string[], amount: number): void {
    const now = env.now;
    for (const id of ids) {
      const t = techIndex.get(id)!;
      const offer = running[j]?.get(t);
      if (!offer) continue;
      const ctx = { ...offer.ctx, bonus: amount, load: held[t]! };
      const a = answerToBonus(scenario, seed, techs[t]!, ctx, offer.first);
      if (a === null || now + a.delayMs >= offer.expiresAt) continue;
      offer.superseded = true;
      rec.bonusAccepts++;
      env.schedule(a.delayMs, () => respond(j, t, a));
    }
  }

  /** A technician's answer to an offer arrives. */
  function respond(j: number, t: number, a: Answer): void {
    const sj = world.jobs[j]!;
    const id = techs[t]!.input.id;
    // Gone offline, or the job closed: a technician who saw it go (revoke) does not tap accept,
    // except within the push latency of an assignment (a lost race).
    if (!online[t]) return;
    const o = rec.outcome[j];
    if (o !== OUTCOME.open && !(o === OUTCOME.assigned && env.now - rec.acceptedAt[j]! < PUSH_LATENCY_MS))
      return;
    if (a.kind === 'decline') {
      rec.declines[t]!++;
      rec.jobDeclines[j]!++;
      handle(dispatcher.decline(sj.job.id, id, env.now));
      return;
    }
    const out = dispatcher.accept(sj.job.id, id, env.now);
    // A held accept (best-accept mode) waits for the award, which `advance` fires: schedule it.
    if (out.outcome === 'assigned' || out.outcome === 'held') {
      if (Number.isNaN(rec.firstAcceptAt[j]!)) rec.firstAcceptAt[j] = env.now;
      handle(out.effects);
    } else {
      rec.refusals[out.outcome] = (rec.refusals[out.outcome] ?? 0) + 1;
      if (out.outcome === 'already_taken') rec.lostRaces[t]!++;
    }
  }

  function onAssigned(j: number, id: string): void {
    const t = techIndex.get(id)!;
    const sj = world.jobs[j]!;
    const tech = techs[t]!;
    const km = haversineKm(tech.input.lat, tech.input.lon, sj.job.lat, sj.job.lon);
    rec.outcome[j] = OUTCOME.assigned;
    rec.acceptedAt[j] = env.now;
    rec.tech[j] = t;
    rec.awards[t]!++;
    held[t]!++;
    rec.distanceKm[j] = km;
    const travel = Math.round(travelMinutes(scenario, km) * 60_000);
    // An appointment's technician is at the door at the window's start at the earliest.
    const onSite = Math.max(env.now + travel, sj.appointment?.start ?? 0);
    const seq = ++awardSeq[j]!;
    const cancelAfter = technicianCancelAfterMs(scenario, seed, j, t, Math.max(1, onSite - env.now));
    if (cancelAfter !== null) {
      env.schedule(cancelAfter, () => {
        const out = dispatcher.technicianCancel(sj.job.id, id, env.now);
        if (out.outcome !== 'reopened') return;
        held[t]!--;
        rec.technicianCancels++;
        rec.outcome[j] = OUTCOME.open;
        rec.tech[j] = -1;
        for (const a of [rec.acceptedAt, rec.firstAcceptAt, rec.onSiteAt, rec.onJobMs, rec.distanceKm])
          a[j] = Number.NaN;
        rec.log(j, env.now, 'technician_cancelled', id);
        handle(out.effects);
      });
      return;
    }
    rec.onSiteAt[j] = onSite;
    rec.log(j, onSite, 'on_site', id);
    // Nobody home: the technician waits at the door, then closes the job as a no-show.
    const away = noShow(scenario, seed, j);
    const onJob = away
      ? Math.round(scenario.behaviour.noShow.waitMin * 60_000)
      : Math.round(onJobMinutes(scenario, seed, j) * 60_000);
    rec.onJobMs[j] = onJob;
    env.schedule(onSite - env.now + onJob, () => {
      if (awardSeq[j] !== seq) return;
      held[t]!--;
      if (away) {
        rec.noShows++;
        rec.log(j, env.now, 'no_show', id);
        dispatcher.complete(sj.job.id, env.now, 'customer_no_show');
      } else {
        rec.log(j, env.now, 'completed', id);
        dispatcher.complete(sj.job.id, env.now);
      }
    });
  }

  // Shifts: each technician toggles online/offline along its own interval list.
  const toggle = (t: number): void => {
    const shifts = techs[t]!.shifts;
    const pos = shiftPos[t]!;
    const id = techs[t]!.input.id;
    if (pos % 2 === 0) {
      online[t] = 1;
      fleet.setOnline(id, true);
    } else {
      online[t] = 0;
      fleet.setOnline(id, false);
      handle(dispatcher.technicianUnavailable(id, env.now, 'offline'));
    }
    shiftPos[t] = pos + 1;
    if (pos + 1 < shifts.length) env.at(shifts[pos + 1]!, () => toggle(t));
  };
  techs.forEach((tech, t) => {
    if (tech.shifts.length > 0) env.at(tech.shifts[0]!, () => toggle(t));
  });

  const open = (sj: SimJob): void => {
    rec.log(sj.index, env.now, 'opened');
    let effects: Effect[];
    let job = sj.job;
    // A replayed appointment booked closer to its start than the policy's minimum lead is, for
    // this policy, a job for now: dispatched on demand (and counted) rather than refused.
    if (job.window !== undefined && job.window.start < env.now + minLeadMs) {
      const { window: _, ...onDemand } = job;
      job = onDemand;
      rec.appointmentsOnDemand++;
      rec.log(sj.index, env.now, 'on_demand', 'appointment too soon for the policy');
    }
    // An on-demand customer waits from the moment he asks; an appointment's clock starts when its
    // offers are due (the dispatcher's own schedule), whether or not anyone is online to get them.
    rec.offeredFrom[sj.index] =
      job.window === undefined ? env.now : scheduleOf(job, policy, env.now).offersAt;
    try {
      effects = dispatcher.open(job, env.now);
    } catch (e) {
      if (!sj.sourceId) throw e;
      throw new InvalidScenarioError(
        `Invalid scenario: history[${sj.index}] (job '${sj.sourceId}'): ${(e as Error).message}`,
        `history[${sj.index}]`,
      );
    }
    handle(effects);
  };
  for (const sj of jobs) {
    env.at(sj.at, () => open(sj));
    if (Number.isFinite(sj.cancelAt) && sj.cancelAt < horizon) {
      env.at(sj.cancelAt, () => {
        if (rec.outcome[sj.index] !== OUTCOME.open) return;
        rec.outcome[sj.index] = OUTCOME.cancelled;
        rec.log(sj.index, env.now, 'cancelled', 'customer');
        handle(dispatcher.cancel(sj.job.id, env.now));
      });
    }
  }

  // Run hour by hour (progress), then let open jobs settle: deadlines fall after the horizon.
  const hours = Math.ceil(horizon / HOUR_MS);
  for (let h = 1; h <= hours; h++) {
    env.run(Math.min(h * HOUR_MS, horizon));
    options.onProgress?.(h / hours);
  }
  settle(env, dispatcher, horizon);

  const meta = {
    scenario: scenario.name,
    policy: options.policyName ?? 'custom',
    seed,
    days: scenario.days,
  };
  const result: SimResult = { summary: summarise(rec, jobs, techs, meta) };
  if (options.detail) result.detail = detailOf(rec, jobs, techs, scenario.startWeekday);
  if (options.records) result.records = recordsOf(scenario, rec, world, meta);
  return result;
}

/** After the horizon: no new jobs; run until every open job is assigned or handed back. */
function settle(env: Environment, dispatcher: DispatchPort, horizon: number): void {
  const limit = horizon + 7 * 24 * HOUR_MS;
  while (env.peek() <= limit && dispatcher.nextDueAt() !== undefined) env.step();
}
