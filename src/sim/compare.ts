/**
 * Compares policies on one scenario with common random numbers: for each seed the world (fleet,
 * traits, shifts, jobs) is built once and every policy runs on it, and technicians answer from the
 * same counter-based random numbers. Figures are reported as means over seeds with 95 % intervals,
 * plus paired differences against the first policy (tight, because the noise is shared).
 */
import type { Policy, PolicyInput } from 'crowd-dispatch';
import type { SimDetail, SimSummary } from './metrics.js';
import type { RunRecords } from './records.js';
import { runSimulation } from './runner.js';
import { parseScenario, type Scenario, type ScenarioInput } from './scenario.js';
import { type Estimate, estimate, round } from './stats.js';
import { buildWorld, type World } from './world.js';

/** A policy to compare, with its name. */
export interface NamedPolicy {
  /** Name shown in reports. */
  name: string;
  /** The policy: made by `createPolicy`, or an input for it. */
  policy: Policy | PolicyInput;
}

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Seeds (replications). @default [1] */
  seeds?: readonly number[];
  /** Keep the chart detail of the first seed for each policy. @default false */
  detail?: boolean;
  /** Keep every run's per-job and per-technician records (exports). @default false */
  records?: boolean;
  /** Called during and after each run with (runs done, fractional, and runs total). */
  onProgress?: (done: number, total: number) => void;
}

/** One metric across policies. */
export interface MetricComparison {
  /** Dotted path into {@link SimSummary}, e.g. `timeToAcceptS.p50`. */
  key: string;
  /** The metric's mean and 95 % interval over seeds, per policy name. */
  byPolicy: Record<string, Estimate>;
  /** Paired difference (policy − first policy) over seeds. */
  vsBaseline: Record<string, Estimate>;
}

/** The result of {@link compare}. */
export interface Comparison {
  /** The scenario's name. */
  scenario: string;
  /** The seeds every policy ran with. */
  seeds: number[];
  /** The policies' names, in the order given (the first is the baseline). */
  policies: string[];
  /** Every run's summary, policy-major. */
  runs: SimSummary[];
  /** Each key metric compared across the policies. */
  metrics: MetricComparison[];
  /** Chart detail per policy, one entry per seed in seed order (when asked for). */
  detail?: Record<string, SimDetail[]>;
  /** Every run's records, in run order (when asked for; not part of the JSON output). */
  records?: RunRecords[];
}

/** The headline metrics shown in tables and the README, in order. */
export const KEY_METRICS: readonly string[] = [
  'timeToAcceptS.p50',
  'timeToAcceptS.p90',
  'timeToAcceptS.p99',
  'timeToFirstAcceptS.p50',
  'acceptedWithin10s',
  'acceptedWithin60s',
  'fillRate',
  'servedWithinHour',
  'notificationsPerJob',
  'notificationsPerTechnicianPerDay.mean',
  'travelKm.mean',
  'fairness.friends.awardsGini',
  'fairness.activeFriends.awardsGini',
  'fairness.friends.awardsTopDecileShare',
  'fairness.friends.offersGini',
  'fairness.friends.withoutAward',
  'fairness.friends.awardsPer30Days.max',
  'fairness.pros.awardsGini',
  'bestFriends.notificationsUplift',
  'bestFriends.awardsUplift',
  'escalations.jobsEscalatedShare',
  'unfilled.share',
];

