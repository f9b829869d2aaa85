/**
 * Appointment jobs (issue 12 item 1): a requested window in the future; eligibility over the
 * window (availability covering it, no colliding reservation, travel included), offers at the
 * lead time, a deadline before the window, the winner's window reserved until complete/cancel —
 * in the planner, the in-memory dispatcher (log, replay, snapshot/restore) and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { compileAvailability, coversSpan } from '../src/fleet/availability.js';
import { Fleet } from '../src/fleet/fleet.js';
import { collides, travelMs } from '../src/fleet/reservations.js';
import { scheduleOf } from '../src/plan/appointments.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import { InvalidJobError, InvalidPolicyError } from '../src/shared/errors.js';
import type { Job, TechnicianInput } from '../src/shared/types.js';
import { fastPolicy, job, makeFleet, notified, ZURICH } from './dispatcher.fixtures.js';
import { availabilityArb } from './helpers/arbitraries.js';
import { oracleAvailable } from './helpers/scenario.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('appointments.test.ts');
const H = 3_600_000;
const ZONE = 'Europe/Zurich';
/** 2026-12-07 is a Monday; 08:00 in Zurich (UTC+1) is 07:00 UTC. */
const MONDAY_8 = Date.UTC(2026, 11, 7, 7, 0);
const NOW = MONDAY_8 - 48 * H; // Saturday 08:00
const policy = fastPolicy();
const A = policy.appointments;

function appointment(id: string, start: number, hours = 2, extra: Partial<Job> = {}): Job {
  return job(id, { window: { start, end: start + hours * H, timeZone: ZONE }, ...extra });
}

function fleetOf(...techs: Partial<TechnicianInput>[]): Fleet {
  const fleet = new Fleet();
  techs.forEach((t, i) => {
    fleet.add({ id: `x${i}`, ...ZURICH, tier: 'friend', ...t } as TechnicianInput);
  });
  return fleet;
}

/** Reasons of technician `id` (empty: eligible); the fast path must agree. */
function reasons(fleet: Fleet, j: Job, id: string, now = NOW): string[] {
  const explained = plan(fleet, j, { now, policy, explain: true });
  const fast = plan(fleet, j, { now, policy });
  expect(fast.candidates).toEqual(explained.candidates);
  const r = explained.excluded!.find((x) => x.id === id)?.reasons ?? [];
  expect(explained.candidates.some((c) => c.id === id)).toBe(r.length === 0);
  return r;
}

const WEEKDAYS_8_18 = {
  timeZone: ZONE,
  windows: [1, 2, 3, 4, 5].map((day) => ({ day, start: '08:00', end: '18:00' })),
};

describe('availability over a window', () => {
  it('property: coversSpan equals "every minute of the stretch is available" (random windows, zones, DST)', () => {
    fc.assert(
      fc.property(
        availabilityArb,
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.integer({ min: 1, max: 600 }),
        (a, start, minutes) => {
          const end = start + minutes * 60_000;
          let oracle = true;
          for (let t = Math.floor(start / 60_000) * 60_000; t < end; t += 60_000) {
            if (!oracleAvailable(a, t)) {
              oracle = false;
              break;
            }
          }
          expect(coversSpan(compileAvailability(a), start, end)).toBe(oracle);
        },
      ),
      { seed, numRuns: 400 },
    );
  });

  it('adjacent windows join; a gap of one minute does not', () => {
    const a = compileAvailability({
      timeZone: ZONE,
      windows: [
        { day: 1, start: '08:00', end: '12:00' },
        { day: 1, start: '12:00', end: '18:00' },
        { day: 2, start: '08:01', end: '18:00' },
      ],
    });
    expect(coversSpan(a, MONDAY_8 + 3 * H, MONDAY_8 + 6 * H)).toBe(true);
    expect(coversSpan(a, MONDAY_8 + 9 * H, MONDAY_8 + 11 * H)).toBe(false);
    expect(coversSpan(a, MONDAY_8 + 24 * H, MONDAY_8 + 25 * H)).toBe(false);
    expect(coversSpan(a, MONDAY_8 + 24 * H + 60_000, MONDAY_8 + 25 * H)).toBe(true);
  });
});

