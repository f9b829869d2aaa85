/**
 * Suite `simulator`: one simulated day (quick, gated) and one simulated week (full mode; the
 * DESIGN.md target) of Swiss demand with the default scenario and policy, and a year of the
 * low-demand scenario (full mode), on one core. The world (technicians, jobs) is built once
 * outside the timing; each call runs the whole discrete-event simulation through the real
 * dispatcher.
 */
import { readFileSync } from 'node:fs';
import { runSimulation } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { buildWorld } from '../../src/sim/world.js';
import type { ScenarioSpec } from '../harness.js';
import type { SuiteDef } from './common.js';

const SEED = 1;

function scenario(name: string, method: string, days: number, base: object = {}): ScenarioSpec {
  const sc = parseScenario({ ...base, days });
  const world = buildWorld(sc, SEED);
  let jobs = 0;
  return {
    suite: 'simulator',
    scenario: name,
    params: { days, seed: SEED, technicians: world.technicians.length, jobs: world.jobs.length },
    methods: [
      {
        name: method,
        role: 'subject',
        fn: () => {
          const r = runSimulation(sc, {}, { seed: SEED, world });
          jobs = r.summary.jobs;
          return jobs;
        },
        minIterations: days === 1 ? 3 : 1,
        clock: 'cpu',
        warmup: days === 1,
      },
    ],
    figures: {},
  };
}

/** The `simulator` suite. */
export const simulatorSuite: SuiteDef = {
  name: 'simulator',
  description:
    'one simulated day (quick) and week (full) of Swiss demand, a year of the low-demand scenario (full); default policy',
  scenarios: [
    { name: 'ch-day', quick: true, build: () => scenario('ch-day', 'day', 1) },
    { name: 'ch-week', quick: false, build: () => scenario('ch-week', 'week', 7) },
    {
      name: 'ch-year-low-demand',
      quick: false,
      build: () =>
        scenario(
          'ch-year-low-demand',
          'year',
          365,
          JSON.parse(
            readFileSync(new URL('../../scenarios/ch-month-low-demand.json', import.meta.url), 'utf8'),
          ),
        ),
    },
  ],
};
