/**
 * What the simulator models besides answering offers: technicians' extra service areas, the
 * accept probability's elasticity to a bonus, technicians cancelling a job they won, and customers
 * not at home. Each is off by default (the default world and run are unchanged), draws from its
 * own keys (common random numbers), and drives the real dispatcher (technicianCancel, complete
 * with `customer_no_show`).
 */
import { haversineKm, type PolicyInput } from 'crowd-dispatch';
import { describe, expect, it } from 'vitest';
import {
  acceptProbability,
  answer,
  answerToBonus,
  noShow,
  technicianCancelAfterMs,
} from '../src/sim/behaviour.js';
import { PRESETS } from '../src/sim/presets.js';
import { runSimulation } from '../src/sim/runner.js';
import { InvalidScenarioError, parseScenario } from '../src/sim/scenario.js';
import { buildWorld } from '../src/sim/world.js';

const SMALL = { name: 'small', days: 1, fleet: { size: 300 }, demand: { jobsPerDay: 400 } };
const today = PRESETS.today!.policy;

describe('extra service areas in the world', () => {
  it('gives the configured share of Friends a round area around a town beyond their radius, nothing else changes', () => {
    const plain = buildWorld(parseScenario(SMALL), 5);
    const scenario = parseScenario({ ...SMALL, fleet: { ...SMALL.fleet, extraAreas: { share: 0.5 } } });
    const withAreas = buildWorld(scenario, 5);
    expect(withAreas.jobs).toEqual(plain.jobs);
    const strip = (w: typeof plain) =>
      w.technicians.map((t) => ({ ...t, input: { ...t.input, areas: undefined } }));
    expect(strip(withAreas)).toEqual(strip(plain));
    expect(plain.technicians.some((t) => t.input.areas)).toBe(false);
    const friends = withAreas.technicians.filter((t) => t.input.tier === 'friend');
    const with1 = friends.filter((t) => t.input.areas);
    expect(with1.length / friends.length).toBeGreaterThan(0.35);
    expect(with1.length / friends.length).toBeLessThan(0.6);
    expect(withAreas.technicians.some((t) => t.input.tier === 'pro' && t.input.areas)).toBe(false);
    for (const t of with1) {
      const ring = (t.input.areas![0] as unknown as { coordinates: number[][][] }).coordinates[0]!;
      expect(ring[0]).toEqual(ring.at(-1));
      // The centre (mean of the vertices) is a town beyond the own radius, within 60 km.
      const lon = ring.slice(0, -1).reduce((s, p) => s + p[0]!, 0) / (ring.length - 1);
      const lat = ring.slice(0, -1).reduce((s, p) => s + p[1]!, 0) / (ring.length - 1);
      const km = haversineKm(t.input.lat, t.input.lon, lat, lon);
      expect(km).toBeGreaterThan(t.input.radiusKm! - 0.5);
      expect(km).toBeLessThanOrEqual(60.5);
      const r = haversineKm(lat, lon, ring[0]![1]!, ring[0]![0]!);
      expect(r).toBeGreaterThanOrEqual(8 - 0.1);
      expect(r).toBeLessThanOrEqual(20 + 0.1);
    }
  });

  it('serves jobs beyond the winner’s own radius through his area', () => {
    const scenario = { ...SMALL, fleet: { ...SMALL.fleet, extraAreas: { share: 0.6 } } };
    const { records } = runSimulation(scenario, today, { seed: 5, records: true });
    const radius = new Map(records!.technicians.map((t) => [t.id, t.radiusKm!]));
    const beyond = records!.jobs.filter(
      (j) => j.technicianId !== null && j.travelKm! > radius.get(j.technicianId)! + 0.5,
    );
    expect(beyond.length).toBeGreaterThan(0);
    const plain = runSimulation(SMALL, today, { seed: 5, records: true }).records!;
    const radiusPlain = new Map(plain.technicians.map((t) => [t.id, t.radiusKm!]));
    expect(
      plain.jobs.filter(
        (j) => j.technicianId !== null && j.travelKm! > radiusPlain.get(j.technicianId)! + 0.5,
      ),
    ).toEqual([]);
  });
});

