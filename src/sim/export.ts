/**
 * Tabular exports of a comparison and of a run (CSV and JSON Lines), shaped for pandas or
 * Observable: one row per record, flat columns, no reshaping needed.
 */
import { type Comparison, flatten } from './compare.js';

/** One CSV cell: quoted when it holds a comma, a quote or a line break; empty for null/undefined. */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV of every run: policy, seed, then every numeric field of the summary. */
export function runsCsv(c: Comparison): string {
  const keys = flatten(c.runs[0]).map(([k]) => k);
  const lines = c.runs.map((r) => [r.policy, ...flatten(r).map(([, v]) => v)].map(csvCell).join(','));
  return `${['policy', ...keys].map(csvCell).join(',')}\n${lines.join('\n')}\n`;
}

/** CSV of the comparison: metric, policy, seeds, mean, ci95, difference to the first policy and its ci95. */
export function comparisonCsv(c: Comparison): string {
  const rows = ['metric,policy,seeds,mean,ci95,diff_vs_baseline,diff_ci95'];
  for (const m of c.metrics) {
    for (const p of c.policies) {
      const e = m.byPolicy[p]!;
      const d = m.vsBaseline[p]!;
      rows.push([m.key, p, e.n, e.mean, e.ci95, d.mean, d.ci95].map(csvCell).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}
