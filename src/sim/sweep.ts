/**
 * Parameter sweeps: a grid over policy fields (dotted paths such as `waves[0].size` or
 * `weights.fairness`), expanded in a stable order, split into shards (`i/n`) so a batch system can
 * run parts on many machines, each point simulated over several seeds with common random numbers.
 */

import { InvalidArgumentError, type PolicyInput } from 'crowd-dispatch';
import * as v from 'valibot';
import { flatten, KEY_METRICS, metricOf } from './compare.js';
import { preset } from './presets.js';
import { runSimulation } from './runner.js';
import { parseScenario, type Scenario, type ScenarioInput } from './scenario.js';
import { type Estimate, estimate, round } from './stats.js';
import { issueLines, pathOf } from './strict.js';
import type { SimSummary } from './summary-types.js';
import { buildWorld, type World } from './world.js';

/** A sweep file. */
export interface SweepSpec {
  /** The scenario (inline; the CLI also accepts a path). @default the default week */
  scenario?: ScenarioInput;
  /** The policy every point starts from: a preset name or an inline `createPolicy` input. @default 'ranked-waves' */
  base?: string | PolicyInput;
  /** Values per dotted policy path; the grid is their Cartesian product. */
  parameters: Record<string, unknown[]>;
  /** Seeds per point. @default [1] */
  seeds?: number[];
}

const SweepSchema = v.strictObject({
  scenario: v.optional(v.unknown()),
  base: v.optional(v.union([v.string(), v.record(v.string(), v.unknown())])),
  parameters: v.pipe(
    v.record(
      v.pipe(
        v.string(),
        v.regex(/^[A-Za-z_]\w*(\.\w+|\[\d+\])*$/, 'expected a dotted path like waves[0].size'),
      ),
      v.pipe(v.array(v.unknown()), v.minLength(1)),
    ),
    v.check((r) => Object.keys(r).length > 0, 'give at least one parameter'),
  ),
  seeds: v.optional(v.pipe(v.array(v.pipe(v.number(), v.integer())), v.minLength(1))),
});

/** One point of the grid. */
export interface SweepPoint {
  /** Position in the full grid (stable across shards). */
  index: number;
  /** The point's value of each dotted policy path. */
  params: Record<string, unknown>;
  /** The base policy with the point's values set. */
  policy: PolicyInput;
}

/** The result of one point: each metric's mean and 95 % interval over the seeds. */
export interface SweepRow {
  /** The point's position in the full grid. */
  index: number;
  /** The point's value of each dotted policy path. */
  params: Record<string, unknown>;
  /** Each summary metric (dotted path into `SimSummary`) over the seeds. */
  metrics: Record<string, Estimate>;
}

/** A shard: `index` of `count` (0-based index). */
export interface Shard {
  /** This shard, 0-based (< `count`). */
  index: number;
  /** How many shards the grid is split into. */
  count: number;
}

/**
 * Validates a sweep file; errors name the bad field.
 * @example
 * const spec = parseSweep(JSON.parse(readFileSync('sweep.json', 'utf8')));
 * // sweep.json: { "base": "ranked-waves", "parameters": { "weights.fairness": [0, 0.2] }, "seeds": [1, 2] }
 * parseSweep({ parameters: {} }); // throws InvalidArgumentError (path 'parameters'): give at least one parameter
 */
export function parseSweep(input: unknown): SweepSpec {
  const r = v.safeParse(SweepSchema, input);
  if (!r.success) {
    throw new InvalidArgumentError(
      `Invalid sweep file: ${issueLines(SweepSchema as never, r.issues).join('; ')} (expected { "base": "ranked-waves", "parameters": { "weights.fairness": [0, 0.2] }, "seeds": [1, 2] }).`,
      pathOf(r.issues[0]) || '(root)',
    );
  }
  return r.output as SweepSpec;
}

/**
 * Parses `i/n` (1-based on the command line, e.g. `2/4`) into a 0-based {@link Shard}.
 * @example
 * parseShard('2/4'); // { index: 1, count: 4 }
 * parseShard('0/4'); // throws InvalidArgumentError: write i/n with 1 ≤ i ≤ n
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!m || n < 1 || i < 1 || i > n) {
    throw new InvalidArgumentError(`--shard '${text}': write i/n with 1 ≤ i ≤ n, e.g. 2/4.`, 'shard');
  }
  return { index: i - 1, count: n };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.match(/\w+|\[\d+\]/g)!.map((p) => (p.startsWith('[') ? Number(p.slice(1, -1)) : p));
  let cur: Record<string | number, unknown> = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    let next = cur[k];
    if (next === undefined || next === null || typeof next !== 'object') {
      next = typeof parts[i + 1] === 'number' ? [] : {};
    } else {
      next = Array.isArray(next) ? [...next] : { ...(next as object) }; // copy on write: points share the base
    }
    cur[k] = next;
    cur = next as Record<string | number, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** The base policy of a sweep (preset name or inline input). */
