/**
 * The HTML report of a comparison: a table of the headline metrics with 95 % intervals and the
 * charts rendered to SVG in Node (Vega-Lite → Vega → `View.toSVG()` with no renderer), inlined, so
 * the file opens anywhere without a network.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { type Comparison, KEY_METRICS } from '../sim/compare.js';
import type { City } from '../sim/scenario.js';
import type { Estimate } from '../sim/stats.js';
import { MIN_SEEDS_FOR_INTERVALS } from './bands.js';
import { type ChartSpec, reportCharts } from './charts.js';
import { technicianTable } from './tables.js';

/** Renders a Vega-Lite spec to an SVG string (no DOM, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const LABELS: Record<string, string> = {
  'timeToAcceptS.p50': 'Time to accept, p50 (s)',
  'timeToAcceptS.p90': 'Time to accept, p90 (s)',
  'timeToAcceptS.p99': 'Time to accept, p99 (s)',
  'timeToFirstAcceptS.p50': 'Time to first accept, p50 (s)',
  acceptedWithin10s: 'Accepted within 10 s',
  acceptedWithin60s: 'Accepted within 60 s',
  fillRate: 'Fill rate',
  servedWithinHour: 'Technician on site within 1 h',
  notificationsPerJob: 'Notifications per job',
  'notificationsPerTechnicianPerDay.mean': 'Notifications per technician per day',
  'travelKm.mean': 'Distance to the job (km)',
  'fairness.friends.awardsGini': 'Friends: Gini of awards',
  'fairness.activeFriends.awardsGini': 'Active Friends: Gini of awards',
  'fairness.friends.awardsTopDecileShare': 'Friends: top 10 % share of awards',
  'fairness.friends.offersGini': 'Friends: Gini of offers',
  'fairness.friends.withoutAward': 'Friends without any award',
  'fairness.friends.awardsPer30Days.max': 'Friends: most awards (per 30 days)',
  'fairness.pros.awardsGini': 'Pros: Gini of awards',
  'bestFriends.notificationsUplift': 'Best Friend uplift: notifications (×)',
  'bestFriends.awardsUplift': 'Best Friend uplift: awards (×)',
  'escalations.jobsEscalatedShare': 'Jobs escalated',
  'unfilled.share': 'Unfilled (handed back)',
};

/** Human label of a metric key. */
export function metricLabel(key: string): string {
  return LABELS[key] ?? key;
}

const PERCENT = new Set([
  'acceptedWithin10s',
  'acceptedWithin60s',
  'fillRate',
  'servedWithinHour',
  'fairness.friends.awardsTopDecileShare',
  'fairness.friends.withoutAward',
  'escalations.jobsEscalatedShare',
  'unfilled.share',
]);

/**
 * Formats a metric value (percentages for shares), with its 95 % half-width when given (callers
 * pass it only from {@link MIN_SEEDS_FOR_INTERVALS} seeds up).
 */
export function formatMetric(key: string, value: number, ci95?: number): string {
  const pct = PERCENT.has(key);
  const f = (x: number) =>
    pct ? `${(x * 100).toFixed(1)} %` : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2);
  if (!Number.isFinite(value)) return '–';
  return ci95 && ci95 > 0 ? `${f(value)} ± ${pct ? (ci95 * 100).toFixed(1) : f(ci95)}` : f(value);
}

/** Formats a paired difference with its sign (percentage points for shares). */
export function formatDiff(key: string, value: number, ci95: number): string {
  if (!Number.isFinite(value)) return '–';
  const pct = PERCENT.has(key);
  const v = pct ? value * 100 : value;
  const c = pct ? ci95 * 100 : ci95;
  const digits = pct ? 1 : Math.abs(v) >= 100 ? 0 : 2;
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±';
  return `${sign}${Math.abs(v).toFixed(digits)}${pct ? ' pt' : ''} ± ${c.toFixed(digits)}`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The interval to show for an estimate: none below {@link MIN_SEEDS_FOR_INTERVALS} seeds. */
function shownCi(e: Estimate): number | undefined {
  return e.n >= MIN_SEEDS_FOR_INTERVALS ? e.ci95 : undefined;
}

/** One cell of a metric table: the mean, ± the 95 % half-width from 3 seeds up. */
export function metricCell(c: Comparison, key: string, policy: string): string {
  const e = c.metrics.find((x) => x.key === key)?.byPolicy[policy];
  return e ? formatMetric(key, e.mean, shownCi(e)) : '–';
}

/** The sentence every table carries: how many seeds, and what ± means. */
export function seedsNote(c: Comparison): string {
  const n = c.seeds.length;
  return n >= MIN_SEEDS_FOR_INTERVALS
    ? `mean over ${n} seeds ± 95 % half-width`
    : `mean over ${n} seed${n > 1 ? 's' : ''}; no interval below ${MIN_SEEDS_FOR_INTERVALS} seeds`;
}

/** A Markdown table of the headline metrics (used for the README and the terminal). */
export function markdownTable(c: Comparison, keys: readonly string[] = KEY_METRICS): string {
  const head = `| metric (${seedsNote(c)}) | ${c.policies.join(' | ')} |\n| --- |${c.policies.map(() => ' ---: |').join('')}`;
  const rows = keys.map(
    (k) => `| ${metricLabel(k)} | ${c.policies.map((p) => metricCell(c, k, p)).join(' | ')} |`,
  );
  return [head, ...rows].join('\n');
}

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** Page title. @default 'crowd-dispatch simulation report' */
  title?: string;
  /** Policy descriptions by name, shown under the table. */
  descriptions?: Record<string, string>;
  /** Towns drawn under the unfilled-jobs map. */
  cities: readonly City[];
  /** Extra lines (e.g. the command that produced the report). */
  notes?: string[];
}

