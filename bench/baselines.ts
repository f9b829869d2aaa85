/**
 * Baseline planners for the `plan` suite, written the way a competent engineer would write them
 * with each library, and held to the same answers as `plan()`:
 * - every technician's attributes in typed arrays, renumbered in spatial order (0.25° cells, row
 *   major), read by position in the table — no object or closure per candidate;
 * - the same rules in their bitmask form (`REQUIRED_FLAGS`, tier, skill and certification masks
 *   from `jobContext`; `passesSlow` for windows, the notification cap, blocked and offered), tested
 *   before any distance;
 * - the exact haversine: the haversine term of each pair compared with the precomputed term of the
 *   technician's own radius and the job's (monotone, so no arcsine until a technician passes);
 * - the library's scorer (`scoreOf`, the same factors and weights), then top-k by selection into a
 *   bounded heap of `maxNotifiedPerJob` typed-array entries, sorted only at the end; the breakdown
 *   and waves are built for those k exactly as `plan()` builds them.
 * The three differ only in the candidate search: a linear scan of every technician; rbush over
 * each technician's own-radius bounding box (so a huge radius costs only its owner), queried with
 * the job's point; geokdbush `around` out to the fleet's largest radius with the masks as its
 * predicate (its distance-ordered queue is the library's price; it is not useful here).
 */
import { around } from 'geokdbush';
import KDBush from 'kdbush';
import RBush from 'rbush';
import { F_BEST, F_NOTIFIED, F_WINDOWS, type Fleet } from '../src/fleet/fleet.js';
import { cellKey } from '../src/fleet/geo/grid.js';
import { EARTH_RADIUS_KM } from '../src/fleet/geo/sphere.js';
import { Meta } from '../src/fleet/layout.js';
import { type JobContext, jobContext, passesSlow, REQUIRED_FLAGS } from '../src/plan/eligibility.js';
import { validateJob } from '../src/plan/job-input.js';
import type { Policy } from '../src/plan/policy.js';
import { breakdownOf, type ScoreContext, scoreContext, scoreOf, scoreSlot } from '../src/plan/scoring.js';
import { assignWaves } from '../src/plan/waves.js';
import type { Candidate, Job, Plan, TechnicianInput } from '../src/shared/types.js';

/** A planner under test: the library's `plan` or one of the baselines. */
export type Planner = (job: Job) => Plan;

const RAD = Math.PI / 180;
const SLOW_FLAGS = F_WINDOWS | F_NOTIFIED;

/** The technicians as the baselines hold them: parallel typed arrays in spatial order. */
export interface SlotTable {
  lat: Float64Array;
  lon: Float64Array;
  /** cos(lat), for the haversine term. */
  cosLat: Float64Array;
  radiusKm: Float64Array;
  /** Haversine term of the own radius: sin²(r / 2R). */
  ownHav: Float64Array;
  /** The index's flag word (flags and schedule id), skill and certification masks. */
  flags: Uint32Array;
  skills: Uint32Array;
  certs: Uint32Array;
  /** Fleet slot of each row. */
  slots: Int32Array;
  /** Largest own radius, km. */
  maxRadiusKm: number;
}

/**
 * Reads every technician of `inputs` (already added to `fleet`) into a table in spatial order.
 * A snapshot: build it after the fleet is complete (the bench fleets do not change while timed).
 */
export function slotTable(fleet: Fleet, inputs: readonly TechnicianInput[]): SlotTable {
  const n = inputs.length;
  const order = inputs.map((t, i) => ({ i, key: cellKey(t.lat, t.lon) }));
  order.sort((a, b) => a.key - b.key || a.i - b.i);
  const t: SlotTable = {
    lat: new Float64Array(n),
    lon: new Float64Array(n),
    cosLat: new Float64Array(n),
    radiusKm: new Float64Array(n),
    ownHav: new Float64Array(n),
    flags: new Uint32Array(n),
    skills: new Uint32Array(n),
    certs: new Uint32Array(n),
    slots: new Int32Array(n),
    maxRadiusKm: 0,
  };
  const { meta, slotEntry } = fleet.index;
  order.forEach(({ i }, row) => {
    const input = inputs[i]!;
    const slot = fleet.findSlot(input.id);
    const r = input.radiusKm ?? 30;
    t.lat[row] = input.lat;
    t.lon[row] = input.lon;
    t.cosLat[row] = Math.cos(input.lat * RAD);
    t.radiusKm[row] = r;
    t.ownHav[row] = havOfKm(r);
    const m = slotEntry[slot]! * Meta.STRIDE;
    t.flags[row] = meta[m + Meta.FLAGS]!;
    t.skills[row] = meta[m + Meta.SKILLS]!;
    t.certs[row] = meta[m + Meta.CERTS]!;
    t.slots[row] = slot;
    if (r > t.maxRadiusKm) t.maxRadiusKm = r;
  });
  return t;
}

