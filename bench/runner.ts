/**
 * Runs selected suites and scenarios into a {@link BenchReport}. The CLIs (`run.ts`, `check.ts`)
 * and the gate's self-test call {@link runBench}; nothing here parses arguments or prints tables.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { measureScenario, median, type Settings, sink } from './harness.js';
import {
  type BenchReport,
  type MethodRole,
  REPORT_SCHEMA,
  REPORT_VERSION,
  type ScenarioResult,
} from './schema.js';
import type { SuiteDef } from './suites/common.js';
import { fleetSuite } from './suites/fleet.js';
import { planSuite } from './suites/plan.js';
import { evaluateTargets } from './targets.js';

/** Every suite, in run order. Suites whose code has not landed yet are added by `extraSuites()`. */
export async function allSuites(): Promise<SuiteDef[]> {
  const suites: SuiteDef[] = [planSuite, fleetSuite];
  const { extraSuites } = await import('./suites/extra.js');
  suites.push(...(await extraSuites()));
  return suites;
}

/**
 * Mode presets. Quick is the CI gate (a couple of minutes): many short rounds, so that each
 * reference/method pair runs close together in time; full is for the README's figures.
 */
export const MODES: Record<'quick' | 'full', Omit<Settings, 'slowdown'>> = {
  quick: { rounds: 10, timeMs: 60, warmupMs: 20, minIterations: 16 },
  full: { rounds: 10, timeMs: 500, warmupMs: 150, minIterations: 64 },
};

/** Options of {@link runBench}. */
export interface RunOptions {
  mode: 'quick' | 'full';
  /** Suite names (all when empty). */
  suites?: readonly string[];
  /** Scenario names (all of the mode when empty). Naming a full-only scenario runs it in quick mode too. */
  scenarios?: readonly string[];
  /** Exact suite/scenario pairs to run (overrides `suites` and `scenarios`); the gate re-runs these. */
  pairs?: readonly { suite: string; scenario: string }[];
  /** Only these methods (by name) are timed; all when empty. The gate's self-test times only the subject. */
  methods?: readonly string[];
  /** Only methods of these roles are timed (the gate times only `subject`); all when empty. */
  roles?: readonly MethodRole[];
  /** Overrides of the mode's settings. */
  settings?: Partial<Settings>;
  /** Called as each scenario starts and ends (progress output). */
  onProgress?: (message: string) => void;
}

/** The slowdown switch of the gate's self-test: `CROWD_DISPATCH_BENCH_SLOWDOWN=0.25`. Only the harness reads it. */
export function slowdownFromEnv(): number {
  const raw = process.env.CROWD_DISPATCH_BENCH_SLOWDOWN;
  if (raw === undefined || raw === '') return 0;
  const x = Number(raw);
  if (!(x >= 0 && x < 10)) {
    throw new Error(
      `CROWD_DISPATCH_BENCH_SLOWDOWN is '${raw}'; set a share such as 0.25 (25 % slower), or unset it.`,
    );
  }
  return x;
}

/** Runs the selected scenarios and returns the report. */
export async function runBench(options: RunOptions): Promise<BenchReport> {
  const settings: Settings = { ...MODES[options.mode], slowdown: slowdownFromEnv(), ...options.settings };
  const suites = await allSuites();
  const wantSuites = new Set(options.suites ?? []);
  const wantScenarios = new Set(options.scenarios ?? []);
  for (const s of wantSuites) {
    if (!suites.some((x) => x.name === s)) {
      throw new Error(`unknown suite '${s}'; choose from ${suites.map((x) => x.name).join(', ')}.`);
    }
  }
  const results: ScenarioResult[] = [];
  for (const suite of suites) {
    if (!options.pairs && wantSuites.size > 0 && !wantSuites.has(suite.name)) continue;
    for (const sc of suite.scenarios) {
      const picked = options.pairs
        ? options.pairs.some((p) => p.suite === suite.name && p.scenario === sc.name)
        : wantScenarios.size > 0
          ? wantScenarios.has(sc.name)
          : options.mode === 'full' || sc.quick;
      if (!picked) continue;
      options.onProgress?.(`${suite.name} / ${sc.name}: building…`);
      const t0 = performance.now();
      const spec = sc.build();
      if (options.methods && options.methods.length > 0) {
        spec.methods = spec.methods.filter((m) => options.methods!.includes(m.name));
      }
      if (options.roles && options.roles.length > 0) {
        spec.methods = spec.methods.filter((m) => options.roles!.includes(m.role));
      }
      options.onProgress?.(
        `${suite.name} / ${sc.name}: measuring ${spec.methods.length} methods × ${settings.rounds} rounds…`,
      );
      results.push(await measureScenario(spec, settings));
      options.onProgress?.(
        `${suite.name} / ${sc.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  }
  if (results.length === 0) {
    throw new Error(
      'no scenario selected; check --suite and --scenario (quick mode skips full-only scenarios unless named).',
    );
  }
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    mode: options.mode,
    settings: {
      rounds: settings.rounds,
      timeMs: settings.timeMs,
      warmupMs: settings.warmupMs,
      suites: [...wantSuites],
      scenarios: [...wantScenarios],
      slowdown: settings.slowdown,
    },
    environment: environment(),
    scenarios: results,
    targets: evaluateTargets(results),
    sink: Number.isFinite(sink.value) ? sink.value % 1e9 : 0,
  };
}

function environment(): BenchReport['environment'] {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = null;
  }
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    commit,
  };
}

/**
 * Merges repeated runs of the same selection: the first run's figures, with every ratio replaced by
 * its median over the runs (used by `bench:baseline`, which runs the quick mode three times).
 */
export function medianOfRuns(runs: readonly BenchReport[]): BenchReport {
  const [first] = runs;
  if (!first) throw new Error('medianOfRuns: no runs; pass at least one report.');
  if (runs.length === 1) return first;
  const out: BenchReport = structuredClone(first);
  for (const s of out.scenarios) {
    for (const m of s.methods) {
      const same = runs.map(
        (r) =>
          r.scenarios
            .find((x) => x.suite === s.suite && x.scenario === s.scenario)
            ?.methods.find((x) => x.name === m.name)?.ratios.vsReference,
      );
      if (same.some((x) => x === undefined)) continue;
      for (const k of ['p50', 'min', 'mean'] as const)
        m.ratios.vsReference[k] = median(same.map((x) => x![k]));
    }
  }
  out.settings.repeat = runs.length;
  return out;
}
