/**
 * Runs sweep points on all cores with worker threads: one worker per core pulls the next point
 * when it finishes one, so uneven points balance out. Rows come back sorted by grid index, so the
 * output does not depend on which worker finished first.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../errors.js';
import type { ScenarioInput } from './scenario.js';
import type { SweepPoint, SweepRow } from './sweep.js';

/** Options of {@link runPool}. */
export interface PoolOptions {
  /** Worker threads. @default the number of cores (`os.availableParallelism()`) */
  workers?: number;
  /** Called after each point with (points done, points total). */
  onProgress?: (done: number, total: number) => void;
}

function spawn(workerData: unknown): Worker {
  const here = import.meta.url;
  // Built package: dist/sweepWorker.js beside this module; from source (tsx) the .ts file, loaded through tsx.
  const ts = here.endsWith('.ts');
  const target = new URL(ts ? './sweepWorker.ts' : './sweepWorker.js', here).href;
  if (!ts) return new Worker(new URL(target), { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** Simulates the points over the seeds on a pool of worker threads. */
export function runPool(
  scenario: ScenarioInput,
  points: readonly SweepPoint[],
  seeds: readonly number[],
  options: PoolOptions = {},
): Promise<SweepRow[]> {
  const size = Math.min(options.workers ?? availableParallelism(), Math.max(1, points.length));
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError(`workers is ${options.workers}; pass a whole number ≥ 1.`, 'workers');
  }
  const rows: SweepRow[] = [];
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    if (points.length === 0) {
      resolve([]);
      return;
    }
    const workers: Worker[] = [];
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(error);
    };
    const feed = (w: Worker): void => {
      if (next < points.length) w.postMessage(points[next++]);
      else w.postMessage(null);
    };
    for (let i = 0; i < size; i++) {
      const w = spawn({ scenario, seeds: [...seeds] });
      workers.push(w);
      w.on('message', (m: { row?: SweepRow; error?: string; index?: number }) => {
        if (m.error !== undefined) {
          fail(new InvalidArgumentError(`sweep point ${m.index}: ${m.error}`));
          return;
        }
        rows.push(m.row!);
        options.onProgress?.(++done, points.length);
        if (done === points.length) {
          for (const x of workers) x.postMessage(null);
          resolve(rows.sort((a, b) => a.index - b.index));
        } else feed(w);
      });
      w.on('error', fail);
      feed(w);
    }
  });
}