/** Haversine term of a distance: sin²(d / 2R). */
function havOfKm(km: number): number {
  const s = Math.sin(Math.min(Math.PI / 2, km / EARTH_RADIUS_KM / 2));
  return s * s;
}

/**
 * One plan's state, shared by the three searches: the job, its rules and a bounded min-heap of
 * the best k (worst on top) in typed arrays.
 */
class Selection {
  score = new Float64Array(0);
  km = new Float64Array(0);
  slot = new Int32Array(0);
  size = 0;
  k = 0;
  eligible = 0;
  fleet!: Fleet;
  table!: SlotTable;
  ctx!: JobContext;
  sc!: ScoreContext;
  lat = 0;
  lon = 0;
  cosLat = 0;
  jobHav = 0;
  useSets = false;

  begin(fleet: Fleet, table: SlotTable, job: Job, policy: Policy, now: number): void {
    validateJob(job);
    this.fleet = fleet;
    this.table = table;
    this.ctx = jobContext(fleet, job, policy, now);
    this.sc = scoreContext(fleet, this.ctx, policy);
    this.k = policy.maxNotifiedPerJob;
    if (this.score.length < this.k) {
      this.score = new Float64Array(this.k);
      this.km = new Float64Array(this.k);
      this.slot = new Int32Array(this.k);
    }
    this.size = 0;
    this.eligible = 0;
    this.lat = job.lat;
    this.lon = job.lon;
    this.cosLat = Math.cos(job.lat * RAD);
    this.jobHav = havOfKm(Math.min(this.ctx.jobRadiusKm, Math.PI * EARTH_RADIUS_KM));
    this.useSets = this.ctx.blocked.size > 0 || this.ctx.offered.size > 0;
  }

  /** Whether no technician can be eligible (an unknown skill or certification). */
  get hopeless(): boolean {
    return this.ctx.skillUnknown || (this.ctx.certRequired && this.ctx.certUnknown);
  }

  /** The rules that need no distance, in their bitmask form (then the slow ones where flagged). */
  passesMasks(row: number): boolean {
    const t = this.table;
    const ctx = this.ctx;
    const flags = t.flags[row]!;
    if (
      (flags & REQUIRED_FLAGS) !== REQUIRED_FLAGS ||
      (flags & ctx.tierMask) === 0 ||
      (t.skills[row]! & ctx.skillMask) !== ctx.skillMask ||
      (ctx.certMask & ~t.certs[row]!) !== 0
    ) {
      return false;
    }
    if (!this.useSets && (flags & SLOW_FLAGS) === 0) return true;
    return passesSlow(this.fleet, t.slots[row]!, flags, ctx);
  }

