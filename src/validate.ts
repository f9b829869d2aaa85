/**
 * Input validation for technicians and jobs. Every check runs before any state changes, so a
 * rejected update leaves the fleet exactly as it was.
 */
import { describe, didYouMean, InvalidJobError, InvalidTechnicianError } from './errors.js';
import { readAreas } from './fleet-areas.js';
import type { Availability, Job, JobTier, TechnicianInput, TechnicianStats } from './types.js';

/** Largest service or job radius accepted, km: anything larger is a unit mistake (metres?). */
export const MAX_RADIUS_KM = 1000;

type ErrorCtor = new (message: string, path?: string) => Error;

/** Most entries accepted in a list of names (skills, certifications, blocked ids, windows). */
export const MAX_LIST = 10_000;
/** Longest id or name accepted, characters. */
export const MAX_NAME = 1_000;

/**
 * Reads the own fields of an object once, into a null-prototype record: unknown fields (with a
 * "did you mean"), symbol keys, non-objects and throwing getters or proxies are typed errors, so
 * what is checked afterwards is exactly what is stored. `undefined` values count as absent.
 */
export function readFields(
  value: unknown,
  known: readonly string[],
  ctx: string,
  path: string,
  E: ErrorCtor,
  keepUndefined = false,
): Record<string, unknown> {
  const what = path === '' ? 'value' : path;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new E(
      `${ctx}: ${what} is ${describe(value)}; pass an object with fields ${known.join(', ')}.`,
      path,
    );
  }
  const out: Record<string, unknown> = Object.create(null);
  let keys: (string | symbol)[];
  try {
    keys = Reflect.ownKeys(value);
  } catch (error) {
    throw new E(`${ctx}: listing the fields of ${what} threw ${describe(error)}; pass plain data.`, path);
  }
  const prefix = path === '' ? '' : `${path}.`;
  for (const k of keys) {
    if (typeof k === 'symbol') {
      throw new E(`${ctx}: ${what} has a symbol key ${describe(k)}; pass plain data with string keys.`, path);
    }
    if (!known.includes(k)) {
      throw new E(
        `${ctx}: unknown field '${prefix}${k.length > 60 ? `${k.slice(0, 60)}…` : k}'.${didYouMean(k, known)} Known fields: ${known.join(', ')}.`,
        `${prefix}${k}`,
      );
    }
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[k];
    } catch (error) {
      throw new E(
        `${ctx}: reading ${prefix}${k} threw ${describe(error)}; pass plain data.`,
        `${prefix}${k}`,
      );
    }
    if (v !== undefined || keepUndefined) out[k] = v;
  }
  return out;
}

/** Copies a list of non-empty strings (each read once); undefined stays undefined. */
export function readStrings(value: unknown, field: string, ctx: string, E: ErrorCtor): string[] | undefined {
  if (value === undefined) return undefined;
  const bad = (detail: string): Error =>
    new E(`${ctx}: ${field} ${detail}; pass an array of non-empty strings (at most ${MAX_LIST}).`, field);
  if (!Array.isArray(value)) throw bad(`is ${describe(value)}`);
  let n: number;
  try {
    n = value.length;
  } catch {
    throw bad('cannot be read');
  }
  if (n > MAX_LIST) throw bad(`has ${n} entries`);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let v: unknown;
    try {
      v = value[i];
    } catch {
      throw bad(`[${i}] cannot be read`);
    }
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NAME) throw bad(`[${i}] is ${describe(v)}`);
    out[i] = v;
  }
  return out;
}

function where(kind: string, id: unknown): string {
  return typeof id === 'string' ? `${kind} '${id.length > 100 ? `${id.slice(0, 100)}…` : id}'` : kind;
}

/** Checks a latitude/longitude pair. */
export function checkLatLon(lat: unknown, lon: unknown, ctx: string, E: ErrorCtor): void {
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new E(
      `${ctx}: lat is ${describe(lat)}; pass a WGS84 latitude in degrees between -90 and 90.`,
      'lat',
    );
  }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    throw new E(
      `${ctx}: lon is ${describe(lon)}; pass a WGS84 longitude in degrees between -180 and 180 (normalise first).`,
      'lon',
    );
  }
}