describe('bonus elasticity', () => {
  const bonusPolicy: PolicyInput = {
    ...today,
    escalation: [
      { action: 'deeper', afterMs: 60_000, size: 20, bonus: { amount: 1000, currency: 'CHF' } },
      { action: 'allowPros', afterMs: 180_000 },
      { action: 'broadcast', afterMs: 300_000, bonus: { amount: 2000, currency: 'CHF' } },
    ],
  };

  it('raises the accept probability by elasticity × amount / reference, capped at 1', () => {
    const s0 = parseScenario({ behaviour: { accept: { base: 0.3 } } });
    const s1 = parseScenario({
      behaviour: { accept: { base: 0.3 }, bonus: { elasticity: 0.5, referenceAmount: 10 } },
    });
    const tech = buildWorld(parseScenario({ ...SMALL }), 1).technicians[0]!;
    const ctx = { jobIndex: 0, techIndex: 0, distanceKm: 5, hour: 12, load: 0 };
    const p = acceptProbability(s1, tech, ctx);
    expect(acceptProbability(s1, tech, { ...ctx, bonus: 0 })).toBe(p);
    expect(acceptProbability(s0, tech, { ...ctx, bonus: 10 })).toBe(p);
    expect(acceptProbability(s1, tech, { ...ctx, bonus: 10 })).toBeCloseTo(Math.min(1, p * 1.5), 12);
    expect(acceptProbability(s1, tech, { ...ctx, bonus: 1000 })).toBe(1);
  });

  it('with elasticity 0 a bonus changes nothing but the bonus paid; with elasticity it does', () => {
    const plain = runSimulation(SMALL, today, { seed: 2 }).summary;
    const paid = runSimulation(SMALL, bonusPolicy, { seed: 2 }).summary;
    expect(paid.bonus.jobs).toBeGreaterThan(0);
    expect(paid.bonus.paid).toBeGreaterThanOrEqual(1000 * paid.bonus.jobs);
    expect({ ...paid, bonus: plain.bonus }).toEqual(plain);
    const elastic = runSimulation({ ...SMALL, behaviour: { bonus: { elasticity: 2 } } }, bonusPolicy, {
      seed: 2,
    }).summary;
    expect(elastic.timeToAcceptS).not.toEqual(paid.timeToAcceptS);
  });
});

describe('a raised bonus told to running offers', () => {
  it('turns a seen no into a yes only through elasticity, never an unseen offer, the same every call', () => {
    const flat = parseScenario({ ...SMALL, behaviour: { accept: { base: 0.3 } } });
    const steep = parseScenario({
      ...SMALL,
      behaviour: { accept: { base: 0.3 }, bonus: { elasticity: 50, referenceAmount: 10 } },
    });
    const world = buildWorld(steep, 1);
    let turned = 0;
    let firstNo = 0;
    for (let j = 0; j < 200; j++) {
      for (let t = 0; t < 10; t++) {
        const tech = world.technicians[t]!;
        const ctx = { jobIndex: j, techIndex: t, distanceKm: 5, hour: 12, load: 0 };
        const first = answer(steep, 3, tech, ctx);
        const told = { ...ctx, bonus: 2000 };
        expect(answerToBonus(flat, 3, tech, told, answer(flat, 3, tech, ctx))).toBeNull();
        const a = answerToBonus(steep, 3, tech, told, first);
        expect(answerToBonus(steep, 3, tech, told, first)).toEqual(a);
        if (first.kind === 'accept') expect(a).toBeNull();
        else firstNo++;
        if (a !== null) {
          turned++;
          expect(a.kind).toBe('accept');
          expect(a.delayMs).toBeGreaterThanOrEqual(1);
        }
      }
    }
    // p is capped at 1 by the bonus: every no that had seen the offer turns, unseen ones never do.
    expect(turned).toBeGreaterThan(0);
    expect(turned).toBeLessThan(firstNo);
  });

  it('brings accepts from running offers in a simulation, none with elasticity 0', () => {
    const policy: PolicyInput = {
      ...today,
      waves: [{ size: 10, offsetMs: 0 }],
      offerTtlMs: 900_000,
      escalation: [{ action: 'deeper', afterMs: 30_000, size: 1, bonus: { amount: 2000, currency: 'CHF' } }],
    };
    const flat = runSimulation(SMALL, policy, { seed: 4 }).summary;
    expect(flat.bonus.runningAccepts).toBe(0);
    const steep = { ...SMALL, behaviour: { bonus: { elasticity: 5, referenceAmount: 1000 } } };
    const a = runSimulation(steep, policy, { seed: 4 }).summary;
    expect(a.bonus.runningAccepts).toBeGreaterThan(0);
    expect(runSimulation(steep, policy, { seed: 4 }).summary).toEqual(a);
  });
});

