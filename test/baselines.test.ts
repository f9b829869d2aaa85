/**
 * The benchmark's baselines answer exactly what `plan()` answers — same eligible count, same
 * candidates in the same order, waves, scores and distances — on the realistic (long-tailed) data,
 * on a fleet with nationwide technicians, on world data, and for jobs with a max radius and blocked
 * technicians. Otherwise the speed-ups the bench reports would compare different work.
 */
import { describe, expect, it } from 'vitest';
import {
  kdbushPlanner,
  linearPlanner,
  type Planner,
  planMismatch,
  rbushPlanner,
  slotTable,
} from '../bench/baselines.js';
import { generateFleet, generateJobs, loadCities, loadSwissCities } from '../bench/data.js';
import { benchPolicy, NOW } from '../bench/suites/common.js';
import { buildFleet } from '../bench/suites/plan.js';
import { plan } from '../src/plan/plan.js';
import { createRng } from '../src/shared/random.js';
import type { Job, TechnicianInput } from '../src/shared/types.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('baselines.test.ts');

function check(inputs: TechnicianInput[], jobs: Job[]): { eligible: number; notified: number } {
  const fleet = buildFleet(inputs, 7);
  const policy = benchPolicy();
  const table = slotTable(fleet, inputs);
  const planners: [string, Planner][] = [
    ['linear', linearPlanner(fleet, table, policy, NOW)],
    ['rbush', rbushPlanner(fleet, table, policy, NOW)],
    ['geokdbush', kdbushPlanner(fleet, table, policy, NOW)],
  ];
  let eligible = 0;
  let notified = 0;
  for (const job of jobs) {
    const expected = plan(fleet, job, { now: NOW, policy });
    eligible += expected.eligibleCount;
    notified += expected.candidates.length;
    for (const [name, p] of planners) expect(planMismatch(expected, p(job)), name).toBeUndefined();
  }
  return { eligible, notified };
}

/** Jobs of the generator, some with a max radius and some blocking technicians near them. */
function varied(jobs: Job[], inputs: TechnicianInput[]): Job[] {
  const rng = createRng(seed);
  return jobs.map((job) => {
    const out: Job = { ...job };
    if (rng.next() < 0.3) out.maxRadiusKm = 5 + rng.int(80);
    if (rng.next() < 0.2) out.blocked = Array.from({ length: 3 }, () => inputs[rng.int(inputs.length)]!.id);
    return out;
  });
}

describe('baseline planners agree with plan() in full (candidates, order, waves, scores)', () => {
  const swiss = loadSwissCities();

  it('on CH-1,500 with long-tailed radii and five nationwide technicians', () => {
    const inputs = generateFleet(swiss, 1500, { seed: 1500, nationwide: 5 });
    const { eligible, notified } = check(inputs, varied(generateJobs(swiss, 200, { seed: 3 }), inputs));
    expect(eligible).toBeGreaterThan(200 * 20); // dense: a fifth of the fleet covers a typical job
    expect(notified).toBeGreaterThan(200 * 10);
  });

  it('on a world fleet of 20,000', () => {
    const world = loadCities();
    const inputs = generateFleet(world, 20_000, { seed: seed % 1000 });
    const { eligible } = check(inputs, varied(generateJobs(world, 150, { seed: 4 }), inputs));
    expect(eligible).toBeGreaterThan(0);
  });

  it('and the comparison can fail: a swapped rank, a changed score or count is reported', () => {
    const inputs = generateFleet(swiss, 1500, { seed: 5 });
    const fleet = buildFleet(inputs, 5);
    // Zürich, no skills asked: many candidates.
    const job: Job = { id: 'zurich', lat: 47.3769, lon: 8.5417 };
    const p = plan(fleet, job, { now: NOW, policy: benchPolicy() });
    expect(p.candidates.length).toBeGreaterThan(1);
    const swapped = { ...p, candidates: [p.candidates[1]!, p.candidates[0]!, ...p.candidates.slice(2)] };
    expect(planMismatch(p, swapped)).toMatch(/rank 0/);
    const rescored = {
      ...p,
      candidates: p.candidates.map((c, i) => (i ? c : { ...c, score: c.score + 1e-6 })),
    };
    expect(planMismatch(p, rescored)).toMatch(/scores/);
    expect(planMismatch(p, { ...p, eligibleCount: p.eligibleCount + 1 })).toMatch(/eligible/);
  });
});