/** Checks a radius in km: finite, > 0 and at most {@link MAX_RADIUS_KM}. */
export function checkRadius(value: unknown, field: string, ctx: string, E: ErrorCtor): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_RADIUS_KM) {
    throw new E(
      `${ctx}: ${field} is ${describe(value)}; pass a distance in km greater than 0 and at most ${MAX_RADIUS_KM}.`,
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
      `${ctx}: ${field} is ${describe(value)}; pass a whole number between ${min} and ${max}.`,
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
      `${ctx}: availability.timeZone is ${describe(timeZone)}; pass an IANA time zone such as 'Europe/Zurich'.`,
      'availability.timeZone',
    );
  }
  if (!isTimeZone(timeZone)) {
    throw new InvalidTechnicianError(
      `${ctx}: availability.timeZone ${describe(timeZone)} is not an IANA time zone; use e.g. 'Europe/Zurich'.`,
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
          `${ctx}: ${path}.${f} is ${describe(w[f])}; write local time as 'HH:MM' (00:00–24:00).`,
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
  if (typeof t.id !== 'string' || t.id.length === 0 || t.id.length > MAX_NAME) {
    throw new InvalidTechnicianError(
      `technician id is ${describe(t.id)}; pass a non-empty string (at most ${MAX_NAME} characters).`,
      'id',
    );
  }
  const ctx = where('technician', t.id);
  checkLatLon(t.lat, t.lon, ctx, InvalidTechnicianError);
  // Required: a missing tier must not silently become 'friend'.
  if (t.tier !== 'friend' && t.tier !== 'pro') {
    throw new InvalidTechnicianError(`${ctx}: tier is ${describe(t.tier)}; use 'friend' or 'pro'.`, 'tier');
  }
  validateTechnicianFields(t, ctx);
}

/** Validates the optional fields of a technician or a patch. */
export function validateTechnicianFields(t: Partial<TechnicianInput>, ctx: string): void {
  if (t.tier !== undefined && t.tier !== 'friend' && t.tier !== 'pro') {
    throw new InvalidTechnicianError(`${ctx}: tier is ${describe(t.tier)}; use 'friend' or 'pro'.`, 'tier');
  }
  if (t.radiusKm !== undefined) checkRadius(t.radiusKm, 'radiusKm', ctx, InvalidTechnicianError);
  if (t.rating !== undefined && (typeof t.rating !== 'number' || !(t.rating >= 1 && t.rating <= 5))) {
    throw new InvalidTechnicianError(
      `${ctx}: rating is ${describe(t.rating)}; pass the average star rating between 1 and 5 (or leave it out).`,
      'rating',
    );
  }
  checkCount(t.ratingCount, 'ratingCount', ctx, 0, 1e9);
  checkCount(t.capacity, 'capacity', ctx, 1, 1000);
  checkCount(t.load, 'load', ctx, 0, 1000);
  for (const f of ['bestFriend', 'online'] as const) {
    if (t[f] !== undefined && typeof t[f] !== 'boolean') {
      throw new InvalidTechnicianError(`${ctx}: ${f} is ${describe(t[f])}; pass true or false.`, f);
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
          `${ctx}: stats.${f} is ${describe(v)}; pass a finite number ≥ 0.`,
          `stats.${f}`,
        );
      }
    }
    const ar = s.acceptRate;
    if (ar !== undefined && (typeof ar !== 'number' || !(ar >= 0 && ar <= 1))) {
      throw new InvalidTechnicianError(
        `${ctx}: stats.acceptRate is ${describe(ar)}; pass a share between 0 and 1.`,
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
  if (typeof job.id !== 'string' || job.id.length === 0 || job.id.length > MAX_NAME) {
    throw new InvalidJobError(
      `job id is ${describe(job.id)}; pass a non-empty string (at most ${MAX_NAME} characters).`,
      'id',
    );
  }
  const ctx = where('job', job.id);
  for (const k of Object.keys(job)) {
    if (!(JOB_FIELDS as readonly string[]).includes(k)) {
      throw new InvalidJobError(
        `${ctx}: unknown field '${k.slice(0, 60)}'.${didYouMean(k, JOB_FIELDS)} Known fields: ${JOB_FIELDS.join(', ')}.`,
        k,
      );
    }
  }
  checkLatLon(job.lat, job.lon, ctx, InvalidJobError);
  if (job.tier !== undefined && !TIERS.includes(job.tier)) {
    throw new InvalidJobError(`${ctx}: tier is ${describe(job.tier)}; use 'friend', 'pro' or 'any'.`, 'tier');
  }
  if (job.maxRadiusKm !== undefined) checkRadius(job.maxRadiusKm, 'maxRadiusKm', ctx, InvalidJobError);
  checkStrings(job.skills, 'skills', ctx, InvalidJobError);
  checkStrings(job.blocked, 'blocked', ctx, InvalidJobError);
  if (
    job.partner !== undefined &&
    (typeof job.partner !== 'string' || job.partner.length === 0 || job.partner.length > MAX_NAME)
  ) {
    throw new InvalidJobError(`${ctx}: partner must be a non-empty string (a partner id).`, 'partner');
  }
  if (job.requireCertification !== undefined && typeof job.requireCertification !== 'boolean') {
    throw new InvalidJobError(`${ctx}: requireCertification must be true or false.`, 'requireCertification');
  }
  if (job.window !== undefined) checkJobWindow(job.window, ctx);
  if (job.preferred !== undefined) checkPreferred(job.preferred, ctx);
}

/** The shape of an appointment window (its timing against the policy and `now`: `checkWindow` in appointments.ts). */
function checkJobWindow(w: Job['window'], ctx: string): void {
  const E = InvalidJobError;
  if (w === null || typeof w !== 'object') {
    throw new E(
      `${ctx}: window is ${describe(w)}; pass { start, end, timeZone } (ms and an IANA zone).`,
      'window',
    );
  }
  for (const k of Object.keys(w)) {
    if (!(WINDOW_SPAN_FIELDS as readonly string[]).includes(k)) {
      throw new E(
        `${ctx}: unknown field 'window.${k.slice(0, 60)}'.${didYouMean(k, WINDOW_SPAN_FIELDS)} Known fields: ${WINDOW_SPAN_FIELDS.join(', ')}.`,
        `window.${k}`,
      );
    }
  }
  for (const k of ['start', 'end'] as const) {
    const t = w[k];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new E(
        `${ctx}: window.${k} is ${describe(t)}; pass a time in ms (a finite number).`,
        `window.${k}`,
      );
    }
  }
  if (w.end <= w.start) {
    throw new E(
      `${ctx}: window.end (${w.end}) is not after window.start (${w.start}); pass an end later than the start.`,
      'window.end',
    );
  }
  if (!isTimeZone(w.timeZone)) {
    throw new E(
      `${ctx}: window.timeZone ${describe(w.timeZone)} is not an IANA time zone; use e.g. 'Europe/Zurich'.`,
      'window.timeZone',
    );
  }
}

function checkPreferred(p: Job['preferred'], ctx: string): void {
  const E = InvalidJobError;
  if (p === null || typeof p !== 'object') {
    throw new E(`${ctx}: preferred is ${describe(p)}; pass { technicianIds: [...], only? }.`, 'preferred');
  }
  for (const k of Object.keys(p)) {
    if (!(PREFERRED_FIELDS as readonly string[]).includes(k)) {
      throw new E(
        `${ctx}: unknown field 'preferred.${k.slice(0, 60)}'.${didYouMean(k, PREFERRED_FIELDS)} Known fields: ${PREFERRED_FIELDS.join(', ')}.`,
        `preferred.${k}`,
      );
    }
  }
  const ids = p.technicianIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PREFERRED) {
    throw new E(
      `${ctx}: preferred.technicianIds is ${describe(ids)}; pass 1 to ${MAX_PREFERRED} technician ids, most preferred first.`,
      'preferred.technicianIds',
    );
  }
  checkStrings(ids, 'preferred.technicianIds', ctx, E);
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      throw new E(
        `${ctx}: preferred.technicianIds[${i}] repeats '${id}'; name each technician once.`,
        `preferred.technicianIds[${i}]`,
      );
    }
    seen.add(id);
  });
  if (p.only !== undefined && typeof p.only !== 'boolean') {
    throw new E(`${ctx}: preferred.only is ${describe(p.only)}; pass true or false.`, 'preferred.only');
  }
}

