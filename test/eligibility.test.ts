/**
 * Eligibility: one test per rule, each checking the reason code `plan(..., { explain: true })`
 * reports and that the fast path (no explain) agrees.
 */
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { RULES } from '../src/plan/eligibility.js';
import { type PlanOptions, plan } from '../src/plan/plan.js';
import { createPolicy, type Policy, type PolicyInput } from '../src/plan/policy.js';
import type { ExclusionReason, Job, TechnicianInput } from '../src/shared/types.js';

const AT = { lat: 47.3769, lon: 8.5417 }; // Zürich
const JOB: Job = { id: 'job', ...AT };
const DEFAULT = createPolicy();

/** Reasons the technician gets for the job (empty = eligible), checked against the fast path. */
function verdict(
  tech: Partial<TechnicianInput>,
  job: Partial<Job> = {},
  opts: Partial<PlanOptions> & { policyInput?: PolicyInput; setup?: (f: Fleet) => void } = {},
): ExclusionReason[] {
  const fleet = new Fleet();
  fleet.add({ id: 'x', ...AT, tier: 'friend', ...tech } as TechnicianInput);
  opts.setup?.(fleet);
  const policy: Policy = opts.policyInput ? createPolicy(opts.policyInput) : (opts.policy ?? DEFAULT);
  const j = { ...JOB, ...job };
  const options = { now: 0, ...opts, policy };
  const explained = plan(fleet, j, { ...options, explain: true });
  const fast = plan(fleet, j, { ...options, explain: false });
  expect(fast.candidates).toEqual(explained.candidates);
  const reasons = explained.excluded!.find((x) => x.id === 'x')?.reasons ?? [];
  expect(explained.candidates.some((c) => c.id === 'x')).toBe(reasons.length === 0);
  return reasons;
}

describe('rules', () => {
  it('every reason code has exactly one named rule with a description', () => {
    const codes = RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([
      'outside_own_radius',
      'beyond_job_radius',
      'offline',
      'tier',
      'missing_skill',
      'not_certified',
      'unavailable_now',
      'unavailable_in_window',
      'at_capacity',
      'booked_in_window',
      'notification_cap',
      'blocked_by_customer',
      'already_offered',
    ]);
    for (const r of RULES) expect(r.description.length).toBeGreaterThan(10);
  });

  it('a plain technician at the job is eligible', () => {
    expect(verdict({})).toEqual([]);
  });

  it('several failed rules are all reported, in rule order', () => {
    expect(verdict({ online: false, tier: 'pro', load: 1 }, { tier: 'friend', blocked: ['x'] })).toEqual([
      'offline',
      'tier',
      'at_capacity',
      'blocked_by_customer',
    ]);
  });
});

describe('own radius and job radius', () => {
  it('a technician whose own radius does not reach the job is not a candidate', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'short', lat: 47.5, lon: 8.5417, tier: 'friend', radiusKm: 5 }); // ≈ 13.7 km away
    fleet.add({ id: 'long', lat: 47.5, lon: 8.5417, tier: 'friend', radiusKm: 20 });
    const p = plan(fleet, JOB, { now: 0, policy: DEFAULT, explain: true });
    expect(p.candidates.map((c) => c.id)).toEqual(['long']);
    expect(p.excluded).toEqual([
      { id: 'short', distanceKm: expect.closeTo(13.7, 1), reasons: ['outside_own_radius'] },
    ]);
  });

  it('the job’s max radius (or the maxRadiusKm override) cuts candidates', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'near', lat: 47.4, lon: 8.5417, tier: 'friend' }); // ≈ 2.6 km
    fleet.add({ id: 'far', lat: 47.5, lon: 8.5417, tier: 'friend' }); // ≈ 13.7 km
    const ids = (o: Partial<PlanOptions>, job: Partial<Job> = {}) =>
      plan(fleet, { ...JOB, ...job }, { now: 0, policy: DEFAULT, ...o }).candidates.map((c) => c.id);
    expect(ids({})).toEqual(['near', 'far']);
    expect(ids({}, { maxRadiusKm: 10 })).toEqual(['near']);
    expect(ids({ maxRadiusKm: 10 })).toEqual(['near']);
    expect(ids({ maxRadiusKm: 20 }, { maxRadiusKm: 10 })).toEqual(['near', 'far']);
    // Explained: the technician whose own radius covers the job is listed, beyond the job's radius.
    const p = plan(fleet, { ...JOB, maxRadiusKm: 10 }, { now: 0, policy: DEFAULT, explain: true });
    expect(p.excluded).toEqual([
      { id: 'far', distanceKm: expect.closeTo(13.7, 1), reasons: ['beyond_job_radius'] },
    ]);
  });
});