  /** Exact distance test of a row that passed the masks, then score and select. */
  consider(row: number): void {
    const t = this.table;
    const dLat = (t.lat[row]! - this.lat) * RAD;
    const dLon = (t.lon[row]! - this.lon) * RAD;
    const sLat = Math.sin(dLat / 2);
    const sLon = Math.sin(dLon / 2);
    const hav = sLat * sLat + this.cosLat * t.cosLat[row]! * sLon * sLon;
    if (hav > t.ownHav[row]! || hav > this.jobHav) return;
    this.eligible++;
    const km = 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(hav));
    const own = t.radiusKm[row]!;
    const radius = own < this.ctx.jobRadiusKm ? own : this.ctx.jobRadiusKm;
    const slot = t.slots[row]!;
    this.push(scoreOf(this.sc, this.fleet, slot, t.flags[row]!, km, radius), km, slot);
  }

  /** Whether entry a ranks below entry b (lower score, then farther, then larger id). */
  private worse(sa: number, ka: number, a: number, sb: number, kb: number, b: number): boolean {
    if (sa !== sb) return sa < sb;
    if (ka !== kb) return ka > kb;
    return this.fleet.idOf(a) > this.fleet.idOf(b);
  }

  private push(score: number, km: number, slot: number): void {
    const { score: S, km: K, slot: L } = this;
    let i: number;
    if (this.size < this.k) {
      i = this.size++;
      // Sift up: the worst entry stays at the root.
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(score, km, slot, S[p]!, K[p]!, L[p]!)) break;
        S[i] = S[p]!;
        K[i] = K[p]!;
        L[i] = L[p]!;
        i = p;
      }
    } else {
      if (!this.worse(S[0]!, K[0]!, L[0]!, score, km, slot)) return;
      // Replace the root and sift down.
      i = 0;
      const n = this.size;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.worse(S[c + 1]!, K[c + 1]!, L[c + 1]!, S[c]!, K[c]!, L[c]!)) c++;
        if (!this.worse(S[c]!, K[c]!, L[c]!, score, km, slot)) break;
        S[i] = S[c]!;
        K[i] = K[c]!;
        L[i] = L[c]!;
        i = c;
      }
    }
    S[i] = score;
    K[i] = km;
    L[i] = slot;
  }

  /** The k kept, best first, with breakdowns and waves (built as `plan()` builds them). */
  finish(job: Job, policy: Policy): Plan {
    const n = this.size;
    const at = Array.from({ length: n }, (_, i) => i);
    at.sort((a, b) =>
      this.worse(this.score[a]!, this.km[a]!, this.slot[a]!, this.score[b]!, this.km[b]!, this.slot[b]!)
        ? 1
        : -1,
    );
    const factors = new Float64Array(6);
    const ids = new Array<string>(n);
    const best = new Array<boolean>(n);
    const candidates = at.map((p, rank): Candidate => {
      const slot = this.slot[p]!;
      const flags = this.fleet.flags[slot]!;
      const distanceKm = this.km[p]!;
      const radiusKm = Math.min(this.fleet.radiusOf(slot), this.ctx.jobRadiusKm);
      scoreSlot(this.fleet, slot, flags, distanceKm, radiusKm, this.ctx, policy, factors);
      ids[rank] = this.fleet.idOf(slot);
      best[rank] = (flags & F_BEST) !== 0;
      return {
        id: ids[rank]!,
        rank,
        wave: -1,
        score: this.score[p]!,
        distanceKm,
        radiusKm,
        via: 'radius', // the baselines have no areas
        bestFriend: best[rank]!,
        breakdown: breakdownOf(factors),
      };
    });
    const { waveOf, waves } = assignWaves(ids, best, policy);
    candidates.forEach((c, i) => {
      c.wave = waveOf[i]!;
    });
    return { jobId: job.id, at: this.ctx.now, candidates, waves, eligibleCount: this.eligible };
  }
}

const sel = new Selection();

/** Linear scan over every technician: masks first, then the exact distance. */
export function linearPlanner(fleet: Fleet, table: SlotTable, policy: Policy, now: number): Planner {
  const n = table.slots.length;
  return (job) => {
    sel.begin(fleet, table, job, policy, now);
    if (!sel.hopeless) for (let row = 0; row < n; row++) if (sel.passesMasks(row)) sel.consider(row);
    return sel.finish(job, policy);
  };
}

interface BoxItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  row: number;
}

