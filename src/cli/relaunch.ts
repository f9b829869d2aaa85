/**
 * Commands that run worker threads (compare, sweep, frontier, demo) relaunch Node once with
 * `--single-threaded-gc`: V8's parallel garbage-collection helpers are threads of the whole
 * process, and with one simulation per core they compete with the simulations for the cores
 * (measured in docs/simulator.md, "Performance"). A V8 flag cannot be set once the process runs, hence the
 * relaunch: same executable, Node options and arguments, stdio inherited, its exit code returned.
 * `CROWD_DISPATCH_PARALLEL_GC=1` keeps the parallel collector (no relaunch).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const FLAG = '--single-threaded-gc';
const POOLED = new Set(['compare', 'sweep', 'frontier', 'demo']);

/**
 * Relaunches the CLI with the flag when the command may run workers and the process lacks it;
 * returns the child's exit code, or undefined when the caller should run the command itself.
 * @example
 * const code = relaunchForWorkers();
 * if (code === undefined) await main(); else process.exitCode = code;
 */
export function relaunchForWorkers(
  argv: readonly string[] = process.argv,
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  if (execArgv.includes(FLAG) || env.CROWD_DISPATCH_PARALLEL_GC === '1') return undefined;
  if (availableParallelism() < 2 || !POOLED.has(argv[2] ?? '')) return undefined;
  const r = spawnSync(process.execPath, [FLAG, ...execArgv, ...argv.slice(1)], { stdio: 'inherit', env });
  if (r.error) return undefined;
  return r.status ?? 1;
}