describe('tier', () => {
  it('a Friend job excludes Pros unless the policy allows them', () => {
    expect(verdict({ tier: 'pro' }, { tier: 'friend' })).toEqual(['tier']);
    expect(verdict({ tier: 'friend' }, { tier: 'friend' })).toEqual([]);
    expect(
      verdict({ tier: 'pro' }, { tier: 'friend' }, { policyInput: { allowProsOnFriendJobs: true } }),
    ).toEqual([]);
  });

  it('a Pro job excludes Friends, always', () => {
    expect(verdict({ tier: 'friend' }, { tier: 'pro' })).toEqual(['tier']);
    expect(verdict({ tier: 'friend' }, { tier: 'pro' }, { allowProsOnFriendJobs: true })).toEqual(['tier']);
    expect(verdict({ tier: 'pro' }, { tier: 'pro' })).toEqual([]);
  });

  it('an `any` job (the default) takes both', () => {
    expect(verdict({ tier: 'pro' })).toEqual([]);
    expect(verdict({ tier: 'friend' }, { tier: 'any' })).toEqual([]);
  });

  it('a Pro-only partner forces Pros whatever the job says', () => {
    const policyInput = { partners: { brack: { proOnly: true } } };
    expect(verdict({ tier: 'friend' }, { partner: 'brack' }, { policyInput })).toEqual(['tier']);
    expect(verdict({ tier: 'friend' }, { partner: 'brack', tier: 'friend' }, { policyInput })).toEqual([
      'tier',
    ]);
    expect(verdict({ tier: 'pro' }, { partner: 'brack', tier: 'friend' }, { policyInput })).toEqual([]);
  });

  it('the allowProsOnFriendJobs override (escalation) lets Pros in unless the partner forbids it', () => {
    const policyInput = {
      partners: { strict: { allowProsOnFriendJobs: false }, open: { allowProsOnFriendJobs: true } },
    };
    const pro = { tier: 'pro' as const };
    expect(verdict(pro, { tier: 'friend' }, { policyInput, allowProsOnFriendJobs: true })).toEqual([]);
    expect(
      verdict(pro, { tier: 'friend', partner: 'strict' }, { policyInput, allowProsOnFriendJobs: true }),
    ).toEqual(['tier']);
    // A partner that allows it lets Pros in even when the policy default does not.
    expect(verdict(pro, { tier: 'friend', partner: 'open' }, { policyInput })).toEqual([]);
    // A partner that forbids it wins over a permissive policy default.
    expect(
      verdict(
        pro,
        { tier: 'friend', partner: 'strict' },
        { policyInput: { ...policyInput, allowProsOnFriendJobs: true } },
      ),
    ).toEqual(['tier']);
  });
});

describe('skills and certification', () => {
  it('every required skill must be held', () => {
    expect(verdict({ skills: ['router', 'tv-mount'] }, { skills: ['router'] })).toEqual([]);
    expect(verdict({ skills: ['router', 'tv-mount'] }, { skills: ['router', 'tv-mount'] })).toEqual([]);
    expect(verdict({ skills: ['router'] }, { skills: ['router', 'tv-mount'] }, { setup: addOther })).toEqual([
      'missing_skill',
    ]);
    expect(verdict({}, { skills: ['router'] }, { setup: addOther })).toEqual(['missing_skill']);
  });

  it('a skill nobody holds excludes everyone (and the fast path skips the scan)', () => {
    expect(verdict({ skills: ['router'] }, { skills: ['plumbing'] })).toEqual(['missing_skill']);
  });

  it('a partner requiring certification excludes uncertified technicians', () => {
    const policyInput = { partners: { swisscom: { requireCertification: true } } };
    expect(verdict({ certifications: ['swisscom'] }, { partner: 'swisscom' }, { policyInput })).toEqual([]);
    expect(
      verdict({ certifications: ['brack'] }, { partner: 'swisscom' }, { policyInput, setup: addSwisscom }),
    ).toEqual(['not_certified']);
    // Nobody holds the label at all.
    expect(verdict({}, { partner: 'swisscom' }, { policyInput })).toEqual(['not_certified']);
    // The job can waive or demand it.
    expect(verdict({}, { partner: 'swisscom', requireCertification: false }, { policyInput })).toEqual([]);
    expect(verdict({}, { partner: 'sunrise', requireCertification: true }, { setup: addSunrise })).toEqual([
      'not_certified',
    ]);
    // Without a partner, nothing is required.
    expect(verdict({}, { requireCertification: true })).toEqual([]);
  });
});

