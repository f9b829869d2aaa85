/**
 * Suite `simulator`: one simulated day (quick, gated) and one simulated week (full mode; the
 * DESIGN.md target) of Swiss demand with the default scenario and policy, on one core. The world
 * (technicians, jobs) is built once outside the timing; each call runs the whole discrete-event
 * simulation through the real dispatcher.
 */
import { runSimulation } from '../../src/sim/runner.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { buildWorld } from '../../src/sim/world.js';
import type { ScenarioSpec } from '../harness.js';
import type { SuiteDef } from './common.js';

const SEED = 1;

function scenario(name: string, days: number): ScenarioSpec {
  const sc = parseScenario({ days });
  const world = buildWorld(sc, SEED);
  let jobs = 0;
  return {
    suite: 'simulator',
    scenario: name,
    params: { days, seed: SEED, technicians: world.technicians.length, jobs: world.jobs.length },
    methods: [
      {
        name: days === 7 ? 'week' : 'day',
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
  description: 'one simulated day (quick) and week (full) of Swiss demand, default policy',
  scenarios: [
    { name: 'ch-day', quick: true, build: () => scenario('ch-day', 1) },
    { name: 'ch-week', quick: false, build: () => scenario('ch-week', 7) },
  ],
};
