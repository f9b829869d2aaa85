/** DESIGN.md §4 targets, checked against a run's scenario results. */
import type { MethodResult, ScenarioResult, TargetResult } from './schema.js';

function find(results: readonly ScenarioResult[], suite: string, scenario: string, method: string) {
  const s = results.find((r) => r.suite === suite && r.scenario === scenario);
  return { scenario: s, method: s?.methods.find((m) => m.name === method) };
}

const us = (ns: number) => `${(ns / 1000).toFixed(ns < 10_000 ? 2 : 1)} µs`;

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
  if (!s || !m) return { what, target, measured: 'not measured in this run', met: null };
  const [measured, met] = test(m, s);
  return { what, target, measured, met };
}

/** Every target with its measured figure (`met: null` when the run did not cover it). */
export function evaluateTargets(results: readonly ScenarioResult[]): TargetResult[] {
  const out: TargetResult[] = [];
  out.push(
    latency(
      results,
      'full plan, CH-1,500',
      'p50 ≤ 5 µs, p99 ≤ 15 µs',
      'plan',
      'ch-1500',
      'crowd-dispatch',
      (m) => [`p50 ${us(m.p50Ns)}, p99 ${us(m.p99Ns)}`, m.p50Ns <= 5000 && m.p99Ns <= 15_000],
    ),
  );
  out.push(
    latency(
      results,
      'full plan, world-100,000',
      'p99 ≤ 20 µs and ≥ 5× faster than rbush',
      'plan',
      'world-100k',
      'crowd-dispatch',
      (m, s) => {
        const rb = s.methods.find((x) => x.name === 'rbush');
        const speedup = rb ? rb.p99Ns / m.p99Ns : Number.NaN;
        return [
          `p99 ${us(m.p99Ns)}, ${speedup.toFixed(1)}× faster than rbush at p99`,
          m.p99Ns <= 20_000 && speedup >= 5,
        ];
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
  if (moves.length === 0) {
    out.push({
      what: 'move one technician',
      target: '≤ 2 µs amortised',
      measured: 'not measured in this run',
      met: null,
    });
  } else {
    const moveNs = (r: ScenarioResult) => r.methods.find((m) => m.name === 'move')!.meanNs;
    out.push({
      what: 'move one technician',
      target: '≤ 2 µs amortised',
      measured: moves.map((r) => `${r.scenario} ${us(moveNs(r))} (mean of batches)`).join(', '),
      met: Math.max(...moves.map(moveNs)) <= 2000,
    });
  }
  const mem = results.filter((r) => r.suite === 'fleet' && r.figures.heapBytesPerTechnician !== undefined);
  if (mem.length === 0) {
    out.push({
      what: 'memory',
      target: '≤ 200 bytes per technician, ids included',
      measured: 'not measured in this run',
      met: null,
    });
  } else {
    const worst = Math.max(...mem.map((r) => r.figures.heapBytesPerTechnician!));
    out.push({
      what: 'memory',
      target: '≤ 200 bytes per technician, ids included',
      measured: mem
        .map(
          (r) =>
            `${r.scenario} ${Math.round(r.figures.heapBytesPerTechnician!)} B heap (${Math.round(r.figures.typedArrayBytesPerTechnician ?? Number.NaN)} B in typed arrays)`,
        )
        .join(', '),
      met: Number.isNaN(worst) ? null : worst <= 200,
    });
  }
  const events = results.find((r) => r.suite === 'dispatch');
  const ev = events?.methods.find((m) => m.name === 'events');
  out.push({
    what: 'accept / decline / advance',
    target: '≥ 200k events/s on one core',
    measured: ev
      ? `${Math.round(ev.opsPerSec).toLocaleString('en-US')} events/s (${ev.name})`
      : 'not measured in this run',
    met: ev ? ev.opsPerSec >= 200_000 : null,
  });
  const sim = results
    .find((r) => r.suite === 'simulator' && r.scenario === 'ch-week')
    ?.methods.find((m) => m.role === 'subject');
  out.push({
    what: 'simulate one week of Swiss demand',
    target: '≤ 2 s on one core',
    measured: sim ? `${(sim.meanNs / 1e9).toFixed(2)} s` : 'not measured in this run',
    met: sim ? sim.meanNs <= 2e9 : null,
  });
  return out;
}
