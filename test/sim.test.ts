/**
 * The simulator: the event engine (order, FIFO ties, errors), the scenario schema (paths in
 * errors), statistics, world generation, and whole runs (byte-identical JSON for a seed, common
 * random numbers across policies, figures consistent with the dispatcher's effects).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidStateError } from '../src/shared/errors.js';
import { acceptProbability, answer } from '../src/sim/behaviour.js';
import { compare } from '../src/sim/compare.js';
import { Environment } from '../src/sim/engine.js';
import { PRESETS, parsePolicyFile } from '../src/sim/presets.js';
import { runSimulation } from '../src/sim/runner.js';
import { InvalidScenarioError, parseScenario } from '../src/sim/scenario.js';
import { estimate, gini, quantile, topDecileShare } from '../src/sim/stats.js';
import { buildWorld } from '../src/sim/world.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('sim.test.ts');

/** A small world that runs in well under a second. */
const SMALL = { name: 'small', days: 1, fleet: { size: 300 }, demand: { jobsPerDay: 400 } };

describe('Environment', () => {
  it('runs events in time order and same-time events first-in-first-out', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), (delays) => {
        const env = new Environment();
        const log: [number, number][] = [];
        delays.forEach((d, i) => {
          env.schedule(d, () => log.push([env.now, i]));
        });
        env.run();
        const expected = delays
          .map((d, i) => [d, i] as [number, number])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(log).toEqual(expected);
      }),
      { seed },
    );
  });

  it('lets events schedule events, and run(until) stops at until (events at until run)', () => {
    const env = new Environment(100);
    const log: string[] = [];
    env.schedule(5, () => {
      log.push(`a@${env.now}`);
      env.schedule(0, () => log.push(`b@${env.now}`));
      env.schedule(10, () => log.push(`c@${env.now}`));
    });
    env.run(115);
    expect(log).toEqual(['a@105', 'b@105', 'c@115']);
    expect(env.now).toBe(115);
    env.schedule(1, () => log.push('late'));
    env.run(115.5);
    expect(log).not.toContain('late');
    expect(env.now).toBe(115.5);
    expect(env.peek()).toBe(116);
  });

  it('cancels events', () => {
    const env = new Environment();
    const log: number[] = [];
    const id = env.schedule(1, () => log.push(1));
    env.schedule(2, () => log.push(2));
    env.cancel(id);
    env.run();
    expect(log).toEqual([2]);
  });

  it('rejects negative delays, past times and stepping an empty schedule', () => {
    const env = new Environment();
    expect(() => env.schedule(-3, () => {})).toThrow(InvalidArgumentError);
    expect(() => env.schedule(-3, () => {})).toThrow(/^Negative delay -3$/);
    expect(() => env.schedule(Number.NaN, () => {})).toThrow(/NaN/);
    env.run(10);
    expect(() => env.at(5, () => {})).toThrow(/in the past/);
    expect(() => env.step()).toThrow(InvalidStateError);
    expect(() => env.run(3)).toThrow(/must not be before now/);
  });
});

describe('statistics', () => {
  it('gini and top-decile share on known distributions', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 10])).toBeCloseTo(0.75, 10); // (n−1)/n for one holder
    expect(gini([1, 2, 3, 4])).toBeCloseTo(0.25, 10);
    expect(topDecileShare([...Array(9).fill(0), 7])).toBe(1);
    expect(topDecileShare(Array(20).fill(1))).toBeCloseTo(0.1, 10);
  });

  it('quantiles interpolate and estimates use Student t', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.9)).toBeCloseTo(9, 10);
    const e = estimate([1, 2, 3]);
    expect(e.mean).toBe(2);
    expect(e.ci95).toBeCloseTo((4.303 * 1) / Math.sqrt(3), 6);
    expect(estimate([4]).ci95).toBe(0);
  });
});