/** Fields of a technician record, in the order they are copied. */
export const TECHNICIAN_FIELDS = [
  'id',
  'lat',
  'lon',
  'tier',
  'radiusKm',
  'rating',
  'ratingCount',
  'bestFriend',
  'skills',
  'certifications',
  'online',
  'availability',
  'capacity',
  'load',
  'stats',
  'areas',
] as const;
const STATS_FIELDS = ['recentOffers', 'recentAwards', 'acceptRate', 'responseMs'] as const;
const AVAILABILITY_FIELDS = ['timeZone', 'windows'] as const;
const WINDOW_FIELDS = ['day', 'start', 'end'] as const;
/** Fields of a job, in the order they are copied (and logged). */
export const JOB_FIELDS = [
  'id',
  'lat',
  'lon',
  'tier',
  'skills',
  'partner',
  'requireCertification',
  'maxRadiusKm',
  'blocked',
  'window',
  'preferred',
] as const;
const WINDOW_SPAN_FIELDS = ['start', 'end', 'timeZone'] as const;
const PREFERRED_FIELDS = ['technicianIds', 'only'] as const;
/** Most chosen technicians a job may name. */
export const MAX_PREFERRED = 20;

function copyAvailability(value: unknown, ctx: string): Availability {
  const E = InvalidTechnicianError;
  const a = readFields(value, AVAILABILITY_FIELDS, ctx, 'availability', E);
  const raw = a.windows;
  if (!Array.isArray(raw) || raw.length > MAX_LIST) {
    throw new E(
      `${ctx}: availability.windows is ${describe(raw)}; pass an array of { day, start, end } (at most ${MAX_LIST}).`,
      'availability.windows',
    );
  }
  const windows = Array.from({ length: raw.length }, (_, i) => {
    const w = readFields(raw[i], WINDOW_FIELDS, ctx, `availability.windows[${i}]`, E);
    return { day: w.day, start: w.start, end: w.end } as Availability['windows'][number];
  });
  return { timeZone: a.timeZone as string, windows };
}

