/**
 * The planner: candidate search + eligibility + score + waves for one job, deterministic for a
 * given fleet, job, policy and `now`. The scan reads only the index's flat arrays and rejects on
 * bitmasks before computing a distance; only eligible technicians are scored, and a bounded heap
 * keeps the best `maxNotifiedPerJob` without sorting everyone.
 */

import { F_BEST, F_NOTIFIED, F_WINDOWS, Fleet, radiusFromChord2 } from '../fleet/fleet.js';
import { C_STRIDE, M_STRIDE, RangeBuffer } from '../fleet/geo/grid.js';
import { chord2ToKm, EARTH_RADIUS_KM, kmToChord2 } from '../fleet/geo/sphere.js';
import { describe, InvalidArgumentError, InvalidJobError } from '../shared/errors.js';
import type { Candidate, Exclusion, Job, Plan, PreferredVerdict } from '../shared/types.js';
import { checkWindow, scheduleOf } from './appointments.js';
import {
  type EligibilityOverrides,
  inArea,
  type JobContext,
  jobContext,
  passesBooking,
  passesSlow,
  reasonsFor,
} from './eligibility.js';
import { validateJob } from './job-input.js';
import { assertPolicy, type Policy } from './policy.js';
import { breakdownOf, type ScoreContext, scoreContext, scoreOf, scoreSlot, upperBound } from './scoring.js';
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

const SLOW_FLAGS = F_WINDOWS | F_NOTIFIED;
const NF = 6; // factors per candidate
const INDEX_MASK = 0x1ffff; // positions packed into sort keys: maxNotifiedPerJob ≤ 100,000 < 2^17

/**
 * The best `k` eligible candidates of one plan: appended unordered until `k` are held, then a
 * bounded heap whose root is the worst kept (O(log k) per candidate that beats it, one comparison
 * for the rest), so its score is a bar every later candidate must reach — the planner skips the exact score of anyone whose upper bound is
 * below it. {@link ranked} sorts only the `k` kept: natively, with the position packed into the low
 * mantissa bits of the key (a perturbation below 1e-11), then an insertion pass restores the exact
 * order (score, distance, id) — linear on nearly sorted input.
 */
class Ranker {
  score = new Float64Array(65);
  d2 = new Float64Array(65);
  slot = new Int32Array(65);
  order = new Int32Array(65);
  /** Sort keys, and the same memory as 32-bit words (little-endian: low word first). */
  keys = new Float64Array(65);
  bits = new Uint32Array(this.keys.buffer);
  /** keys.subarray(0, n), cached: creating a view costs more than sorting a few dozen numbers. */
  views: Float64Array[] = [];
  size = 0;
  /** Entries kept per plan (`maxNotifiedPerJob`). */
  k = 0;
  /** The worst kept score once `k` are held (every new entry must reach it); -Infinity before. */
  threshold = Number.NEGATIVE_INFINITY;
  fleet!: Fleet;

  reset(fleet: Fleet, k: number): void {
    this.fleet = fleet;
    this.size = 0;
    this.k = k;
    this.threshold = Number.NEGATIVE_INFINITY;
  }

  add(score: number, d2: number, slot: number): void {
    if (score < this.threshold) return;
    const n = this.size;
    if (n >= this.score.length) this.grow(Math.min(this.k + 1, 2 * this.score.length));
    // The incoming entry sits at position n (k when full) so that `before` can compare it.
    this.score[n] = score;
    this.d2[n] = d2;
    this.slot[n] = slot;
    if (n < this.k) {
      // Unordered until k are held (most plans never hold more): then one O(k) heapify.
      this.size = n + 1;
      if (this.size === this.k) {
        for (let i = (this.k >> 1) - 1; i >= 0; i--) this.siftDown(i);
        this.threshold = this.score[0]!;
      }
      return;
    }
    // Full: the newcomer replaces the root only if it ranks before it.
    if (!this.before(n, 0)) return;
    this.move(n, 0);
    this.siftDown(0);
    this.threshold = this.score[0]!;
  }