/** Bounding box(es) in degrees of a circle of `km` around (lat, lon); split at the antimeridian. */
function radiusBoxes(lat: number, lon: number, km: number, row: number): BoxItem[] {
  const dLat = (km / EARTH_RADIUS_KM) * (180 / Math.PI);
  const minY = Math.max(-90, lat - dLat);
  const maxY = Math.min(90, lat + dLat);
  const maxAbsLat = Math.max(Math.abs(minY), Math.abs(maxY));
  if (maxAbsLat >= 89.9) return [{ minX: -180, minY, maxX: 180, maxY, row }];
  const dLon = Math.min(180, dLat / Math.cos(maxAbsLat * RAD));
  const minX = lon - dLon;
  const maxX = lon + dLon;
  if (dLon >= 180) return [{ minX: -180, minY, maxX: 180, maxY, row }];
  if (minX < -180) {
    return [
      { minX: -180, minY, maxX, maxY, row },
      { minX: minX + 360, minY, maxX: 180, maxY, row },
    ];
  }
  if (maxX > 180) {
    return [
      { minX, minY, maxX: 180, maxY, row },
      { minX: -180, minY, maxX: maxX - 360, maxY, row },
    ];
  }
  return [{ minX, minY, maxX, maxY, row }];
}

/** rbush over each technician's own-radius bounding box; the job's point queries it. */
export function rbushPlanner(fleet: Fleet, table: SlotTable, policy: Policy, now: number): Planner {
  const tree = new RBush<BoxItem>(16);
  const items: BoxItem[] = [];
  for (let row = 0; row < table.slots.length; row++) {
    // A hair wider than the radius so that no boundary technician is lost to rounding.
    items.push(...radiusBoxes(table.lat[row]!, table.lon[row]!, table.radiusKm[row]! * 1.0001, row));
  }
  tree.load(items);
  const point = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  return (job) => {
    sel.begin(fleet, table, job, policy, now);
    if (!sel.hopeless) {
      point.minX = point.maxX = job.lon;
      point.minY = point.maxY = job.lat;
      const found = tree.search(point);
      for (let i = 0; i < found.length; i++) {
        const row = found[i]!.row;
        if (sel.passesMasks(row)) sel.consider(row);
      }
    }
    return sel.finish(job, policy);
  };
}

/** geokdbush `around` over technician points out to the fleet's largest radius, masks as its predicate. */
export function kdbushPlanner(fleet: Fleet, table: SlotTable, policy: Policy, now: number): Planner {
  const n = table.slots.length;
  const index = new KDBush(n, 64, Float64Array);
  for (let row = 0; row < n; row++) index.add(table.lon[row]!, table.lat[row]!);
  index.finish();
  // One closure for the planner's lifetime: it reads the current job from the shared selection.
  const predicate = (row: number) => sel.passesMasks(row);
  return (job) => {
    sel.begin(fleet, table, job, policy, now);
    if (!sel.hopeless) {
      // geokdbush's Earth radius is 6371 km; the margin covers it and rounding.
      const searchKm = Math.min(table.maxRadiusKm, sel.ctx.jobRadiusKm) * 1.0001;
      const found = around(index, job.lon, job.lat, Number.POSITIVE_INFINITY, searchKm, predicate);
      for (let i = 0; i < found.length; i++) sel.consider(found[i]!);
    }
    return sel.finish(job, policy);
  };
}

/**
 * Why two plans differ (undefined when they agree): the eligible count, then the candidates in
 * rank order — ids, waves, and scores and distances to 1e-9 (the baselines measure distance by
 * haversine, `plan()` by chord, so the last bits may differ).
 */
export function planMismatch(a: Plan, b: Plan): string | undefined {
  if (a.eligibleCount !== b.eligibleCount) {
    return `job ${a.jobId}: ${a.eligibleCount} eligible vs ${b.eligibleCount}`;
  }
  if (a.candidates.length !== b.candidates.length) {
    return `job ${a.jobId}: ${a.candidates.length} candidates vs ${b.candidates.length}`;
  }
  for (let i = 0; i < a.candidates.length; i++) {
    const x = a.candidates[i]!;
    const y = b.candidates[i]!;
    if (x.id !== y.id) return `job ${a.jobId}: rank ${i} is ${x.id} vs ${y.id}`;
    if (x.wave !== y.wave) return `job ${a.jobId}: ${x.id} in wave ${x.wave} vs ${y.wave}`;
    if (Math.abs(x.score - y.score) > 1e-9 || Math.abs(x.distanceKm - y.distanceKm) > 1e-9) {
      return `job ${a.jobId}: ${x.id} scores ${x.score} at ${x.distanceKm} km vs ${y.score} at ${y.distanceKm} km`;
    }
  }
  return undefined;
}
