/**
 * Suite `plan`: the full plan (search + eligibility + score + waves) of `plan()` against three
 * baselines with the same rules and scoring (see `../baselines.ts`), on Swiss and world fleets.
 * Before timing, every baseline must agree with `plan()` on the eligible count and candidate set
 * of a sample of jobs, or the suite throws.
 */
import { Fleet } from '../../src/fleet/fleet.js';
import { plan } from '../../src/plan/plan.js';
import { createRng } from '../../src/shared/random.js';
import type { Job, TechnicianInput } from '../../src/shared/types.js';
import {
  kdbushPlanner,
  linearPlanner,
  type Planner,
  planMismatch,
  rbushPlanner,
  slotTable,
} from '../baselines.js';
import { generateFleet, generateJobs } from '../data.js';
import type { ScenarioSpec } from '../harness.js';
import {
  type BuildOptions,
  benchPolicy,
  citiesOf,
  type Geography,
  NOW,
  PLAN_GEOGRAPHIES,
  type SuiteDef,
} from './common.js';

const JOBS = 4096; // a power of two: the rotating index is a mask

/** Builds a fleet, with a notification history for ~10 % of technicians (so the cap rule has work). */
export function buildFleet(inputs: readonly TechnicianInput[], seed: number): Fleet {
  const fleet = new Fleet({ initialCapacity: inputs.length });
  for (const t of inputs) fleet.add(t);
  const rng = createRng(seed ^ 0x5eed);
  for (const t of inputs) {
    if (rng.next() >= 0.1) continue;
    const times = Array.from({ length: 1 + rng.int(14) }, () => NOW - rng.int(3_600_000)).sort(
      (a, b) => a - b,
    );
    for (const at of times) fleet.recordOffer(t.id, at);
  }
  return fleet;
}

function scenario(g: Geography, options: BuildOptions = {}): ScenarioSpec {
  const cities = citiesOf(g.region);
  const inputs = generateFleet(cities, g.technicians, { seed: g.seed, nationwide: g.nationwide ?? 0 });
  const fleet = buildFleet(inputs, g.seed);
  const jobs: Job[] = generateJobs(cities, JOBS, { seed: g.seed + 1 });
  const policy = benchPolicy();
  const ours: Planner = (job) => plan(fleet, job, { now: NOW, policy });
  let i = 0;
  const next = () => jobs[i++ & (JOBS - 1)]!;
  const subject = { name: 'crowd-dispatch', role: 'subject' as const, fn: () => ours(next()).eligibleCount };
  if (options.subjectOnly) {
    return { suite: 'plan', scenario: g.name, params: { technicians: g.technicians }, methods: [subject] };
  }
  const table = slotTable(fleet, inputs);
  const baselines: [string, Planner][] = [
    ['linear', linearPlanner(fleet, table, policy, NOW)],
    ['rbush', rbushPlanner(fleet, table, policy, NOW)],
    ['geokdbush', kdbushPlanner(fleet, table, policy, NOW)],
  ];

  // Same answers before any timing: eligible count and candidate set, for a sample of jobs.
  const checkJobs = g.technicians >= 1_000_000 ? 48 : g.technicians >= 100_000 ? 128 : 512;
  let covering = 0;
  let eligible = 0;
  let notified = 0;
  for (let j = 0; j < checkJobs; j++) {
    const job = jobs[j]!;
    const expected = ours(job);
    for (const [name, planner] of baselines) {
      const why = planMismatch(expected, planner(job));
      if (why) throw new Error(`plan suite, ${g.name}: ${name} disagrees with plan(): ${why}`);
    }
    covering += fleet.covering(job.lat, job.lon).length;
    eligible += expected.eligibleCount;
    notified += expected.candidates.length;
  }

  const slow = g.technicians >= 1_000_000 ? 4 : g.technicians >= 100_000 ? 8 : undefined;
  return {
    suite: 'plan',
    scenario: g.name,
    params: {
      technicians: g.technicians,
      fleetSeed: g.seed,
      jobs: JOBS,
      jobSeed: g.seed + 1,
      checkedJobs: checkJobs,
    },
    methods: [
      subject,
      {
        name: 'linear',
        role: 'naive',
        fn: () => baselines[0]![1](next()).eligibleCount,
        minIterations: slow,
      },
      { name: 'rbush', role: 'peer', fn: () => baselines[1]![1](next()).eligibleCount },
      {
        name: 'geokdbush',
        role: 'peer',
        fn: () => baselines[2]![1](next()).eligibleCount,
        minIterations: slow,
      },
    ],
    figures: {
      coveringPerJob: covering / checkJobs,
      eligiblePerJob: eligible / checkJobs,
      candidatesPerJob: notified / checkJobs,
    },
  };
}

/** The `plan` suite. */
export const planSuite: SuiteDef = {
  name: 'plan',
  description: 'full plan (search + eligibility + score + waves) vs linear, rbush and geokdbush baselines',
  scenarios: PLAN_GEOGRAPHIES.map((g) => ({ name: g.name, quick: g.quick, build: (o) => scenario(g, o) })),
};
