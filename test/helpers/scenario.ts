/**
 * Random planning scenarios: technicians around a job with every attribute, a notification
 * history, blocks, exclusions and overrides; a builder that loads one into a fleet in any order;
 * and an independent eligibility oracle (plain data + `Intl`, no code shared with the rules).
 */
import fc from 'fast-check';
import { Fleet } from '../../src/fleet/fleet.js';
import { haversineKm } from '../../src/fleet/geo/sphere.js';
import type { PolicyInput } from '../../src/plan/policy.js';
import type { Availability, ExclusionReason, Job, TechnicianInput } from '../../src/shared/types.js';
import { anyPoint, jobArb, near, nowArb, type Point, policyInputArb, techAttrs } from './arbitraries.js';
import { areaNear, oracleInArea, oracleInAreas } from './areas.js';

/** Everything one plan depends on. */
export interface Scenario {
  techs: TechnicianInput[];
  job: Job;
  policy: PolicyInput;
  now: number;
  /** [technician index, ms before now] notifications to record. */
  offers: [number, number][];
  exclude: string[];
  allowProsOnFriendJobs?: boolean;
  maxRadiusKm?: number;
}

/** Scenarios around a job anywhere (weighted to Switzerland, the antimeridian and the poles). */
export const scenarioArb: fc.Arbitrary<Scenario> = anyPoint.chain((center: Point) =>
  fc.integer({ min: 0, max: 40 }).chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => `t${String(i).padStart(2, '0')}`);
    return fc
      .record(
        {
          techs: fc.tuple(
            ...ids.map((id) =>
              fc
                .tuple(
                  near(center, 250),
                  techAttrs(true),
                  fc.option(fc.array(areaNear(center), { minLength: 1, maxLength: 2 }), {
                    freq: 3,
                    nil: undefined,
                  }),
                )
                .map(([p, a, areas]) => ({ id, ...p, ...a, ...(areas === undefined ? {} : { areas }) })),
            ),
          ),
          // Technicians living thousands of km away with an extra area around the job.
          far: fc.array(fc.tuple(techAttrs(true), areaNear(center, 0.3, 1)), { maxLength: n ? 2 : 0 }),
          // The region of partner 'sunrise' (the job's partner a quarter of the time): about the size of the job's spread.
          region: fc.option(areaNear(center, 0.15, 0.25), { nil: undefined }),
          // Clones: exact copies under another id, to force score and distance ties.
          clones: fc.array(fc.nat(), { maxLength: n ? 5 : 0 }),
          job: jobArb(near(center, 20), ids),
          policy: policyInputArb,
          now: nowArb,
          offers: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 10_000_000 })), { maxLength: 30 }),
          exclude: fc.subarray(ids, { maxLength: Math.min(3, ids.length) }),
          allowProsOnFriendJobs: fc.boolean(),
          maxRadiusKm: fc.double({ min: 1, max: 400, noNaN: true }),
        },
        { requiredKeys: ['techs', 'clones', 'far', 'job', 'policy', 'now', 'offers', 'exclude'] },
      )
      .map(({ techs, clones, far, region, ...rest }) => {
        const all: TechnicianInput[] = [...techs];
        const farLat = center.lat > 0 ? center.lat - 40 : center.lat + 40;
        for (const [i, [a, area]] of far.entries()) {
          all.push({ id: `f${i}`, lat: farLat, lon: center.lon, ...a, areas: [area] });
        }
        clones.forEach((c, i) => {
          if (techs.length) all.push({ ...techs[c % techs.length]!, id: `u${i}` });
        });
        const partners = {
          ...rest.policy.partners,
          ...(region === undefined ? {} : { sunrise: { allowProsOnFriendJobs: true, region } }),
        };
        return {
          ...rest,
          policy: { ...rest.policy, partners },
          techs: all,
          offers: rest.offers.map(([t, age]) => [t % Math.max(1, all.length), age] as [number, number]),
        };
      });
  }),
);

