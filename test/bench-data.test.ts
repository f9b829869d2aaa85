/**
 * The benchmark's data and baselines: the committed Swiss fleet is exactly what the committed
 * generator writes, the generated fleet has the documented mix, and the three baseline planners
 * agree with `plan()` on the fixture (the same check the `plan` suite runs before timing).
 */
import { describe, expect, it } from 'vitest';
import { kdbushPlanner, linearPlanner, planMismatch, rbushPlanner, slotTable } from '../bench/baselines.js';
import { generateFleet, generateJobs, loadFleetFixture, loadSwissCities } from '../bench/data.js';
import { quantile } from '../bench/harness.js';
import { benchPolicy, NOW } from '../bench/suites/common.js';
import { buildFleet } from '../bench/suites/plan.js';
import { plan } from '../src/plan/plan.js';

describe('bench data', () => {
  const cities = loadSwissCities();

  it('fixtures/ch-fleet-1500.json is what the generator writes for seed 1500', () => {
    expect(loadFleetFixture()).toEqual(generateFleet(cities, 1500, { seed: 1500 }));
  });

  it('generates the documented mix, the same for the same seed and different for another', () => {
    const fleet = generateFleet(cities, 4000, { seed: 9 });
    const share = (f: (t: (typeof fleet)[number]) => boolean) => fleet.filter(f).length / fleet.length;
    expect(share((t) => t.tier === 'friend')).toBeGreaterThan(0.75);
    expect(share((t) => t.tier === 'friend')).toBeLessThan(0.85);
    expect(share((t) => t.bestFriend === true)).toBeGreaterThan(0.03);
    expect(share((t) => t.bestFriend === true)).toBeLessThan(0.07);
    expect(share((t) => (t.skills?.length ?? 0) >= 2 && (t.skills?.length ?? 0) <= 4)).toBe(1);
    // Long-tailed radii: ~95 % at 20–50 km, ~4 % at 50–150 km, ~1 % at 150–400 km, none beyond.
    const r = (t: (typeof fleet)[number]) => t.radiusKm ?? 0;
    expect(share((t) => r(t) >= 20 && r(t) <= 50)).toBeGreaterThan(0.93);
    expect(share((t) => r(t) >= 20 && r(t) <= 50)).toBeLessThan(0.97);
    expect(share((t) => r(t) > 50 && r(t) <= 150)).toBeGreaterThan(0.025);
    expect(share((t) => r(t) > 150 && r(t) <= 400)).toBeGreaterThan(0.003);
    expect(share((t) => r(t) > 150 && r(t) <= 400)).toBeLessThan(0.02);
    expect(share((t) => r(t) > 400 || r(t) < 20)).toBe(0);
    // Skills and certifications are mixed: several of each combination are present.
    expect(share((t) => (t.certifications?.length ?? 0) === 0)).toBeGreaterThan(0.5);
    expect(share((t) => (t.certifications?.length ?? 0) >= 2)).toBeGreaterThan(0.01);
    expect(generateFleet(cities, 4000, { seed: 9, radii: 'suggested' }).every((t) => r(t) <= 50)).toBe(true);
    expect(share((t) => t.online === false)).toBeGreaterThan(0.02);
    // Ids are padded to the fleet size; everything else of the first technicians depends on the seed only.
    const noId = (list: typeof fleet) => list.map(({ id: _id, ...rest }) => rest);
    expect(noId(generateFleet(cities, 50, { seed: 9 }))).toEqual(noId(fleet.slice(0, 50)));
    expect(noId(generateFleet(cities, 50, { seed: 10 }))).not.toEqual(noId(fleet.slice(0, 50)));
  });

  it('spreads the nationwide technicians evenly and gives them the whole-country radius', () => {
    const fleet = generateFleet(cities, 1500, { seed: 1500, nationwide: 5 });
    const national = fleet.flatMap((t, i) => (t.radiusKm === 400 ? [i] : []));
    expect(national).toEqual([0, 300, 600, 900, 1200]);
    // Everything else is the same fleet as without them.
    const plain = generateFleet(cities, 1500, { seed: 1500 });
    expect(fleet.filter((_, i) => !national.includes(i))).toEqual(
      plain.filter((_, i) => !national.includes(i)),
    );
    expect(() => generateFleet(cities, 10, { nationwide: 11 })).toThrow(/nationwide is 11/);
  });

  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([0, 10], 0.99)).toBeCloseTo(9.9, 10);
  });
});

describe('baseline planners', () => {
  it('agree with plan() on eligible count and candidate set for 150 jobs on the Swiss fixture', () => {
    const cities = loadSwissCities();
    const inputs = loadFleetFixture();
    const fleet = buildFleet(inputs, 1500);
    const policy = benchPolicy();
    const table = slotTable(fleet, inputs);
    const planners = [
      linearPlanner(fleet, table, policy, NOW),
      rbushPlanner(fleet, table, policy, NOW),
      kdbushPlanner(fleet, table, policy, NOW),
    ];
    let eligible = 0;
    for (const job of generateJobs(cities, 150, { seed: 3 })) {
      const expected = plan(fleet, job, { now: NOW, policy });
      eligible += expected.eligibleCount;
      for (const p of planners) expect(planMismatch(expected, p(job))).toBeUndefined();
    }
    expect(eligible).toBeGreaterThan(150); // the jobs are not trivially empty
  });
});
