/**
 * The fairness–speed frontier chart and page: every policy by award Gini among active Friends
 * against the median time to accept and against the share served within the hour; Pareto-efficient
 * points filled and labelled with their names, dominated ones hollow, references (e.g. `today`)
 * as squares.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Comparison } from '../sim/compare.js';
import { describeParams, FRONTIER_KEYS, type FrontierPoint, markEfficient } from '../sim/frontier.js';
import { PALETTE, SCHEMA } from './bands.js';
import type { ChartSpec } from './charts.js';
import { renderSvg } from './html.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function panel(
  x: { field: string; title: string; format?: string },
  labelled: boolean,
): Record<string, unknown> {
  const xEnc = {
    field: x.field,
    type: 'quantitative',
    scale: { zero: false },
    title: x.title,
    ...(x.format ? { axis: { format: x.format } } : {}),
  };
  const y = {
    field: 'gini',
    type: 'quantitative',
    scale: { zero: false },
    title: 'award Gini, active Friends (lower is fairer)',
  };
  const status = {
    field: 'status',
    type: 'nominal',
    scale: { domain: ['efficient', 'dominated', 'reference'], range: [PALETTE[0], '#999999', PALETTE[4]] },
    title: null,
  };
  const shape = {
    field: 'status',
    type: 'nominal',
    scale: { domain: ['efficient', 'dominated', 'reference'], range: ['circle', 'circle', 'square'] },
    legend: null,
  };
  // Dominated points hollow under the filled efficient and reference points.
  const layers: Record<string, unknown>[] = [
    {
      transform: [{ filter: "datum.status === 'dominated'" }],
      mark: { type: 'point', size: 60, strokeWidth: 1.2, filled: false },
      encoding: { x: xEnc, y, color: status, shape },
    },
    {
      transform: [{ filter: "datum.status !== 'dominated'" }],
      mark: { type: 'point', size: 80, filled: true, opacity: 0.9 },
      encoding: { x: xEnc, y, color: status, shape },
    },
  ];
  if (labelled)
    layers.push({
      transform: [{ filter: "datum.status !== 'dominated'" }],
      mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 11 },
      encoding: { x: xEnc, y, text: { field: 'name' } },
    });
  return { width: 300, height: 260, layer: layers };
}

/** The frontier chart of a set of points. */
export function frontierChart(points: readonly FrontierPoint[], seeds: number): ChartSpec {
  const values = points.map((p) => ({
    name: p.name,
    gini: p.gini,
    tta: p.tta,
    served: p.served,
    status: p.reference ? 'reference' : p.efficient ? 'efficient' : 'dominated',
  }));
  return {
    id: 'frontier',
    title: 'Fairness–speed frontier',
    caption: `Each policy by the award Gini among active Friends (lower is fairer) against the median time to accept (left; lower is faster) and the share of customers with a technician at the door within the hour (right; higher is better), means over ${seeds} seed${seeds > 1 ? 's' : ''}. Filled and named: Pareto-efficient (no other policy is at least as good on all three and better on one); hollow grey: dominated; squares: reference policies.`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      hconcat: [
        panel({ field: 'tta', title: 'median time to accept (s, lower is faster)' }, true),
        panel({ field: 'served', title: 'served within the hour (higher is better)', format: '%' }, true),
      ],
    } as unknown as TopLevelSpec,
  };
}

/** The compared policies of a report placed on the frontier (each policy a point). */
export function comparisonFrontier(c: Comparison): ChartSpec {
  const get = (key: string, p: string) => c.metrics.find((m) => m.key === key)?.byPolicy[p];
  const points = c.policies.flatMap((name) => {
    const g = get(FRONTIER_KEYS.gini, name);
    const t = get(FRONTIER_KEYS.tta, name);
    const s = get(FRONTIER_KEYS.served, name);
    if (!g || !t || !s || ![g.mean, t.mean, s.mean].every(Number.isFinite)) return [];
    return [
      {
        name,
        params: {},
        gini: g.mean,
        tta: t.mean,
        served: s.mean,
        seeds: g.n,
        efficient: false,
        reference: false,
      },
    ];
  });
  return frontierChart(markEfficient(points), c.seeds.length);
}

/** A self-contained page with the frontier chart and a table of every point. */
export async function renderFrontierPage(
  points: readonly FrontierPoint[],
  options: { title?: string; notes?: string[] } = {},
): Promise<string> {
  const seeds = Math.max(0, ...points.map((p) => p.seeds));
  const chart = frontierChart(points, seeds);
  const svg = await renderSvg(chart.spec);
  const title = options.title ?? 'crowd-dispatch: the fairness–speed frontier';
  const rows = [...points]
    .sort(
      (a, b) =>
        Number(b.reference) - Number(a.reference) ||
        Number(b.efficient) - Number(a.efficient) ||
        a.gini - b.gini,
    )
    .map(
      (p) =>
        `<tr><th scope="row">${esc(p.name)}</th><td>${p.reference ? 'reference' : p.efficient ? '<b>efficient</b>' : 'dominated'}</td><td>${p.gini.toFixed(3)}</td><td>${p.tta.toFixed(2)}</td><td>${(p.served * 100).toFixed(1)} %</td><td>${p.seeds}</td><td class="params">${esc(describeParams(p.params))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right}
td.params,th[scope=row]{text-align:left}caption{caption-side:bottom;text-align:left;color:#666;font-size:.85em}.note{color:#666;font-size:.9em}
</style></head><body>
<h1>${esc(title)}</h1>
<figure class="chart" id="frontier" data-chart="frontier">${svg}<figcaption>${esc(chart.caption)}</figcaption></figure>
<table><caption>means over ${seeds} seed${seeds > 1 ? 's' : ''}</caption><thead><tr><th>policy</th><th></th><th>award Gini (active Friends)</th><th>time to accept p50 (s)</th><th>served within 1 h</th><th>seeds</th><th>parameters</th></tr></thead><tbody>
${rows}
</tbody></table>
${(options.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
</body></html>
`;
}
