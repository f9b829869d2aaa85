/**
 * Worker-thread entry of a parallel sweep: receives points, simulates each over the seeds and
 * posts the rows back. The worlds of the seeds are built once per worker and reused.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScenarioInput } from './scenario.js';
import { runPoint, type SweepPoint } from './sweep.js';
import type { World } from './world.js';

const { scenario, seeds } = workerData as { scenario: ScenarioInput; seeds: number[] };
const worlds = new Map<number, World>();

parentPort!.on('message', (point: SweepPoint | null) => {
  if (point === null) {
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ row: runPoint(scenario, point, seeds, worlds) });
  } catch (error) {
    parentPort!.postMessage({
      error: error instanceof Error ? error.message : String(error),
      index: point.index,
    });
  }
});
