/** Markdown rendering of a {@link BenchReport} for humans (the JSON is for machines). */
import type { BenchReport, MethodResult, ScenarioResult } from './schema.js';

/** Formats nanoseconds with a fitting unit. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 1000) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function ratio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x < 10 ? x.toPrecision(3) : x.toFixed(1);
}

function row(s: ScenarioResult, m: MethodResult): string {
  const spread = `${formatNs(m.spread.p50MinNs)}–${formatNs(m.spread.p50MaxNs)}`;
  return `| ${s.suite} | ${s.scenario} | ${m.role === 'subject' ? `**${m.name}**` : m.role === 'info' ? `${m.name} (not gated)` : m.name}${m.clock === 'cpu' ? ' ⏱cpu' : ''} | ${formatNs(m.p50Ns)} | ${formatNs(m.p99Ns)} | ${spread} | ${Math.round(m.opsPerSec).toLocaleString('en-US')} | ${ratio(m.ratios.vsReference.p50)} | ${ratio(m.ratios.vsNaive?.p50)} | ${ratio(m.ratios.vsNaive?.p99)} |`;
}

/** The results table, scenario figures and targets as Markdown. */
export function markdownReport(r: BenchReport): string {
  const lines: string[] = [];
  const e = r.environment;
  lines.push(
    `Benchmark (${r.mode}, ${r.settings.rounds} rounds × ${r.settings.timeMs} ms per method) on ${e.cpuModel} (${e.cpus} cores), Node ${e.node}, ${r.createdAt}${r.settings.slowdown ? ` — INJECTED SLOWDOWN ${r.settings.slowdown}` : ''}`,
    '',
    '| suite | scenario | method | p50 | p99 | p50 spread (min–max of rounds) | ops/s | ÷ reference (p50) | ÷ naive (p50) | ÷ naive (p99) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of r.scenarios) for (const m of s.methods) lines.push(row(s, m));
  lines.push('', '| suite | scenario | reference p50 (spread) | figures |', '| --- | --- | ---: | --- |');
  for (const s of r.scenarios) {
    const figures = Object.entries(s.figures)
      .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`)
      .join(', ');
    lines.push(
      `| ${s.suite} | ${s.scenario} | ${formatNs(s.reference.p50Ns)} (${formatNs(s.reference.spread.p50MinNs)}–${formatNs(s.reference.spread.p50MaxNs)}) | ${figures} |`,
    );
  }
  lines.push('', '| target (DESIGN.md §4) | wanted | measured | met |', '| --- | --- | --- | --- |');
  for (const t of r.targets)
    lines.push(
      `| ${t.what} | ${t.target} | ${t.measured} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`,
    );
  return `${lines.join('\n')}\n`;
}
