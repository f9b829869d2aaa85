/**
 * Quiet hours (`policy.appointments.quietHours`): an appointment's first offers never go out in
 * the window's local quiet hours — the evening before instead, or when they end for a job booked
 * during them (if before it is due back), else at once. Off by default.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { Fleet } from '../src/fleet/fleet.js';
import { scheduleOf } from '../src/plan/appointments.js';
import { createPolicy } from '../src/plan/policy.js';
import { InvalidPolicyError } from '../src/shared/errors.js';
import type { Job } from '../src/shared/types.js';
import { intlMinuteOfWeek } from './helpers/scenario.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('appointments.quiet.test.ts');
const H = 3_600_000;
const M = 60_000;
/** Zurich is UTC+1 in December: 2026-12-08 09:00 local is 08:00 UTC. */
const TUESDAY_9 = Date.UTC(2026, 11, 8, 8, 0);
const quiet = createPolicy({ appointments: { leadMs: 4 * H, quietHours: { start: '22:00', end: '07:00' } } });
const loud = createPolicy({ appointments: { leadMs: 4 * H } });

function appt(start: number, zone = 'Europe/Zurich'): Job {
  return { id: 'a', lat: 47.37, lon: 8.54, window: { start, end: start + 2 * H, timeZone: zone } };
}

/** Local minute of the day by `Intl` (independent of the library's offset code). */
const localMinute = (t: number, zone: string) => intlMinuteOfWeek(t, zone) % 1440;

describe('appointments.quietHours', () => {
  it('moves a 05:00 lead time to 21:59 the evening before', () => {
    const booked = TUESDAY_9 - 21 * H; // Monday 12:00
    expect(scheduleOf(appt(TUESDAY_9), loud, booked).offersAt).toBe(TUESDAY_9 - 4 * H);
    const { offersAt, deadlineAt } = scheduleOf(appt(TUESDAY_9), quiet, booked);
    expect(offersAt).toBe(TUESDAY_9 - 11 * H - M); // Monday 21:59
    expect(deadlineAt).toBe(TUESDAY_9 - H);
    // Outside the quiet hours the lead time stands.
    expect(scheduleOf(appt(TUESDAY_9 + 6 * H), quiet, booked).offersAt).toBe(TUESDAY_9 + 2 * H);
  });

  it('a job booked during the quiet hours goes out when they end, or at once when that is too late', () => {
    const lateNight = TUESDAY_9 - 9.5 * H; // Monday 23:30
    expect(scheduleOf(appt(TUESDAY_9), quiet, lateNight).offersAt).toBe(TUESDAY_9 - 2 * H); // 07:00
    const early = TUESDAY_9 - 3.5 * H; // Tuesday 05:30 for 09:00: 07:00 is before the 08:00 deadline
    expect(scheduleOf(appt(TUESDAY_9), quiet, early).offersAt).toBe(TUESDAY_9 - 2 * H);
    const tooLate = TUESDAY_9 - 1.5 * H; // 07:30 for 10:00: the lead time (06:00) has passed and 07:30 is not quiet
    expect(scheduleOf(appt(TUESDAY_9 + H), quiet, tooLate).offersAt).toBe(tooLate);
    // 05:30 for 08:00: the quiet hours end at 07:00, the job is due back at 07:00 — at once.
    const at0530 = TUESDAY_9 - 3.5 * H;
    expect(scheduleOf(appt(TUESDAY_9 - H), quiet, at0530).offersAt).toBe(at0530);
  });

  it('never sends first offers in quiet hours unless nothing else fits, never before the booking', () => {
    const zones = ['Europe/Zurich', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.integer({ min: 2 * 60 + 1, max: 72 * 60 }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 12 * 60 }),
        fc.integer({ min: 2, max: 30 }),
        (at, aheadMin, zone, qStart, qLen, leadH) => {
          const hhmm = (m: number) =>
            `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const q = { start: hhmm(qStart), end: hhmm((qStart + qLen) % 1440) };
          const policy = createPolicy({ appointments: { leadMs: leadH * H, quietHours: q } });
          const job = appt(at + aheadMin * M, zone);
          const { offersAt, deadlineAt } = scheduleOf(job, policy, at);
          const lead = Math.max(at, job.window!.start - leadH * H);
          expect(offersAt).toBeGreaterThanOrEqual(at);
          const m = localMinute(offersAt, zone);
          const inQuiet = (m - qStart + 1440) % 1440 < qLen;
          // Either out of the quiet hours (allowing an hour for a clock change inside them) or at once.
          if (inQuiet && offersAt !== lead) {
            const shifted = [localMinute(offersAt + H, zone), localMinute(offersAt - H, zone)];
            expect(shifted.some((x) => (x - qStart + 1440) % 1440 >= qLen)).toBe(true);
          }
          if (offersAt > lead) expect(offersAt).toBeLessThan(deadlineAt);
          // Without quiet hours: the lead time, exactly.
          expect(scheduleOf(job, createPolicy({ appointments: { leadMs: leadH * H } }), at).offersAt).toBe(
            lead,
          );
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('the dispatcher sends the first offers at the moved time', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'ann', lat: 47.37, lon: 8.54, tier: 'friend' });
    const d = new Dispatcher({ fleet, policy: quiet });
    const booked = TUESDAY_9 - 21 * H;
    expect(d.open(appt(TUESDAY_9), booked).filter((e) => e.type === 'notify')).toEqual([]);
    expect(d.nextDueAt()).toBe(TUESDAY_9 - 11 * H - M);
    const sent = d.advance(TUESDAY_9 - 11 * H - M).filter((e) => e.type === 'notify');
    expect(sent.map((e) => (e as { technicianIds: string[] }).technicianIds)).toEqual([['ann']]);
  });

  it('refuses bad quiet hours with the field and what to do', () => {
    const bad: [unknown, RegExp][] = [
      [{ start: '25:00', end: '07:00' }, /quietHours\.start/],
      [{ start: '22:00', end: '7:00' }, /quietHours\.end/],
      [{ start: '22:00', end: '22:00' }, /two different times/],
      [{ start: '22:00', end: '07:00', zone: 'x' }, /quietHours\.zone/],
      ['22-7', /quietHours/],
    ];
    for (const [quietHours, message] of bad) {
      expect(() => createPolicy({ appointments: { quietHours } as never })).toThrow(InvalidPolicyError);
      expect(() => createPolicy({ appointments: { quietHours } as never })).toThrow(message);
    }
    expect(createPolicy({}).appointments.quietHours).toBeNull();
  });
});
