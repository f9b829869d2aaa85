/**
 * Instruction counts per operation, measured under Valgrind (callgrind without cache or branch
 * models): the CI gate's figure on shared machines. Wall and CPU time on a busy 2-vCPU VM swing by
 * tens of per cent from process to process; the number of instructions a deterministic program
 * executes does not (see docs/performance.md for the measured spread). The price: Valgrind runs
 * Node ~50× slower, and memory stalls are invisible to it (the timed gate still reports those).
 *
 * How: the counting program (`./count.ts`, bundled with esbuild) builds a scenario, warms the
 * method up and calls it N times between two markers; callgrind zeroes its counters at the first
 * (`--zero-before=uv_loadavg`) and dumps them at the second (`--dump-before=uv_uptime`), so the
 * dump holds the measured calls alone — nothing is subtracted, and the Node start-up, the scenario
 * build and the warm-up, whose totals drift by up to ~1 % between runs, are not in the figure.
 * Node runs with `--single-threaded --predictable --predictable-gc-schedule` (JIT and GC on the
 * main thread, fixed seeds, GC independent of the wall clock).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertInjection, type Injection, injectionPlugin } from './inject.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
// At the repository root's depth, so the bundle's `../fixtures/` resolves as it does from `bench/`.
const cacheDir = join(repoRoot, '.cache');

/** Version of {@link InstructionReport}. */
export const INSTRUCTION_REPORT_VERSION = 2;
/** Identifies an instruction report (the gate tells the two baseline kinds apart by it). */
export const INSTRUCTION_REPORT_SCHEMA = 'crowd-dispatch/instruction-report';

/** One gated method, with how many calls the counter makes. */
export interface CountTarget {
  suite: string;
  scenario: string;
  method: string;
  /** Calls before the measured ones (JIT tiers settle). */
  warmup: number;
  /** Measured calls: the only ones callgrind counts. */
  calls: number;
}

/**
 * What the CI gate counts: the planner at three fleet sizes, fleet moves and the dispatcher's live
 * event mix, with call counts sized so that each process stays under ~90 s under Valgrind on a
 * 2-vCPU VM. Not here: the simulated day (a 27 % slower planner moved it by 1.9 %: it cannot guard
 * the planner) and dispatch replay (its figure hinges on whether a major GC of the world heap lands
 * in the window).
 */
export const COUNT_TARGETS: readonly CountTarget[] = [
  // Longest first, so the two-process pool stays balanced.
  { suite: 'dispatch', scenario: 'ch-10000-1k-jobs', method: 'events', warmup: 16, calls: 64 },
  { suite: 'plan', scenario: 'world-100k', method: 'crowd-dispatch', warmup: 2048, calls: 2048 },
  { suite: 'plan', scenario: 'ch-10000', method: 'crowd-dispatch', warmup: 2048, calls: 1024 },
  { suite: 'plan', scenario: 'ch-1500', method: 'crowd-dispatch', warmup: 2048, calls: 4096 },
  { suite: 'fleet', scenario: 'ch-10000', method: 'move', warmup: 16, calls: 64 },
];

/** One target's count. */
export interface InstructionResult extends CountTarget {
  /** Operations per call (batched moves, dispatch events). */
  opsPerCall: number;
  /** Instructions per operation: {@link windowInstructions} / (calls × opsPerCall). */
  instructionsPerOp: number;
  /** Instructions callgrind counted between the markers (the measured calls alone). */
  windowInstructions: number;
  /** Calls of the injected component inside the measured calls (0 without an injection). */
  injectedCalls: number;
  /** The window's count in each process; the figure is the least (see {@link CountOptions.repeats}). */
  windowCounts: number[];
}

/** The instruction report written by `npm run bench:instructions` and stored as a baseline. */
export interface InstructionReport {
  schema: typeof INSTRUCTION_REPORT_SCHEMA;
  version: typeof INSTRUCTION_REPORT_VERSION;
  /** ISO time the count finished (reports only). */
  createdAt: string;
  /** The injected regression (the self-test's switch), null normally. */
  injection: Injection | null;
  environment: { node: string; v8: string; valgrind: string; platform: string; arch: string };
  results: InstructionResult[];
}

/** Valgrind is not installed or cannot run Node here. */
export class ValgrindMissingError extends Error {
  constructor(detail: string) {
    super(
      `valgrind is needed to count instructions but ${detail}; install it (apt-get install valgrind, brew install valgrind on Intel macOS) or use the timed gate (npm run bench:check -- --baseline bench/baseline.json).`,
    );
    this.name = 'ValgrindMissingError';
  }
}

/** Valgrind's version line, or throws {@link ValgrindMissingError}. */
export async function valgrindVersion(): Promise<string> {
  try {
    const { stdout } = await run('valgrind', ['--version']);
    return stdout.trim();
  } catch (e) {
    throw new ValgrindMissingError(`\`valgrind --version\` failed (${(e as Error).message.split('\n')[0]})`);
  }
}

const bundles = new Map<string, Promise<string>>();