/** Every numeric leaf of a summary as `[dotted.path, value]`, in a stable order. */
export function flatten(value: unknown, prefix = ''): [string, number | null][] {
  if (typeof value === 'number') return [[prefix, value]];
  if (value === null) return [[prefix, null]];
  if (typeof value !== 'object' || Array.isArray(value)) return [];
  const out: [string, number | null][] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out.push(...flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/** Reads a dotted path of a summary (null when absent or not a number). */
export function metricOf(summary: SimSummary, key: string): number | null {
  let cur: unknown = summary;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'number' ? cur : null;
}

function rounded(e: Estimate): Estimate {
  return { mean: round(e.mean, 4) ?? Number.NaN, ci95: round(e.ci95, 4) ?? 0, n: e.n };
}

/** One run of a comparison: a policy on a seed. */
export interface CompareRun {
  /** Position in the comparison (seed-major), also the order results are aggregated in. */
  index: number;
  seed: number;
  name: string;
  policy: Policy | PolicyInput;
  /** Keep the chart detail (first seed only). */
  detail: boolean;
  /** Keep the run's records (exports). */
  records?: boolean;
}

/** The runs a comparison needs, seed-major (so one worker can reuse a seed's world). */
export function compareRuns(
  policies: readonly NamedPolicy[],
  seeds: readonly number[],
  detail: boolean,
  records = false,
): CompareRun[] {
  return seeds.flatMap((seed, si) =>
    policies.map((p, pi) => ({
      index: si * policies.length + pi,
      seed,
      name: p.name,
      policy: p.policy,
      detail,
      records,
    })),
  );
}

/**
 * Aggregates the results of `compareRuns` (in run order) into a {@link Comparison}: means with
 * 95 % intervals over seeds and paired differences to the first policy.
 */
export function aggregate(
  scenario: string,
  names: readonly string[],
  seeds: readonly number[],
  results: readonly { summary: SimSummary; detail?: SimDetail; records?: RunRecords }[],
  withDetail: boolean,
): Comparison {
  const bySeed: SimSummary[][] = names.map(() => []);
  const detail: Record<string, SimDetail[]> = Object.fromEntries(names.map((n) => [n, []]));
  const records: RunRecords[] = [];
  results.forEach((r, i) => {
    const pi = i % names.length;
    bySeed[pi]!.push(r.summary);
    if (r.detail) detail[names[pi]!]!.push(r.detail);
    if (r.records) records.push(r.records);
  });
  const keys = flatten(bySeed[0]![0])
    .map(([k]) => k)
    .filter((k) => k !== 'seed');
  const metrics = keys.map((key) => {
    const byPolicy: Record<string, Estimate> = {};
    const vsBaseline: Record<string, Estimate> = {};
    const base = bySeed[0]!.map((s) => metricOf(s, key));
    names.forEach((name, pi) => {
      const vals = bySeed[pi]!.map((s) => metricOf(s, key));
      const ok = vals.filter((x): x is number => x !== null);
      byPolicy[name] = rounded(estimate(ok));
      const diffs: number[] = [];
      vals.forEach((x, i) => {
        const b = base[i];
        if (x !== null && b !== null && b !== undefined) diffs.push(x - b);
      });
      vsBaseline[name] = rounded(estimate(diffs));
    });
    return { key, byPolicy, vsBaseline };
  });
  const out: Comparison = { scenario, seeds: [...seeds], policies: [...names], runs: bySeed.flat(), metrics };
  if (withDetail) out.detail = detail;
  if (records.length > 0) out.records = records;
  return out;
}

/**
 * Runs every policy on every seed of a scenario and compares them (on this thread; the CLI runs the
 * same `compareRuns` on worker threads and aggregates them identically).
 * @example
 * const c = compare({ days: 1 }, [{ name: 'today', policy: PRESETS.today.policy }, …], { seeds: [1, 2, 3] });
 * c.metrics.find((m) => m.key === 'acceptedWithin60s')?.byPolicy.today; // { mean, ci95, n }
 */
export function compare(
  scenarioInput: Scenario | ScenarioInput,
  policies: readonly NamedPolicy[],
  options: CompareOptions = {},
): Comparison {
  const scenario = parseScenario(scenarioInput);
  const seeds = [...(options.seeds ?? [1])];
  const runs = compareRuns(policies, seeds, options.detail === true, options.records === true);
  const worlds = new Map<number, World>();
  const results = runs.map((run) => {
    let world = worlds.get(run.seed);
    if (!world) {
      worlds.clear(); // seed-major: the previous seed's world is done
      world = buildWorld(scenario, run.seed);
      worlds.set(run.seed, world);
    }
    const onProgress = options.onProgress;
    const r = runSimulation(scenario, run.policy, {
      seed: run.seed,
      world,
      policyName: run.name,
      detail: run.detail,
      records: run.records === true,
      ...(onProgress ? { onProgress: (f: number) => onProgress(run.index + f, runs.length) } : {}),
    });
    options.onProgress?.(run.index + 1, runs.length);
    return r;
  });
  return aggregate(
    scenario.name,
    policies.map((p) => p.name),
    seeds,
    results,
    options.detail === true,
  );
}
