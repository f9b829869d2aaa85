/**
 * Technician records: their fields, availability windows and the copy the fleet stores.
 */

import { describe, InvalidTechnicianError } from '../shared/errors.js';
import type { Availability, TechnicianInput, TechnicianStats } from '../shared/types.js';
import {
  checkLatLon,
  checkRadius,
  checkStrings,
  isTimeZone,
  MAX_LIST,
  MAX_NAME,
  readFields,
  readStrings,
  where,
} from '../shared/validate.js';
import { readAreas } from './areas.js';

function checkCount(value: unknown, field: string, ctx: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidTechnicianError(
      `${ctx}: ${field} is ${describe(value)}; pass a whole number between ${min} and ${max}.`,
      field,
    );
  }
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/**
 * Parses `HH:MM` (already checked) to minutes after midnight; `24:00` is 1440.
 * @example parseHhmm('07:30'); // 450
 */
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
