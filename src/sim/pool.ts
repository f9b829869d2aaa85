/**
 * Runs sweep points and comparison runs on all cores with worker threads: one worker per core
 * pulls the next task when it finishes one, so uneven tasks balance out. The seeds' worlds are
 * built once for the whole pool, spread over the workers, and handed to every worker. Results come back in task
 * order, so the output does not depend on which worker finished first.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from 'crowd-dispatch';
import { aggregate, type Comparison, compareRuns, type NamedPolicy } from './compare.js';
import type { SimResult } from './runner.js';
import { parseScenario, type ScenarioInput } from './scenario.js';
import { pointName, rowOf, type SweepPoint, type SweepRow } from './sweep.js';
import type { WorkerTask, WorldMessage } from './sweepWorker.js';

/** Options of {@link runPool} and {@link compareParallel}. */
export interface PoolOptions {
  /** Worker threads. @default the number of cores (`os.availableParallelism()`) */
  workers?: number;
  /** Called after each task with (tasks done, tasks total). */
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

type TaskBody = { kind: 'run'; run: ReturnType<typeof compareRuns>[number] };

function runTasks<R>(
  scenario: ScenarioInput,
  seeds: readonly number[],
  bodies: readonly TaskBody[],
  options: PoolOptions,
): Promise<R[]> {
  const wanted = options.workers ?? availableParallelism();
  if (!Number.isInteger(wanted) || wanted < 1) {
    throw new InvalidArgumentError(`workers is ${options.workers}; pass a whole number ≥ 1.`, 'workers');
  }
  const size = Math.min(wanted, Math.max(1, bodies.length));
  const results: R[] = new Array(bodies.length);
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    if (bodies.length === 0) {
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
      if (next < bodies.length) {
        const id = next++;
        w.postMessage({ ...bodies[id]!, id } as WorkerTask);
      } else w.postMessage(null);
    };
    // Each seed's world is built once, by one worker (round robin), and handed to the others;
    // a worker starts on tasks once it holds every world, so nobody builds a world twice.
    const worldsHeld = new Array<number>(size).fill(0);
    const started = new Array<boolean>(size).fill(false);
    const ready = (i: number): void => {
      if (started[i] || worldsHeld[i]! < seeds.length) return;
      started[i] = true;
      feed(workers[i]!);
    };
    for (let i = 0; i < size; i++) {
      const w = spawn({ scenario, seeds: [...seeds] });
      workers.push(w);
      w.on('message', (m: { id: number; result?: R; error?: string; built?: number; world?: unknown }) => {
        if (m.built !== undefined) {
          worldsHeld[i]!++;
          workers.forEach((other, k) => {
            if (k === i) return;
            other.postMessage({ kind: 'world', seed: m.built!, world: m.world } as WorldMessage);
            worldsHeld[k]!++;
            ready(k);
          });
          ready(i);
          return;
        }
        if (m.error !== undefined) {
          fail(new InvalidArgumentError(`task ${m.id}: ${m.error}`));
          return;
        }
        results[m.id] = m.result!;
        options.onProgress?.(++done, bodies.length);
        if (done === bodies.length) {
          for (const x of workers) x.postMessage(null);
          resolve(results);
        } else feed(w);
      });
      w.on('error', fail);
    }
    seeds.forEach((seed, k) => {
      workers[k % size]!.postMessage({ kind: 'build', seed } as WorldMessage);
    });
    if (seeds.length === 0) for (let i = 0; i < size; i++) ready(i);
  });
}

/**
 * Simulates sweep points over the seeds on a pool of worker threads; rows sorted by grid index.
 * Each point × seed is a task of its own (a point's seeds run on any workers), so the last task
 * a worker waits for is one run, not a whole point; the rows are {@link runPoint}'s, byte for byte.
 */
export async function runPool(
  scenario: ScenarioInput,
  points: readonly SweepPoint[],
  seeds: readonly number[],
  options: PoolOptions = {},
): Promise<SweepRow[]> {
  const runs = points.flatMap((point, p) =>
    seeds.map((seed, k) => ({
      kind: 'run' as const,
      run: { index: p * seeds.length + k, seed, name: pointName(point), policy: point.policy, detail: false },
    })),
  );
  const results = await runTasks<SimResult>(scenario, seeds, runs, options);
  const rows = points.map((point, p) =>
    rowOf(
      point,
      results.slice(p * seeds.length, (p + 1) * seeds.length).map((r) => r.summary),
    ),
  );
  return rows.sort((a, b) => a.index - b.index);
}

/**
 * {@link compare} on worker threads: the same runs, aggregated the same way, so the result is
 * byte-identical to the single-threaded one.
 */
export async function compareParallel(
  scenario: ScenarioInput,
  policies: readonly NamedPolicy[],
  options: PoolOptions & { seeds?: readonly number[]; detail?: boolean; records?: boolean } = {},
): Promise<Comparison> {
  const parsed = parseScenario(scenario);
  const seeds = [...(options.seeds ?? [1])];
  const runs = compareRuns(policies, seeds, options.detail === true, options.records === true);
  const results = await runTasks<SimResult>(
    scenario,
    seeds,
    runs.map((run) => ({ kind: 'run', run })),
    options,
  );
  return aggregate(
    parsed.name,
    policies.map((p) => p.name),
    seeds,
    results,
    options.detail === true,
  );
}
