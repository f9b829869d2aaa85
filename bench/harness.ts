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
  /**
   * `wall`: per-call wall time (per-call p50/p99; right for calls of a few µs, which a busy machine
   * rarely preempts). `cpu`: the process's CPU time (1 µs resolution, ~4 µs per reading), for calls
   * of 0.2 ms and more, whose wall time on a shared machine mostly measures the neighbours.
   * @default 'wall'
   */
  clock?: Clock;
}

/** How a method's calls are timed (see {@link MethodSpec.clock}). */
export type Clock = 'wall' | 'cpu';

/** CPU time of this process (user + system), as a tinybench timestamp provider (µs ticks). */
const CPU_CLOCK = {
  name: 'cpuUsage',
  fn: (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  toMs: (v: number | bigint): number => Number(v) / 1000,
  fromMs: (ms: number): number => ms * 1000,
};

/** Reference calls per timed call when the reference runs on the CPU clock (≈ 0.2 ms a call). */
const REF_CPU_BATCH = 16;

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
export function withSlowdown(fn: () => unknown, share: number, clock: Clock = 'wall'): () => unknown {
  if (!(share > 0)) return fn;
  const perMs = 1 / burnMsPerIteration();
  const now = clock === 'cpu' ? () => CPU_CLOCK.fn() / 1000 : () => performance.now();
  return () => {
    const t0 = now();
    const r = fn();
    burn(Math.round((now() - t0) * share * perMs));
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
  clock: Clock;
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
      timestampProvider: t.clock === 'cpu' ? CPU_CLOCK : 'hrtimeNow',
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
const REFERENCE_CPU = '__reference_cpu__';

/**
 * Times a scenario: `settings.rounds` rounds of reference + methods, in that order each round.
 * @example
 * const r = await measureScenario({ suite: 'plan', scenario: 'ch-1500', params: {}, methods }, settings);
 */
export async function measureScenario(spec: ScenarioSpec, settings: Settings): Promise<ScenarioResult> {
  const usesCpu = spec.methods.some((m) => m.clock === 'cpu');
  const tasks: Task[] = [
    {
      name: REFERENCE,
      fn: referenceWorkload,
      minIterations: settings.minIterations,
      warmup: true,
      clock: 'wall',
    },
    ...(usesCpu
      ? [
          {
            name: REFERENCE_CPU,
            fn: () => {
              let x = 0;
              for (let i = 0; i < REF_CPU_BATCH; i++) x += referenceWorkload();
              return x;
            },
            minIterations: settings.minIterations,
            warmup: true,
            clock: 'cpu' as const,
          },
        ]
      : []),
    ...spec.methods.map((m) => {
      const clock = m.clock ?? 'wall';
      const gated = m.role === 'subject' || m.role === 'info';
      return {
        name: m.name,
        fn: gated ? withSlowdown(m.fn, settings.slowdown, clock) : m.fn,
        minIterations: m.minIterations ?? settings.minIterations,
        beforeEach: m.beforeEach,
        warmup: m.warmup ?? true,
        clock,
      };
    }),
  ];
  const rounds: Map<string, RoundFigures>[] = [];
  for (let r = 0; r < settings.rounds; r++) rounds.push(await runRound(tasks, settings));

  const msToNs = 1e6;
  const refP50s = rounds.map((r) => r.get(REFERENCE)!.p50 * msToNs);
  const refMeans = rounds.map((r) => r.get(REFERENCE)!.mean * msToNs);
  const cpuRef = (key: 'p50' | 'mean') =>
    usesCpu ? rounds.map((r) => (r.get(REFERENCE_CPU)![key] * msToNs) / REF_CPU_BATCH) : [];
  const refCpuP50s = cpuRef('p50');
  const refCpuMeans = cpuRef('mean');
  const methods: MethodResult[] = spec.methods.map((m) => {
    const ops = m.opsPerCall ?? 1;
    const perRound = rounds.map((r) => r.get(m.name)!);
    const pooled = Float64Array.from(perRound.flatMap((f) => f.samples)).sort();
    const p50s = perRound.map((f) => (f.p50 * msToNs) / ops);
    const means = perRound.map((f) => (f.mean * msToNs) / ops);
    const meanNs = means.reduce((a, b) => a + b, 0) / means.length;
    const clock = m.clock ?? 'wall';
    const refP50 = clock === 'cpu' ? refCpuP50s : refP50s;
    const refMean = clock === 'cpu' ? refCpuMeans : refMeans;
    return {
      name: m.name,
      role: m.role,
      clock,
      opsPerCall: ops,
      samples: pooled.length,
      p50Ns: (quantile(pooled, 0.5) * msToNs) / ops,
      p99Ns: (quantile(pooled, 0.99) * msToNs) / ops,
      meanNs,
      opsPerSec: 1e9 / meanNs,
      spread: { p50MinNs: Math.min(...p50s), p50MaxNs: Math.max(...p50s) },
      ratios: {
        vsReference: {
          p50: median(p50s.map((p, i) => p / refP50[i]!)),
          min: Math.min(...p50s.map((p, i) => p / refP50[i]!)),
          mean: median(means.map((p, i) => p / refMean[i]!)),
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
      ...(usesCpu ? { cpuP50Ns: median(refCpuP50s) } : {}),
    },
    methods,
    figures: spec.figures ?? {},
  };
}
