/**
 * Builds the simulated world of a scenario from a seed: the technicians (with their personal
 * traits and online hours) and the week's jobs. Everything here is independent of the policy, so
 * every policy compared on a seed meets the same people and the same customers.
 */

import {
  ENGAGEMENT_ROLES,
  type GeoJsonPolygon,
  haversineKm,
  type Job,
  parseHhmm,
  qualifyBestFriends,
  type TechnicianInput,
  type YearFigures,
} from 'crowd-dispatch';
import type { City, HistoryJob, Scenario } from './scenario.js';
import { cumulate, logNormal, pickCumulative, stream } from './streams.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const KM_PER_DEG = 111.195;

/** A technician of the simulation: what the fleet sees plus what only the behaviour model knows. */
export interface SimTechnician {
  /** The technician as added to the fleet. */
  input: TechnicianInput;
  /** Typical time to answer an offer, ms (median of this person's answers). */
  responseMedianMs: number;
  /** Multiplier of the accept probability (eager vs choosy people). */
  eagerness: number;
  /** Online intervals [on, off) in simulation ms, sorted and disjoint. */
  shifts: number[];
}

/** A job of the simulation and when it happens. */
export interface SimJob {
  /** 0-based arrival order (the key of the job's random numbers). */
  index: number;
  /** When the customer asks, ms since the start. */
  at: number;
  /** The job as opened with the dispatcher. */
  job: Job;
  /** When the customer gives up if nobody accepted yet (Infinity = never). */
  cancelAt: number;
  /** The id in the replayed history (absent for synthetic jobs, whose id is `job.id`). */
  sourceId?: string;
  /** An appointment window [start, end), ms: the technician is due at the door then. */
  appointment?: {
    /** Start of the window, ms since the start. */
    start: number;
    /** End of the window (exclusive), ms since the start. */
    end: number;
  };
  /** What happened in reality (replayed histories only). */
  observed?: HistoryJob['observed'];
}

/** The generated world. */
export interface World {
  /** The fleet, in the order it is added. */
  technicians: SimTechnician[];
  /** The jobs, in arrival order. */
  jobs: SimJob[];
}

function gaussian(rng: { next(): number }): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function placeNear(city: City, jitterKm: number, rng: { next(): number }): [number, number] {
  let lat = city.lat + (gaussian(rng) * jitterKm) / KM_PER_DEG;
  // Near a pole the east-west degree shrinks to nothing; keep the spread in km bounded there.
  const cos = Math.max(0.01, Math.cos((city.lat * Math.PI) / 180));
  let lon = city.lon + (gaussian(rng) * jitterKm) / (KM_PER_DEG * cos);
  // A jitter across a pole or the antimeridian lands on the other side: the sphere, not a clamp.
  if (lat > 90) [lat, lon] = [180 - lat, lon + 180];
  else if (lat < -90) [lat, lon] = [-180 - lat, lon + 180];
  lon = ((((lon + 180) % 360) + 360) % 360) - 180;
  return [Math.round(lat * 1e5) / 1e5, Math.round(lon * 1e5) / 1e5];
}

function poisson(lambda: number, rng: { next(): number }): number {
  if (lambda > 60) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rng)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Generates the technicians: positions, tiers, skills, certifications, Best Friends, traits and shifts. */
export function generateTechnicians(scenario: Scenario, seed: number): SimTechnician[] {
  const { fleet, behaviour } = scenario;
  const rng = stream(seed, 'fleet');
  const traitsRng = stream(seed, 'traits');
  const shiftRng = stream(seed, 'shifts');
  const cityCum = cumulate(scenario.cities.map((c) => c.population));
  const radiusCum = cumulate(fleet.radiusKm.weights);
  const given = fleet.technicians as TechnicianInput[] | undefined;
  const n = given ? given.length : fleet.size;
  const width = String(n - 1).length;
  const out: SimTechnician[] = [];
  const homePopulation: number[] = new Array(n).fill(0);
  for (let i = 0; i < n; i++) {
    let input: TechnicianInput;
    if (given) {
      input = { ...given[i]! };
    } else {
      const city = scenario.cities[pickCumulative(cityCum, rng.next())]!;
      homePopulation[i] = city.population;
      const [lat, lon] = placeNear(city, fleet.jitterKm, rng);
      const pro = rng.next() >= fleet.friendShare;
      const [cmin, cmax] = fleet.proCapacity;
      const ratingCount = Math.floor(-Math.log(1 - rng.next()) * fleet.rating.meanCount);
      input = {
        id: `t${String(i).padStart(width, '0')}`,
        lat,
        lon,
        tier: pro ? 'pro' : 'friend',
        radiusKm: fleet.radiusKm.values[pickCumulative(radiusCum, rng.next())]!,
        ratingCount,
        skills: Object.entries(fleet.skills)
          .filter(([, s]) => rng.next() < s)
          .map(([name]) => name),
        certifications: Object.entries(fleet.certifications)
          .filter(([, s]) => rng.next() < s)
          .map(([name]) => name),
        capacity: pro ? cmin + Math.floor(rng.next() * (cmax - cmin + 1)) : 1,
      };
      if (ratingCount > 0) {
        input.rating =
          Math.round(Math.min(5, Math.max(1, fleet.rating.mean + gaussian(rng) * fleet.rating.sd)) * 100) /
          100;
      }
    }
    const r = behaviour.responseMs;
    const spread = behaviour.accept.techSpread;
    const responseMedianMs = r.median * Math.exp(r.techSpread * gaussian(traitsRng));
    const eagerness = Math.min(
      1 / behaviour.accept.base,
      Math.max(0, 1 + spread * (2 * traitsRng.next() - 1)),
    );
    out.push({ input, responseMedianMs, eagerness, shifts: shiftsFor(scenario, input.tier, shiftRng) });
  }
  if (!given) markBestFriends(out, homePopulation, fleet.engagementShare, traitsRng);
  if (!given && fleet.extraAreas.share > 0) addExtraAreas(scenario, seed, out);
  return out;
}

