/**
 * The measuring core shared by every suite: each scenario runs `rounds` rounds; a round is one
 * tinybench run of the reference workload followed by every method (warm-up, per-call latency
 * samples, results fed to a sink). Figures are pooled over rounds; ratios are taken per round
 * (method / reference of the same round) and their median is reported, so a machine that slows
 * down between rounds moves both sides of each ratio.
 */
import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import { referenceWorkload } from './reference.js';
import type { MethodResult, MethodRole, ScenarioResult } from './schema.js';

/** A method to time in a scenario. */
export interface MethodSpec {
  name: string;
  role: MethodRole;
  /** One timed call; its result goes to the sink. */
  fn: () => unknown;
  /** Operations one call performs (figures are divided by it). @default 1 */
  opsPerCall?: number;
  /** Fewest calls per round (overrides {@link Settings.minIterations} for slow methods). */
  minIterations?: number;
  /** Untimed work before each call (e.g. replacing jobs that closed). */
  beforeEach?: () => void;
  /** Warm up before each round. @default true (off for calls that take seconds) */
  warmup?: boolean;
}

/** A scenario ready to time. */
export interface ScenarioSpec {
  suite: string;
  scenario: string;
  params: Record<string, number | string>;
  methods: MethodSpec[];
  figures?: Record<string, number>;
}

/** How long and how often to measure. */
export interface Settings {
  /** Rounds per scenario. */
  rounds: number;
  /** Time budget per method per round, ms. */
  timeMs: number;
  /** Warm-up budget per method per round, ms. */
  warmupMs: number;
  /** Fewest calls per method per round. */
  minIterations: number;
  /**
   * Test-only: extra work injected into every `subject` call, as a share of that call's own time
   * (0.25 = 25 % slower). Read from `CROWD_DISPATCH_BENCH_SLOWDOWN` by the CLI; 0 normally.
   */
  slowdown: number;
}

/** Keeps results alive so the optimiser cannot drop the measured calls. */
export const sink = { value: 0 };

function feed(r: unknown): void {
  if (typeof r === 'number') sink.value += r;
  else if (r !== null && typeof r === 'object') sink.value += 1;
}

let burnSink = 0;

/** `k` iterations of dependent float work that the optimiser cannot drop. */
function burn(k: number): void {
  let x = burnSink;
  for (let i = 0; i < k; i++) x = x * 0.999999 + 1e-6;
  burnSink = x;
}

/** Least time per iteration of {@link burn}, ms (contention only inflates, so the least is the truth). */
function burnMsPerIteration(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < 9; b++) {
    const t0 = performance.now();
    burn(50_000);
    best = Math.min(best, (performance.now() - t0) / 50_000);
  }
  return best;
}

/**
 * Wraps `fn` so each call also does extra CPU work worth `share` of that call's own duration (0.25
 * = every call 25 % slower): a real, proportional slowdown of the code under test, for the gate's
 * self-test. Only the work rate is calibrated (once); the amount follows each call.
 */
export function withSlowdown(fn: () => unknown, share: number): () => unknown {
  if (!(share > 0)) return fn;
  const perMs = 1 / burnMsPerIteration();
  return () => {
    const t0 = performance.now();
    const r = fn();
    burn(Math.round((performance.now() - t0) * share * perMs));
    return r;
  };
}

/** The p-quantile (0…1) of sorted values, linearly interpolated. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const x = (n - 1) * p;
  const lo = Math.floor(x);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}

/** Median of unsorted values. */
export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

interface RoundFigures {
  p50: number;
  mean: number;
  samples: number[];
}

interface Task {
  name: string;
  fn: () => unknown;
  minIterations: number;
  beforeEach?: (() => void) | undefined;
  warmup: boolean;
}