/** Loads a scenario into a new fleet, adding technicians in `order` (indices; default as given). */
export function buildFleet(s: Scenario, order?: readonly number[]): Fleet {
  const fleet = new Fleet({ initialCapacity: 16 });
  const idx = order ?? s.techs.map((_, i) => i);
  for (const i of idx) fleet.add(s.techs[i]!);
  // Per technician, notifications are recorded oldest first whatever the insertion order.
  const offers = [...s.offers].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const byTech = new Map<number, number[]>();
  for (const [t, age] of offers) byTech.set(t, [...(byTech.get(t) ?? []), s.now - age]);
  for (const i of idx) for (const at of byTech.get(i) ?? []) fleet.recordOffer(s.techs[i]!.id, at);
  return fleet;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local minute of the week (0 = Sunday 00:00) straight from `Intl`, for the oracle. */
export function intlMinuteOfWeek(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return DAYS.indexOf(get('weekday')) * 1440 + Number(get('hour')) * 60 + Number(get('minute'));
}

/** Whether `now` falls in a weekly window, computed from `Intl` and the window text. */
export function oracleAvailable(a: Availability, now: number): boolean {
  const m = intlMinuteOfWeek(now, a.timeZone);
  const min = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  return a.windows.some((w) => {
    const start = w.day * 1440 + min(w.start);
    let end = w.day * 1440 + min(w.end);
    if (end <= start) end += 1440;
    return (m >= start && m < end) || (m + 10080 >= start && m + 10080 < end);
  });
}

/** The effective policy fields the oracle needs (defaults as documented in `PolicyInput`). */
function policyView(p: PolicyInput) {
  return {
    partners: p.partners ?? {},
    allowPros: p.allowProsOnFriendJobs ?? false,
    cap: p.notificationCap === undefined ? { max: 12, windowMs: 3_600_000 } : p.notificationCap,
  };
}

/** Every reason the rules should give for technician `i`, in `RULES` order, by plain reasoning. */
export function oracleReasons(s: Scenario, i: number): ExclusionReason[] {
  const t = s.techs[i]!;
  const { job } = s;
  const pv = policyView(s.policy);
  const partner = job.partner !== undefined ? pv.partners[job.partner] : undefined;
  const d = haversineKm(job.lat, job.lon, t.lat, t.lon);
  const jobRadius = s.maxRadiusKm ?? job.maxRadiusKm ?? Number.POSITIVE_INFINITY;
  const tier = partner?.proOnly ? 'pro' : (job.tier ?? 'any');
  const prosOnFriend =
    s.allowProsOnFriendJobs === true
      ? partner?.allowProsOnFriendJobs !== false
      : (partner?.allowProsOnFriendJobs ?? pv.allowPros);
  const tierOk = tier === 'any' || t.tier === tier || (tier === 'friend' && t.tier === 'pro' && prosOnFriend);
  const certRequired =
    job.partner !== undefined && (job.requireCertification ?? partner?.requireCertification ?? false);
  const notified = s.offers.filter(([k, age]) => k === i && age < (pv.cap?.windowMs ?? 0)).length;
  const out: ExclusionReason[] = [];
  if (d > (t.radiusKm ?? 30) && !oracleInAreas(t.areas, job.lat, job.lon)) out.push('outside_own_radius');
  if (d > jobRadius) out.push('beyond_job_radius');
  if (t.online === false) out.push('offline');
  if (!tierOk) out.push('tier');
  if (!(job.skills ?? []).every((k) => (t.skills ?? []).includes(k))) out.push('missing_skill');
  if (certRequired && !(t.certifications ?? []).includes(job.partner!)) out.push('not_certified');
  if (t.availability && !oracleAvailable(t.availability, s.now)) out.push('unavailable_now');
  if ((t.load ?? 0) >= (t.capacity ?? 1)) out.push('at_capacity');
  if (pv.cap && Math.min(notified, 64) >= pv.cap.max) out.push('notification_cap');
  if ((job.blocked ?? []).includes(t.id)) out.push('blocked_by_customer');
  if (s.exclude.includes(t.id)) out.push('already_offered');
  return out;
}

/** Whether the job lies outside its partner's region, by the oracle: then nobody may take it. */
export function oracleRefused(s: Scenario): boolean {
  const { job } = s;
  const region = job.partner === undefined ? undefined : s.policy.partners?.[job.partner]?.region;
  return region !== undefined && !oracleInArea(region, job.lat, job.lon);
}

/** Whether technician `i` reaches the job only through an area (beyond his own radius), by the oracle. */
export function oracleViaArea(s: Scenario, i: number): boolean {
  const t = s.techs[i]!;
  const d = haversineKm(s.job.lat, s.job.lon, t.lat, t.lon);
  return d > (t.radiusKm ?? 30) && oracleInAreas(t.areas, s.job.lat, s.job.lon);
}

/** Distances (km) of technician `i` to the radii its verdict depends on. */
export function radiiOf(s: Scenario, i: number): number[] {
  const t = s.techs[i]!;
  return [t.radiusKm ?? 30, s.maxRadiusKm ?? s.job.maxRadiusKm ?? Number.POSITIVE_INFINITY];
}
