/**
 * Eligibility: small named rules, each with a reason code, so every exclusion can be explained.
 * The planner's hot loop evaluates the same rules through bitmasks (see {@link passesFast}); the
 * test suite checks that both forms agree for random fleets and jobs.
 */

import { F_ALIVE, F_FRIEND, F_HAS_CAPACITY, F_NOTIFIED, F_ONLINE, F_PRO, F_WINDOWS } from '../fleet/flags.js';
import type { Fleet } from '../fleet/fleet.js';
import { kmToChord2, toUnit } from '../fleet/geo/sphere.js';
import { Coord, Meta } from '../fleet/layout.js';
import type { ExclusionReason, Job, JobTier } from '../shared/types.js';
import { busyStretch, scheduleOf } from './appointments.js';
import { outsidePartnerRegion, type Policy } from './policy.js';

/** Everything about a job the rules need, resolved once per plan. */
export interface JobContext {
  /** The job planned. */
  readonly job: Job;
  /** The time of the plan, ms. */
  readonly now: number;
  /** Job unit vector. */
  readonly jx: number;
  /** Job unit vector, y component. */
  readonly jy: number;
  /** Job unit vector, z component. */
  readonly jz: number;
  /** Squared chord of the job's max radius (Infinity when it sets none). */
  readonly jobChord2: number;
  /** The job's max radius in km, or Infinity. */
  readonly jobRadiusKm: number;
  /** Tier the job effectively requires after partner rules. */
  readonly tier: JobTier;
  /** Flag bits of the tiers allowed (F_FRIEND and/or F_PRO). */
  readonly tierMask: number;
  /** Whether Pros are being let onto a Friend job. */
  readonly prosOnFriendJob: boolean;
  /** Required skill bits; `skillUnknown` when a required skill is held by no one. */
  readonly skillMask: number;
  /** Whether a required skill is held by no one (then nobody is eligible). */
  readonly skillUnknown: boolean;
  /** Required certification bit (0 when not required); `certUnknown` when no one holds it. */
  readonly certMask: number;
  /** Whether the job requires its partner's certification. */
  readonly certRequired: boolean;
  /** Whether the required certification is held by no one (then nobody is eligible). */
  readonly certUnknown: boolean;
  /** Slots the customer blocked. */
  readonly blocked: ReadonlySet<number>;
  /** Slots already offered this job (or that declined it). */
  readonly offered: ReadonlySet<number>;
  /** Slots of the job's chosen technicians: offered in their own exclusive wave, never among the crowd's candidates. */
  readonly chosen: ReadonlySet<number>;
  /** Notification cap from the policy. */
  readonly cap: Policy['notificationCap'];
  /** An appointment's window, or null for an on-demand job. */
  readonly window: {
    /** Start of the window, ms. */
    readonly start: number;
    /** End of the window, ms. */
    readonly end: number;
  } | null;
  /**
   * Flags every eligible technician has: alive, online and with capacity for an on-demand job; an
   * appointment does not use capacity (only a reservation), and one whose offers go out later
   * checks online-ness when they do.
   */
  readonly requiredFlags: number;
  /** Whether the fleet holds any reservation (else the `booked_in_window` check is skipped entirely). */
  readonly booked: boolean;
  /** The stretch checked against reservations (the window, or `appointments.onDemandMs` from now). */
  readonly busyStart: number;
  /** End of the stretch checked against reservations, ms. */
  readonly busyEnd: number;
  /** Travel speed between appointments, km/h. */
  readonly speedKmh: number;
  /** The job lies outside its partner's region: nobody may take it. */
  readonly outsideRegion: boolean;
}

/** Options that change eligibility for one plan (the dispatcher uses them when escalating). */
export interface EligibilityOverrides {
  /** Technician ids already offered this job or that declined it: excluded with `already_offered`. */
  exclude?: Iterable<string>;
  /** Let Pros take a Friend job (escalation step), where the partner allows. */
  allowProsOnFriendJobs?: boolean;
  /** Use this max radius instead of the job's own (escalation step), km. */
  maxRadiusKm?: number;
}

const NO_SLOTS: ReadonlySet<number> = new Set();
/** Scratch for the job's unit vector (read into the context at once; one plan at a time). */
const JOB_UNIT = new Float64Array(3);

function slotsOf(fleet: Fleet, ids: Iterable<string> | undefined): ReadonlySet<number> {
  if (!ids) return NO_SLOTS;
  const out = new Set<number>();
  for (const id of ids) {
    const s = fleet.findSlot(id);
    if (s >= 0) out.add(s);
  }
  return out.size ? out : NO_SLOTS;
}