describe('scenario schema', () => {
  it('fills every default from {}', () => {
    const s = parseScenario({});
    expect(s.days).toBe(7);
    expect(s.fleet.size).toBe(1500);
    expect(s.demand.jobsPerDay).toBe(2000);
    expect(s.cities.length).toBeGreaterThan(1000);
    expect(s.behaviour.shifts.length).toBeGreaterThan(0);
  });

  it('names the path of a bad field', () => {
    const bad = (input: unknown) => {
      try {
        parseScenario(input);
      } catch (e) {
        return e as InvalidScenarioError;
      }
      throw new Error('expected an error');
    };
    expect(bad({ demand: { hourly: [1, 2, 3] } }).message).toMatch(/demand\.hourly: expected 24 weights/);
    expect(bad({ fleet: { friendShare: 1.5 } }).path).toBe('fleet.friendShare');
    expect(bad({ behaviour: { shifts: [{ share: 1, days: [1], start: '25:00', end: '10:00' }] } }).path).toBe(
      'behaviour.shifts[0].start',
    );
    expect(bad({ partners: { a: { share: 0.7 }, b: { share: 0.6 } } }).message).toMatch(/add up to 1\.300/);
    expect(
      bad({ behaviour: { shifts: [{ share: 1, tier: 'pro', days: [1], start: '08:00', end: '10:00' }] } })
        .message,
    ).toMatch(/applies to friends/);
    expect(bad({ days: 'seven' })).toBeInstanceOf(InvalidScenarioError);
  });

  it('validates policy files and the presets', () => {
    expect(Object.keys(PRESETS).sort()).toEqual([
      'best-friend-boost',
      'bonus-ladder',
      'fair-awards',
      'fairness-aware',
      'ranked-waves',
      'today',
    ]);
    expect(() => parsePolicyFile({ name: 'x', policy: { waves: [{ size: 0, offsetMs: 0 }] } })).toThrow(
      /waves\[0\]\.size/,
    );
    expect(() => parsePolicyFile({ name: 'has space', policy: {} })).toThrow(/name/);
  });
});

describe('world and behaviour', () => {
  it('is a pure function of scenario and seed', () => {
    const s = parseScenario(SMALL);
    expect(JSON.stringify(buildWorld(s, 3))).toBe(JSON.stringify(buildWorld(s, 3)));
    expect(JSON.stringify(buildWorld(s, 3).jobs)).not.toBe(JSON.stringify(buildWorld(s, 4).jobs));
  });

  it('places jobs by population, follows the hourly profile and the partner shares', () => {
    const s = parseScenario({ days: 2, fleet: { size: 50 } });
    const { jobs } = buildWorld(s, 1);
    expect(jobs.length).toBeGreaterThan(3400);
    expect(jobs.length).toBeLessThan(4600);
    const night = jobs.filter((j) => Math.floor(j.at / 3_600_000) % 24 === 3).length;
    const morning = jobs.filter((j) => Math.floor(j.at / 3_600_000) % 24 === 10).length;
    expect(morning).toBeGreaterThan(20 * night);
    const swisscom = jobs.filter((j) => j.job.partner === 'swisscom').length / jobs.length;
    expect(swisscom).toBeGreaterThan(0.3);
    expect(swisscom).toBeLessThan(0.4);
    // Zurich area (the largest city) gets more jobs than the Jura town of Delémont.
    const near = (lat: number, lon: number) =>
      jobs.filter((j) => Math.hypot(j.job.lat - lat, j.job.lon - lon) < 0.1).length;
    expect(near(47.3769, 8.5417)).toBeGreaterThan(3 * near(47.365, 7.344));
  });

  it('chooses Best Friends by the programme rules: about 5 % of Friends, the fast and eager ones', () => {
    const { technicians } = buildWorld(parseScenario({ fleet: { size: 1500 }, days: 1 }), 1);
    const friends = technicians.filter((t) => t.input.tier === 'friend');
    const best = friends.filter((t) => t.input.bestFriend);
    expect(best.length / friends.length).toBeGreaterThan(0.03);
    expect(best.length / friends.length).toBeLessThan(0.09);
    expect(technicians.filter((t) => t.input.tier === 'pro' && t.input.bestFriend)).toEqual([]);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    expect(median(best.map((t) => t.responseMedianMs))).toBeLessThan(
      median(friends.map((t) => t.responseMedianMs)),
    );
    // Those qualified by performance have ≥ 15 ratings averaging ≥ 4.5 (a community role is the other way in).
    const byFigures = best.filter((t) => (t.input.ratingCount ?? 0) >= 15 && (t.input.rating ?? 0) >= 4.5);
    expect(byFigures.length).toBeGreaterThan(best.length * 0.6);
  });

  it('answers are the same for the same job, technician and situation; accept falls with distance', () => {
    const s = parseScenario(SMALL);
    const { technicians } = buildWorld(s, 1);
    const t = technicians[0]!;
    const ctx = { jobIndex: 7, techIndex: 0, distanceKm: 5, hour: 14, load: 0 };
    expect(answer(s, 1, t, ctx)).toEqual(answer(s, 1, t, ctx));
    expect(acceptProbability(s, t, { ...ctx, distanceKm: 30 })).toBeLessThan(acceptProbability(s, t, ctx));
    expect(acceptProbability(s, t, { ...ctx, hour: 3 })).toBeLessThan(acceptProbability(s, t, ctx));
  });
});

