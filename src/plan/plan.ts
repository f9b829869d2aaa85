/**
 * The planner: candidate search + eligibility + score + waves for one job, deterministic for a
 * given fleet, job, policy and `now`. The scan reads only the index's flat arrays and rejects on
 * bitmasks before computing a distance; only eligible technicians are scored, and a bounded heap
 * keeps the best `maxNotifiedPerJob` without sorting everyone.
 */

import { F_BEST, Fleet } from '../fleet/fleet.js';
import { chord2ToKm } from '../fleet/geo/sphere.js';
import { Coord } from '../fleet/layout.js';
import { describe, InvalidArgumentError, InvalidJobError } from '../shared/errors.js';
import type { Candidate, Exclusion, Job, Plan, PreferredVerdict } from '../shared/types.js';
import { checkWindow, scheduleOf } from './appointments.js';
import { type EligibilityOverrides, type JobContext, jobContext, reasonsFor } from './eligibility.js';
import { validateJob } from './job-input.js';
import { assertPolicy, type Policy } from './policy.js';
import { chord2To, explainAreas, explainScan, ownRadiusKm, scan, scanAreas, top } from './scan.js';
import { breakdownOf, FACTORS, scoreContext, scoreSlot } from './scoring.js';
import { assignWaves } from './waves.js';

/** Options of {@link plan}. */
export interface PlanOptions extends EligibilityOverrides {
  /** The current time, ms (availability windows, notification cap, counter decay). */
  now: number;
  /** A policy made by `createPolicy`. */
  policy: Policy;
  /** Also return the excluded technicians near the job with their reasons. @default false */
  explain?: boolean;
}

/** One candidate's factors, {@link FACTORS} order (scratch). */
const factors = new Float64Array(FACTORS.length);

/**
 * Plans a job: who is eligible, each candidate's score and breakdown, and the first-round waves.
 * @example
 * const policy = createPolicy();
 * const p = plan(fleet, { id: 'job-1', lat: 47.37, lon: 8.54, skills: ['router'] }, { now, policy });
 * p.waves[0].technicianIds; // notified at once
 */
export function plan(fleet: Fleet, job: Job, options: PlanOptions): Plan {
  return planJob(fleet, job, options, true);
}

/**
 * {@link plan}, for the dispatcher's re-plans of an open job (escalation): `checkTiming: false`
 * skips the window-against-now check, which applied when the job was opened (by then its window
 * is nearer than `minLeadMs`, legitimately). Not exported from the package.
 */
export function planJob(fleet: Fleet, job: Job, options: PlanOptions, checkTiming: boolean): Plan {
  if (!(fleet instanceof Fleet)) {
    throw new InvalidArgumentError(
      `plan(): fleet is ${describe(fleet)}; pass a Fleet (new Fleet() with technicians added).`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`plan(): options is ${describe(options)}; pass { now, policy }.`);
  }
  const { now, policy, explain = false } = options;
  assertPolicy(policy);
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new InvalidArgumentError(`plan(): now is ${describe(now)}; pass the current time in ms.`);
  }
  validateJob(job);
  const mr = options.maxRadiusKm;
  if (mr !== undefined && !(typeof mr === 'number' && mr > 0 && mr <= 1000)) {
    throw new InvalidArgumentError(`plan(): maxRadiusKm is ${describe(mr)}; pass km in (0, 1000].`);
  }
  if (checkTiming) checkWindow(job, policy, now);
  const preferredSlots = job.preferred === undefined ? undefined : slotsOfPreferred(fleet, job);
  const ctx = jobContext(fleet, job, policy, now, options);
  top.reset(fleet, policy.maxNotifiedPerJob);
  const searchKm = Math.min(ctx.jobRadiusKm, fleet.maxRadiusKm);
  let eligible = 0;
  let excluded: Exclusion[] | undefined;
  const sc = scoreContext(fleet, ctx, policy);
  if (ctx.outsideRegion) {
    // A job-level refusal: nobody is considered, so nobody is listed.
    if (explain) excluded = [];
  } else if (explain) {
    excluded = [];
    // Out to the largest service radius, not the job's: someone whose own radius covers the job
    // but who is beyond the job's max radius must be listed, with `beyond_job_radius`.
    if (fleet.maxRadiusKm > 0) eligible = explainScan(fleet, ctx, sc, fleet.maxRadiusKm, excluded);
    eligible += explainAreas(fleet, ctx, sc, fleet.maxRadiusKm, excluded);
    excluded.sort((a, b) => a.distanceKm - b.distanceKm || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } else if (searchKm > 0 && !ctx.skillUnknown && !(ctx.certRequired && ctx.certUnknown)) {
    eligible = scan(fleet, ctx, sc, searchKm);
    // Technicians reached through an extra area, wherever their home is: one cell's list.
    const viaArea = fleet.areas.at(job.lat, job.lon);
    if (viaArea !== undefined) eligible += scanAreas(fleet, ctx, sc, viaArea);
  }
  const out = finish(fleet, job, policy, eligible, excluded, ctx);
  if (preferredSlots !== undefined) out.preferred = preferredVerdicts(fleet, preferredSlots, ctx);
  if (job.window !== undefined || preferredSlots !== undefined) {
    out.schedule = scheduleOf(job, policy, now, out.preferred?.some((p) => p.reasons.length === 0) ?? false);
  }
  if (ctx.outsideRegion) out.jobReason = 'outside_partner_region';
  return out;
}