  /** Positions of the kept entries in rank order (best first); the count is min(size, k). */
  ranked(k: number): Int32Array {
    const n = Math.min(this.size, k);
    const { order, keys, bits } = this;
    for (let i = 0; i < n; i++) {
      keys[i] = -this.score[i]!;
      bits[2 * i] = (bits[2 * i]! & ~INDEX_MASK) | i;
    }
    if (n > 1) {
      let view = this.views[n];
      if (view === undefined) this.views[n] = view = keys.subarray(0, n);
      view.sort();
    }
    for (let i = 0; i < n; i++) {
      const at = bits[2 * i]! & INDEX_MASK;
      let j = i;
      while (j > 0 && this.before(at, order[j - 1]!)) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = at;
    }
    return order;
  }

  /** Strict ranking of two positions: higher score, then nearer, then smaller id. */
  private before(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    if (sa !== sb) return sa > sb;
    const da = this.d2[a]!;
    const db = this.d2[b]!;
    if (da !== db) return da < db;
    return this.fleet.idOf(this.slot[a]!) < this.fleet.idOf(this.slot[b]!);
  }

  /** Min-heap by rank: a parent ranks after its children (the root is the worst kept). */
  private siftDown(i: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const c = l + 1 < n && this.before(l, l + 1) ? l + 1 : l;
      if (!this.before(i, c)) return;
      this.swap(i, c);
      i = c;
    }
  }

  private move(from: number, to: number): void {
    this.score[to] = this.score[from]!;
    this.d2[to] = this.d2[from]!;
    this.slot[to] = this.slot[from]!;
  }

  private swap(a: number, b: number): void {
    const s = this.score[a]!;
    const d = this.d2[a]!;
    const t = this.slot[a]!;
    this.score[a] = this.score[b]!;
    this.d2[a] = this.d2[b]!;
    this.slot[a] = this.slot[b]!;
    this.score[b] = s;
    this.d2[b] = d;
    this.slot[b] = t;
  }

  private grow(cap: number): void {
    const score = new Float64Array(cap);
    score.set(this.score);
    const d2 = new Float64Array(cap);
    d2.set(this.d2);
    const slot = new Int32Array(cap);
    slot.set(this.slot);
    this.score = score;
    this.d2 = d2;
    this.slot = slot;
    this.order = new Int32Array(cap);
    this.keys = new Float64Array(cap);
    this.bits = new Uint32Array(this.keys.buffer);
    this.views = [];
  }
}

// Module scratch, reused across calls (a thread runs one plan at a time).
const ranges = new RangeBuffer();
const top = new Ranker();

const factors = new Float64Array(NF);

// Own radius (km) by squared chord, memoised: a fleet has few distinct radii, and the conversion
// (square root, polynomial, rounding) was a tenth of a dense plan. Same input, same output.
const RADIUS_MASK = 1023;
const radiusR2 = new Float64Array(RADIUS_MASK + 1).fill(-1);
const radiusKm = new Float64Array(RADIUS_MASK + 1);

function ownRadiusKm(r2: number): number {
  const h = (r2 * 8e8) & RADIUS_MASK;
  if (radiusR2[h] === r2) return radiusKm[h]!;
  const km = radiusFromChord2(r2);
  radiusR2[h] = r2;
  radiusKm[h] = km;
  return km;
}
/** Largest arc/chord ratio of a radius up to 1000 km (θ / (2 sin(θ/2)) at θ = 1000/6371), rounded up. */
const ARC_PER_CHORD = 1.0011;

