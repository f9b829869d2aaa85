/**
 * Baseline planners for the `plan` suite: the same eligibility rules (`RULES`, `jobContext`), the
 * same scoring (`scoreSlot`) and the same waves as `plan()`, behind three textbook candidate
 * searches — a linear haversine scan, rbush over each technician's radius bounding box, and
 * geokdbush `around` built for the fleet's largest radius. Ranking is the naive one: score every
 * eligible technician, sort them all, keep the top `maxNotifiedPerJob`.
 */
import { around } from 'geokdbush';
import KDBush from 'kdbush';
import RBush from 'rbush';
import { type JobContext, jobContext, RULES } from '../src/eligibility.js';
import { F_BEST, type Fleet } from '../src/fleet.js';
import { haversineKm, kmToChord2 } from '../src/geo/sphere.js';
import type { Policy } from '../src/policy.js';
import { breakdownOf, scoreSlot } from '../src/scoring.js';
import type { Candidate, Job, Plan, TechnicianInput } from '../src/types.js';
import { validateJob } from '../src/validate.js';
import { assignWaves } from '../src/waves.js';

/** A planner under test: the library's `plan` or one of the baselines. */
export type Planner = (job: Job) => Plan;

/** The rules a baseline evaluates after its own distance filter (which replaces the two radius rules). */
const NON_DISTANCE_RULES = RULES.filter(
  (r) => r.code !== 'outside_own_radius' && r.code !== 'beyond_job_radius',
);

/** Technician positions by slot, shared by the baselines. */
export interface SlotTable {
  lat: Float64Array;
  lon: Float64Array;
  radiusKm: Float64Array;
  /** Slots in insertion order (index i of the input list → slot). */
  slots: Int32Array;
}

/** Reads slots and positions of the technicians added to `fleet` from `inputs`. */
export function slotTable(fleet: Fleet, inputs: readonly TechnicianInput[]): SlotTable {
  const n = inputs.length;
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const radiusKm = new Float64Array(n);
  const slots = new Int32Array(n);
  inputs.forEach((t, i) => {
    lat[i] = t.lat;
    lon[i] = t.lon;
    radiusKm[i] = t.radiusKm ?? 30;
    slots[i] = fleet.findSlot(t.id);
  });
  return { lat, lon, radiusKm, slots };
}

interface Hit {
  slot: number;
  km: number;
  score: number;
  factors: Float64Array;
}

/**
 * Shared tail of every baseline: distance filter → rules → score, collected into `hits`.
 * `i` indexes the slot table.
 */
function considerBaseline(
  fleet: Fleet,
  table: SlotTable,
  i: number,
  job: Job,
  ctx: JobContext,
  policy: Policy,
  hits: Hit[],
): void {
  const km = haversineKm(job.lat, job.lon, table.lat[i]!, table.lon[i]!);
  const own = table.radiusKm[i]!;
  if (km > own || km > ctx.jobRadiusKm) return;
  const slot = table.slots[i]!;
  const entry = fleet.index.slotEntry[slot]!;
  const d2 = kmToChord2(km);
  for (const rule of NON_DISTANCE_RULES) if (!rule.passes(fleet, slot, entry, d2, ctx)) return;
  const factors = new Float64Array(6);
  const radius = Math.min(own, ctx.jobRadiusKm);
  const score = scoreSlot(fleet, slot, fleet.flags[slot]!, km, radius, ctx, policy, factors);
  hits.push({ slot, km, score, factors });
}

/** Sort everyone, keep the top, build candidates and waves (the naive ranking). */
function finishBaseline(
  fleet: Fleet,
  job: Job,
  ctx: JobContext,
  policy: Policy,
  hits: Hit[],
  now: number,
): Plan {
  hits.sort(
    (a, b) =>
      b.score - a.score ||
      a.km - b.km ||
      (fleet.idOf(a.slot) < fleet.idOf(b.slot) ? -1 : fleet.idOf(a.slot) > fleet.idOf(b.slot) ? 1 : 0),
  );
  const top = hits.slice(0, policy.maxNotifiedPerJob);
  const candidates: Candidate[] = top.map((h, rank) => ({
    id: fleet.idOf(h.slot),
    rank,
    wave: -1,
    score: h.score,
    distanceKm: h.km,
    radiusKm: Math.min(fleet.radiusOf(h.slot), ctx.jobRadiusKm),
    bestFriend: (fleet.flags[h.slot]! & F_BEST) !== 0,
    breakdown: breakdownOf(h.factors),
  }));
  const { waveOf, waves } = assignWaves(
    candidates.map((c) => c.id),
    candidates.map((c) => c.bestFriend),
    policy,
  );
  candidates.forEach((c, i) => {
    c.wave = waveOf[i]!;
  });
  return { jobId: job.id, at: now, candidates, waves, eligibleCount: hits.length };
}

