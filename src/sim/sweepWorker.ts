/**
 * Worker-thread entry of parallel sweeps and comparisons: receives tasks (a sweep point, or one
 * policy × seed run of a comparison), simulates them and posts the results back. Each seed's world
 * is built by one worker of the pool and shared with the others (see `pool.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompareRun } from './compare.js';
import { runSimulation } from './runner.js';
import { parseScenario, type ScenarioInput } from './scenario.js';
import { buildWorld, type World } from './world.js';

/** A unit of work for a worker: one policy × seed run (of a comparison, or of a sweep point). */
export type WorkerTask = { kind: 'run'; id: number; run: CompareRun };

/**
 * World traffic: `build` asks this worker to build a seed's world and post it back; `world` hands
 * it one another worker built. Each world is built once per pool, not once per worker.
 */
export type WorldMessage = { kind: 'build'; seed: number } | { kind: 'world'; seed: number; world: World };

const { scenario: input, seeds } = workerData as { scenario: ScenarioInput; seeds: number[] };
const scenario = parseScenario(input);
const worlds = new Map<number, World>();

function worldOf(seed: number): World {
  let w = worlds.get(seed);
  if (!w) {
    w = buildWorld(scenario, seed);
    worlds.set(seed, w);
  }
  return w;
}

parentPort!.on('message', (task: WorkerTask | WorldMessage | null) => {
  if (task === null) {
    parentPort!.close();
    return;
  }
  if (task.kind === 'world') {
    worlds.set(task.seed, task.world);
    return;
  }
  if (task.kind === 'build') {
    try {
      parentPort!.postMessage({ built: task.seed, world: worldOf(task.seed) });
    } catch (error) {
      parentPort!.postMessage({ id: -1, error: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  try {
    const { run } = task;
    const result = runSimulation(scenario, run.policy, {
      seed: run.seed,
      world: worldOf(run.seed),
      policyName: run.name,
      detail: run.detail,
      records: run.records === true,
    });
    parentPort!.postMessage({ id: task.id, result });
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) });
  }
});
