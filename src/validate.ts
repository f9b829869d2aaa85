/**
 * Input validation for technicians and jobs. Every check runs before any state changes, so a
 * rejected update leaves the fleet exactly as it was.
 */
import { InvalidJobError, InvalidTechnicianError } from './errors.js';
import type { Availability, Job, JobTier, TechnicianInput } from './types.js';

/** Largest service or job radius accepted, km: anything larger is a unit mistake (metres?). */
export const MAX_RADIUS_KM = 1000;

type ErrorCtor = new (message: string, path?: string) => Error;

function where(kind: string, id: unknown): string {
  return typeof id === 'string' ? `${kind} '${id}'` : kind;
}

/** Checks a latitude/longitude pair. */
export function checkLatLon(lat: unknown, lon: unknown, ctx: string, E: ErrorCtor): void {
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new E(`${ctx}: lat is ${String(lat)}; pass a WGS84 latitude in degrees between -90 and 90.`, 'lat');
  }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    throw new E(
      `${ctx}: lon is ${String(lon)}; pass a WGS84 longitude in degrees between -180 and 180 (normalise first).`,
      'lon',
    );
  }
}

/** Checks a radius in km: finite, > 0 and at most {@link MAX_RADIUS_KM}. */
export function checkRadius(value: unknown, field: string, ctx: string, E: ErrorCtor): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_RADIUS_KM) {
    throw new E(
      `${ctx}: ${field} is ${String(value)}; pass a distance in km greater than 0 and at most ${MAX_RADIUS_KM}.`,
      field,
    );
  }
}

function checkStrings(value: unknown, field: string, ctx: string, E: ErrorCtor): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new E(`${ctx}: ${field} must be an array of non-empty strings.`, field);
  }
}

function checkCount(value: unknown, field: string, ctx: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidTechnicianError(
      `${ctx}: ${field} is ${String(value)}; pass a whole number between ${min} and ${max}.`,
      field,
    );
  }
}

const knownZones = new Set<string>();

/** Whether `Intl` knows the zone; cached, since building a formatter costs ~100 µs. */
function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string') return false;
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  knownZones.add(zone);
  return true;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Parses `HH:MM` to minutes after midnight. */
export function parseHhmm(value: string): number {
  if (value === '24:00') return 1440;
  return Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
}

function checkAvailability(a: unknown, ctx: string): asserts a is Availability {
  if (a === null || typeof a !== 'object') {
    throw new InvalidTechnicianError(`${ctx}: availability must be { timeZone, windows }.`, 'availability');
  }
  const { timeZone, windows } = a as Availability;
  // Intl accepts an undefined zone (the host's), so check the type first.
  if (typeof timeZone !== 'string') {
    throw new InvalidTechnicianError(
      `${ctx}: availability.timeZone is ${String(timeZone)}; pass an IANA time zone such as 'Europe/Zurich'.`,
      'availability.timeZone',
    );
  }
  if (!isTimeZone(timeZone)) {
    throw new InvalidTechnicianError(
      `${ctx}: availability.timeZone '${String(timeZone)}' is not an IANA time zone; use e.g. 'Europe/Zurich'.`,
      'availability.timeZone',
    );
  }
  if (typeof timeZone !== 'string' || !Array.isArray(windows)) {
    throw new InvalidTechnicianError(
      `${ctx}: availability.windows must be an array.`,
      'availability.windows',
    );
  }
  windows.forEach((w, i) => {
    const path = `availability.windows[${i}]`;
    if (!w || !Number.isInteger(w.day) || w.day < 0 || w.day > 6) {
      throw new InvalidTechnicianError(
        `${ctx}: ${path}.day must be 0 (Sunday) … 6 (Saturday).`,
        `${path}.day`,
      );
    }
    for (const f of ['start', 'end'] as const) {
      if (typeof w[f] !== 'string' || !HHMM.test(w[f])) {
        throw new InvalidTechnicianError(
          `${ctx}: ${path}.${f} is ${JSON.stringify(w[f])}; write local time as 'HH:MM' (00:00–24:00).`,
          `${path}.${f}`,
        );
      }
    }
    if (w.start === w.end) {
      throw new InvalidTechnicianError(
        `${ctx}: ${path} starts and ends at ${w.start}; give it a length.`,
        path,
      );
    }
  });
}