/** Resolves a validated job against the policy and the fleet's registries. */
export function jobContext(
  fleet: Fleet,
  job: Job,
  policy: Policy,
  now: number,
  overrides: EligibilityOverrides = {},
): JobContext {
  const partner = job.partner !== undefined ? policy.partners[job.partner] : undefined;
  const tier: JobTier = partner?.proOnly ? 'pro' : (job.tier ?? 'any');
  const partnerAllows = partner?.allowProsOnFriendJobs;
  const prosAllowed =
    overrides.allowProsOnFriendJobs === true
      ? partnerAllows !== false
      : (partnerAllows ?? policy.allowProsOnFriendJobs);
  const tierMask =
    tier === 'friend' ? F_FRIEND | (prosAllowed ? F_PRO : 0) : tier === 'pro' ? F_PRO : F_FRIEND | F_PRO;
  const skills = fleet.maskOf(fleet.skillBits, job.skills);
  const certRequired =
    job.partner !== undefined && (job.requireCertification ?? partner?.requireCertification ?? false);
  const cert = certRequired ? fleet.maskOf(fleet.partnerBits, [job.partner!]) : { mask: 0, unknown: false };
  const v = JOB_UNIT;
  toUnit(job.lat, job.lon, v, 0);
  const radius = overrides.maxRadiusKm ?? job.maxRadiusKm;
  const w = job.window;
  let requiredFlags = REQUIRED_FLAGS;
  if (w !== undefined) {
    requiredFlags &= ~F_HAS_CAPACITY;
    if (scheduleOf(job, policy, now).offersAt > now) requiredFlags &= ~F_ONLINE;
  }
  const booked = fleet.reservations.size > 0;
  const busy = booked ? busyStretch(job, policy, now) : NO_STRETCH;
  return {
    job,
    now,
    jx: v[0]!,
    jy: v[1]!,
    jz: v[2]!,
    jobChord2: radius === undefined ? Number.POSITIVE_INFINITY : kmToChord2(radius),
    jobRadiusKm: radius ?? Number.POSITIVE_INFINITY,
    tier,
    tierMask,
    prosOnFriendJob: tier === 'friend' && prosAllowed,
    skillMask: skills.mask,
    skillUnknown: skills.unknown,
    certMask: cert.mask,
    certRequired,
    certUnknown: cert.unknown,
    blocked: slotsOf(fleet, job.blocked),
    offered: slotsOf(fleet, overrides.exclude),
    chosen: slotsOf(fleet, job.preferred?.technicianIds),
    cap: policy.notificationCap,
    window: w === undefined ? null : { start: w.start, end: w.end },
    requiredFlags,
    booked,
    busyStart: busy.start,
    busyEnd: busy.end,
    speedKmh: policy.appointments.travelSpeedKmh,
    outsideRegion: outsidePartnerRegion(policy, job),
  };
}

const NO_STRETCH = { start: 0, end: 0 };

/** Whether a slot's windows (if any) allow the job: now for an on-demand job, the whole window for an appointment. */
function availableFor(fleet: Fleet, slot: number, flags: number, ctx: JobContext): boolean {
  if ((flags & F_WINDOWS) === 0) return true;
  const w = ctx.window;
  return w === null
    ? fleet.isAvailable(slot, flags, ctx.now)
    : fleet.isAvailableIn(slot, flags, w.start, w.end);
}

/** Whether a slot holds a reservation colliding with the job's stretch. */
function bookedFor(fleet: Fleet, slot: number, ctx: JobContext): boolean {
  return (
    ctx.booked &&
    fleet.reservations.holds(slot) &&
    fleet.reservations.conflicts(
      slot,
      ctx.busyStart,
      ctx.busyEnd,
      ctx.job.lat,
      ctx.job.lon,
      ctx.speedKmh,
      ctx.job.id,
    )
  );
}

/** A named eligibility rule. `d2` is the squared chord between technician and job. */
export interface Rule {
  /** The reason reported when the rule fails. */
  readonly code: ExclusionReason;
  /** What the rule checks, in words. */
  readonly description: string;
  /** Whether the technician in `slot` (index `entry`) passes the rule for the job. */
  passes(fleet: Fleet, slot: number, entry: number, d2: number, ctx: JobContext): boolean;
}

const flagsOf = (fleet: Fleet, entry: number) => fleet.index.meta[entry * Meta.STRIDE + Meta.FLAGS]!;

