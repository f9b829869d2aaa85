/**
 * The technician behaviour model: how a notified technician answers (accept, decline or ignore)
 * and how fast, how long the travel and the job take, whether the winner cancels and whether the
 * customer is at home. Each answer is a pure function of the
 * scenario, the technician's traits, the offer's situation and counter-based random numbers keyed
 * by (seed, job, technician), so policies compared on one seed see the same people decide alike.
 */
import type { Scenario } from './scenario.js';
import { draw, logNormal } from './streams.js';
import type { SimTechnician } from './world.js';

/** How a technician answers one offer. */
export interface Answer {
  /** What the technician does: accepts, declines, or lets the offer expire. */
  kind: 'accept' | 'decline' | 'ignore';
  /** When the answer comes, whole ms after the notification (irrelevant for `ignore`). */
  delayMs: number;
}

/** The situation an offer meets. */
export interface OfferContext {
  /** The job's index in the world (`SimJob.index`). */
  jobIndex: number;
  /** The technician's index in the world's fleet. */
  techIndex: number;
  /** Distance to the job as the notify effect shows it, km (coarsened to 0.5 km). */
  distanceKm: number;
  /** Local hour 0–23 at the notification. */
  hour: number;
  /** Jobs the technician holds at the notification. */
  load: number;
  /** The offer's bonus amount (0 or absent: none). */
  bonus?: number;
}

/**
 * The probability that a technician accepts an offer they have seen.
 * @example
 * const scenario = parseScenario({ days: 1 });
 * const tech = buildWorld(scenario, 7).technicians[0]!;
 * acceptProbability(scenario, tech, { jobIndex: 0, techIndex: 0, distanceKm: 3, hour: 18, load: 0 }); // ≈ 0.68
 */
export function acceptProbability(scenario: Scenario, tech: SimTechnician, ctx: OfferContext): number {
  const a = scenario.behaviour.accept;
  const distance = 1 / (1 + (ctx.distanceKm / a.halfDistanceKm) ** 2);
  const p = a.base * tech.eagerness * distance * a.hourly[ctx.hour]! * a.loadFactor ** ctx.load;
  const b = scenario.behaviour.bonus;
  const bonus = ctx.bonus ? 1 + (b.elasticity * ctx.bonus) / b.referenceAmount : 1;
  return Math.min(1, p * bonus);
}

/**
 * Draws the answer to an offer (deterministic in seed, job, technician and situation).
 * @example
 * const ctx = { jobIndex: 0, techIndex: 0, distanceKm: 3, hour: 18, load: 0 };
 * answer(scenario, 7, tech, ctx); // e.g. { kind: 'decline', delayMs: 8313 }, and the same on every call
 */
export function answer(scenario: Scenario, seed: number, tech: SimTechnician, ctx: OfferContext): Answer {
  const b = scenario.behaviour;
  const { jobIndex: j, techIndex: t } = ctx;
  const delayMs = responseDelayMs(scenario, tech, draw(seed, j, t, 0), draw(seed, j, t, 1));
  if (draw(seed, j, t, 2) >= b.seenShare) return { kind: 'ignore', delayMs };
  if (draw(seed, j, t, 3) < acceptProbability(scenario, tech, ctx)) return { kind: 'accept', delayMs };
  return draw(seed, j, t, 4) < b.declineShare ? { kind: 'decline', delayMs } : { kind: 'ignore', delayMs };
}

/**
 * How a technician whose offer still runs answers when told that its bonus rose (the escalation's
 * `runningOffers`): an accept, its delay counted from the message, when the new bonus turns his
 * first answer into a yes; null when his first answer stands. Only a technician who saw the offer
 * reads the message (the same attention), and the accept draw is the offer's: a higher bonus only
 * ever adds accepts, with elasticity 0 it adds none, and the same people decide alike under every
 * policy.
 * @example
 * const first = answer(scenario, 7, tech, ctx);
 * answerToBonus(scenario, 7, tech, { ...ctx, bonus: 2000 }, first); // e.g. { kind: 'accept', delayMs: 5120 } or null
 */
export function answerToBonus(
  scenario: Scenario,
  seed: number,
  tech: SimTechnician,
  ctx: OfferContext,
  first: Answer,
): Answer | null {
  if (first.kind === 'accept') return null;
  const b = scenario.behaviour;
  const { jobIndex: j, techIndex: t } = ctx;
  if (draw(seed, j, t, 2) >= b.seenShare) return null;
  if (draw(seed, j, t, 3) >= acceptProbability(scenario, tech, ctx)) return null;
  return {
    kind: 'accept',
    delayMs: responseDelayMs(scenario, tech, draw(seed, j, t, 12), draw(seed, j, t, 13)),
  };
}

/** A technician's answer time from two uniform draws: whole milliseconds, at least 1 (the dispatcher takes integer times only). */
function responseDelayMs(scenario: Scenario, tech: SimTechnician, u1: number, u2: number): number {
  return Math.max(
    1,
    Math.round(logNormal(tech.responseMedianMs, scenario.behaviour.responseMs.sigma, u1, u2)),
  );
}

/** Minutes from the award until the technician is at the customer's door. */
export function travelMinutes(scenario: Scenario, distanceKm: number): number {
  const t = scenario.behaviour.travel;
  return t.prepMin + ((distanceKm * t.detourFactor) / t.speedKmh) * 60;
}

/** Minutes on site for a job (drawn per job, so it is the same whoever takes it). */
export function onJobMinutes(scenario: Scenario, seed: number, jobIndex: number): number {
  const o = scenario.behaviour.onJobMin;
  return logNormal(o.median, o.sigma, draw(seed, jobIndex, -7, 5), draw(seed, jobIndex, -7, 6));
}

/**
 * When the winner of a job cancels it, ms after the award, or null when he does not (drawn per
 * job and technician; at the latest `untilMs`, his arrival).
 * @example
 * const scenario = parseScenario({ behaviour: { technicianCancel: { share: 0.5 } } });
 * technicianCancelAfterMs(scenario, 7, 12, 3, 30 * 60_000); // null, or e.g. 1_094_200 (18 min)
 */
export function technicianCancelAfterMs(
  scenario: Scenario,
  seed: number,
  jobIndex: number,
  techIndex: number,
  untilMs: number,
): number | null {
  const c = scenario.behaviour.technicianCancel;
  if (c.share === 0 || draw(seed, jobIndex, techIndex, 8) >= c.share) return null;
  const ms = logNormal(
    c.medianMin * 60_000,
    0.8,
    draw(seed, jobIndex, techIndex, 9),
    draw(seed, jobIndex, techIndex, 10),
  );
  return Math.max(1, Math.min(Math.round(ms), untilMs));
}

/**
 * Whether the customer of a job is not at home when the technician rings (drawn per job, so the
 * same whoever comes).
 * @example
 * noShow(parseScenario({ behaviour: { noShow: { share: 0.1 } } }), 7, 12); // true for about 1 job in 10
 */
export function noShow(scenario: Scenario, seed: number, jobIndex: number): boolean {
  const n = scenario.behaviour.noShow;
  return n.share > 0 && draw(seed, jobIndex, -8, 11) < n.share;
}