/** Linear haversine scan over every technician. */
export function linearPlanner(fleet: Fleet, table: SlotTable, policy: Policy, now: number): Planner {
  return (job) => {
    validateJob(job);
    const ctx = jobContext(fleet, job, policy, now);
    const hits: Hit[] = [];
    for (let i = 0; i < table.slots.length; i++) considerBaseline(fleet, table, i, job, ctx, policy, hits);
    return finishBaseline(fleet, job, ctx, policy, hits, now);
  };
}

interface BoxItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  i: number;
}

/** Bounding box(es) in degrees of a circle of `km` around (lat, lon); split at the antimeridian. */
function radiusBoxes(lat: number, lon: number, km: number, i: number): BoxItem[] {
  const dLat = (km / 6371.0088) * (180 / Math.PI);
  const minY = Math.max(-90, lat - dLat);
  const maxY = Math.min(90, lat + dLat);
  const maxAbsLat = Math.max(Math.abs(minY), Math.abs(maxY));
  if (maxAbsLat >= 89.9) return [{ minX: -180, minY, maxX: 180, maxY, i }];
  const dLon = Math.min(180, dLat / Math.cos((maxAbsLat * Math.PI) / 180));
  const minX = lon - dLon;
  const maxX = lon + dLon;
  if (dLon >= 180) return [{ minX: -180, minY, maxX: 180, maxY, i }];
  if (minX < -180) {
    return [
      { minX: -180, minY, maxX, maxY, i },
      { minX: minX + 360, minY, maxX: 180, maxY, i },
    ];
  }
  if (maxX > 180) {
    return [
      { minX, minY, maxX: 180, maxY, i },
      { minX: -180, minY, maxX: maxX - 360, maxY, i },
    ];
  }
  return [{ minX, minY, maxX, maxY, i }];
}

/** rbush over each technician's radius bounding box; the job point queries it. */
export function rbushPlanner(fleet: Fleet, table: SlotTable, policy: Policy, now: number): Planner {
  const tree = new RBush<BoxItem>(16);
  const items: BoxItem[] = [];
  for (let i = 0; i < table.slots.length; i++) {
    // A hair wider than the radius so that no boundary technician is lost to rounding.
    items.push(...radiusBoxes(table.lat[i]!, table.lon[i]!, table.radiusKm[i]! * 1.0001, i));
  }
  tree.load(items);
  return (job) => {
    validateJob(job);
    const ctx = jobContext(fleet, job, policy, now);
    const hits: Hit[] = [];
    const found = tree.search({ minX: job.lon, minY: job.lat, maxX: job.lon, maxY: job.lat });
    for (const item of found) considerBaseline(fleet, table, item.i, job, ctx, policy, hits);
    return finishBaseline(fleet, job, ctx, policy, hits, now);
  };
}

/** geokdbush `around` over technician points, searched to the fleet's largest radius. */
export function kdbushPlanner(fleet: Fleet, table: SlotTable, policy: Policy, now: number): Planner {
  const n = table.slots.length;
  const index = new KDBush(n, 64, Float64Array);
  let maxKm = 0;
  for (let i = 0; i < n; i++) {
    index.add(table.lon[i]!, table.lat[i]!);
    if (table.radiusKm[i]! > maxKm) maxKm = table.radiusKm[i]!;
  }
  index.finish();
  return (job) => {
    validateJob(job);
    const ctx = jobContext(fleet, job, policy, now);
    const hits: Hit[] = [];
    const searchKm = Math.min(maxKm, ctx.jobRadiusKm) * 1.0001;
    const found = around(index, job.lon, job.lat, Number.POSITIVE_INFINITY, searchKm);
    for (const i of found) considerBaseline(fleet, table, i, job, ctx, policy, hits);
    return finishBaseline(fleet, job, ctx, policy, hits, now);
  };
}

/** Why two plans differ (undefined when they agree on the eligible count and the candidate set). */
export function planMismatch(a: Plan, b: Plan): string | undefined {
  if (a.eligibleCount !== b.eligibleCount) {
    return `job ${a.jobId}: ${a.eligibleCount} eligible vs ${b.eligibleCount}`;
  }
  const ida = a.candidates.map((c) => c.id).sort();
  const idb = b.candidates.map((c) => c.id).sort();
  for (let i = 0; i < Math.max(ida.length, idb.length); i++) {
    if (ida[i] !== idb[i]) return `job ${a.jobId}: candidate sets differ (${ida[i]} vs ${idb[i]})`;
  }
  return undefined;
}
