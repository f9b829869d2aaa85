/**
 * Resolvers of the policy's structured blocks — waves, award, escalation ladder, appointments —
 * each filling its defaults and validating its fields.
 */

import { describe } from '../shared/errors.js';
import { bool, DAY_MS, fail, num, object, readBonus } from './policy-read.js';
import type { AppointmentPolicy, AwardCriterion, EscalationStep, Policy, WaveSpec } from './policy-types.js';

/** `policy.waves`: the default three waves, or sizes ≥ 1 at strictly increasing offsets. */
export function resolveWaves(input: unknown): WaveSpec[] {
  if (input === undefined) {
    return [
      { size: 5, offsetMs: 0 },
      { size: 10, offsetMs: 15_000 },
      { size: 15, offsetMs: 35_000 },
    ];
  }
  if (!Array.isArray(input) || input.length === 0) {
    fail('waves', 'is not a non-empty array', 'pass at least one { size, offsetMs }');
  }
  let previous = -1;
  return input.map((w, i) => {
    const o = object(w, `waves[${i}]`, ['size', 'offsetMs']);
    const size = num(o.size, Number.NaN, `waves[${i}].size`, 1, 10_000, { integer: true });
    if (Number.isNaN(size)) fail(`waves[${i}].size`, 'is missing', 'give every wave a size ≥ 1');
    const offsetMs = num(o.offsetMs, Number.NaN, `waves[${i}].offsetMs`, 0, DAY_MS);
    if (Number.isNaN(offsetMs)) fail(`waves[${i}].offsetMs`, 'is missing', 'give every wave an offsetMs ≥ 0');
    if (offsetMs <= previous) {
      fail(
        `waves[${i}].offsetMs`,
        `is ${offsetMs}, not after the previous wave`,
        'make offsets strictly increasing',
      );
    }
    previous = offsetMs;
    return { size, offsetMs };
  });
}

const AWARD_CRITERIA: readonly AwardCriterion[] = ['nearest', 'score', 'fewestRecentAwards'];

/** `policy.award`: first accept wins, or the best accept within a window by a named criterion. */
export function resolveAward(input: unknown): Policy['award'] {
  if (input === undefined) return { mode: 'first' };
  const o = object(input, 'award', ['mode', 'windowMs', 'by', 'bestFriendFirst']);
  if (o.mode === 'first') {
    for (const k of ['windowMs', 'by', 'bestFriendFirst'])
      if (o[k] !== undefined)
        fail(`award.${k}`, "is set for mode 'first'", "leave it out or use mode 'best'");
    return { mode: 'first' };
  }
  if (o.mode !== 'best') fail('award.mode', `is ${describe(o.mode)}`, "use 'first' or 'best'");
  const windowMs = num(o.windowMs, Number.NaN, 'award.windowMs', 0, 600_000, { minExclusive: true });
  if (Number.isNaN(windowMs)) fail('award.windowMs', 'is missing', 'give the window in ms, e.g. 10000');
  if (!AWARD_CRITERIA.includes(o.by as AwardCriterion)) {
    fail('award.by', `is ${describe(o.by)}`, `use one of ${AWARD_CRITERIA.join(', ')}`);
  }
  return {
    mode: 'best',
    windowMs,
    by: o.by as AwardCriterion,
    bestFriendFirst: bool(o.bestFriendFirst, false, 'award.bestFriendFirst'),
  };
}

/** `policy.escalation`: the default ladder, or steps in `afterMs` order whose bonuses share one currency. */
export function resolveEscalation(input: unknown): EscalationStep[] {
  if (input === undefined) {
    return [
      { action: 'deeper', afterMs: 60_000, size: 20 },
      { action: 'widen', afterMs: 120_000, radiusKm: 60 },
      { action: 'allowPros', afterMs: 180_000 },
      { action: 'broadcast', afterMs: 300_000 },
    ];
  }
  if (!Array.isArray(input)) fail('escalation', 'is not an array', 'pass a list of steps (or [] for none)');
  let previous = -1;
  let currency: string | undefined;
  return input.map((s, i) => {
    const o = object(s, `escalation[${i}]`, ['action', 'afterMs', 'size', 'radiusKm', 'bonus']);
    const step = resolveStep(o, i, previous);
    previous = step.afterMs;
    if (o.bonus !== undefined) {
      const path = `escalation[${i}].bonus`;
      step.bonus = readBonus(o.bonus, path);
      currency ??= step.bonus.currency;
      if (step.bonus.currency !== currency) {
        fail(
          `${path}.currency`,
          `is '${step.bonus.currency}', not the ${currency} of the steps before`,
          `use ${currency} for every bonus of a policy`,
        );
      }
    }
    return step;
  });
}

