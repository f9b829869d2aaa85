/**
 * The timed gate's decision logic with scripted runs (threshold, best-of-retries, missing
 * scenarios). Its behaviour on real timings is a property of the machine, not of the code, so it is
 * measured by `bench/gate-stability.sh` and documented, not asserted here (timed unit tests flake
 * on shared machines); the blocking gate's self-test on real code is `bench-instructions.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { gateMarkdown, type PairRunner, runGate } from '../bench/gate.js';
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