/**
 * Copies a technician record (or, with `patch`, a partial one) to plain data, reading each field
 * once and refusing unknown ones, then validates the copy: the copy is what the fleet stores.
 */
export function readTechnician(input: unknown, patch = false, ctx0?: string): TechnicianInput {
  const E = InvalidTechnicianError;
  const known = TECHNICIAN_FIELDS;
  // A patch keeps explicit undefineds: `availability: undefined` clears the windows.
  const f = readFields(input, known, ctx0 ?? 'technician', '', E, patch);
  const ctx = ctx0 ?? where('technician', typeof f.id === 'string' ? f.id.slice(0, 100) : undefined);
  const out: Record<string, unknown> = {};
  for (const k of known) {
    const v = f[k];
    if (v === undefined) {
      if (k in f) out[k] = undefined;
      continue;
    }
    if (k === 'skills' || k === 'certifications') out[k] = readStrings(v, k, ctx, E);
    else if (k === 'availability') out[k] = copyAvailability(v, ctx);
    else if (k === 'areas') out[k] = readAreas(v, ctx).sources;
    else if (k === 'stats') {
      const s = readFields(v, STATS_FIELDS, ctx, 'stats', E);
      const stats: TechnicianStats = {};
      for (const sf of STATS_FIELDS) if (s[sf] !== undefined) stats[sf] = s[sf] as number;
      out[k] = stats;
    } else out[k] = v;
  }
  const t = out as unknown as TechnicianInput;
  if (patch) validateTechnicianFields(t, ctx);
  else validateTechnician(t);
  return t;
}

/**
 * Copies a job to plain data (each field read once, unknown fields refused, `toJSON` ignored) and
 * validates the copy; store the copy, never the caller's object.
 * @example const stored = readJob(job);
 */
export function readJob(input: unknown): Job {
  const E = InvalidJobError;
  const f = readFields(input, JOB_FIELDS, 'job', '', E);
  const ctx = where('job', typeof f.id === 'string' ? f.id.slice(0, 100) : undefined);
  const out: Record<string, unknown> = {};
  for (const k of JOB_FIELDS) {
    const v = f[k];
    if (v === undefined) continue;
    if (k === 'skills' || k === 'blocked') out[k] = readStrings(v, k, ctx, E);
    else if (k === 'window') out[k] = { ...readFields(v, WINDOW_SPAN_FIELDS, ctx, 'window', E) };
    else if (k === 'preferred') {
      const p = readFields(v, PREFERRED_FIELDS, ctx, 'preferred', E);
      const copy: Record<string, unknown> = {
        technicianIds: readStrings(p.technicianIds, 'preferred.technicianIds', ctx, E) ?? p.technicianIds,
      };
      if (p.only !== undefined) copy.only = p.only;
      out[k] = copy;
    } else out[k] = v;
  }
  const job = out as unknown as Job;
  validateJob(job);
  return job;
}
