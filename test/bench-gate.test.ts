/**
 * Self-test of the performance gate: with stub runs it checks the decision logic (threshold,
 * best-of-retries, missing scenarios); with the real harness on a tiny setting it injects a real
 * 25 % slowdown through the test-only switch `CROWD_DISPATCH_BENCH_SLOWDOWN` and shows that the
 * gate fails on it and passes on an unchanged run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gateMarkdown, type PairRunner, runGate } from '../bench/gate.js';
import { withSlowdown } from '../bench/harness.js';
import { runBench } from '../bench/runner.js';
import { type BenchReport, REPORT_SCHEMA, REPORT_VERSION } from '../bench/schema.js';

function fakeReport(ratios: Record<string, number>): BenchReport {
  const scenarios = Object.entries(ratios).map(([key, r]) => {
    const [suite, scenario, method] = key.split('/') as [string, string, string];
    return {
      suite,
      scenario,
      params: {},
      reference: { p50Ns: 1000, spread: { p50MinNs: 1000, p50MaxNs: 1000 } },
      methods: [
        {
          name: method,
          role: 'subject' as const,
          clock: 'wall' as const,
          opsPerCall: 1,
          samples: 100,
          p50Ns: r * 1000,
          p99Ns: r * 2000,
          meanNs: r * 1100,
          opsPerSec: 1e9 / (r * 1100),
          spread: { p50MinNs: r * 1000, p50MaxNs: r * 1000 },
          ratios: { vsReference: { p50: r * 1.02, min: r, mean: r * 1.1 }, vsNaive: null },
        },
      ],
      figures: {},
    };
  });
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    mode: 'quick',
    settings: { rounds: 1, timeMs: 1, warmupMs: 0, suites: [], scenarios: [], slowdown: 0 },
    environment: {
      node: 'v20',
      v8: '',
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      cpuModel: 'test',
      totalMemMb: 1,
      commit: null,
    },
    scenarios,
    targets: [],
    sink: 0,
  };
}

/** A runner that answers each call with the next of `answers`, recording what was asked. */
function scripted(answers: Record<string, number>[]): { run: PairRunner; calls: string[][] } {
  const calls: string[][] = [];
  let i = 0;
  const run: PairRunner = async (pairs) => {
    calls.push(pairs.map((p) => `${p.suite}/${p.scenario}`));
    const all = answers[Math.min(i++, answers.length - 1)]!;
    const wanted = Object.fromEntries(
      Object.entries(all).filter(([k]) => pairs.some((p) => k.startsWith(`${p.suite}/${p.scenario}/`))),
    );
    return fakeReport(wanted);
  };
  return { run, calls };
}