function consider(
  fleet: Fleet,
  slot: number,
  entry: number,
  flags: number,
  d2: number,
  ctx: JobContext,
  sc: ScoreContext,
): void {
  const r2 = fleet.index.coords[entry * C_STRIDE + 3]!;
  const jobRadius = ctx.jobRadiusKm;
  if (top.threshold !== Number.NEGATIVE_INFINITY) {
    // Upper bound from the index entry alone, with square roots instead of arcs: the distance is
    // at least the chord, the own radius at most its chord times the largest arc/chord ratio of
    // a radius ≤ 1000 km, fairness counts as 1. Technicians that cannot reach the bar never touch
    // their per-slot data.
    const ownUpper = ARC_PER_CHORD * EARTH_RADIUS_KM * Math.sqrt(r2);
    const bound = upperBound(
      sc,
      fleet.index.quality[entry]!,
      flags,
      EARTH_RADIUS_KM * Math.sqrt(d2),
      ownUpper < jobRadius ? ownUpper : jobRadius,
    );
    if (bound < top.threshold) return;
  }
  // The own radius from the index entry (same memory as the scan), not from the slot.
  const ownRadius = ownRadiusKm(r2);
  const radius = ownRadius < jobRadius ? ownRadius : jobRadius;
  top.add(scoreOf(sc, fleet, slot, flags, chord2ToKm(d2), radius), d2, slot);
}

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
  const { coords } = fleet.index;
  return slots.map((slot) => {
    const e = fleet.index.slotEntry[slot]!;
    const o = e * C_STRIDE;
    const dx = coords[o]! - ctx.jx;
    const dy = coords[o + 1]! - ctx.jy;
    const dz = coords[o + 2]! - ctx.jz;
    const d2 = dx * dx + dy * dy + dz * dz;
    return { id: fleet.idOf(slot), distanceKm: chord2ToKm(d2), reasons: reasonsFor(fleet, slot, e, d2, ctx) };
  });
}

/**
 * The technicians of the job's cell in the area index that the radius scan leaves out — the job
 * is beyond their own radius — and that have an area holding the job: the same masks and rules
 * as {@link scan}, with the area test in place of the radius test.
 */
function scanAreas(fleet: Fleet, ctx: JobContext, sc: ScoreContext, slots: readonly number[]): number {
  const { coords, meta, slotEntry } = fleet.index;
  const { jx, jy, jz, tierMask, skillMask, certMask, requiredFlags } = ctx;
  let eligible = 0;
  for (const slot of slots) {
    const e = slotEntry[slot]!;
    const m = e * M_STRIDE;
    const flags = meta[m]!;
    if (
      (flags & requiredFlags) !== requiredFlags ||
      (flags & tierMask) === 0 ||
      (meta[m + 1]! & skillMask) !== skillMask ||
      (certMask & ~meta[m + 2]!) !== 0
    ) {
      continue;
    }
    const o = e * C_STRIDE;
    const dx = coords[o]! - jx;
    const dy = coords[o + 1]! - jy;
    const dz = coords[o + 2]! - jz;
    const d2 = dx * dx + dy * dy + dz * dz;
    // Within his own radius he is the radius scan's; beyond the job's max radius nobody's.
    if (d2 <= coords[o + 3]! || d2 > ctx.jobChord2 || !inArea(fleet, slot, ctx)) continue;
    if (!passesSlow(fleet, slot, flags, ctx)) continue;
    eligible++;
    consider(fleet, slot, e, flags, d2, ctx, sc);
  }
  return eligible;
}

/**
 * For `explain`: the area technicians {@link explainScan} did not reach (farther than `searchKm`)
 * whose area holds the job, each with every rule it fails. Those whose areas miss the job are not
 * near it and are not listed, like anyone else beyond the scan.
 */
function explainAreas(
  fleet: Fleet,
  ctx: JobContext,
  sc: ScoreContext,
  searchKm: number,
  excluded: Exclusion[],
): number {
  const slots = fleet.areas.at(ctx.job.lat, ctx.job.lon);
  if (slots === undefined) return 0;
  const idx = fleet.index;
  const limit = searchKm > 0 ? kmToChord2(searchKm) : -1;
  let eligible = 0;
  for (const slot of slots) {
    const e = idx.slotEntry[slot]!;
    const o = e * C_STRIDE;
    const dx = idx.coords[o]! - ctx.jx;
    const dy = idx.coords[o + 1]! - ctx.jy;
    const dz = idx.coords[o + 2]! - ctx.jz;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 <= limit || !inArea(fleet, slot, ctx)) continue;
    const reasons = reasonsFor(fleet, slot, e, d2, ctx);
    if (reasons.length > 0) {
      excluded.push({ id: fleet.idOf(slot), distanceKm: chord2ToKm(d2), reasons });
    } else {
      eligible++;
      consider(fleet, slot, e, idx.meta[e * M_STRIDE]!, d2, ctx, sc);
    }
  }
  return eligible;
}

