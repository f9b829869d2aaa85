/**
 * Weekly availability windows in a technician's own time zone. Windows are compiled to
 * minute-of-week intervals once; the UTC offset of a zone is cached per quarter hour, because
 * `Intl` costs microseconds and offsets only change on the hour or half hour.
 */

import type { Availability } from '../shared/types.js';
import { parseHhmm } from './technician-input.js';

const WEEK_MIN = 7 * 1440;
const QUARTER_MS = 900_000;

/** Availability compiled to [start, end) minute-of-week intervals (end may exceed a week: wraps). */
export interface CompiledAvailability {
  timeZone: string;
  intervals: Int32Array;
}

/** Compiles validated windows. */
export function compileAvailability(a: Availability): CompiledAvailability {
  const intervals = new Int32Array(a.windows.length * 2);
  a.windows.forEach((w, i) => {
    const start = w.day * 1440 + parseHhmm(w.start);
    let end = w.day * 1440 + parseHhmm(w.end);
    if (end <= start) end += 1440; // wraps past midnight
    intervals[2 * i] = start;
    intervals[2 * i + 1] = end;
  });
  return { timeZone: a.timeZone, intervals };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, { quarter: number; offsetMin: number }>();
const byQuarter = new Map<string, Map<number, number>>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at `now`, in minutes (cached per quarter hour). */
export function utcOffsetMinutes(now: number, timeZone: string): number {
  const quarter = Math.floor(now / QUARTER_MS);
  const cached = offsetCache.get(timeZone);
  if (cached && cached.quarter === quarter) return cached.offsetMin;
  // Appointment windows ask other quarters than now's, plan after plan: a bounded second level.
  let seen = byQuarter.get(timeZone);
  if (seen === undefined) byQuarter.set(timeZone, (seen = new Map()));
  const known = seen.get(quarter);
  if (known !== undefined) {
    offsetCache.set(timeZone, { quarter, offsetMin: known });
    return known;
  }
  const parts = formatter(timeZone).formatToParts(quarter * QUARTER_MS);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  const offsetMin = Math.round((asUtc - quarter * QUARTER_MS) / 60_000);
  offsetCache.set(timeZone, { quarter, offsetMin });
  if (seen.size >= 4096) seen.clear();
  seen.set(quarter, offsetMin);
  return offsetMin;
}

/** Minute of the week (0 = Sunday 00:00) in `timeZone` at epoch-ms `now`. */
export function localMinuteOfWeek(now: number, timeZone: string): number {
  const localMs = now + utcOffsetMinutes(now, timeZone) * 60_000;
  const minutes = Math.floor(localMs / 60_000);
  // 1970-01-01 was a Thursday (day 4).
  return (((minutes + 4 * 1440) % WEEK_MIN) + WEEK_MIN) % WEEK_MIN;
}

/** Whether `now` (epoch ms) falls inside one of the windows. */
export function isAvailableAt(a: CompiledAvailability, now: number): boolean {
  const m = localMinuteOfWeek(now, a.timeZone);
  const iv = a.intervals;
  for (let i = 0; i < iv.length; i += 2) {
    const s = iv[i]!;
    const e = iv[i + 1]!;
    if ((m >= s && m < e) || (m + WEEK_MIN >= s && m + WEEK_MIN < e)) return true;
  }
  return false;
}

/** UTC offsets at the start and end of the last stretch asked per zone (one plan asks one stretch many times). */
const spanOffsets = new Map<string, { start: number; end: number; atStart: number; atEnd: number }>();

/**
 * Whether the windows cover the whole stretch [start, end) (epoch ms): every minute of it lies in
 * some window in the technician's zone (adjacent or overlapping windows join). Walks from window
 * to window; when the UTC offset changes inside the stretch (a daylight-saving switch) it steps in
 * absolute time by quarter hours across the change, so the switch is counted exactly.
 */
export function coversSpan(a: CompiledAvailability, start: number, end: number): boolean {
  const zone = a.timeZone;
  let o = spanOffsets.get(zone);
  if (o === undefined || o.start !== start || o.end !== end) {
    o = { start, end, atStart: utcOffsetMinutes(start, zone), atEnd: utcOffsetMinutes(end, zone) };
    spanOffsets.set(zone, o);
  }
  const steady = o.atStart === o.atEnd;
  const iv = a.intervals;
  let t = Math.floor(start / 60_000) * 60_000;
  while (t < end) {
    const m = steady ? weekMinute(t, o.atStart) : localMinuteOfWeek(t, zone);
    // The window holding minute m that reaches furthest.
    let advance = 0;
    for (let i = 0; i < iv.length; i += 2) {
      const s = iv[i]!;
      const e = iv[i + 1]!;
      if (m >= s && m < e && e - m > advance) advance = e - m;
      if (m + WEEK_MIN >= s && m + WEEK_MIN < e && e - m - WEEK_MIN > advance) advance = e - m - WEEK_MIN;
    }
    if (advance === 0) return false;
    let next = t + advance * 60_000;
    if (!steady && utcOffsetMinutes(next, zone) !== utcOffsetMinutes(t, zone)) {
      next = Math.min(next, (Math.floor(t / QUARTER_MS) + 1) * QUARTER_MS);
    }
    t = next;
  }
  return true;
}

/** Minute of the week at `t` for a known UTC offset (see {@link localMinuteOfWeek}). */
function weekMinute(t: number, offsetMin: number): number {
  const minutes = Math.floor((t + offsetMin * 60_000) / 60_000);
  return (((minutes + 4 * 1440) % WEEK_MIN) + WEEK_MIN) % WEEK_MIN;
}
