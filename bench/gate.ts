/**
 * The performance gate: compares the ratios of a run (each subject's time ÷ the reference workload
 * of the same round) with a stored baseline, re-runs the scenarios that look slower, and fails
 * only when a regression beyond the threshold survives every attempt. Absolute times are never
 * compared: a slower machine moves the subject and the reference alike.
 */
import type { BenchReport, ScenarioResult } from './schema.js';
import { REPORT_SCHEMA, REPORT_VERSION } from './schema.js';

/** Which ratio the gate compares. */
export type GateMetric = 'min' | 'p50' | 'mean';

/** Options of {@link runGate}. */
export interface GateOptions {
  /** Allowed growth of a ratio before it counts as a regression (0.1 = 10 %). @default 0.1 */
  threshold?: number;
  /** Re-runs of suspect scenarios before failing. @default 2 */
  retries?: number;
  /**
   * Pause before each re-run, ms: a neighbour's burst on a shared machine often lasts a minute,
   * and re-runs inside the same burst would all see it. @default 0 (the CLI uses 20 s)
   */
  retryDelayMs?: number;
  /** Ratio compared (see `MethodResult.ratios.vsReference`). @default 'min' */
  metric?: GateMetric;
  /** Progress lines. */
  onProgress?: (message: string) => void;
}

/** One subject of one scenario, baseline vs this run. */
export interface Comparison {
  suite: string;
  scenario: string;
  method: string;
  /** Baseline ratio to the reference. */
  baseline: number;
  /** Best ratio over the attempts of this run. */
  current: number;
  /** current / baseline − 1 (0.25 = 25 % slower relative to the reference). */
  change: number;
  regressed: boolean;
  /** Times this scenario was measured (1 + re-runs). */
  attempts: number;
}

/** The verdict. */
export interface GateResult {
  passed: boolean;
  threshold: number;
  metric: GateMetric;
  comparisons: Comparison[];
  /** Subjects in the baseline that this run did not measure (a failure: the gate cannot vouch for them). */
  missing: string[];
  /** The first full run (for the JSON output). */
  run: BenchReport;
}

/** Runs the given suite/scenario pairs and returns a report (the harness, or a stub in tests). */
export type PairRunner = (pairs: { suite: string; scenario: string }[]) => Promise<BenchReport>;

const keyOf = (suite: string, scenario: string, method: string) => `${suite}/${scenario}/${method}`;

/** Throws with a clear message when `value` is not a report this version of the gate understands. */
export function assertReport(value: unknown, source: string): asserts value is BenchReport {
  const r = value as Partial<BenchReport> | null;
  if (!r || r.schema !== REPORT_SCHEMA) {
    throw new Error(`${source} is not a crowd-dispatch benchmark report (schema '${String(r?.schema)}').`);
  }
  if (r.version !== REPORT_VERSION) {
    throw new Error(
      `${source} has report version ${r.version}, this harness writes ${REPORT_VERSION}; refresh it with npm run bench:baseline.`,
    );
  }
}

function subjectRatios(scenarios: readonly ScenarioResult[], metric: GateMetric): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of scenarios) {
    for (const m of s.methods) {
      if (m.role !== 'subject') continue;
      const r = m.ratios.vsReference[metric];
      if (!(typeof r === 'number' && Number.isFinite(r) && r > 0)) {
        throw new Error(
          `${s.suite}/${s.scenario}/${m.name} has no usable '${metric}' ratio (${String(r)}); refresh the baseline with npm run bench:baseline.`,
        );
      }
      out.set(keyOf(s.suite, s.scenario, m.name), r);
    }
  }
  return out;
}

/**
 * Compares a fresh run against `baseline`, re-running suspect scenarios up to `retries` times and
 * keeping each subject's best ratio, so one noisy round cannot fail a pipeline.
 * @example
 * const result = await runGate(baseline, (pairs) => runBench({ mode: baseline.mode, pairs }), { threshold: 0.1 });
 * if (!result.passed) process.exitCode = 1;
 */