describe('runSimulation', () => {
  it('gives byte-identical JSON for the same seed and inputs, and differs across seeds', () => {
    const a = runSimulation(SMALL, PRESETS.today!.policy, { seed: 5, detail: true, policyName: 'today' });
    const b = runSimulation(SMALL, PRESETS.today!.policy, { seed: 5, detail: true, policyName: 'today' });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = runSimulation(SMALL, PRESETS.today!.policy, { seed: 6, policyName: 'today' });
    expect(JSON.stringify(c.summary)).not.toBe(JSON.stringify(a.summary));
  });

  it('reports figures consistent with each other', () => {
    const { summary: s, detail } = runSimulation(SMALL, PRESETS['ranked-waves']!.policy, {
      seed: 2,
      detail: true,
    });
    const d = detail!;
    const assigned = d.acceptSeconds.length;
    const considered = s.jobs - s.cancelledByCustomer;
    expect(s.fillRate).toBeCloseTo(assigned / considered, 3);
    expect(s.unfilled.total).toBe(d.unfilledJobs.length);
    expect(assigned + s.unfilled.total + s.cancelledByCustomer).toBe(s.jobs);
    expect(d.technicians.reduce((n, t) => n + t.awards, 0)).toBe(assigned);
    const offers = d.technicians.reduce((n, t) => n + t.offers, 0);
    expect(s.notificationsPerJob).toBeCloseTo(offers / s.jobs, 2);
    expect(s.acceptedWithin10s!).toBeLessThanOrEqual(s.acceptedWithin60s!);
    expect(s.acceptedWithin60s!).toBeLessThanOrEqual(s.fillRate!);
    expect(s.timeToAcceptS.p50!).toBeLessThanOrEqual(s.timeToAcceptS.p90!);
    // Every wave notifies at most 30 technicians before escalation; with the ladder at most 60.
    expect(s.notificationsPerJob!).toBeLessThanOrEqual(60);
  });

  it('uses common random numbers: the same world for every policy of a seed', () => {
    const c = compare(
      SMALL,
      [
        { name: 'today', policy: PRESETS.today!.policy },
        { name: 'same', policy: PRESETS.today!.policy },
        { name: 'fair', policy: PRESETS['fairness-aware']!.policy },
      ],
      { seeds: [1, 2] },
    );
    // Two identical policies on common random numbers give identical runs: a zero paired difference.
    const fill = c.metrics.find((m) => m.key === 'fillRate')!;
    expect(fill.vsBaseline.same).toEqual({ mean: 0, ci95: 0, n: 2 });
    expect(c.runs.filter((r) => r.policy === 'today').map((r) => r.jobs)).toEqual(
      c.runs.filter((r) => r.policy === 'fair').map((r) => r.jobs),
    );
    // The fairness-aware policy spreads offers more evenly among Friends.
    const offersGini = c.metrics.find((m) => m.key === 'fairness.friends.offersGini')!;
    expect(offersGini.byPolicy.fair!.mean).toBeLessThan(offersGini.byPolicy.today!.mean);
  });
});
