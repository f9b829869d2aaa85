/**
 * The timeline of a booking — appointment windows and chosen technicians — in one place: when the
 * first offers go out, when the crowd may follow the exclusive phase, when the job is due back,
 * and the checks of a window against the policy and `now`. Used by the planner and by the session.
 */

import { utcOffsetMinutes } from '../fleet/availability.js';
import type { Reservation } from '../fleet/reservations.js';
import { parseHhmm } from '../fleet/technician-input.js';
import { InvalidJobError } from '../shared/errors.js';
import type { Job, PlanSchedule } from '../shared/types.js';
import type { Policy } from './policy.js';

/**
 * Checks a job's window against the policy at `now`: not in the past nor too soon
 * (`appointments.minLeadMs`), not longer than `appointments.maxWindowMs`. The shape (numbers, an
 * end after the start, a known time zone) is checked by `validateJob`. Throws {@link InvalidJobError}.
 */
export function checkWindow(job: Job, policy: Policy, now: number): void {
  const w = job.window;
  if (w === undefined) return;
  const a = policy.appointments;
  const ctx = `job '${job.id}'`;
  if (w.start < now + a.minLeadMs) {
    const when = w.start <= now ? `${now - w.start} ms in the past` : `only ${w.start - now} ms from now`;
    throw new InvalidJobError(
      `${ctx}: window.start is ${when}; an appointment must start at least appointments.minLeadMs (${a.minLeadMs} ms) after now — pick a later window, or open an on-demand job (no window).`,
      'window.start',
    );
  }
  if (w.end - w.start > a.maxWindowMs) {
    throw new InvalidJobError(
      `${ctx}: window is ${w.end - w.start} ms long, longer than appointments.maxWindowMs (${a.maxWindowMs} ms); ask for a shorter window.`,
      'window.end',
    );
  }
}

/**
 * When a job opened at `at` sends its first offers, when the crowd waves start (after the exclusive
 * phase of chosen technicians, when `exclusivePhase`: one of them is offered it) and when it is
 * handed back unfilled.
 * @example
 * const { offersAt, crowdAt, deadlineAt } = scheduleOf(job, policy, now);
 */
export function scheduleOf(job: Job, policy: Policy, at: number, exclusivePhase = true): PlanSchedule {
  const w = job.window;
  const offersAt = w === undefined ? at : outsideQuietHours(job, policy, at);
  // No chosen technician could be offered the job: the crowd needs not wait (unless `only`: then it is due back at once).
  const exclusive = job.preferred === undefined || !exclusivePhase ? 0 : policy.preferredExclusiveMs;
  const crowdAt = offersAt + exclusive;
  let deadlineAt =
    w === undefined ? crowdAt + policy.deadlineMs : w.start - policy.appointments.assignBeforeMs;
  if (job.preferred?.only === true) deadlineAt = Math.min(deadlineAt, crowdAt);
  return { offersAt, crowdAt, deadlineAt };
}

const MINUTE_MS = 60_000;
const DAY_MIN = 1440;

/**
 * An appointment's first offers: at the lead time before its window, moved out of the policy's
 * quiet hours — to just before they begin (the evening before), or, for a job booked during them,
 * to when they end if that is before it is due back; at once when neither fits. Local times are
 * the window's zone at the lead time (a clock change inside the quiet hours shifts the result by
 * its hour).
 */
function outsideQuietHours(job: Job, policy: Policy, at: number): number {
  const w = job.window!;
  const a = policy.appointments;
  const lead = Math.max(at, w.start - a.leadMs);
  const q = a.quietHours;
  if (q === null) return lead;
  const start = parseHhmm(q.start);
  const end = parseHhmm(q.end);
  const offsetMs = utcOffsetMinutes(lead, w.timeZone) * MINUTE_MS;
  const localMs = lead + offsetMs;
  const minute = ((Math.floor(localMs / MINUTE_MS) % DAY_MIN) + DAY_MIN) % DAY_MIN;
  const quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return lead;
  const intoMinute = ((localMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
  const since = (minute - start + DAY_MIN) % DAY_MIN;
  // One minute before the quiet hours begin: still outside them.
  const before = lead - intoMinute - (since + 1) * MINUTE_MS;
  if (before >= at) return before;
  const after = lead - intoMinute + ((end - minute + DAY_MIN) % DAY_MIN) * MINUTE_MS;
  return after < w.start - a.assignBeforeMs ? after : lead;
}

/**
 * The stretch of time a job would occupy its technician, checked against his reservations: the
 * window of an appointment, or `appointments.onDemandMs` from `now` for an on-demand job.
 */
export function busyStretch(job: Job, policy: Policy, now: number): { start: number; end: number } {
  const w = job.window;
  return w === undefined ? { start: now, end: now + policy.appointments.onDemandMs } : w;
}

/** The reservation an assigned appointment holds (undefined for on-demand jobs and unassigned ones). */
export function reservationOf(s: { readonly job: Job; readonly state: string }): Reservation | undefined {
  const w = s.job.window;
  if (w === undefined || s.state !== 'assigned') return undefined;
  return { jobId: s.job.id, start: w.start, end: w.end, lat: s.job.lat, lon: s.job.lon };
}
