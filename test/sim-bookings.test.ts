/**
 * Bookings in the simulator: a share of the demand becomes appointments (a window hours ahead)
 * and direct bookings of a nearby Friend, drawn from their own stream — so the rest of the world
 * is the same with or without them, and every policy of a seed meets the same bookings — and the
 * real dispatcher serves them (offers at the lead time, the chosen Friend first).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare } from '../src/sim/compare.js';
import { PRESETS } from '../src/sim/presets.js';
import { runSimulation } from '../src/sim/runner.js';
import { InvalidScenarioError, parseScenario } from '../src/sim/scenario.js';
import { buildWorld } from '../src/sim/world.js';

const H = 3_600_000;
const SMALL = { name: 'small', days: 1, fleet: { size: 300 }, demand: { jobsPerDay: 400 } };
const BOOKED = {
  ...SMALL,
  demand: { ...SMALL.demand, bookings: { appointmentShare: 0.3, directShare: 0.2, directOnlyShare: 0.5 } },
};

describe('bookings in the world', () => {
  it('turns the configured shares into appointments and direct bookings, leaving everything else as it was', () => {
    const plain = buildWorld(parseScenario(SMALL), 3);
    const booked = buildWorld(parseScenario(BOOKED), 3);
    expect(booked.technicians).toEqual(plain.technicians);
    expect(booked.jobs.map((j) => [j.at, j.job.lat, j.job.lon, j.job.skills])).toEqual(
      plain.jobs.map((j) => [j.at, j.job.lat, j.job.lon, j.job.skills]),
    );
    const appts = booked.jobs.filter((j) => j.job.window);
    const direct = booked.jobs.filter((j) => j.job.preferred);
    expect(appts.length / booked.jobs.length).toBeGreaterThan(0.2);
    expect(appts.length / booked.jobs.length).toBeLessThan(0.4);
    expect(direct.length / booked.jobs.length).toBeGreaterThan(0.1);
    expect(direct.some((j) => j.job.preferred!.only)).toBe(true);
    for (const j of appts) {
      const w = j.job.window!;
      expect(j.appointment).toEqual({ start: w.start, end: w.end });
      expect(w.start - j.at).toBeGreaterThanOrEqual(3 * H);
      expect(w.end - w.start).toBe(2 * H);
      const hour = (w.start / H) % 24;
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThanOrEqual(21);
      expect(j.cancelAt).toBe(Number.POSITIVE_INFINITY);
    }
    const friends = new Set(
      booked.technicians.filter((t) => t.input.tier === 'friend').map((t) => t.input.id),
    );
    for (const j of direct) expect(friends.has(j.job.preferred!.technicianIds[0]!)).toBe(true);
    // No shares (the default): not a single booking.
    expect(plain.jobs.some((j) => j.job.window || j.job.preferred)).toBe(false);
  });

  it('rejects a bad bookings field with its path', () => {
    expect(() => parseScenario({ demand: { bookings: { appointmentShare: 1.5 } } })).toThrow(
      InvalidScenarioError,
    );
    expect(() => parseScenario({ demand: { bookings: { directShar: 0.1 } } })).toThrow(/bookings/);
  });
});

describe('bookings in a run', () => {
  it('the dispatcher offers appointments at their lead time and the chosen Friend first', () => {
    const world = buildWorld(parseScenario(BOOKED), 1);
    const { records } = runSimulation(BOOKED, PRESETS.today!.policy, { seed: 1, world, records: true });
    const lead = 4 * H; // policy.appointments.leadMs (default)
    let assignedAppointments = 0;
    let chosenWon = 0;
    records!.jobs.forEach((r, i) => {
      const sj = world.jobs[i]!;
      if (r.outcome !== 'assigned') return;
      const acceptedAt = (r.offeredS! + r.acceptS!) * 1000;
      if (sj.job.window) {
        assignedAppointments++;
        // The accept clock starts when the first offers are due, at start − leadMs (or at once when that had passed).
        expect(r.offeredS! * 1000).toBe(Math.max(sj.at, sj.job.window.start - lead));
        expect(acceptedAt).toBeLessThanOrEqual(sj.job.window.start - H); // assignBeforeMs
      } else {
        // On demand, the customer waits from the moment he asks.
        expect(r.offeredS).toBe(r.createdS);
      }
      if (sj.job.preferred?.only) expect(r.technicianId).toBe(sj.job.preferred.technicianIds[0]);
      if (sj.job.preferred && r.technicianId === sj.job.preferred.technicianIds[0]) chosenWon++;
    });
    expect(assignedAppointments).toBeGreaterThan(10);
    expect(chosenWon).toBeGreaterThan(0);
  });

  it("counts unfilled jobs by the dispatcher's reason and times appointments from their first offers", () => {
    const world = buildWorld(parseScenario(BOOKED), 2);
    const { summary, records } = runSimulation(BOOKED, PRESETS.today!.policy, {
      seed: 2,
      world,
      records: true,
    });
    const byReason = (reason: string) => records!.jobs.filter((r) => r.reason === reason).length;
    const u = summary.unfilled;
    expect(u.preferredUnavailable).toBe(byReason('preferred_unavailable'));
    expect(u.preferredUnavailable).toBeGreaterThan(0); // half the direct bookings want their Friend only
    expect(u.exhausted).toBe(byReason('exhausted'));
    expect(u.deadline).toBe(byReason('deadline'));
    expect(u.outsidePartnerRegion).toBe(byReason('outside_partner_region'));
    expect(u.total).toBe(records!.jobs.filter((r) => r.outcome === 'unfilled').length);
    expect(u.total).toBe(u.deadline + u.exhausted + u.preferredUnavailable + u.outsidePartnerRegion);
    // The median time to accept is the median of the records' accept times (one clock for both).
    const accepts = records!.jobs
      .filter((r) => r.outcome === 'assigned')
      .map((r) => r.acceptS!)
      .sort((a, b) => a - b);
    expect(accepts.length).toBeGreaterThan(100);
    const lo = accepts[Math.floor((accepts.length - 1) / 2)]!;
    const hi = accepts[Math.ceil((accepts.length - 1) / 2)]!;
    expect(summary.timeToAcceptS.p50!).toBeGreaterThanOrEqual(lo - 0.01);
    expect(summary.timeToAcceptS.p50!).toBeLessThanOrEqual(hi + 0.01);
    // No appointment's lead (hours) is counted as waiting.
    expect(summary.timeToAcceptS.p99!).toBeLessThan(3600);
  });

  it('the bookings preset compares against today on common random numbers', () => {
    const preset = JSON.parse(
      readFileSync(new URL('../scenarios/ch-week-bookings.json', import.meta.url), 'utf8'),
    );
    const scenario = {
      ...preset,
      days: 1,
      fleet: { size: 300 },
      demand: { ...preset.demand, jobsPerDay: 400 },
    };
    const c = compare(
      scenario,
      [
        { name: 'today', policy: PRESETS.today!.policy },
        { name: 'same', policy: PRESETS.today!.policy },
        { name: 'ranked', policy: PRESETS['ranked-waves']!.policy },
      ],
      { seeds: [1, 2] },
    );
    const fill = c.metrics.find((m) => m.key === 'fillRate')!;
    expect(fill.vsBaseline.same).toEqual({ mean: 0, ci95: 0, n: 2 });
    expect(c.runs.filter((r) => r.policy === 'today').map((r) => r.jobs)).toEqual(
      c.runs.filter((r) => r.policy === 'ranked').map((r) => r.jobs),
    );
  });
});