function resolveStep(o: Record<string, unknown>, i: number, previous: number): EscalationStep {
  const afterMs = num(o.afterMs, Number.NaN, `escalation[${i}].afterMs`, 0, DAY_MS);
  if (Number.isNaN(afterMs)) fail(`escalation[${i}].afterMs`, 'is missing', 'give every step an afterMs');
  if (afterMs < previous) {
    fail(`escalation[${i}].afterMs`, `is ${afterMs}, before the previous step`, 'order steps by afterMs');
  }
  switch (o.action) {
    case 'deeper': {
      const size = num(o.size, Number.NaN, `escalation[${i}].size`, 1, 10_000, { integer: true });
      if (Number.isNaN(size)) fail(`escalation[${i}].size`, 'is missing', 'give a deeper step a size ≥ 1');
      return { action: 'deeper', afterMs, size };
    }
    case 'widen': {
      const radiusKm = num(o.radiusKm, Number.NaN, `escalation[${i}].radiusKm`, 0, 1000, {
        minExclusive: true,
      });
      if (Number.isNaN(radiusKm))
        fail(`escalation[${i}].radiusKm`, 'is missing', 'give a widen step a radiusKm');
      return { action: 'widen', afterMs, radiusKm };
    }
    case 'allowPros':
      return { action: 'allowPros', afterMs };
    case 'broadcast':
      return { action: 'broadcast', afterMs };
    default:
      return fail(
        `escalation[${i}].action`,
        `is ${describe(o.action)}`,
        "use one of 'deeper', 'widen', 'allowPros', 'broadcast'",
      );
  }
}

/** `policy.appointments`: lead time, deadline margin, window limits, travel speed, on-demand occupancy. */
export function resolveAppointments(input: unknown): Readonly<AppointmentPolicy> {
  const a = object(input, 'appointments', [
    'leadMs',
    'assignBeforeMs',
    'minLeadMs',
    'maxWindowMs',
    'travelSpeedKmh',
    'onDemandMs',
    'quietHours',
  ]);
  const out: AppointmentPolicy = {
    leadMs: num(a.leadMs, 14_400_000, 'appointments.leadMs', 0, 30 * DAY_MS),
    assignBeforeMs: num(a.assignBeforeMs, 3_600_000, 'appointments.assignBeforeMs', 0, 30 * DAY_MS),
    minLeadMs: num(a.minLeadMs, 7_200_000, 'appointments.minLeadMs', 0, 30 * DAY_MS),
    maxWindowMs: num(a.maxWindowMs, 28_800_000, 'appointments.maxWindowMs', 0, 7 * DAY_MS, {
      minExclusive: true,
    }),
    travelSpeedKmh: num(a.travelSpeedKmh, 40, 'appointments.travelSpeedKmh', 0, 1000, { minExclusive: true }),
    onDemandMs: num(a.onDemandMs, 7_200_000, 'appointments.onDemandMs', 0, DAY_MS),
    quietHours: readQuietHours(a.quietHours),
  };
  // Otherwise a window opened at the earliest allowed time would be due back before it could be offered.
  if (out.minLeadMs <= out.assignBeforeMs) {
    fail(
      'appointments.minLeadMs',
      `is ${out.minLeadMs}, not after appointments.assignBeforeMs (${out.assignBeforeMs})`,
      'make minLeadMs larger than assignBeforeMs',
    );
  }
  if (out.leadMs <= out.assignBeforeMs) {
    fail(
      'appointments.leadMs',
      `is ${out.leadMs}, not after appointments.assignBeforeMs (${out.assignBeforeMs})`,
      'make leadMs larger than assignBeforeMs, so offers go out before the job is due back',
    );
  }
  return Object.freeze(out);
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** `appointments.quietHours`: `{ start, end }` as `HH:MM` (different times; across midnight when end < start), or null. */
function readQuietHours(value: unknown): AppointmentPolicy['quietHours'] {
  if (value === undefined || value === null) return null;
  const q = object(value, 'appointments.quietHours', ['start', 'end']);
  for (const k of ['start', 'end'] as const) {
    if (typeof q[k] !== 'string' || !HHMM.test(q[k] as string))
      fail(`appointments.quietHours.${k}`, `is ${describe(q[k])}`, "give a local time 'HH:MM' (00:00–23:59)");
  }
  if (q.start === q.end)
    fail(
      'appointments.quietHours',
      `starts and ends at ${q.start as string}`,
      'give two different times, or null for none',
    );
  return Object.freeze({ start: q.start as string, end: q.end as string });
}
