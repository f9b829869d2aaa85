/**
 * Instruction counts per operation, measured under Valgrind (cachegrind without its cache model):
 * the CI gate's figure on shared machines. Wall and CPU time on a busy 2-vCPU VM swing by tens of
 * per cent from process to process; the number of instructions a deterministic program executes
 * does not (see docs/performance.md for the measured spread). The price: Valgrind runs Node
 * ~50× slower, and memory stalls are invisible to it (the timed gate still reports those).
 *
 * How: the counting program (`./count.ts`, bundled once with esbuild) builds a scenario and calls
 * the subject `warmup + calls` times. Two processes per target, one with `calls = 0` and one with
 * `calls = N`, run under `node --single-threaded --predictable --predictable-gc-schedule` (JIT and
 * GC on the main thread, fixed seeds, GC independent of the wall clock), so their counts differ by
 * the N measured calls (identical processes agree to ~1e-5 of their count, in some runs 0.2 %):
 * `(I(N) − I(0)) / (N × opsPerCall)`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
// At the repository root's depth, so the bundle's `../fixtures/` resolves as it does from `bench/`.
const bundlePath = join(repoRoot, '.cache', 'bench-count.mjs');

/** Version of {@link InstructionReport}. */
export const INSTRUCTION_REPORT_VERSION = 1;
/** Identifies an instruction report (the gate tells the two baseline kinds apart by it). */
export const INSTRUCTION_REPORT_SCHEMA = 'crowd-dispatch/instruction-report';

/** One gated method, with how many calls the counter makes. */
export interface CountTarget {
  suite: string;
  scenario: string;
  method: string;
  /** Calls before the measured ones in both processes (JIT tiers settle). */
  warmup: number;
  /** Measured calls (the difference between the two processes). */
  calls: number;
}

/**
 * What the CI gate counts: the subjects of the quick timed gate, with call counts sized so that
 * each process stays under ~60 s under Valgrind on a 2-vCPU VM.
 */
export const COUNT_TARGETS: readonly CountTarget[] = [
  // Longest first, so the two-process pool stays balanced. Not here: dispatch replay, whose world-100k
  // heap makes its count hinge on whether a 10^8-instruction major GC lands in the window (it
  // read 152k–330k instructions per event on one build); the simulated day runs the dispatcher.
  { suite: 'simulator', scenario: 'ch-day', method: 'day', warmup: 1, calls: 1 },
  { suite: 'plan', scenario: 'ch-1500', method: 'crowd-dispatch', warmup: 2048, calls: 4096 },
  { suite: 'plan', scenario: 'ch-10000', method: 'crowd-dispatch', warmup: 2048, calls: 1024 },
  { suite: 'fleet', scenario: 'ch-10000', method: 'move', warmup: 16, calls: 64 },
];

/** One target's count. */
export interface InstructionResult extends CountTarget {
  /** Operations per call (batched moves, replayed events). */
  opsPerCall: number;
  /** Instructions per operation. */
  instructionsPerOp: number;
  /** Total instructions of the `calls = 0` and `calls = N` processes. */
  totals: [number, number];
}

/** The instruction report written by `npm run bench:instructions` and stored as a baseline. */
export interface InstructionReport {
  schema: typeof INSTRUCTION_REPORT_SCHEMA;
  version: typeof INSTRUCTION_REPORT_VERSION;
  /** ISO time the count finished (reports only). */
  createdAt: string;
  /** Injected slowdown (the self-test's `withRepeat` share), 0 normally. */
  slowdown: number;
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

let bundled: Promise<string> | undefined;

/** Bundles `./count.ts` (and the library it measures) into one ESM file; once per process. */
export function bundleCounter(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    mkdirSync(dirname(bundlePath), { recursive: true });
    await build({
      entryPoints: [join(repoRoot, 'bench', 'count.ts')],
      outfile: bundlePath,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    return bundlePath;
  })();
  return bundled;
}

/** Runs the counter once under Valgrind; returns the instructions and the method's opsPerCall. */
async function countOnce(
  t: CountTarget,
  calls: number,
  slowdown: number,
): Promise<{ instructions: number; opsPerCall: number }> {
  const script = await bundleCounter();
  const args = [
    '--tool=cachegrind',
    '--cache-sim=no',
    '--cachegrind-out-file=/dev/null',
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
    String(calls),
    String(slowdown),
  ];
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run('valgrind', args, { cwd: repoRoot, maxBuffer: 16 << 20 }));
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(
      `counting ${t.suite}/${t.scenario}/${t.method} under valgrind failed: ${err.stderr?.trim().split('\n').slice(-5).join(' | ') ?? err.message}`,
    );
  }
  const m = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (!m) throw new Error(`valgrind printed no instruction count for ${t.suite}/${t.scenario}/${t.method}.`);
  const { opsPerCall } = JSON.parse(stdout.trim().split('\n').pop()!) as { opsPerCall: number };
  return { instructions: Number(m[1]!.replaceAll(',', '')), opsPerCall };
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
  /** Extra work injected into each subject (the self-test's switch), 0 normally. */
  slowdown?: number;
  /** Valgrind processes at once. @default the machine's available parallelism */
  concurrency?: number;
  onProgress?: (message: string) => void;
}

/**
 * Counts instructions per operation for each target.
 * @example
 * const report = await countInstructions(COUNT_TARGETS.filter((t) => t.suite === 'plan'));
 */
export async function countInstructions(
  targets: readonly CountTarget[],
  options: CountOptions = {},
): Promise<InstructionReport> {
  const slowdown = options.slowdown ?? 0;
  if (!(slowdown >= 0 && slowdown < 10)) {
    throw new RangeError(`slowdown is ${slowdown}; pass a share such as 0.25, or 0.`);
  }
  const valgrind = await valgrindVersion();
  const tasks = targets.flatMap((t) =>
    [0, t.calls].map((calls) => async () => {
      const t0 = performance.now();
      const r = await countOnce(t, calls, slowdown);
      options.onProgress?.(
        `${t.suite}/${t.scenario}/${t.method}: ${calls} calls → ${r.instructions.toLocaleString('en-US')} instructions (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      return r;
    }),
  );
  const counts = await pool(tasks, options.concurrency ?? os.availableParallelism());
  const results = targets.map((t, k): InstructionResult => {
    const idle = counts[2 * k]!;
    const busy = counts[2 * k + 1]!;
    const perOp = (busy.instructions - idle.instructions) / (t.calls * busy.opsPerCall);
    if (!(perOp > 0)) {
      throw new Error(
        `${t.suite}/${t.scenario}/${t.method}: the measured calls added no instructions (${busy.instructions} vs ${idle.instructions}); is the method a no-op?`,
      );
    }
    return {
      ...t,
      opsPerCall: busy.opsPerCall,
      instructionsPerOp: perOp,
      totals: [idle.instructions, busy.instructions],
    };
  });
  return {
    schema: INSTRUCTION_REPORT_SCHEMA,
    version: INSTRUCTION_REPORT_VERSION,
    createdAt: new Date().toISOString(),
    slowdown,
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
