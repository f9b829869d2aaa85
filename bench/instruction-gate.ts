/**
 * The blocking CI gate on instruction counts: compares a fresh count with a stored one. Counts are
 * deterministic, so there is nothing to re-run: one count per target, a threshold, a verdict.
 */
import { type Comparison, verdictTail } from './gate.js';
import { injectionLabel } from './inject.js';
import { INSTRUCTION_REPORT_VERSION, type InstructionReport, isInstructionReport } from './instructions.js';

/** The verdict of {@link compareInstructions}. */
export interface InstructionGateResult {
  passed: boolean;
  threshold: number;
  /** `baseline`/`current` are instructions per operation; `attempts` is always 1. */
  comparisons: Comparison[];
  /** Targets in the baseline that this count did not measure (a failure). */
  missing: string[];
  /** Differences of environment that make counts less comparable (Node/V8 versions). */
  warnings: string[];
  run: InstructionReport;
}

const keyOf = (r: { suite: string; scenario: string; method: string }) =>
  `${r.suite}/${r.scenario}/${r.method}`;

/** Throws with a clear message when `value` is not an instruction report this version understands. */
export function assertInstructionReport(value: unknown, source: string): asserts value is InstructionReport {
  if (!isInstructionReport(value)) {
    throw new Error(`${source} is not a crowd-dispatch instruction report.`);
  }
  if (value.version !== INSTRUCTION_REPORT_VERSION) {
    throw new Error(
      `${source} has instruction report version ${value.version}, this harness writes ${INSTRUCTION_REPORT_VERSION}; refresh it with npm run bench:baseline:instructions.`,
    );
  }
}

/**
 * Compares `current` with `baseline`: a target regresses when its instructions per operation grew
 * by more than `threshold` (0.1 = 10 %).
 * @example
 * const verdict = compareInstructions(stored, await countInstructions(stored.results), 0.1);
 * if (!verdict.passed) process.exitCode = 1;
 */
export function compareInstructions(
  baseline: InstructionReport,
  current: InstructionReport,
  threshold = 0.1,
): InstructionGateResult {
  if (!(threshold > 0 && threshold < 10)) {
    throw new Error(`threshold is ${threshold}; pass a share such as 0.1 (10 %).`);
  }
  const now = new Map(current.results.map((r) => [keyOf(r), r]));
  const comparisons: Comparison[] = [];
  const missing: string[] = [];
  for (const b of baseline.results) {
    const c = now.get(keyOf(b));
    if (!c) {
      missing.push(keyOf(b));
      continue;
    }
    const change = c.instructionsPerOp / b.instructionsPerOp - 1;
    comparisons.push({
      suite: b.suite,
      scenario: b.scenario,
      method: b.method,
      baseline: b.instructionsPerOp,
      current: c.instructionsPerOp,
      change,
      regressed: change > threshold,
      attempts: 1,
    });
  }
  const warnings: string[] = [];
  const be = baseline.environment;
  const ce = current.environment;
  if (be.v8 !== ce.v8 || be.arch !== ce.arch) {
    warnings.push(
      `the baseline was counted on Node ${be.node} (V8 ${be.v8}, ${be.arch}), this run on Node ${ce.node} (V8 ${ce.v8}, ${ce.arch}): another compiler emits other instructions; refresh the baseline on the CI's Node (npm run bench:baseline:instructions) if the change is not yours.`,
    );
  }
  return {
    passed: missing.length === 0 && comparisons.every((c) => !c.regressed),
    threshold,
    comparisons,
    missing,
    warnings,
    run: current,
  };
}

/** The verdict as Markdown: every target with its change, regressions first. */
export function instructionGateMarkdown(g: InstructionGateResult): string {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;
  const rows = [...g.comparisons].sort(
    (a, b) => Number(b.regressed) - Number(a.regressed) || b.change - a.change,
  );
  const lines = [
    `Instruction gate: ${g.passed ? 'PASSED' : 'FAILED'} (instructions per operation under valgrind; threshold +${(g.threshold * 100).toFixed(0)} %${g.run.injection ? `; ${injectionLabel(g.run.injection)}` : ''})`,
    '',
    '| suite | scenario | method | baseline | this run | change | verdict |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
    ...rows.map(
      (c) =>
        `| ${c.suite} | ${c.scenario} | ${c.method} | ${fmt(c.baseline)} | ${fmt(c.current)} | ${pct(c.change)} | ${c.regressed ? '**REGRESSED**' : c.change < -g.threshold ? 'faster (refresh the baseline to keep the gain)' : 'ok'} |`,
    ),
  ];
  for (const w of g.warnings) lines.push('', `Warning: ${w}`);
  lines.push(
    ...verdictTail(
      rows,
      g.missing,
      pct,
      'If the extra work is intended',
      'npm run bench:baseline:instructions',
    ),
  );
  return `${lines.join('\n')}\n`;
}