describe('technician cancellations and no-shows', () => {
  it('draws per job and technician, and nothing when the share is 0', () => {
    const off = parseScenario({});
    const on = parseScenario({ behaviour: { technicianCancel: { share: 0.5 }, noShow: { share: 0.5 } } });
    let cancels = 0;
    let away = 0;
    for (let j = 0; j < 400; j++) {
      expect(technicianCancelAfterMs(off, 1, j, 3, 3_600_000)).toBeNull();
      expect(noShow(off, 1, j)).toBe(false);
      const c = technicianCancelAfterMs(on, 1, j, 3, 600_000);
      expect(c).toBe(technicianCancelAfterMs(on, 1, j, 3, 600_000));
      if (c !== null) {
        cancels++;
        expect(c).toBeGreaterThanOrEqual(1);
        expect(c).toBeLessThanOrEqual(600_000);
      }
      if (noShow(on, 1, j)) away++;
    }
    expect(cancels).toBeGreaterThan(150);
    expect(cancels).toBeLessThan(250);
    expect(away).toBeGreaterThan(150);
    expect(away).toBeLessThan(250);
  });

  it('re-opens a cancelled job without its canceller, and closes no-shows as such', () => {
    const scenario = { ...SMALL, behaviour: { technicianCancel: { share: 0.2 }, noShow: { share: 0.1 } } };
    const { summary, records } = runSimulation(scenario, today, { seed: 4, records: true });
    expect(summary.technicianCancels).toBeGreaterThan(10);
    expect(summary.noShows).toBeGreaterThan(5);
    expect(summary.noShows / (summary.fillRate! * summary.jobs)).toBeLessThan(0.25);
    const byJob = new Map<string, { event: string; detail: string }[]>();
    for (const e of records!.timeline) {
      const list = byJob.get(e.jobId) ?? [];
      list.push({ event: e.event, detail: e.detail });
      byJob.set(e.jobId, list);
    }
    let cancelled = 0;
    let noShows = 0;
    for (const events of byJob.values()) {
      const cancellers = new Set<string>();
      events.forEach((e, i) => {
        if (e.event === 'technician_cancelled') {
          cancelled++;
          cancellers.add(e.detail);
          expect(events[i + 1]?.event).toBe('reopened');
        }
        if (e.event === 'assigned') expect(cancellers.has(e.detail)).toBe(false);
        if (e.event === 'no_show') noShows++;
      });
      // A no-show closes the job: nothing completes it as well.
      if (events.some((e) => e.event === 'no_show'))
        expect(events.some((e) => e.event === 'completed')).toBe(false);
    }
    expect(cancelled).toBe(summary.technicianCancels);
    expect(noShows).toBe(summary.noShows);
    const none = runSimulation(SMALL, today, { seed: 4 }).summary;
    expect([none.technicianCancels, none.noShows, none.bonus]).toEqual([
      0,
      0,
      { jobs: 0, paid: 0, runningAccepts: 0 },
    ]);
  });

  it('rejects bad fields with their path', () => {
    expect(() => parseScenario({ behaviour: { technicianCancel: { share: 2 } } })).toThrow(
      InvalidScenarioError,
    );
    expect(() => parseScenario({ behaviour: { noShow: { wait: 5 } } })).toThrow(/noShow/);
    expect(() => parseScenario({ behaviour: { bonus: { elasticity: -1 } } })).toThrow(/bonus/);
    expect(() =>
      parseScenario({ fleet: { extraAreas: { share: 0.1, radiusKm: { min: 0, max: 5 } } } }),
    ).toThrow(/extraAreas/);
  });
});

describe('replayed appointments', () => {
  it('are dispatched as appointments at the lead time, or on demand when booked too close to their start', () => {
    const H = 3_600_000;
    const history = [
      { id: 'later', at: 8 * H, lat: 47.37, lon: 8.54, appointment: { start: 18 * H, end: 20 * H } },
      { id: 'soon', at: 9 * H, lat: 47.37, lon: 8.54, appointment: { start: 10 * H, end: 12 * H } },
      { id: 'now', at: 10 * H, lat: 47.37, lon: 8.54 },
    ];
    const scenario = { name: 'replay', days: 1, fleet: { size: 400 }, history };
    const { summary, records } = runSimulation(scenario, today, { seed: 3, records: true });
    expect(summary.appointmentsOnDemand).toBe(1);
    const firstWave = (id: string) =>
      records!.timeline.find((e) => e.jobId === id && e.event === 'wave')?.atS;
    // The default lead time is 4 h: the appointment's offers go out at 14:00, not when it was booked.
    expect(firstWave('later')).toBe(14 * 3600);
    expect(firstWave('soon')).toBe(9 * 3600);
    expect(records!.timeline.some((e) => e.jobId === 'soon' && e.event === 'on_demand')).toBe(true);
    expect(firstWave('now')).toBe(10 * 3600);
  });
});