export function basePolicy(spec: SweepSpec): PolicyInput {
  const b = spec.base ?? 'ranked-waves';
  return typeof b === 'string' ? preset(b).policy : b;
}

/**
 * Expands the grid in a stable order (the last parameter varies fastest).
 * @example
 * const points = expandSweep({ parameters: { 'weights.fairness': [0, 0.2, 0.4], 'waves[0].size': [5, 10] } });
 * points.length; // 6
 * points[1]!.params; // { 'weights.fairness': 0, 'waves[0].size': 10 }
 * points[1]!.policy; // the 'ranked-waves' preset with weights.fairness 0 and waves[0].size 10
 */
export function expandSweep(spec: SweepSpec): SweepPoint[] {
  const base = basePolicy(spec);
  const entries = Object.entries(spec.parameters);
  const total = entries.reduce((n, [, values]) => n * values.length, 1);
  if (total > 100_000) {
    throw new InvalidArgumentError(
      `The sweep grid has ${total} points; keep it under 100,000 (fewer values per parameter).`,
    );
  }
  const points: SweepPoint[] = [];
  for (let index = 0; index < total; index++) {
    let rest = index;
    const params: Record<string, unknown> = {};
    for (let e = entries.length - 1; e >= 0; e--) {
      const [key, values] = entries[e]!;
      params[key] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    const policy = structuredClone(base) as Record<string, unknown>;
    for (const [key] of entries) setPath(policy, key, params[key]);
    points.push({
      index,
      params: Object.fromEntries(entries.map(([k]) => [k, params[k]])),
      policy: policy as PolicyInput,
    });
  }
  return points;
}

/**
 * The points of one shard: every `count`-th point starting at `index` (balanced across shards).
 * @example
 * const mine = shardPoints(expandSweep(spec), parseShard('2/4')); // points 1, 5, 9, … of the grid
 */
export function shardPoints(points: readonly SweepPoint[], shard: Shard): SweepPoint[] {
  return points.filter((p) => p.index % shard.count === shard.index);
}

/**
 * Runs one point over the seeds (worlds may be passed in to reuse them across points).
 * @example
 * const spec = parseSweep({ scenario: { days: 1 }, parameters: { 'weights.fairness': [0, 0.4] }, seeds: [1, 2] });
 * const scenario = parseScenario(spec.scenario);
 * const worlds = new Map<number, World>(); // one world per seed, shared by every point
 * const rows = expandSweep(spec).map((point) => runPoint(scenario, point, spec.seeds ?? [1], worlds));
 * rows[0]!.metrics.servedWithinHour; // e.g. { mean: 0.82, ci95: 0.156, n: 2 }
 */
export function runPoint(
  scenario: Scenario | ScenarioInput,
  point: SweepPoint,
  seeds: readonly number[],
  worlds?: Map<number, World>,
): SweepRow {
  const sc = parseScenario(scenario);
  const summaries = seeds.map((seed) => {
    let world = worlds?.get(seed);
    if (!world) {
      world = buildWorld(sc, seed);
      worlds?.set(seed, world);
    }
    return runSimulation(sc, point.policy, { seed, world, policyName: pointName(point) }).summary;
  });
  return rowOf(point, summaries);
}

/** The policy name a point's runs carry (part of their summaries). */
export function pointName(point: SweepPoint): string {
  return `point-${point.index}`;
}

/** A point's row from its runs' summaries, in seed order: every metric's mean and 95 % interval over the seeds. */
export function rowOf(point: SweepPoint, summaries: readonly SimSummary[]): SweepRow {
  const keys = flatten(summaries[0])
    .map(([k]) => k)
    .filter((k) => k !== 'seed');
  const metrics: Record<string, Estimate> = {};
  for (const key of keys) {
    const vals = summaries.map((s) => metricOf(s, key)).filter((x): x is number => x !== null);
    const e = estimate(vals);
    metrics[key] = { mean: round(e.mean, 4) ?? Number.NaN, ci95: round(e.ci95, 4) ?? 0, n: e.n };
  }
  return { index: point.index, params: point.params, metrics };
}

/** Sweep rows as CSV: one line per point, the number of seeds, parameters, then each key metric's mean and ci95. */
export function sweepCsv(rows: readonly SweepRow[], keys: readonly string[] = KEY_METRICS): string {
  if (rows.length === 0) return '';
  const params = Object.keys(rows[0]!.params);
  const head = ['index', 'seeds', ...params, ...keys.flatMap((k) => [k, `${k}.ci95`])];
  const lines = rows.map((r) =>
    [
      r.index,
      r.metrics[keys[0]!]?.n ?? '',
      ...params.map((p) => csvCell(JSON.stringify(r.params[p]))),
      ...keys.flatMap((k) => [r.metrics[k]?.mean ?? '', r.metrics[k]?.ci95 ?? '']),
    ].join(','),
  );
  return `${[head.map(csvCell).join(','), ...lines].join('\n')}\n`;
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