export async function runGate(
  baseline: BenchReport,
  run: PairRunner,
  options: GateOptions = {},
): Promise<GateResult> {
  const { threshold = 0.1, retries = 2, metric = 'min', retryDelayMs = 0, onProgress } = options;
  if (!(threshold > 0 && threshold < 10))
    throw new Error(`threshold is ${threshold}; pass a share such as 0.1 (10 %).`);
  if (!Number.isInteger(retries) || retries < 0)
    throw new Error(`retries is ${retries}; pass a whole number ≥ 0.`);
  const base = subjectRatios(baseline.scenarios, metric);
  const pairs = baseline.scenarios
    .filter((s) => s.methods.some((m) => m.role === 'subject'))
    .map((s) => ({ suite: s.suite, scenario: s.scenario }));
  const first = await run(pairs);
  const best = subjectRatios(first.scenarios, metric);
  const attempts = new Map<string, number>([...best.keys()].map((k) => [k, 1]));

  const suspects = () =>
    [...base.entries()].filter(([k, b]) => best.has(k) && best.get(k)! > b * (1 + threshold)).map(([k]) => k);

  for (let attempt = 1; attempt <= retries; attempt++) {
    const suspect = suspects();
    if (suspect.length === 0) break;
    const again = [...new Set(suspect.map((k) => k.split('/').slice(0, 2).join('/')))].map((p) => {
      const [suite, scenario] = p.split('/') as [string, string];
      return { suite, scenario };
    });
    onProgress?.(
      `gate: ${suspect.length} suspect ratio(s) (${suspect.join(', ')}); re-running ${again.length} scenario(s)${retryDelayMs > 0 ? ` in ${retryDelayMs / 1000} s` : ''}, attempt ${attempt + 1}…`,
    );
    if (retryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    const rerun = subjectRatios((await run(again)).scenarios, metric);
    for (const [k, v] of rerun) {
      if (v < (best.get(k) ?? Number.POSITIVE_INFINITY)) best.set(k, v);
      attempts.set(k, (attempts.get(k) ?? 0) + 1);
    }
  }

  const comparisons: Comparison[] = [];
  const missing: string[] = [];
  for (const [k, b] of base) {
    const c = best.get(k);
    if (c === undefined) {
      missing.push(k);
      continue;
    }
    const [suite, scenario, method] = k.split('/') as [string, string, string];
    const change = c / b - 1;
    comparisons.push({
      suite,
      scenario,
      method,
      baseline: b,
      current: c,
      change,
      regressed: change > threshold,
      attempts: attempts.get(k) ?? 1,
    });
  }
  return {
    passed: missing.length === 0 && comparisons.every((c) => !c.regressed),
    threshold,
    metric,
    comparisons,
    missing,
    run: first,
  };
}

/** The gate's verdict as Markdown: every subject with its change, regressions first. */
export function gateMarkdown(g: GateResult): string {
  const fmt = (x: number) => (x < 1000 ? x.toPrecision(4) : x.toFixed(0));
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  const rows = [...g.comparisons].sort(
    (a, b) => Number(b.regressed) - Number(a.regressed) || b.change - a.change,
  );
  const lines = [
    `Performance gate: ${g.passed ? 'PASSED' : 'FAILED'} (p50 ÷ reference, ${g.metric} over rounds; threshold +${(g.threshold * 100).toFixed(0)} %)`,
    '',
    '| suite | scenario | method | baseline ratio | this run (best of attempts) | change | attempts | verdict |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (c) =>
        `| ${c.suite} | ${c.scenario} | ${c.method} | ${fmt(c.baseline)} | ${fmt(c.current)} | ${pct(c.change)} | ${c.attempts} | ${c.regressed ? '**REGRESSED**' : 'ok'} |`,
    ),
  ];
  lines.push(...verdictTail(rows, g.missing, pct, 'If the slowdown is intended', 'npm run bench:baseline'));
  return `${lines.join('\n')}\n`;
}

/**
 * The lines both gates print under their table: missing figures, then the regressions and how to
 * accept them (`intended`: the sentence's start, `refresh`: the command that re-makes the baseline).
 */
export function verdictTail(
  rows: readonly Comparison[],
  missing: readonly string[],
  pct: (x: number) => string,
  intended: string,
  refresh: string,
): string[] {
  const lines: string[] = [];
  for (const m of missing)
    lines.push('', `Missing from this run: ${m} (in the baseline; was it renamed or removed?)`);
  const bad = rows.filter((c) => c.regressed);
  if (bad.length > 0) {
    lines.push(
      '',
      `${bad.length} regression(s): ${bad.map((c) => `${c.suite}/${c.scenario}/${c.method} ${pct(c.change)}`).join('; ')}.`,
      `${intended}, refresh the baseline (${refresh}) and commit it with the change.`,
    );
  }
  return lines;
}