/** Vertices of an extra area's ring (a 32-gon is within 0.5 % of the circle's radius). */
const AREA_VERTICES = 32;

/**
 * Gives a share of the generated Friends an extra service area: a round area around a town near
 * home that their own radius does not reach, the town drawn by population. Its own stream, so the
 * rest of the world is the same with or without areas.
 */
function addExtraAreas(scenario: Scenario, seed: number, techs: SimTechnician[]): void {
  const x = scenario.fleet.extraAreas;
  const rng = stream(seed, 'areas');
  for (const t of techs) {
    if (t.input.tier !== 'friend' || rng.next() >= x.share) continue;
    const own = t.input.radiusKm ?? 30;
    const towns = scenario.cities.filter((c) => {
      const km = haversineKm(t.input.lat, t.input.lon, c.lat, c.lon);
      return km > own && km <= x.withinKm;
    });
    if (towns.length === 0) continue;
    const town = towns[pickCumulative(cumulate(towns.map((c) => c.population)), rng.next())]!;
    const km = x.radiusKm.min + rng.next() * Math.max(0, x.radiusKm.max - x.radiusKm.min);
    // A disc across the antimeridian would need a split ring: such a town gets no area.
    const cos = Math.max(0.01, Math.cos((town.lat * Math.PI) / 180));
    if (Math.abs(town.lon) + km / (KM_PER_DEG * cos) >= 180 || Math.abs(town.lat) + km / KM_PER_DEG >= 90)
      continue;
    t.input.areas = [roundArea(town.lat, town.lon, km)];
  }
}