describe('eligibility of an appointment', () => {
  it('unavailable_in_window: the windows must cover the whole window; on-demand jobs keep unavailable_now', () => {
    const fleet = fleetOf({ availability: WEEKDAYS_8_18 });
    expect(reasons(fleet, appointment('a', MONDAY_8 + H), 'x0')).toEqual([]);
    // 17:00–19:00 runs past the end of his day; 21:00 (the customer's evening) is outside entirely.
    expect(reasons(fleet, appointment('b', MONDAY_8 + 9 * H), 'x0')).toEqual(['unavailable_in_window']);
    expect(reasons(fleet, appointment('c', MONDAY_8 + 13 * H), 'x0')).toEqual(['unavailable_in_window']);
    // Now is Saturday: an on-demand job is refused for now, an appointment on Monday is not.
    expect(reasons(fleet, job('d'), 'x0')).toEqual(['unavailable_now']);
  });

  it('an appointment needs no free capacity; an on-demand job does', () => {
    const fleet = fleetOf({ capacity: 1, load: 1 });
    expect(reasons(fleet, appointment('a', MONDAY_8), 'x0')).toEqual([]);
    expect(reasons(fleet, job('d'), 'x0')).toEqual(['at_capacity']);
  });

  it('offline now excludes only when the offers go out at once (else it is checked when they do)', () => {
    const fleet = fleetOf({ online: false });
    expect(reasons(fleet, appointment('later', MONDAY_8), 'x0')).toEqual([]);
    const soon = NOW + A.minLeadMs + 1; // start − leadMs has passed: offers go out at once
    expect(scheduleOf(appointment('soon', soon), policy, NOW).offersAt).toBe(NOW);
    expect(reasons(fleet, appointment('soon', soon), 'x0')).toEqual(['offline']);
  });

  it('booked_in_window: a reservation overlapping the window, travel between the places included', () => {
    const fleet = fleetOf({}, {}, {});
    // x0 holds 08:00–10:00 here; x1 08:00–10:00 30 km away; x2 nothing.
    fleet.reserve('x0', { jobId: 'r0', start: MONDAY_8, end: MONDAY_8 + 2 * H, ...ZURICH });
    const far = { lat: ZURICH.lat + 0.27, lon: ZURICH.lon }; // ~30 km north
    fleet.reserve('x1', { jobId: 'r1', start: MONDAY_8, end: MONDAY_8 + 2 * H, ...far });
    const travel = travelMs(ZURICH.lat, ZURICH.lon, far.lat, far.lon, A.travelSpeedKmh);
    expect(travel).toBeGreaterThan(0.5 * H);
    const at10 = appointment('a', MONDAY_8 + 2 * H);
    expect(reasons(fleet, at10, 'x0')).toEqual([]); // same place, back to back
    expect(reasons(fleet, at10, 'x1')).toEqual(['booked_in_window']); // no time to drive
    expect(reasons(fleet, at10, 'x2')).toEqual([]);
    const later = appointment('b', MONDAY_8 + 2 * H + travel + 1);
    expect(reasons(fleet, later, 'x1')).toEqual([]);
    expect(reasons(fleet, appointment('c', MONDAY_8 + H), 'x0')).toEqual(['booked_in_window']);
    // An on-demand job collides while he is (or is about to be) at an appointment.
    expect(reasons(fleet, job('d'), 'x0', MONDAY_8 - H)).toEqual(['booked_in_window']);
    expect(reasons(fleet, job('d'), 'x0', MONDAY_8 - 4 * H)).toEqual([]);
    // The job's own reservation never collides with itself.
    expect(reasons(fleet, appointment('r0', MONDAY_8), 'x0')).toEqual([]);
  });

  it('property: collides is symmetric in the two stretches and equals overlap of the travel-widened intervals', () => {
    const t = fc.integer({ min: 0, max: 48 * 60 }).map((m) => MONDAY_8 + m * 60_000);
    const place = fc.record({
      lat: fc.double({ min: 46, max: 48, noNaN: true }),
      lon: fc.double({ min: 6, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(
        t,
        fc.integer({ min: 1, max: 600 }),
        place,
        t,
        fc.integer({ min: 1, max: 600 }),
        place,
        (s1, d1, p1, s2, d2, p2) => {
          const r1 = { jobId: 'a', start: s1, end: s1 + d1 * 60_000, ...p1 };
          const r2 = { jobId: 'b', start: s2, end: s2 + d2 * 60_000, ...p2 };
          const got = collides(r1, r2.start, r2.end, r2.lat, r2.lon, 40);
          expect(collides(r2, r1.start, r1.end, r1.lat, r1.lon, 40)).toBe(got);
          const travel = travelMs(p1.lat, p1.lon, p2.lat, p2.lon, 40);
          // Either order must leave the travel time free between one's end and the other's start.
          const apart = r1.end + travel <= r2.start || r2.end + travel <= r1.start;
          expect(got).toBe(!apart);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('the plan shows the schedule: offers at start − leadMs, due back at start − assignBeforeMs', () => {
    const fleet = fleetOf({});
    const p = plan(fleet, appointment('a', MONDAY_8), { now: NOW, policy });
    expect(p.schedule).toEqual({
      offersAt: MONDAY_8 - A.leadMs,
      crowdAt: MONDAY_8 - A.leadMs,
      deadlineAt: MONDAY_8 - A.assignBeforeMs,
    });
    expect(plan(fleet, job('d'), { now: NOW, policy }).schedule).toBeUndefined();
  });
});

describe('bad input: typed errors with the path, nothing changed', () => {
  const cases: [string, Partial<Job>, string][] = [
    ['in the past', { window: { start: NOW - H, end: NOW + H, timeZone: ZONE } }, 'window.start'],
    [
      'too soon',
      { window: { start: NOW + A.minLeadMs - 1, end: NOW + 9 * H, timeZone: ZONE } },
      'window.start',
    ],
    ['inverted', { window: { start: MONDAY_8 + H, end: MONDAY_8, timeZone: ZONE } }, 'window.end'],
    ['empty', { window: { start: MONDAY_8, end: MONDAY_8, timeZone: ZONE } }, 'window.end'],
    [
      'too long',
      { window: { start: MONDAY_8, end: MONDAY_8 + A.maxWindowMs + 1, timeZone: ZONE } },
      'window.end',
    ],
    [
      'a bad zone',
      { window: { start: MONDAY_8, end: MONDAY_8 + H, timeZone: 'Europe/Zurch' } },
      'window.timeZone',
    ],
    [
      'a start that is not a number',
      { window: { start: '9:00', end: MONDAY_8, timeZone: ZONE } as never },
      'window.start',
    ],
    [
      'an unknown window field',
      { window: { start: MONDAY_8, end: MONDAY_8 + H, timeZone: ZONE, tz: 1 } as never },
      'window.tz',
    ],
  ];
  for (const [what, extra, path] of cases) {
    it(`a window ${what} → InvalidJobError at ${path}, in plan and in both opens`, () => {
      const fleet = makeFleet(10);
      const j = job('bad', extra);
      const thrown = (() => {
        try {
          plan(fleet, j, { now: NOW, policy });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(InvalidJobError);
      expect((thrown as InvalidJobError).path).toBe(path);
      expect((thrown as Error).message).toMatch(/window/);
      const d = new Dispatcher({ fleet, policy, keepLog: true });
      expect(() => d.open(j, NOW)).toThrow(InvalidJobError);
      expect(d.size).toBe(0);
      expect(d.eventLog()).toEqual([]);
      expect(d.nextDueAt()).toBeUndefined();
    });
  }

  it('policy: appointments fields are checked (unknown, ranges, minLeadMs and leadMs after assignBeforeMs)', () => {
    const path = (input: object) => {
      try {
        createPolicy(input);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPolicyError);
        return (error as InvalidPolicyError).path;
      }
      return 'accepted';
    };
    expect(path({ appointments: { leadMS: 1 } })).toBe('appointments.leadMS');
    expect(path({ appointments: { travelSpeedKmh: 0 } })).toBe('appointments.travelSpeedKmh');
    expect(path({ appointments: { minLeadMs: H, assignBeforeMs: H } })).toBe('appointments.minLeadMs');
    expect(path({ appointments: { leadMs: H, assignBeforeMs: H, minLeadMs: 2 * H } })).toBe(
      'appointments.leadMs',
    );
    expect(path({ preferredExclusiveMs: 0 })).toBe('preferredExclusiveMs');
    expect(path({ appointments: { leadMs: 0 } })).toBe('appointments.leadMs');
  });
});

describe('dispatching an appointment (in memory)', () => {
  const WEEKLY = {
    timeZone: ZONE,
    windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })),
  };
  function setup() {
    const fleet = makeFleet(12, 1, { availability: WEEKLY });
    const events: unknown[] = [];
    const d = new Dispatcher({ fleet, policy, keepLog: true, onEvent: (e) => events.push(e) });
    return { fleet, d };
  }

  it('sends nothing at open; the first wave at start − leadMs; due back at start − assignBeforeMs', () => {
    const { d } = setup();
    const a = appointment('a', MONDAY_8);
    const short = fastPolicy({ appointments: { leadMs: H + 60_000, assignBeforeMs: H, minLeadMs: 2 * H } });
    const ds = new Dispatcher({ fleet: makeFleet(12), policy: short });
    expect(ds.open(a, NOW)).toEqual([]);
    expect(notified(ds.advance(MONDAY_8 - H - 60_000))).toHaveLength(2);
    expect(ds.advance(MONDAY_8 - H)).toContainEqual(
      expect.objectContaining({ type: 'unfilled', reason: 'deadline', at: MONDAY_8 - H }),
    );
    expect(d.open(a, NOW)).toEqual([]);
    expect(d.nextDueAt()).toBe(MONDAY_8 - A.leadMs);
    expect(d.status('a')).toMatchObject({
      state: 'open',
      deadlineAt: MONDAY_8 - A.assignBeforeMs,
      notified: 0,
    });
    expect(d.advance(MONDAY_8 - A.leadMs - 1)).toEqual([]);
    expect(notified(d.advance(MONDAY_8 - A.leadMs))).toHaveLength(policy.waves[0]!.size);
    // Escalation runs relative to the first wave, as for an on-demand job.
    const steps = d.advance(MONDAY_8 - A.leadMs + policy.escalation[0]!.afterMs);
    expect(steps.some((e) => e.type === 'escalated' && e.step === 0)).toBe(true);
  });

  it('an assigned appointment reserves the window (no load) until completed; an overlapping one skips him', () => {
    const { fleet, d } = setup();
    d.open(appointment('a', MONDAY_8), NOW);
    const first = notified(d.advance(MONDAY_8 - A.leadMs));
    const winner = first[0]!;
    const r = d.accept('a', winner, MONDAY_8 - A.leadMs + 1000, 'req-a');
    expect(r.outcome).toBe('assigned');
    expect(fleet.get(winner)!.load).toBe(0);
    expect(fleet.reservationsOf(winner)).toEqual([
      { jobId: 'a', start: MONDAY_8, end: MONDAY_8 + 2 * H, ...ZURICH },
    ]);
    // The same window again (another customer, same street): the winner is excluded, with a reason.
    const b = appointment('b', MONDAY_8 + H);
    const later = MONDAY_8 - A.leadMs + 2000;
    const p = plan(fleet, b, { now: later, policy, explain: true });
    expect(p.excluded!.find((x) => x.id === winner)?.reasons).toEqual(['booked_in_window']);
    d.open(b, later);
    const opened = d.advance(MONDAY_8 + H - A.leadMs);
    expect(notified(opened).length).toBeGreaterThan(0);
    expect(notified(opened)).not.toContain(winner);
    // He is not at capacity for on-demand work far from his window.
    expect(plan(fleet, job('now'), { now: NOW, policy }).candidates.map((c) => c.id)).toContain(winner);
    expect(d.complete('a', MONDAY_8 + 2 * H)).toBe(true);
    expect(fleet.reservationsOf(winner)).toEqual([]);
    expect(fleet.get(winner)!.load).toBe(0);
  });

  it('an accept is refused (booked_in_window) when he won a colliding appointment since his offer', () => {
    const { fleet, d } = setup();
    d.open(appointment('a', MONDAY_8), NOW);
    d.open(appointment('b', MONDAY_8 + H), NOW);
    const effects = d.advance(MONDAY_8 + H - A.leadMs);
    const offeredA = notified(effects.filter((e) => e.jobId === 'a'));
    const offeredB = notified(effects.filter((e) => e.jobId === 'b'));
    const both = offeredA.filter((t) => offeredB.includes(t));
    expect(both.length).toBeGreaterThan(0);
    const t = both[0]!;
    expect(d.accept('a', t, MONDAY_8 + H - A.leadMs + 500).outcome).toBe('assigned');
    expect(d.accept('b', t, MONDAY_8 + H - A.leadMs + 600)).toEqual({
      outcome: 'no_longer_eligible',
      jobId: 'b',
      reason: 'booked_in_window',
    });
    expect(fleet.reservationsOf(t).map((r) => r.jobId)).toEqual(['a']);
  });

  it('cancelling an assigned appointment releases the reservation; the log replays it exactly', () => {
    const { fleet, d } = setup();
    d.open(appointment('a', MONDAY_8), NOW);
    const winner = notified(d.advance(MONDAY_8 - A.leadMs))[0]!;
    d.accept('a', winner, MONDAY_8 - A.leadMs + 1000);
    const snap = d.snapshot();
    d.cancel('a', MONDAY_8 - A.leadMs + 2000);
    expect(fleet.reservationsOf(winner)).toEqual([]);
    // Replaying the whole log onto a fresh fleet applies and releases the reservation the same way.
    const fresh = makeFleet(12, 1, { availability: WEEKLY });
    const again = Dispatcher.replay(d.eventLog(), { fleet: fresh, policy, applyToFleet: true });
    expect(again.snapshot()).toEqual(d.snapshot());
    expect(fresh.reservationsOf(winner)).toEqual([]);
    // A snapshot taken while assigned restores its reservation onto any fleet.
    const other = makeFleet(12, 1, { availability: WEEKLY });
    const restored = Dispatcher.restore(snap, { fleet: other, policy });
    expect(other.reservationsOf(winner).map((r) => r.jobId)).toEqual(['a']);
    restored.cancel('a', MONDAY_8 - A.leadMs + 2000);
    expect(other.reservationsOf(winner)).toEqual([]);
    expect(restored.snapshot().sessions).toEqual(d.snapshot().sessions);
  });

  it('an on-demand job is unchanged by the new fields (same effects as before, same deadline)', () => {
    const { d } = setup();
    const effects = d.open(job('now'), NOW);
    expect(notified(effects)).toHaveLength(policy.waves[0]!.size);
    expect(d.status('now')!.deadlineAt).toBe(NOW + policy.deadlineMs);
    expect(effects.every((e) => e.type !== 'notify' || e.preferred === undefined)).toBe(true);
  });
});
