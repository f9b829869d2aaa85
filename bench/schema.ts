/**
 * The benchmark report written by `npm run bench` (`bench/results/latest.json`) and stored as a
 * baseline (`bench/baseline.json`). Times are nanoseconds per operation. Bump
 * {@link REPORT_VERSION} on any incompatible change; `bench:check` refuses a baseline of another
 * version.
 */

/** Version of the report format. */
export const REPORT_VERSION = 2;

/** Identifies the format. */
export const REPORT_SCHEMA = 'crowd-dispatch/bench-report';

/** What a method is, relative to the scenario. */
export type MethodRole =
  /** crowd-dispatch's own code: the gate checks these. */
  | 'subject'
  /** The naive baseline (ratios `vsNaive` divide by it). */
  | 'naive'
  /** A peer library baseline, reported side by side, never gated. */
  | 'peer'
  /** crowd-dispatch's own figure, reported but not gated (too workload-dependent to compare run to run). */
  | 'info';

/** Figures of one method in one scenario, over all rounds. */
export interface MethodResult {
  /** e.g. `crowd-dispatch`, `linear`, `rbush`, `geokdbush`, `move`. */
  name: string;
  role: MethodRole;
  /** `wall`: per-call wall time; `cpu`: process CPU time (long calls, immune to preemption). */
  clock: 'wall' | 'cpu';
  /** Operations per timed call (batched micro-operations such as moves); figures are per operation. */
  opsPerCall: number;
  /** Timed calls over all rounds. */
  samples: number;
  /** Median latency per operation, pooled over all rounds, ns. */
  p50Ns: number;
  /** 99th percentile latency per operation, pooled over all rounds, ns. */
  p99Ns: number;
  /** Mean latency per operation, ns. */
  meanNs: number;
  /** Operations per second (1e9 / mean). */
  opsPerSec: number;
  /** Min and max of the per-round medians, ns: how noisy the run was. */
  spread: { p50MinNs: number; p50MaxNs: number };
  ratios: {
    /**
     * Per round, this method's median ÷ the reference workload's median in the same round; `p50`
     * is the median of those ratios over the rounds and `min` the least (the round where both ran
     * alike: contention only ever adds time). `mean` is the median of the per-round mean ratios.
     * Machine speed cancels out; the gate compares `min` by default.
     */
    vsReference: { p50: number; min: number; mean: number };
    /** This method's p50 and p99 divided by the naive baseline's (null when the scenario has none). */
    vsNaive: { p50: number; p99: number } | null;
  };
}

/** One scenario of one suite (e.g. `plan` / `ch-1500`). */
export interface ScenarioResult {
  suite: string;
  scenario: string;
  /** What the scenario was built from (technicians, jobs, seeds…). */
  params: Record<string, number | string>;
  /** The fixed reference workload measured in the same rounds. */
  reference: {
    p50Ns: number;
    spread: { p50MinNs: number; p50MaxNs: number };
    /** The reference on the CPU clock, per call (ratios of `cpu` methods divide by it). */
    cpuP50Ns?: number;
  };
  methods: MethodResult[];
  /** Scenario figures that are not latencies (bytes per technician, candidates per job…). */
  figures: Record<string, number>;
}

/** A DESIGN.md target, checked against this run. */
export interface TargetResult {
  what: string;
  target: string;
  measured: string;
  /** null when this run did not measure it (suite or scenario not selected, quick mode). */
  met: boolean | null;
}

/** The whole report. */
export interface BenchReport {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  /** ISO time the run finished (reports only; never read by the library). */
  createdAt: string;
  mode: 'quick' | 'full';
  settings: {
    rounds: number;
    timeMs: number;
    warmupMs: number;
    /** Suites and scenarios selected (all when empty). */
    suites: string[];
    scenarios: string[];
    /** Injected slowdown (test-only switch `CROWD_DISPATCH_BENCH_SLOWDOWN`), 0 normally. */
    slowdown: number;
    /** Runs merged into this report (ratios are medians over them); absent for a single run. */
    repeat?: number;
  };
  environment: {
    node: string;
    v8: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    totalMemMb: number;
    /** `git rev-parse HEAD` when available. */
    commit: string | null;
  };
  scenarios: ScenarioResult[];
  targets: TargetResult[];
  /** Sum of results kept alive against dead-code elimination (meaningless, but must be finite). */
  sink: number;
}
