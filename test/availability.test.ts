/**
 * Availability windows: local minute of the week in any IANA zone (checked against `Intl`
 * directly, including DST switches and odd offsets), compiled windows against a plain oracle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileAvailability,
  isAvailableAt,
  localMinuteOfWeek,
  utcOffsetMinutes,
} from '../src/fleet/availability.js';
import { availabilityArb } from './helpers/arbitraries.js';
import { intlMinuteOfWeek, oracleAvailable } from './helpers/scenario.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('availability.test.ts');

const ZONES = [
  'UTC',
  'Europe/Zurich',
  'America/New_York',
  'America/St_Johns', // −3:30 / −2:30
  'Australia/Sydney', // southern-hemisphere DST
  'Australia/Lord_Howe', // 30-minute DST shift
  'Asia/Kolkata', // +5:30
  'Asia/Kathmandu', // +5:45
  'Pacific/Chatham', // +12:45 / +13:45
  'Pacific/Kiritimati', // +14
  'Pacific/Fiji',
  'Pacific/Pago_Pago', // −11
];

describe('local time', () => {
  it('known offsets', () => {
    expect(utcOffsetMinutes(Date.UTC(2026, 0, 15), 'Europe/Zurich')).toBe(60);
    expect(utcOffsetMinutes(Date.UTC(2026, 6, 15), 'Europe/Zurich')).toBe(120);
    expect(utcOffsetMinutes(Date.UTC(2026, 0, 15), 'Australia/Sydney')).toBe(660);
    expect(utcOffsetMinutes(Date.UTC(2026, 6, 15), 'Australia/Sydney')).toBe(600);
    expect(utcOffsetMinutes(Date.UTC(2026, 6, 15), 'Asia/Kathmandu')).toBe(345);
    expect(utcOffsetMinutes(Date.UTC(2026, 6, 15), 'America/St_Johns')).toBe(-150);
  });

  it('minute of the week: 1970-01-01 00:00 UTC was Thursday', () => {
    expect(localMinuteOfWeek(0, 'UTC')).toBe(4 * 1440);
    expect(localMinuteOfWeek(Date.UTC(2026, 10, 22, 0, 0), 'UTC')).toBe(0); // Sunday 2026-11-22
    expect(localMinuteOfWeek(Date.UTC(2026, 10, 21, 23, 30), 'Europe/Zurich')).toBe(30); // Sun 00:30 local
  });

  it('at each side of the 2026 DST switches', () => {
    const springZ = Date.UTC(2026, 2, 29, 1, 0); // 02:00 CET → 03:00 CEST
    expect(utcOffsetMinutes(springZ - 1, 'Europe/Zurich')).toBe(60);
    expect(utcOffsetMinutes(springZ, 'Europe/Zurich')).toBe(120);
    const autumnZ = Date.UTC(2026, 9, 25, 1, 0); // 03:00 CEST → 02:00 CET
    expect(utcOffsetMinutes(autumnZ - 1, 'Europe/Zurich')).toBe(120);
    expect(utcOffsetMinutes(autumnZ, 'Europe/Zurich')).toBe(60);
    const springNY = Date.UTC(2026, 2, 8, 7, 0);
    expect(utcOffsetMinutes(springNY - 60_000, 'America/New_York')).toBe(-300);
    expect(utcOffsetMinutes(springNY, 'America/New_York')).toBe(-240);
  });

  it('property: equals Intl for any time and zone, in any call order (the offset cache)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 0, 1) }),
              // Around the 2026 switches of Zürich, New York, Sydney and Lord Howe.
              ...[
                Date.UTC(2026, 2, 29, 1),
                Date.UTC(2026, 9, 25, 1),
                Date.UTC(2026, 2, 8, 7),
                Date.UTC(2026, 3, 4, 16),
                Date.UTC(2026, 3, 4, 15),
              ].map((t) => fc.integer({ min: t - 7_200_000, max: t + 7_200_000 })),
            ),
            fc.constantFrom(...ZONES),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (calls) => {
          for (const [now, zone] of calls) {
            expect({ now, zone, m: localMinuteOfWeek(now, zone) }).toEqual({
              now,
              zone,
              m: intlMinuteOfWeek(now, zone),
            });
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('windows', () => {
  it('compiles windows to minute-of-week intervals; a window ending before it starts wraps', () => {
    const c = compileAvailability({
      timeZone: 'UTC',
      windows: [
        { day: 1, start: '09:00', end: '17:30' },
        { day: 6, start: '22:00', end: '02:00' },
        { day: 0, start: '00:00', end: '24:00' },
      ],
    });
    expect([...c.intervals]).toEqual([1440 + 540, 1440 + 1050, 6 * 1440 + 1320, 7 * 1440 + 120, 0, 1440]);
  });

  it('property: isAvailableAt equals the oracle for random windows, zones and times', () => {
    let available = 0;
    fc.assert(
      fc.property(
        availabilityArb,
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
        (a, now) => {
          const got = isAvailableAt(compileAvailability(a), now);
          expect(got).toBe(oracleAvailable(a, now));
          if (got) available++;
        },
      ),
      { seed, numRuns: 1000 },
    );
    expect(available).toBeGreaterThan(20);
  });
});

describe('interned schedules', () => {
  it('technicians sharing a schedule and technicians with their own give the oracle verdicts', async () => {
    const { Fleet } = await import('../src/fleet/fleet.js');
    const { isAvailableAt, compileAvailability } = await import('../src/fleet/availability.js');
    const fleet = new Fleet();
    const shared = { timeZone: 'Europe/Zurich', windows: [{ day: 1, start: '08:00', end: '12:00' }] };
    const own = (i: number) => ({
      timeZone: 'Asia/Kathmandu',
      windows: [{ day: i % 7, start: '22:00', end: '02:00' }],
    });
    for (let i = 0; i < 40; i++) {
      fleet.add({ id: `s${i}`, lat: 47, lon: 8, tier: 'friend', availability: i % 2 ? shared : own(i) });
    }
    for (let t = Date.UTC(2026, 10, 22); t < Date.UTC(2026, 10, 30); t += 47 * 60_000) {
      for (let i = 0; i < 40; i++) {
        const slot = fleet.findSlot(`s${i}`);
        const flags = fleet.index.meta[fleet.index.slotEntry[slot]! * 4]!;
        const expected = isAvailableAt(compileAvailability(i % 2 ? shared : own(i)), t);
        expect(fleet.isAvailable(slot, flags, t)).toBe(expected);
      }
    }
  });
});