/** The report's charts rendered to SVG, in order. */
export async function renderCharts(
  c: Comparison,
  cities: readonly City[],
): Promise<(ChartSpec & { svg: string })[]> {
  const charts = reportCharts(c, cities);
  const out: (ChartSpec & { svg: string })[] = [];
  for (const chart of charts) out.push({ ...chart, svg: await renderSvg(chart.spec) });
  return out;
}

/** Builds the self-contained HTML report of a comparison (run with `detail: true`). */
export async function renderReport(c: Comparison, options: ReportOptions): Promise<string> {
  const title = options.title ?? 'crowd-dispatch simulation report';
  const charts = await renderCharts(c, options.cities);
  const header = `<tr><th>metric</th>${c.policies.map((p) => `<th>${esc(p)}</th>`).join('')}</tr>`;
  const rows = KEY_METRICS.map((k) => {
    const cells = c.policies.map((p) => `<td>${esc(metricCell(c, k, p))}</td>`).join('');
    return `<tr><th scope="row">${esc(metricLabel(k))}</th>${cells}</tr>`;
  }).join('\n');
  const [baseline, ...others] = c.policies;
  const paired =
    others.length > 0 && c.seeds.length >= MIN_SEEDS_FOR_INTERVALS
      ? `<h2>Paired differences against ${esc(baseline!)}</h2>
<p class="note">Same ${c.seeds.length} seeds, same random numbers: each policy's figure minus ${esc(baseline!)}'s, averaged over seeds, ± 95 % half-width. Much tighter than the intervals above, because the noise is shared.</p>
<table class="paired"><caption>${c.seeds.length} seeds</caption><thead><tr><th>metric</th>${others.map((p) => `<th>${esc(p)}</th>`).join('')}</tr></thead><tbody>
${KEY_METRICS.map((k) => {
  const m = c.metrics.find((x) => x.key === k);
  const cells = others
    .map((p) => {
      const d = m?.vsBaseline[p];
      return `<td>${d ? esc(formatDiff(k, d.mean, d.ci95)) : '–'}</td>`;
    })
    .join('');
  return `<tr><th scope="row">${esc(metricLabel(k))}</th>${cells}</tr>`;
}).join('\n')}
</tbody></table>`
      : '';
  const descriptions = c.policies
    .filter((p) => options.descriptions?.[p])
    .map((p) => `<li><b>${esc(p)}</b>: ${esc(options.descriptions![p]!)}</li>`)
    .join('');
  const figures = charts
    .map(
      (ch) =>
        `<figure class="chart" id="${ch.id}" data-chart="${ch.id}"><h2>${esc(ch.title)}</h2>${ch.svg}<figcaption>${esc(ch.caption)}</figcaption></figure>`,
    )
    .join('\n');
  const seeds = c.seeds.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}caption{caption-side:bottom;text-align:left;color:#666;font-size:.85em;padding-top:.3em}th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right}
th[scope=row],thead th:first-child{text-align:left;font-weight:normal}thead th{border-bottom:2px solid #444}
figure{margin:2em 0}figcaption{color:#555;max-width:720px}h2{font-size:1.1em}.note{color:#666;font-size:.9em}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Scenario <b>${esc(c.scenario)}</b>, ${c.policies.length} policies × ${seeds} seed${seeds > 1 ? 's' : ''} (${esc(c.seeds.join(', '))}), common random numbers. Values are means${seeds >= MIN_SEEDS_FOR_INTERVALS ? ' ± 95 % confidence half-width over seeds' : ` of ${seeds} seed${seeds > 1 ? 's' : ''}, without intervals (they need ${MIN_SEEDS_FOR_INTERVALS} seeds or more)`}; charts show every seed.</p>
<table class="metrics"><caption>${esc(seedsNote(c))}</caption><thead>${header}</thead><tbody>
${rows}
</tbody></table>
${descriptions ? `<ul>${descriptions}</ul>` : ''}
${paired}
${technicianTable(c)}
${figures}
${(options.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
</body></html>
`;
}