/** The chosen technicians' slots; an id the fleet does not know is a typed error. */
function slotsOfPreferred(fleet: Fleet, job: Job): number[] {
  return job.preferred!.technicianIds.map((id, i) => {
    const slot = fleet.findSlot(id);
    if (slot < 0) {
      throw new InvalidJobError(
        `job '${job.id}': preferred.technicianIds[${i}] is '${id}', a technician the fleet does not know; pass ids of technicians in the fleet (add them first), or leave the preferred list out.`,
        `preferred.technicianIds[${i}]`,
      );
    }
    return slot;
  });
}

/** Every rule by name for each chosen technician (at most 20): who is offered first and why not. */
function preferredVerdicts(fleet: Fleet, slots: readonly number[], ctx: JobContext): PreferredVerdict[] {
  const { coords, slotEntry } = fleet.index;
  return slots.map((slot) => {
    const e = slotEntry[slot]!;
    const d2 = chord2To(coords, e, ctx.jx, ctx.jy, ctx.jz);
    return { id: fleet.idOf(slot), distanceKm: chord2ToKm(d2), reasons: reasonsFor(fleet, slot, e, d2, ctx) };
  });
}

function finish(
  fleet: Fleet,
  job: Job,
  policy: Policy,
  eligible: number,
  excluded: Exclusion[] | undefined,
  ctx: JobContext,
): Plan {
  const n = Math.min(top.size, policy.maxNotifiedPerJob);
  const candidates = new Array<Candidate>(n);
  const ids = new Array<string>(n);
  const best = new Array<boolean>(n);
  const order = top.ranked(policy.maxNotifiedPerJob);
  for (let rank = 0; rank < n; rank++) {
    const at = order[rank]!;
    const slot = top.slot[at]!;
    const id = fleet.idOf(slot);
    const flags = fleet.flags[slot]!;
    const bestFriend = (flags & F_BEST) !== 0;
    const distanceKm = chord2ToKm(top.d2[at]!);
    const ownR2 = fleet.index.coords[fleet.index.slotEntry[slot]! * Coord.STRIDE + Coord.R2]!;
    const radiusKm = Math.min(ownRadiusKm(ownR2), ctx.jobRadiusKm);
    // The breakdown comes from the reference scorer; the rank from the score it was ranked by.
    scoreSlot(fleet, slot, flags, distanceKm, radiusKm, ctx, policy, factors);
    ids[rank] = id;
    best[rank] = bestFriend;
    candidates[rank] = {
      id,
      rank,
      wave: -1,
      score: top.score[at]!,
      distanceKm,
      radiusKm,
      // Beyond his own radius, a candidate can only have come through an area.
      via: top.d2[at]! > ownR2 ? 'area' : 'radius',
      bestFriend,
      breakdown: breakdownOf(factors),
    };
  }
  const { waveOf, waves } = assignWaves(ids, best, policy);
  for (let i = 0; i < n; i++) candidates[i]!.wave = waveOf[i]!;
  const out: Plan = { jobId: job.id, at: ctx.now, candidates, waves, eligibleCount: eligible };
  if (excluded) out.excluded = excluded;
  return out;
}