async function runRound(tasks: Task[], settings: Settings): Promise<Map<string, RoundFigures>> {
  const out = new Map<string, RoundFigures>();
  for (const t of tasks) {
    // One Bench per task so each gets its own iteration floor.
    const bench = new Bench({
      time: settings.timeMs,
      iterations: t.minIterations,
      warmup: t.warmup && settings.warmupMs > 0,
      warmupTime: settings.warmupMs,
      warmupIterations: Math.min(16, t.minIterations),
      retainSamples: true,
      throws: true,
      timestampProvider: 'hrtimeNow',
      subtractTimerOverhead: true,
    });
    const fn = t.fn;
    bench.add(
      t.name,
      () => {
        feed(fn());
      },
      t.beforeEach ? { beforeEach: t.beforeEach } : {},
    );
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (r.state !== 'completed') throw new Error(`bench task ${t.name} did not complete (${r.state})`);
    const samples = r.latency.samples ? Array.from(r.latency.samples) : [];
    out.set(t.name, { p50: r.latency.p50, mean: r.latency.mean, samples });
  }
  return out;
}

const REFERENCE = '__reference__';

/**
 * Times a scenario: `settings.rounds` rounds of reference + methods, in that order each round.
 * @example
 * const r = await measureScenario({ suite: 'plan', scenario: 'ch-1500', params: {}, methods }, settings);
 */
export async function measureScenario(spec: ScenarioSpec, settings: Settings): Promise<ScenarioResult> {
  const tasks: Task[] = [
    { name: REFERENCE, fn: referenceWorkload, minIterations: settings.minIterations, warmup: true },
    ...spec.methods.map((m) => ({
      name: m.name,
      fn: m.role === 'subject' || m.role === 'info' ? withSlowdown(m.fn, settings.slowdown) : m.fn,
      minIterations: m.minIterations ?? settings.minIterations,
      beforeEach: m.beforeEach,
      warmup: m.warmup ?? true,
    })),
  ];
  const rounds: Map<string, RoundFigures>[] = [];
  for (let r = 0; r < settings.rounds; r++) rounds.push(await runRound(tasks, settings));

  const msToNs = 1e6;
  const refP50s = rounds.map((r) => r.get(REFERENCE)!.p50 * msToNs);
  const refMeans = rounds.map((r) => r.get(REFERENCE)!.mean * msToNs);
  const methods: MethodResult[] = spec.methods.map((m) => {
    const ops = m.opsPerCall ?? 1;
    const perRound = rounds.map((r) => r.get(m.name)!);
    const pooled = Float64Array.from(perRound.flatMap((f) => f.samples)).sort();
    const p50s = perRound.map((f) => (f.p50 * msToNs) / ops);
    const means = perRound.map((f) => (f.mean * msToNs) / ops);
    const meanNs = means.reduce((a, b) => a + b, 0) / means.length;
    return {
      name: m.name,
      role: m.role,
      opsPerCall: ops,
      samples: pooled.length,
      p50Ns: (quantile(pooled, 0.5) * msToNs) / ops,
      p99Ns: (quantile(pooled, 0.99) * msToNs) / ops,
      meanNs,
      opsPerSec: 1e9 / meanNs,
      spread: { p50MinNs: Math.min(...p50s), p50MaxNs: Math.max(...p50s) },
      ratios: {
        vsReference: {
          p50: median(p50s.map((p, i) => p / refP50s[i]!)),
          min: Math.min(...p50s.map((p, i) => p / refP50s[i]!)),
          mean: median(means.map((p, i) => p / refMeans[i]!)),
        },
        vsNaive: null,
      },
    };
  });
  const naive = methods.find((m) => m.role === 'naive');
  if (naive) {
    for (const m of methods) m.ratios.vsNaive = { p50: m.p50Ns / naive.p50Ns, p99: m.p99Ns / naive.p99Ns };
  }
  return {
    suite: spec.suite,
    scenario: spec.scenario,
    params: spec.params,
    reference: {
      p50Ns: median(refP50s),
      spread: { p50MinNs: Math.min(...refP50s), p50MaxNs: Math.max(...refP50s) },
    },
    methods,
    figures: spec.figures ?? {},
  };
}
