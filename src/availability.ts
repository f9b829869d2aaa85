/**
 * Weekly availability windows in a technician's own time zone. Windows are compiled to
 * minute-of-week intervals once; the UTC offset of a zone is cached per quarter hour, because
 * `Intl` costs microseconds and offsets only change on the hour or half hour.
 */

import type { Availability } from './types.js';
import { parseHhmm } from './validate.js';

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
  const parts = formatter(timeZone).formatToParts(quarter * QUARTER_MS);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  const offsetMin = Math.round((asUtc - quarter * QUARTER_MS) / 60_000);
  offsetCache.set(timeZone, { quarter, offsetMin });
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

/**
 * Whether the windows cover the whole stretch [start, end) (epoch ms): every minute of it lies in
 * some window in the technician's zone (adjacent or overlapping windows join). Walks from window
 * to window in absolute time; across a change of UTC offset it steps by quarter hours, so a
 * daylight-saving switch inside the stretch is counted exactly.
 */
export function coversSpan(a: CompiledAvailability, start: number, end: number): boolean {
  const iv = a.intervals;
  let t = Math.floor(start / 60_000) * 60_000;
  while (t < end) {
    const m = localMinuteOfWeek(t, a.timeZone);
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
    if (utcOffsetMinutes(next, a.timeZone) !== utcOffsetMinutes(t, a.timeZone)) {
      next = Math.min(next, (Math.floor(t / QUARTER_MS) + 1) * QUARTER_MS);
    }
    t = next;
  }
  return true;
}