/** A GeoJSON Polygon approximating the disc of `km` around a point (counter-clockwise ring). */
function roundArea(lat: number, lon: number, km: number): GeoJsonPolygon {
  const cos = Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  const ring: [number, number][] = [];
  for (let k = 0; k < AREA_VERTICES; k++) {
    const a = (2 * Math.PI * k) / AREA_VERTICES;
    const dLat = (km * Math.sin(a)) / KM_PER_DEG;
    const dLon = (km * Math.cos(a)) / (KM_PER_DEG * cos);
    ring.push([Math.round((lon + dLon) * 1e5) / 1e5, Math.round((lat + dLat) * 1e5) / 1e5]);
  }
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

/**
 * Best Friends by the programme's own rules ({@link qualifyBestFriends}: rating ≥ 4.5, ≥ 15
 * ratings and top 5 % revenue, or a community role) applied to last year's simulated figures.
 * Revenue grows with how eager and fast a Friend is and how many people live where they do, with
 * noise; last year's ratings grow with revenue.
 */
function markBestFriends(
  techs: SimTechnician[],
  homePopulation: readonly number[],
  engagementShare: number,
  rng: { next(): number },
): void {
  const friends = techs.map((t, i) => ({ t, i })).filter(({ t }) => t.input.tier === 'friend');
  if (friends.length === 0) return;
  const revenue = friends.map(
    ({ t, i }) =>
      ((t.eagerness * 10_000) / t.responseMedianMs) *
      Math.sqrt(homePopulation[i]!) *
      Math.exp(0.6 * gaussian(rng)),
  );
  const meanRevenue = revenue.reduce((x, y) => x + y, 0) / revenue.length || 1;
  const figures: YearFigures[] = friends.map(({ t }, k) => {
    const ratingCount = Math.round((revenue[k]! / meanRevenue) * 8 * (0.5 + rng.next()));
    const f: YearFigures = {
      id: t.input.id,
      averageRating: t.input.rating ?? 4.5,
      ratingCount,
      revenue: Math.round(revenue[k]! * 100) / 100,
    };
    if (rng.next() < engagementShare)
      f.roles = [ENGAGEMENT_ROLES[Math.floor(rng.next() * ENGAGEMENT_ROLES.length)]!];
    return f;
  });
  qualifyBestFriends(figures).forEach((q, k) => {
    const input = friends[k]!.t.input;
    const f = figures[k]!;
    if (f.ratingCount > (input.ratingCount ?? 0)) {
      input.ratingCount = f.ratingCount;
      input.rating = f.averageRating;
    }
    if (q.qualifies) input.bestFriend = true;
  });
}

function shiftsFor(scenario: Scenario, tier: 'friend' | 'pro', rng: { next(): number }): number[] {
  const options = scenario.behaviour.shifts.filter((s) => !s.tier || s.tier === tier);
  const pattern = options[pickCumulative(cumulate(options.map((s) => s.share)), rng.next())]!;
  const startShift = (2 * rng.next() - 1) * pattern.jitterMin * 60_000;
  const endShift = (2 * rng.next() - 1) * pattern.jitterMin * 60_000;
  const start = parseHhmm(pattern.start) * 60_000 + startShift;
  let end = parseHhmm(pattern.end) * 60_000 + endShift;
  if (end <= start) end += DAY_MS;
  // One extra day, so jobs opened just before the end still meet the usual crowd.
  const horizon = Math.round((scenario.days + 1) * DAY_MS);
  const out: number[] = [];
  // Start one day early so a shift that wraps past midnight into day 0 counts.
  for (let d = -1; d * DAY_MS < horizon; d++) {
    const weekday = (((scenario.startWeekday + d) % 7) + 7) % 7;
    if (!pattern.days.includes(weekday)) continue;
    if (rng.next() < pattern.skipShare) continue;
    // Whole milliseconds: the dispatcher takes integer times only.
    const on = Math.max(0, Math.round(d * DAY_MS + start));
    const off = Math.min(horizon, Math.round(d * DAY_MS + end));
    if (off <= on) continue;
    const last = out.length - 1;
    if (last > 0 && out[last]! >= on) out[last] = Math.max(out[last]!, off);
    else out.push(on, off);
  }
  return out;
}

/** Generates the jobs: arrival times by hour and weekday, places by population, partners, tiers, skills. */
export function generateJobs(scenario: Scenario, seed: number): SimJob[] {
  if (scenario.history) return historyJobs(scenario.history);
  const { demand } = scenario;
  const rng = stream(seed, 'arrivals');
  const cityCum = cumulate(scenario.cities.map((c) => c.population));
  const hourlyTotal = demand.hourly.reduce((s, x) => s + x, 0);
  const weekdayMean = demand.weekday.reduce((s, x) => s + x, 0) / 7;
  const partners = Object.entries(scenario.partners);
  const partnerCum = cumulate(partners.map(([, p]) => p.share));
  const partnerTotal = partnerCum.length > 0 ? partnerCum[partnerCum.length - 1]! : 0;
  const tierCum = cumulate([demand.tier.friend, demand.tier.pro, demand.tier.any]);
  const tiers = ['friend', 'pro', 'any'] as const;
  const jobSkills = Object.entries(demand.skills);
  const skillCum = cumulate(jobSkills.map(([, w]) => w));
  const hours = Math.ceil(scenario.days * 24);
  const horizon = scenario.days * DAY_MS;
  const out: SimJob[] = [];
  for (let h = 0; h < hours; h++) {
    const day = Math.floor(h / 24);
    const weekday = (scenario.startWeekday + day) % 7;
    const lambda =
      (demand.jobsPerDay * (demand.weekday[weekday]! / weekdayMean) * demand.hourly[h % 24]!) / hourlyTotal;
    const count = poisson(lambda, rng);
    const times: number[] = [];
    for (let k = 0; k < count; k++) times.push(h * HOUR_MS + Math.floor(rng.next() * HOUR_MS));
    times.sort((a, b) => a - b);
    for (const at of times) {
      if (at >= horizon) continue;
      const index = out.length;
      const city = scenario.cities[pickCumulative(cityCum, rng.next())]!;
      const [lat, lon] = placeNear(city, demand.jitterKm, rng);
      const job: Job = { id: `j${index}`, lat, lon };
      const u = rng.next();
      if (partnerTotal > 0 && u < partnerTotal)
        job.partner = partners[pickCumulative(partnerCum, u / partnerTotal)]![0];
      else job.tier = tiers[pickCumulative(tierCum, rng.next())]!;
      const needsSkill = rng.next() < demand.skillShare;
      const skill = jobSkills[pickCumulative(skillCum, rng.next())];
      if (needsSkill && skill) job.skills = [skill[0]];
      const c = demand.cancel;
      const cancelAt =
        rng.next() < c.share
          ? at + Math.round(logNormal(c.medianMin * 60_000, 0.5, rng.next(), rng.next()))
          : Infinity;
      out.push({ index, at, job, cancelAt });
    }
  }
  return out;
}

/**
 * A replayed history as simulation jobs. The dispatcher sees `j<index>` ids (the source ids stay
 * in `sourceId` for exports), so the runner finds a job by its index without a lookup.
 */
function historyJobs(history: readonly HistoryJob[]): SimJob[] {
  return history.map((h, index) => {
    const job: Job = { id: `j${index}`, lat: h.lat, lon: h.lon };
    if (h.tier) job.tier = h.tier;
    if (h.skills) job.skills = [...h.skills];
    if (h.partner) job.partner = h.partner;
    const sj: SimJob = { index, at: h.at, job, cancelAt: h.cancelAt ?? Infinity, sourceId: h.id };
    if (h.appointment) {
      sj.appointment = { ...h.appointment };
      // Dispatched as an appointment (offers at the policy's lead time), in simulation time, which is local already.
      job.window = { start: h.appointment.start, end: h.appointment.end, timeZone: 'UTC' };
    }
    if (h.observed) sj.observed = { ...h.observed };
    return sj;
  });
}

/**
 * The whole world of a scenario for a seed.
 * @example
 * const scenario = parseScenario({ days: 1 });
 * const world = buildWorld(scenario, 7);
 * world.technicians.length; // 1500, the default fleet
 * world.jobs[0]!.job; // { id: 'j0', lat: 46.85039, lon: 7.3653, tier: 'any', skills: ['router'] }
 * runSimulation(scenario, preset('today').policy, { seed: 7, world }); // built once, reused for every policy
 */
export function buildWorld(scenario: Scenario, seed: number): World {
  const technicians = generateTechnicians(scenario, seed);
  const jobs = generateJobs(scenario, seed);
  if (!scenario.history) addBookings(scenario, seed, technicians, jobs);
  return { technicians, jobs };
}

/**
 * Turns a share of the synthetic jobs into appointments (a window hours ahead) and direct
 * bookings (a Friend living near the customer, sometimes that Friend only). Draws come from their
 * own stream, four per job whatever it becomes, so the rest of the world is the same with or
 * without bookings and every policy sees the same bookings (common random numbers).
 */
function addBookings(
  scenario: Scenario,
  seed: number,
  techs: readonly SimTechnician[],
  jobs: SimJob[],
): void {
  const b = scenario.demand.bookings;
  if (b.appointmentShare === 0 && b.directShare === 0) return;
  const rng = stream(seed, 'bookings');
  const friends = techs.filter((t) => t.input.tier === 'friend');
  for (const sj of jobs) {
    const [u1, u2, u3, u4] = [rng.next(), rng.next(), rng.next(), rng.next()];
    if (u1 < b.appointmentShare) {
      const lead = (b.leadHours.min + u2 * Math.max(0, b.leadHours.max - b.leadHours.min)) * HOUR_MS;
      // The day `lead` ahead, at an hour customers book (09:00–21:00, uniform); the next day if too soon.
      const earliest = sj.at + b.leadHours.min * HOUR_MS;
      const day = Math.floor((sj.at + lead) / DAY_MS);
      let start = day * DAY_MS + (9 + Math.floor(((u2 * 7919) % 1) * 13)) * HOUR_MS;
      if (start < earliest) start += DAY_MS;
      const end = start + Math.round(b.windowHours * HOUR_MS);
      sj.appointment = { start, end };
      sj.job.window = { start, end, timeZone: 'UTC' }; // simulation time is local already
      sj.cancelAt = Number.POSITIVE_INFINITY; // a customer with a booked time does not give up after minutes
    }
    if (u3 < b.directShare) {
      const near = friends.filter(
        (t) => haversineKm(t.input.lat, t.input.lon, sj.job.lat, sj.job.lon) <= b.directRadiusKm,
      );
      if (near.length > 0) {
        const chosen = near[Math.min(near.length - 1, Math.floor(u4 * near.length))]!;
        const only = u3 / b.directShare < b.directOnlyShare;
        sj.job.preferred = { technicianIds: [chosen.input.id], ...(only ? { only: true } : {}) };
      }
    }
  }
}