/** The rules, in the order reasons are reported. */
export const RULES: readonly Rule[] = [
  {
    code: 'outside_own_radius',
    description:
      "the job is neither within the technician's own service radius nor in one of his extra areas",
    passes: (f, s, e, d2, ctx) => d2 <= f.index.coords[e * Coord.STRIDE + Coord.R2]! || inArea(f, s, ctx),
  },
  {
    code: 'beyond_job_radius',
    description: "the technician is beyond the job's max radius",
    passes: (_f, _s, _e, d2, ctx) => d2 <= ctx.jobChord2,
  },
  {
    code: 'offline',
    description: 'the technician is offline (for an appointment whose offers go out later: checked then)',
    passes: (f, _s, e, _d, ctx) => (ctx.requiredFlags & F_ONLINE) === 0 || (flagsOf(f, e) & F_ONLINE) !== 0,
  },
  {
    code: 'tier',
    description: "the technician's tier is not accepted for this job",
    passes: (f, _s, e, _d, ctx) => (flagsOf(f, e) & ctx.tierMask) !== 0,
  },
  {
    code: 'missing_skill',
    description: 'the technician lacks a required skill',
    passes: (f, _s, e, _d, ctx) =>
      !ctx.skillUnknown && (f.index.meta[e * Meta.STRIDE + Meta.SKILLS]! & ctx.skillMask) === ctx.skillMask,
  },
  {
    code: 'not_certified',
    description: "the technician is not certified by the job's partner",
    passes: (f, _s, e, _d, ctx) =>
      !ctx.certRequired ||
      (!ctx.certUnknown && (f.index.meta[e * Meta.STRIDE + Meta.CERTS]! & ctx.certMask) !== 0),
  },
  {
    code: 'unavailable_now',
    description: "now is outside the technician's availability windows (on-demand jobs)",
    passes: (f, s, e, _d, ctx) => ctx.window !== null || availableFor(f, s, flagsOf(f, e), ctx),
  },
  {
    code: 'unavailable_in_window',
    description: "the technician's availability windows do not cover the whole appointment window",
    passes: (f, s, e, _d, ctx) => ctx.window === null || availableFor(f, s, flagsOf(f, e), ctx),
  },
  {
    code: 'at_capacity',
    description: 'the technician holds as many jobs as their capacity (on-demand jobs)',
    passes: (f, _s, e, _d, ctx) =>
      (ctx.requiredFlags & F_HAS_CAPACITY) === 0 || (flagsOf(f, e) & F_HAS_CAPACITY) !== 0,
  },
  {
    code: 'booked_in_window',
    description:
      "the technician holds an appointment overlapping the job's window (or an on-demand job's next hours), travel included",
    passes: (f, s, _e, _d, ctx) => !bookedFor(f, s, ctx),
  },
  {
    code: 'notification_cap',
    description: 'the technician reached the notification cap of the sliding window',
    passes: (f, s, e, _d, ctx) =>
      ctx.cap === null ||
      (flagsOf(f, e) & F_NOTIFIED) === 0 ||
      f.notificationsWithin(s, ctx.now, ctx.cap.windowMs) < ctx.cap.max,
  },
  {
    code: 'blocked_by_customer',
    description: 'the customer blocked this technician',
    passes: (_f, s, _e, _d, ctx) => !ctx.blocked.has(s),
  },
  {
    code: 'already_offered',
    description: 'the technician was already offered this job or declined it',
    passes: (_f, s, _e, _d, ctx) => !ctx.offered.has(s),
  },
];

/**
 * Whether the job lies in one of the slot's extra service areas (the other half of "within
 * reach", for a job beyond his own radius).
 */
export function inArea(fleet: Fleet, slot: number, ctx: JobContext): boolean {
  return fleet.areas.contains(slot, ctx.job.lat, ctx.job.lon);
}

/** Every rule a technician fails (empty when eligible). */
export function reasonsFor(
  fleet: Fleet,
  slot: number,
  entry: number,
  d2: number,
  ctx: JobContext,
): ExclusionReason[] {
  const out: ExclusionReason[] = [];
  for (const rule of RULES) if (!rule.passes(fleet, slot, entry, d2, ctx)) out.push(rule.code);
  return out;
}

/** Flags every eligible technician of an on-demand job has (see {@link JobContext.requiredFlags}). */
export const REQUIRED_FLAGS = F_ALIVE | F_ONLINE | F_HAS_CAPACITY;

/**
 * The slow-path rules (availability windows, reservations, notification cap, blocked, already
 * offered) for a technician that passed the bitmask tests. Same semantics as the corresponding {@link RULES}.
 */
export function passesSlow(fleet: Fleet, slot: number, flags: number, ctx: JobContext): boolean {
  if (ctx.blocked.has(slot) || ctx.offered.has(slot)) return false;
  if (!availableFor(fleet, slot, flags, ctx)) return false;
  if (!passesBooking(fleet, slot, ctx)) return false;
  if (
    ctx.cap !== null &&
    flags & F_NOTIFIED &&
    fleet.atNotificationCap(slot, ctx.now, ctx.cap.windowMs, ctx.cap.max)
  ) {
    return false;
  }
  return true;
}

/**
 * The booking part of {@link passesSlow} alone — not a chosen technician (offered in his own
 * wave), no colliding reservation — for technicians that need no other slow-path rule.
 */
export function passesBooking(fleet: Fleet, slot: number, ctx: JobContext): boolean {
  return !ctx.chosen.has(slot) && !bookedFor(fleet, slot, ctx);
}