describe('gate decision', () => {
  const baseline = fakeReport({ 'plan/ch-1500/crowd-dispatch': 2, 'fleet/ch-10000/move': 0.03 });

  it('passes when every ratio stays within the threshold', async () => {
    const { run, calls } = scripted([{ 'plan/ch-1500/crowd-dispatch': 2.15, 'fleet/ch-10000/move': 0.0301 }]);
    const g = await runGate(baseline, run, { threshold: 0.1 });
    expect(g.passed).toBe(true);
    expect(calls).toHaveLength(1);
    expect(g.comparisons.find((c) => c.method === 'crowd-dispatch')!.change).toBeCloseTo(0.075, 6);
  });

  it('re-runs only the suspect scenario and passes when the re-run is back to normal', async () => {
    const { run, calls } = scripted([
      { 'plan/ch-1500/crowd-dispatch': 2.6, 'fleet/ch-10000/move': 0.03 },
      { 'plan/ch-1500/crowd-dispatch': 2.02 },
    ]);
    const g = await runGate(baseline, run, { threshold: 0.1, retries: 2 });
    expect(calls).toEqual([['plan/ch-1500', 'fleet/ch-10000'], ['plan/ch-1500']]);
    expect(g.passed).toBe(true);
    expect(g.comparisons.find((c) => c.method === 'crowd-dispatch')!.attempts).toBe(2);
  });

  it('fails when the regression survives every re-run, and says by how much', async () => {
    const { run, calls } = scripted([
      { 'plan/ch-1500/crowd-dispatch': 2.5, 'fleet/ch-10000/move': 0.03 },
      { 'plan/ch-1500/crowd-dispatch': 2.45 },
      { 'plan/ch-1500/crowd-dispatch': 2.55 },
    ]);
    const g = await runGate(baseline, run, { threshold: 0.1, retries: 2 });
    expect(calls).toHaveLength(3);
    expect(g.passed).toBe(false);
    const c = g.comparisons.find((x) => x.regressed)!;
    expect(c.method).toBe('crowd-dispatch');
    expect(c.change).toBeCloseTo(0.225, 6); // best of the three attempts: 2.45 / 2
    expect(gateMarkdown(g)).toContain('plan/ch-1500/crowd-dispatch +22.5 %');
  });

  it('honours a custom threshold and fails on a subject the run did not measure', async () => {
    const loose = await runGate(
      baseline,
      scripted([{ 'plan/ch-1500/crowd-dispatch': 2.5, 'fleet/ch-10000/move': 0.03 }]).run,
      {
        threshold: 0.3,
      },
    );
    expect(loose.passed).toBe(true);
    const missing = await runGate(baseline, scripted([{ 'plan/ch-1500/crowd-dispatch': 2 }]).run, {
      retries: 0,
    });
    expect(missing.passed).toBe(false);
    expect(missing.missing).toEqual(['fleet/ch-10000/move']);
  });

  it('rejects nonsense options', async () => {
    await expect(runGate(baseline, scripted([{}]).run, { threshold: 0 })).rejects.toThrow(/threshold/);
    await expect(runGate(baseline, scripted([{}]).run, { retries: -1 })).rejects.toThrow(/retries/);
  });
});

describe('withSlowdown', () => {
  it('makes each call take about (1 + share) times as long', () => {
    const work = () => {
      let x = 0;
      for (let i = 0; i < 20_000; i++) x += Math.sqrt(i);
      return x;
    };
    const time = (fn: () => unknown) => {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) fn();
      return performance.now() - t0;
    };
    const slow = withSlowdown(work, 0.5);
    let plain = Number.POSITIVE_INFINITY;
    let slowed = Number.POSITIVE_INFINITY;
    for (let trial = 0; trial < 9; trial++) {
      plain = Math.min(plain, time(work));
      slowed = Math.min(slowed, time(slow));
    }
    expect(slowed / plain).toBeGreaterThan(1.3);
    expect(slowed / plain).toBeLessThan(1.8);
  });
});

describe('gate on the real harness (tiny settings)', () => {
  const tiny = { rounds: 5, timeMs: 40, warmupMs: 15, minIterations: 16 };
  const run: PairRunner = (pairs) =>
    runBench({ mode: 'quick', pairs, methods: ['crowd-dispatch'], settings: tiny });

  afterEach(() => {
    delete process.env.CROWD_DISPATCH_BENCH_SLOWDOWN;
  });

  it('fails on an injected 25 % slowdown and passes on an unchanged run', async () => {
    const baseline = await run([{ suite: 'plan', scenario: 'ch-1500' }]);
    expect(baseline.scenarios[0]!.methods.map((m) => m.name)).toEqual(['crowd-dispatch']);

    process.env.CROWD_DISPATCH_BENCH_SLOWDOWN = '0.25';
    const slowed = await runGate(baseline, run, { threshold: 0.1, retries: 1 });
    expect(slowed.run.settings.slowdown).toBe(0.25);
    console.log(`injected 25 %: measured ${(slowed.comparisons[0]!.change * 100).toFixed(1)} %`);
    expect(slowed.passed).toBe(false);
    expect(slowed.comparisons[0]!.change).toBeGreaterThan(0.1);

    delete process.env.CROWD_DISPATCH_BENCH_SLOWDOWN;
    const unchanged = await runGate(baseline, run, { threshold: 0.1, retries: 2 });
    expect(unchanged.run.settings.slowdown).toBe(0);
    console.log(`unchanged: measured ${(unchanged.comparisons[0]!.change * 100).toFixed(1)} %`);
    expect(unchanged.passed, gateMarkdown(unchanged)).toBe(true);
  });
});