/** Bundles `./count.ts` (and the library it measures, with the injection if any) into one ESM file. */
export function bundleCounter(injection: Injection | null = null): Promise<string> {
  const key = injection ? `${injection.component}-${injection.units}` : 'plain';
  let b = bundles.get(key);
  if (!b) {
    b = (async () => {
      const { build } = await import('esbuild');
      const outfile = join(cacheDir, `bench-count-${key}.mjs`);
      mkdirSync(dirname(outfile), { recursive: true });
      await build({
        entryPoints: [join(repoRoot, 'bench', 'count.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        logLevel: 'silent',
        plugins: injection ? [injectionPlugin(repoRoot, injection)] : [],
      });
      return outfile;
    })();
    bundles.set(key, b);
  }
  return b;
}

/** Reads the `totals:` line of a callgrind dump. */
function totalsOf(file: string): number {
  const m = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`callgrind dump ${file} has no totals line.`);
  return Number(m[1]);
}

/** Runs the counter once under Valgrind; returns the window's instructions and the counter's output. */
async function countOnce(
  t: CountTarget,
  injection: Injection | null,
): Promise<{ instructions: number; opsPerCall: number; injected: number }> {
  const script = await bundleCounter(injection);
  const dir = mkdtempSync(join(os.tmpdir(), 'crowd-dispatch-count-'));
  const args = [
    '--tool=callgrind',
    '--cache-sim=no',
    '--branch-sim=no',
    '--zero-before=uv_loadavg',
    '--dump-before=uv_uptime',
    `--callgrind-out-file=${join(dir, 'cg.%p')}`,
    process.execPath,
    // JIT and GC on the main thread, fixed seeds, and a GC schedule that does not follow the wall
    // clock (the memory reducer fires after 8 s of wall time: under Valgrind, mid-count).
    '--single-threaded',
    '--predictable',
    '--predictable-gc-schedule',
    '--expose-gc', // the counter collects before the measured calls
    script,
    t.suite,
    t.scenario,
    t.method,
    String(t.warmup),
    String(t.calls),
  ];
  const what = `${t.suite}/${t.scenario}/${t.method}`;
  try {
    let stdout: string;
    try {
      ({ stdout } = await run('valgrind', args, { cwd: repoRoot, maxBuffer: 16 << 20 }));
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new Error(
        `counting ${what} under valgrind failed: ${err.stderr?.trim().split('\n').slice(-5).join(' | ') ?? err.message}`,
      );
    }
    // One dump at the end marker (`cg.<pid>.1`) besides the final one at exit (`cg.<pid>`).
    const dumps = readdirSync(dir).filter((f) => /^cg\.\d+\.\d+$/.test(f));
    if (dumps.length !== 1) {
      throw new Error(
        `counting ${what}: expected one callgrind dump at the end marker, found ${dumps.length}; does something else call os.uptime()?`,
      );
    }
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { opsPerCall: number; injected: number };
    return { instructions: totalsOf(join(dir, dumps[0]!)), ...out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `tasks` with at most `limit` in flight, keeping their order. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const k = next++;
      out[k] = await tasks[k]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

/** Options of {@link countInstructions}. */
export interface CountOptions {
  /** A regression injected into one component (the self-test's switch); none normally. */
  injection?: Injection | null;
  /**
   * Processes per target; the least window count is the figure. Identical processes agree to
   * ~0.05 %, but one world-100k count in ~40 read +20 % (a collection or a tier-up landing in the
   * window, the cause not pinned down): such a spike only ever adds instructions, so the least of
   * two counts drops it. @default 1
   */
  repeats?: number;
  /** Valgrind processes at once. @default the machine's available parallelism */
  concurrency?: number;
  onProgress?: (message: string) => void;
}

/**
 * Counts instructions per operation for each target, one Valgrind process per target.
 * @example
 * const report = await countInstructions(COUNT_TARGETS.filter((t) => t.suite === 'plan'));
 */
export async function countInstructions(
  targets: readonly CountTarget[],
  options: CountOptions = {},
): Promise<InstructionReport> {
  const injection = options.injection ?? null;
  if (injection) assertInjection(injection);
  for (const t of targets) {
    if (!(Number.isInteger(t.calls) && t.calls >= 1 && Number.isInteger(t.warmup) && t.warmup >= 0)) {
      throw new Error(
        `${t.suite}/${t.scenario}/${t.method}: calls ${t.calls} and warmup ${t.warmup} must be whole numbers, calls ≥ 1.`,
      );
    }
  }
  const repeats = options.repeats ?? 1;
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 10)) {
    throw new Error(`repeats is ${repeats}; pass a whole number from 1 to 10.`);
  }
  const valgrind = await valgrindVersion();
  const tasks = targets.flatMap((t) =>
    Array.from({ length: repeats }, () => async () => {
      const t0 = performance.now();
      const r = await countOnce(t, injection);
      options.onProgress?.(
        `${t.suite}/${t.scenario}/${t.method}: ${(t.calls * r.opsPerCall).toLocaleString('en-US')} operations → ${r.instructions.toLocaleString('en-US')} instructions (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      if (!(r.instructions > 0)) {
        throw new Error(`${t.suite}/${t.scenario}/${t.method}: the measured calls counted no instructions.`);
      }
      return r;
    }),
  );
  const counts = await pool(tasks, options.concurrency ?? os.availableParallelism());
  const results = targets.map((t, k): InstructionResult => {
    const mine = counts.slice(k * repeats, (k + 1) * repeats);
    const least = mine.reduce((a, b) => (b.instructions < a.instructions ? b : a));
    return {
      ...t,
      opsPerCall: least.opsPerCall,
      instructionsPerOp: least.instructions / (t.calls * least.opsPerCall),
      windowInstructions: least.instructions,
      injectedCalls: least.injected,
      windowCounts: mine.map((c) => c.instructions),
    };
  });
  return {
    schema: INSTRUCTION_REPORT_SCHEMA,
    version: INSTRUCTION_REPORT_VERSION,
    createdAt: new Date().toISOString(),
    injection,
    environment: {
      node: process.version,
      v8: process.versions.v8,
      valgrind,
      platform: process.platform,
      arch: process.arch,
    },
    results,
  };
}

/** True when `value` looks like an instruction report (any version). */
export function isInstructionReport(value: unknown): value is InstructionReport {
  return (value as { schema?: unknown } | null)?.schema === INSTRUCTION_REPORT_SCHEMA;
}
