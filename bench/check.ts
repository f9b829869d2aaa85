/**
 * `npm run bench:check -- --baseline <file>` — the CI performance gate, exit 1 on a regression, 2 on
 * a usage error. The baseline's kind picks the gate:
 * - an instruction report (`bench/baseline.instructions.json`): counts the same targets under
 *   Valgrind and compares instructions per operation (deterministic; the blocking gate);
 * - a timed report (`bench/baseline.json`): runs the baseline's scenarios with its settings,
 *   compares each subject's ratio to the reference workload and re-runs suspects.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { assertReport, type GateMetric, gateMarkdown, runGate } from './gate.js';
import { injectionFromEnv } from './inject.js';
import { assertInstructionReport, compareInstructions, instructionGateMarkdown } from './instruction-gate.js';
import { countInstructions, isInstructionReport } from './instructions.js';
import { markdownReport } from './report.js';
import { runBench } from './runner.js';
import type { BenchReport } from './schema.js';

const share = (v: string) => {
  const x = Number(v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : v);
  if (!(x > 0 && x < 10)) throw new InvalidArgumentError('expected a share such as 0.1 or 10%.');
  return x;
};
const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return n;
};

const DEFAULT_OUT = 'bench/results/check.json';

const program = new Command('bench:check')
  .description(
    'fail when a crowd-dispatch benchmark ratio regresses beyond a threshold against a stored baseline',
  )
  .requiredOption(
    '--baseline <file>',
    'baseline report (e.g. bench/baseline.json, written by npm run bench:baseline)',
  )
  .option(
    '--threshold <share>',
    'allowed growth of a ratio or instruction count, e.g. 0.1 or 10%',
    share,
    0.1,
  )
  .option('--retries <n>', 're-runs of suspect scenarios before failing (timed gate)', count, 2)
  .option('--repeats <n>', 'processes per target, least count kept (instruction gate)', count, 2)
  .option('--retry-delay <s>', 'seconds to wait before each re-run (outlasts a neighbour burst)', count, 20)
  .addOption(
    new Option('--metric <name>', 'ratio compared: least, median or mean-based over rounds')
      .choices(['min', 'p50', 'mean'])
      .default('min'),
  )
  .option('--out <file>', 'JSON file for the verdict and the run', DEFAULT_OUT)
  .option(
    '--summary <file>',
    'also append the verdict as Markdown to this file (e.g. "$GITHUB_STEP_SUMMARY"); the exit code stays the gate\'s',
  )
  .option('--all-methods', 'also time the baselines and ungated figures (slower; the verdict is the same)');

program.parse();
const o = program.opts<{
  baseline: string;
  threshold: number;
  retries: number;
  repeats: number;
  metric: GateMetric;
  out: string;
  summary?: string;
  allMethods?: boolean;
  retryDelay: number;
}>();

const fail = (e: unknown): never => {
  process.stderr.write(`bench:check: ${(e as Error).message}\n`);
  process.exit(2);
};
const progress = (msg: string) => process.stderr.write(`${msg}\n`);
/** Prints the verdict and appends it to the --summary file, so no pipe can swallow the exit code. */
const emit = (markdown: string) => {
  process.stdout.write(markdown);
  if (o.summary) appendFileSync(o.summary, `${markdown}\n`);
};

let baseline: unknown;
try {
  baseline = JSON.parse(readFileSync(o.baseline, 'utf8'));
} catch (e) {
  fail(e);
}

if (isInstructionReport(baseline)) {
  // Counts are deterministic: no retries, no metric choice.
  let verdict: ReturnType<typeof compareInstructions> | undefined;
  try {
    assertInstructionReport(baseline, o.baseline);
    const current = await countInstructions(baseline.results, {
      injection: injectionFromEnv(),
      repeats: o.repeats,
      onProgress: progress,
    });
    verdict = compareInstructions(baseline, current, o.threshold);
  } catch (e) {
    fail(e);
  }
  emit(instructionGateMarkdown(verdict!));
  const out = o.out === DEFAULT_OUT ? 'bench/results/check-instructions.json' : o.out;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(verdict, null, 2)}\n`);
  process.exit(verdict!.passed ? 0 : 1);
}

try {
  assertReport(baseline, o.baseline);
} catch (e) {
  fail(e);
}
const timed = baseline as BenchReport;

const settings = {
  rounds: timed.settings.rounds,
  timeMs: timed.settings.timeMs,
  warmupMs: timed.settings.warmupMs,
};
// The verdict needs only the gated figures; timing the baselines too would double the run.
const roles = o.allMethods ? [] : (['subject'] as const);
let result: Awaited<ReturnType<typeof runGate>>;
try {
  result = await runGate(
    timed,
    (pairs) => runBench({ mode: timed.mode, pairs, roles, settings, onProgress: progress }),
    {
      threshold: o.threshold,
      retries: o.retries,
      retryDelayMs: o.retryDelay * 1000,
      metric: o.metric,
      onProgress: progress,
    },
  );
} catch (e) {
  process.stderr.write(`bench:check: ${(e as Error).message}\n`);
  process.exit(2);
}

emit(`${markdownReport(result.run)}\n${gateMarkdown(result)}`);
mkdirSync(dirname(o.out), { recursive: true });
writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
if (!result.passed) process.exitCode = 1;
