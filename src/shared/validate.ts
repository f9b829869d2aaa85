/**
 * Field readers shared by every input (technicians, jobs, options, records): each field read once,
 * unknown fields refused, coordinates and radii checked. Every check runs before any state
 * changes, so a rejected input leaves everything exactly as it was.
 */

import { describe, didYouMean } from './errors.js';

/** Largest service or job radius accepted, km: anything larger is a unit mistake (metres?). */
export const MAX_RADIUS_KM = 1000;

/** An error class of the input being read (technician, job, policy…). */
export type ErrorCtor = new (message: string, path?: string) => Error;

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

/** How a message names the record: `job 'j1'`, or just `job` when the id is unusable. */
export function where(kind: string, id: unknown): string {
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

/** Checks an optional list of non-empty strings. */
export function checkStrings(value: unknown, field: string, ctx: string, E: ErrorCtor): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new E(`${ctx}: ${field} must be an array of non-empty strings.`, field);
  }
}

const knownZones = new Set<string>();

/** Whether `Intl` knows the zone; cached, since building a formatter costs far more than a lookup. */
export function isTimeZone(zone: unknown): boolean {
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