/** The hot path: reads typed arrays only until a technician passes every mask and distance test. */
function scan(fleet: Fleet, ctx: JobContext, sc: ScoreContext, searchKm: number): number {
  const idx = fleet.index;
  // Each radius class only out to its own largest radius: a few huge radii cost only their owners.
  const pairs = idx.ranges(ctx.job.lat, ctx.job.lon, searchKm, ranges, true);
  const buf = ranges.data;
  const { coords, meta } = idx;
  const { jx, jy, jz, tierMask, skillMask, certMask, requiredFlags } = ctx;
  const limit = Math.min(kmToChord2(searchKm), ctx.jobChord2);
  const useSets = ctx.blocked.size > 0 || ctx.offered.size > 0;
  // Chosen technicians or reservations anywhere in the fleet: one more check for everyone past the masks.
  const booking = ctx.chosen.size > 0 || ctx.booked;
  let eligible = 0;
  for (let p = 0; p < pairs; p++) {
    const end = buf[2 * p + 1]!;
    for (let e = buf[2 * p]!; e < end; e++) {
      const m = e * M_STRIDE;
      const flags = meta[m]!;
      // Bitmask tests first (dead entries have flags 0): most technicians fail here, before any distance.
      if (
        (flags & requiredFlags) !== requiredFlags ||
        (flags & tierMask) === 0 ||
        (meta[m + 1]! & skillMask) !== skillMask ||
        (certMask & ~meta[m + 2]!) !== 0
      ) {
        continue;
      }
      const o = e * C_STRIDE;
      const dx = coords[o]! - jx;
      const dy = coords[o + 1]! - jy;
      const dz = coords[o + 2]! - jz;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > limit || d2 > coords[o + 3]!) continue;
      const slot = meta[m + 3]!;
      if (
        useSets || (flags & SLOW_FLAGS) !== 0
          ? !passesSlow(fleet, slot, flags, ctx)
          : booking && !passesBooking(fleet, slot, ctx)
      ) {
        continue;
      }
      eligible++;
      consider(fleet, slot, e, flags, d2, ctx, sc);
    }
  }
  return eligible;
}

/** Every rule evaluated by name, for `explain: true`. Same candidates and ranking as {@link scan}. */
function explainScan(
  fleet: Fleet,
  ctx: JobContext,
  sc: ScoreContext,
  searchKm: number,
  excluded: Exclusion[],
): number {
  const idx = fleet.index;
  const pairs = idx.ranges(ctx.job.lat, ctx.job.lon, searchKm, ranges);
  const buf = ranges.data;
  const limit = kmToChord2(searchKm);
  let eligible = 0;
  for (let p = 0; p < pairs; p++) {
    for (let e = buf[2 * p]!; e < buf[2 * p + 1]!; e++) {
      const m = e * M_STRIDE;
      const flags = idx.meta[m]!;
      if (flags === 0) continue;
      const o = e * C_STRIDE;
      const dx = idx.coords[o]! - ctx.jx;
      const dy = idx.coords[o + 1]! - ctx.jy;
      const dz = idx.coords[o + 2]! - ctx.jz;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > limit) continue;
      const slot = idx.meta[m + 3]!;
      if (ctx.chosen.has(slot)) continue; // reported in `Plan.preferred`, offered in their own wave
      const reasons = reasonsFor(fleet, slot, e, d2, ctx);
      if (reasons.length > 0) {
        excluded.push({ id: fleet.idOf(slot), distanceKm: chord2ToKm(d2), reasons });
      } else {
        eligible++;
        consider(fleet, slot, e, flags, d2, ctx, sc);
      }
    }
  }
  return eligible;
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
    const ownR2 = fleet.index.coords[fleet.index.slotEntry[slot]! * C_STRIDE + 3]!;
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