/** Validates a full technician record; throws {@link InvalidTechnicianError} on the first problem. */
export function validateTechnician(t: TechnicianInput): void {
  if (t === null || typeof t !== 'object') {
    throw new InvalidTechnicianError('technician must be an object with at least { id, lat, lon, tier }.');
  }
  if (typeof t.id !== 'string' || t.id.length === 0) {
    throw new InvalidTechnicianError(
      `technician id is ${JSON.stringify(t.id)}; pass a non-empty string.`,
      'id',
    );
  }
  const ctx = where('technician', t.id);
  checkLatLon(t.lat, t.lon, ctx, InvalidTechnicianError);
  // Required: a missing tier must not silently become 'friend'.
  if (t.tier !== 'friend' && t.tier !== 'pro') {
    throw new InvalidTechnicianError(
      `${ctx}: tier is ${JSON.stringify(t.tier)}; use 'friend' or 'pro'.`,
      'tier',
    );
  }
  validateTechnicianFields(t, ctx);
}

/** Validates the optional fields of a technician or a patch. */
export function validateTechnicianFields(t: Partial<TechnicianInput>, ctx: string): void {
  if (t.tier !== undefined && t.tier !== 'friend' && t.tier !== 'pro') {
    throw new InvalidTechnicianError(
      `${ctx}: tier is ${JSON.stringify(t.tier)}; use 'friend' or 'pro'.`,
      'tier',
    );
  }
  if (t.radiusKm !== undefined) checkRadius(t.radiusKm, 'radiusKm', ctx, InvalidTechnicianError);
  if (t.rating !== undefined && (typeof t.rating !== 'number' || !(t.rating >= 1 && t.rating <= 5))) {
    throw new InvalidTechnicianError(
      `${ctx}: rating is ${String(t.rating)}; pass the average star rating between 1 and 5 (or leave it out).`,
      'rating',
    );
  }
  checkCount(t.ratingCount, 'ratingCount', ctx, 0, 1e9);
  checkCount(t.capacity, 'capacity', ctx, 1, 1000);
  checkCount(t.load, 'load', ctx, 0, 1000);
  for (const f of ['bestFriend', 'online'] as const) {
    if (t[f] !== undefined && typeof t[f] !== 'boolean') {
      throw new InvalidTechnicianError(`${ctx}: ${f} is ${String(t[f])}; pass true or false.`, f);
    }
  }
  checkStrings(t.skills, 'skills', ctx, InvalidTechnicianError);
  checkStrings(t.certifications, 'certifications', ctx, InvalidTechnicianError);
  if (t.availability !== undefined) checkAvailability(t.availability, ctx);
  const s = t.stats;
  if (s !== undefined) {
    if (s === null || typeof s !== 'object')
      throw new InvalidTechnicianError(`${ctx}: stats must be an object.`);
    for (const f of ['recentOffers', 'recentAwards', 'responseMs'] as const) {
      const v = s[f];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
        throw new InvalidTechnicianError(
          `${ctx}: stats.${f} is ${String(v)}; pass a finite number ≥ 0.`,
          `stats.${f}`,
        );
      }
    }
    const ar = s.acceptRate;
    if (ar !== undefined && (typeof ar !== 'number' || !(ar >= 0 && ar <= 1))) {
      throw new InvalidTechnicianError(
        `${ctx}: stats.acceptRate is ${String(ar)}; pass a share between 0 and 1.`,
        'stats.acceptRate',
      );
    }
  }
}

const TIERS: readonly JobTier[] = ['friend', 'pro', 'any'];

/** Validates a job; throws {@link InvalidJobError} on the first problem. */
export function validateJob(job: Job): void {
  if (job === null || typeof job !== 'object') {
    throw new InvalidJobError('job must be an object with at least { id, lat, lon }.');
  }
  if (typeof job.id !== 'string' || job.id.length === 0) {
    throw new InvalidJobError(`job id is ${JSON.stringify(job.id)}; pass a non-empty string.`, 'id');
  }
  const ctx = where('job', job.id);
  checkLatLon(job.lat, job.lon, ctx, InvalidJobError);
  if (job.tier !== undefined && !TIERS.includes(job.tier)) {
    throw new InvalidJobError(
      `${ctx}: tier is ${JSON.stringify(job.tier)}; use 'friend', 'pro' or 'any'.`,
      'tier',
    );
  }
  if (job.maxRadiusKm !== undefined) checkRadius(job.maxRadiusKm, 'maxRadiusKm', ctx, InvalidJobError);
  checkStrings(job.skills, 'skills', ctx, InvalidJobError);
  checkStrings(job.blocked, 'blocked', ctx, InvalidJobError);
  if (job.partner !== undefined && (typeof job.partner !== 'string' || job.partner.length === 0)) {
    throw new InvalidJobError(`${ctx}: partner must be a non-empty string (a partner id).`, 'partner');
  }
  if (job.requireCertification !== undefined && typeof job.requireCertification !== 'boolean') {
    throw new InvalidJobError(`${ctx}: requireCertification must be true or false.`, 'requireCertification');
  }
}