function addOther(f: Fleet): void {
  f.add({
    id: 'other',
    lat: 0,
    lon: 0,
    tier: 'friend',
    skills: ['router', 'tv-mount'],
    certifications: ['swisscom'],
  });
}
function addSwisscom(f: Fleet): void {
  f.add({ id: 'other', lat: 0, lon: 0, tier: 'friend', certifications: ['swisscom'] });
}
function addSunrise(f: Fleet): void {
  f.add({ id: 'other', lat: 0, lon: 0, tier: 'friend', certifications: ['sunrise'] });
}

describe('online, capacity, blocks, already offered', () => {
  it('offline technicians are excluded', () => {
    expect(verdict({ online: false })).toEqual(['offline']);
    expect(verdict({}, {}, { setup: (f) => f.setOnline('x', false) })).toEqual(['offline']);
    expect(verdict({ online: false }, {}, { setup: (f) => f.setOnline('x', true) })).toEqual([]);
  });

  it('a technician holding as many jobs as their capacity is excluded', () => {
    expect(verdict({ capacity: 2, load: 1 })).toEqual([]);
    expect(verdict({ capacity: 2, load: 2 })).toEqual(['at_capacity']);
    expect(verdict({ capacity: 1 }, {}, { setup: (f) => f.recordAward('x', 0) })).toEqual(['at_capacity']);
    expect(
      verdict(
        { capacity: 1 },
        {},
        {
          setup: (f) => {
            f.recordAward('x', 0);
            f.release('x');
          },
        },
      ),
    ).toEqual([]);
    expect(verdict({ capacity: 3 }, {}, { setup: (f) => f.setLoad('x', 3) })).toEqual(['at_capacity']);
  });

  it('customer blocks and already-offered technicians are excluded', () => {
    expect(verdict({}, { blocked: ['x'] })).toEqual(['blocked_by_customer']);
    expect(verdict({}, { blocked: ['someone-else', 'unknown-id'] })).toEqual([]);
    expect(verdict({}, {}, { exclude: ['x'] })).toEqual(['already_offered']);
    expect(verdict({}, {}, { exclude: new Set(['x']) })).toEqual(['already_offered']);
  });
});

describe('notification cap over a sliding window', () => {
  const policyInput = { notificationCap: { max: 3, windowMs: 3_600_000 } };
  const offersAt =
    (...times: number[]) =>
    (f: Fleet) => {
      for (const t of times) f.recordOffer('x', t);
    };

  it('excludes a technician notified `max` times within the window', () => {
    expect(verdict({}, {}, { policyInput, now: 10_000, setup: offersAt(0, 1000, 2000) })).toEqual([
      'notification_cap',
    ]);
    expect(verdict({}, {}, { policyInput, now: 10_000, setup: offersAt(1000, 2000) })).toEqual([]);
  });

  it('old notifications slide out: exactly windowMs ago no longer counts', () => {
    const setup = offersAt(0, 1000, 2000);
    expect(verdict({}, {}, { policyInput, now: 3_599_999, setup })).toEqual(['notification_cap']);
    expect(verdict({}, {}, { policyInput, now: 3_600_000, setup })).toEqual([]);
    expect(verdict({}, {}, { policyInput, now: 3_600_999, setup })).toEqual([]);
  });

  it('the default cap is 12 per hour; null disables it', () => {
    const many = offersAt(...Array.from({ length: 12 }, (_, i) => i * 1000));
    expect(verdict({}, {}, { now: 20_000, setup: many })).toEqual(['notification_cap']);
    expect(
      verdict({}, {}, { now: 20_000, setup: offersAt(...Array.from({ length: 11 }, (_, i) => i)) }),
    ).toEqual([]);
    expect(verdict({}, {}, { now: 20_000, setup: many, policyInput: { notificationCap: null } })).toEqual([]);
  });
});

