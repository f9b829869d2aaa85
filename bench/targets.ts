/** DESIGN.md §4 / issue 11 targets, checked against a run's scenario results. */
import type { MethodResult, ScenarioResult, TargetResult } from './schema.js';

function find(results: readonly ScenarioResult[], suite: string, scenario: string, method: string) {
  const s = results.find((r) => r.suite === suite && r.scenario === scenario);
  return { scenario: s, method: s?.methods.find((m) => m.name === method) };
}

const us = (ns: number) => `${(ns / 1000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
const perSec = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const NOT_MEASURED = 'not measured in this run';

function latency(
  results: readonly ScenarioResult[],
  what: string,
  target: string,
  suite: string,
  scenario: string,
  method: string,
  test: (m: MethodResult, s: ScenarioResult) => [string, boolean],
): TargetResult {
  const { scenario: s, method: m } = find(results, suite, scenario, method);
  if (!s || !m) return { what, target, measured: NOT_MEASURED, met: null };
  const [measured, met] = test(m, s);
  return { what, target, measured, met };
}

/** How many times faster the subject is than `peer` at p50 or p99 (same run, same scenario). */
function speedup(s: ScenarioResult, m: MethodResult, peer: string, at: 'p50Ns' | 'p99Ns'): number {
  const p = s.methods.find((x) => x.name === peer);
  return p ? p[at] / m[at] : Number.NaN;
}

/** Every target with its measured figure (`met: null` when the run did not cover it). */
export function evaluateTargets(results: readonly ScenarioResult[]): TargetResult[] {
  const out: TargetResult[] = [];
  out.push(
    latency(
      results,
      'full plan, CH-1,500',
      'p50 ≤ 5 µs, p99 ≤ 15 µs, ≥ 3× faster than rbush at p50',
      'plan',
      'ch-1500',
      'crowd-dispatch',
      (m, s) => {
        const x = speedup(s, m, 'rbush', 'p50Ns');
        return [
          `p50 ${us(m.p50Ns)}, p99 ${us(m.p99Ns)}, ${x.toFixed(2)}× rbush at p50`,
          m.p50Ns <= 5000 && m.p99Ns <= 15_000 && x >= 3,
        ];
      },
    ),
  );
  out.push(
    latency(
      results,
      'full plan, world-100,000',
      'p99 ≤ 20 µs and ≥ 5× faster than rbush at p99',
      'plan',
      'world-100k',
      'crowd-dispatch',
      (m, s) => {
        const x = speedup(s, m, 'rbush', 'p99Ns');
        return [`p99 ${us(m.p99Ns)}, ${x.toFixed(2)}× rbush at p99`, m.p99Ns <= 20_000 && x >= 5];
      },
    ),
  );
  out.push(
    latency(
      results,
      'full plan, world-1,000,000',
      'p99 ≤ 0.5 ms',
      'plan',
      'world-1m',
      'crowd-dispatch',
      (m) => [`p99 ${us(m.p99Ns)}`, m.p99Ns <= 500_000],
    ),
  );
  const moves = results.filter((r) => r.suite === 'fleet' && r.methods.some((m) => m.name === 'move'));
  const moveOf = (r: ScenarioResult) => r.methods.find((m) => m.name === 'move')!;
  const move100k = moves.find((r) => r.scenario === 'world-100k');
  out.push({
    what: 'move one technician',
    target: '≤ 0.2 µs at p50, world-100k',
    measured:
      moves.length === 0
        ? NOT_MEASURED
        : moves.map((r) => `${r.scenario} p50 ${us(moveOf(r).p50Ns)} (batches of 1,024)`).join(', '),
    met: move100k ? moveOf(move100k).p50Ns <= 200 : null,
  });
  const mem = results.filter((r) => r.suite === 'fleet' && r.figures.heapBytesPerTechnician !== undefined);
  const worst = Math.max(...mem.map((r) => r.figures.heapBytesPerTechnician!));
  out.push({
    what: 'memory',
    target: '≤ 150 bytes per technician, ids included',
    measured:
      mem.length === 0
        ? NOT_MEASURED
        : mem
            .map(
              (r) =>
                `${r.scenario} ${Math.round(r.figures.heapBytesPerTechnician!)} B heap (${Math.round(r.figures.typedArrayBytesPerTechnician ?? Number.NaN)} B in typed arrays)`,
            )
            .join(', '),
    met: mem.length === 0 || Number.isNaN(worst) ? null : worst <= 150,
  });
  const dispatch = results.find((r) => r.suite === 'dispatch' && r.scenario === 'world-100k-10k-jobs');
  const ev = dispatch?.methods.find((m) => m.name === 'events');
  out.push({
    what: 'live dispatch mix (accept / decline / advance)',
    target: '≥ 200,000 events/s on one core',
    measured: ev ? `${perSec(ev.opsPerSec)} events` : NOT_MEASURED,
    met: ev ? ev.opsPerSec >= 200_000 : null,
  });
  const replay = dispatch?.methods.find((m) => m.name === 'replay');
  out.push({
    what: 'replay of the event log',
    target: '≥ 1,000,000 events/s',
    measured: replay ? `${perSec(replay.opsPerSec)} events` : NOT_MEASURED,
    met: replay ? replay.opsPerSec >= 1_000_000 : null,
  });
  // The simulator's targets: mean CPU time of one whole run.
  const simTarget = (scenario: string, what: string, target: string, withinNs: number) => {
    const sim = results
      .find((r) => r.suite === 'simulator' && r.scenario === scenario)
      ?.methods.find((m) => m.role === 'subject');
    out.push({
      what,
      target,
      measured: sim ? `${(sim.meanNs / 1e9).toFixed(2)} s` : NOT_MEASURED,
      met: sim ? sim.meanNs <= withinNs : null,
    });
  };
  simTarget('ch-week', 'simulate one week of Swiss demand', '≤ 0.5 s on one core', 5e8);
  simTarget('ch-year-low-demand', 'simulate a year of the low-demand scenario', '< 10 s on one core', 1e10);
  return out;
}