describe('availability windows (time zone, midnight, DST)', () => {
  // 2026-11-23 is a Monday.
  const monday = (h: number, m = 0) => Date.UTC(2026, 10, 23, h, m);
  const zurich = (windows: { day: number; start: string; end: string }[]) => ({
    availability: { timeZone: 'Europe/Zurich', windows },
  });

  it('is available only inside a window, in the technician’s time zone', () => {
    const t = zurich([{ day: 1, start: '09:00', end: '17:00' }]); // Zürich is UTC+1 in November
    expect(verdict(t, {}, { now: monday(7, 59) })).toEqual(['unavailable_now']); // 08:59 local
    expect(verdict(t, {}, { now: monday(8, 0) })).toEqual([]); // 09:00 local
    expect(verdict(t, {}, { now: monday(15, 59) })).toEqual([]); // 16:59 local
    expect(verdict(t, {}, { now: monday(16, 0) })).toEqual(['unavailable_now']); // 17:00 local: end excluded
    expect(verdict(t, {}, { now: monday(8) + 86_400_000 })).toEqual(['unavailable_now']); // Tuesday
  });

  it('a window crossing midnight covers the early hours of the next day', () => {
    const t = zurich([{ day: 1, start: '22:00', end: '02:00' }]);
    expect(verdict(t, {}, { now: monday(21, 30) })).toEqual([]); // Mon 22:30 local
    expect(verdict(t, {}, { now: monday(24 + 0, 30) })).toEqual([]); // Tue 01:30 local
    expect(verdict(t, {}, { now: monday(24 + 1, 0) })).toEqual(['unavailable_now']); // Tue 02:00 local
    expect(verdict(t, {}, { now: monday(20, 59) })).toEqual(['unavailable_now']); // Mon 21:59 local
  });

  it('a Saturday-night window wraps into Sunday (the end of the week)', () => {
    const t = zurich([{ day: 6, start: '23:00', end: '01:00' }]);
    const sat = Date.UTC(2026, 10, 28, 22, 30); // Sat 23:30 local
    expect(verdict(t, {}, { now: sat })).toEqual([]);
    expect(verdict(t, {}, { now: sat + 3_600_000 })).toEqual([]); // Sun 00:30 local
    expect(verdict(t, {}, { now: sat + 2 * 3_600_000 })).toEqual(['unavailable_now']); // Sun 01:30
  });

  it('24:00 ends a window at midnight', () => {
    const t = zurich([{ day: 1, start: '18:00', end: '24:00' }]);
    expect(verdict(t, {}, { now: monday(22, 59) })).toEqual([]); // Mon 23:59 local
    expect(verdict(t, {}, { now: monday(23, 0) })).toEqual(['unavailable_now']); // Tue 00:00 local
  });

  it('follows daylight saving time: the same local window maps to different UTC times', () => {
    // Europe/Zurich switches to CEST on Sunday 2026-03-29 at 02:00 local.
    const t = zurich([{ day: 0, start: '08:00', end: '09:00' }]);
    expect(verdict(t, {}, { now: Date.UTC(2026, 2, 22, 7, 30) })).toEqual([]); // 08:30 CET
    expect(verdict(t, {}, { now: Date.UTC(2026, 2, 29, 7, 30) })).toEqual(['unavailable_now']); // 09:30 CEST
    expect(verdict(t, {}, { now: Date.UTC(2026, 2, 29, 6, 30) })).toEqual([]); // 08:30 CEST
    // A window over the skipped hour: 02:00–03:00 local does not exist on that night.
    const night = zurich([{ day: 0, start: '01:00', end: '03:30' }]);
    expect(verdict(night, {}, { now: Date.UTC(2026, 2, 29, 0, 30) })).toEqual([]); // 01:30 CET
    expect(verdict(night, {}, { now: Date.UTC(2026, 2, 29, 1, 15) })).toEqual([]); // 03:15 CEST
    expect(verdict(night, {}, { now: Date.UTC(2026, 2, 29, 1, 30) })).toEqual(['unavailable_now']); // 03:30 CEST
  });

  it('works in other zones (southern hemisphere DST, half-hour offsets, across the date line)', () => {
    // Sydney is UTC+11 in November (AEDT): Monday 09:00 local is Sunday 22:00 UTC.
    const syd = {
      availability: { timeZone: 'Australia/Sydney', windows: [{ day: 1, start: '09:00', end: '10:00' }] },
    };
    expect(verdict(syd, {}, { now: Date.UTC(2026, 10, 22, 22, 0) })).toEqual([]);
    expect(verdict(syd, {}, { now: Date.UTC(2026, 10, 23, 9, 0) })).toEqual(['unavailable_now']);
    // Kolkata is UTC+5:30.
    const kol = {
      availability: { timeZone: 'Asia/Kolkata', windows: [{ day: 1, start: '12:00', end: '12:30' }] },
    };
    expect(verdict(kol, {}, { now: Date.UTC(2026, 10, 23, 6, 29) })).toEqual(['unavailable_now']);
    expect(verdict(kol, {}, { now: Date.UTC(2026, 10, 23, 6, 30) })).toEqual([]);
    expect(verdict(kol, {}, { now: Date.UTC(2026, 10, 23, 7, 0) })).toEqual(['unavailable_now']);
  });

  it('an empty list of windows means never available; no availability means always', () => {
    expect(verdict({ availability: { timeZone: 'UTC', windows: [] } })).toEqual(['unavailable_now']);
    expect(verdict({}, {}, { now: monday(3) })).toEqual([]);
  });
});
