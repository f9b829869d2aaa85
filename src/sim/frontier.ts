/**
 * The fairness–speed frontier: each policy (a sweep point or a named preset) placed by the award
 * Gini among active Friends, the median time to accept and the share of customers served within
 * the hour; the Pareto-efficient ones (no other policy is at least as good on all three and better
 * on one) are marked and named.
 */
import type { SweepRow } from './sweep.js';

/** The three axes, as keys of the run summary. */
export const FRONTIER_KEYS = {
  /** Fairness axis: the award Gini among active Friends. */
  gini: 'fairness.activeFriends.awardsGini',
  /** Speed axis: the median seconds to accept. */
  tta: 'timeToAcceptS.p50',
  /** Service axis: the share served within the hour. */
  served: 'servedWithinHour',
} as const;

/** One policy on the frontier chart. */
export interface FrontierPoint {
  /** Short name: a preset's name, or `P<index>` for a sweep point. */
  name: string;
  /** The sweep parameters (empty for a preset). */
  params: Record<string, unknown>;
  /** Award Gini among active Friends, median seconds to accept, share served within the hour (means over seeds). */
  gini: number;
  /** Median seconds to accept (mean over seeds). */
  tta: number;
  /** Share served within the hour (mean over seeds). */
  served: number;
  /** Seeds behind each figure. */
  seeds: number;
  /** No other point is at least as good on all three axes and better on one. */
  efficient: boolean;
  /** A reference policy (e.g. `today`), drawn apart from the sweep points. */
  reference: boolean;
}

/**
 * Points from sweep rows (named `P<grid index>`) and reference rows (named by their preset), with
 * the efficient ones marked.
 * @example
 * const points = frontierPoints(rows, [{ name: 'today', row: todayRow }]);
 * points.filter((p) => p.efficient).map((p) => p.name); // e.g. ['today', 'P3', 'P9']
 */
export function frontierPoints(
  rows: readonly SweepRow[],
  references: readonly { name: string; row: SweepRow }[] = [],
): FrontierPoint[] {
  const of = (name: string, row: SweepRow, reference: boolean): FrontierPoint | undefined => {
    const g = row.metrics[FRONTIER_KEYS.gini];
    const t = row.metrics[FRONTIER_KEYS.tta];
    const s = row.metrics[FRONTIER_KEYS.served];
    if (!g || !t || !s || ![g.mean, t.mean, s.mean].every(Number.isFinite)) return undefined;
    return {
      name,
      params: row.params,
      gini: g.mean,
      tta: t.mean,
      served: s.mean,
      seeds: g.n,
      efficient: false,
      reference,
    };
  };
  const points = [
    ...references.map((r) => of(r.name, r.row, true)),
    ...rows.map((r) => of(`P${r.index}`, r, false)),
  ].filter((p): p is FrontierPoint => p !== undefined);
  return markEfficient(points);
}

/**
 * Whether `a` dominates `b`: no worse on every axis (lower Gini, lower time, higher served), better on one.
 * @example
 * const base = { params: {}, seeds: 5, efficient: false, reference: false };
 * const fair = { ...base, name: 'fair', gini: 0.4, tta: 5, served: 0.9 };
 * const today = { ...base, name: 'today', gini: 0.5, tta: 5, served: 0.9 };
 * dominates(fair, today); // true: fairer, as fast, serves as many
 * dominates(today, fair); // false
 */
export function dominates(a: FrontierPoint, b: FrontierPoint): boolean {
  const noWorse = a.gini <= b.gini && a.tta <= b.tta && a.served >= b.served;
  const better = a.gini < b.gini || a.tta < b.tta || a.served > b.served;
  return noWorse && better;
}

/**
 * Marks the Pareto-efficient points (a copy; O(n²), fine for sweep-sized sets).
 * @example
 * const base = { params: {}, seeds: 5, efficient: false, reference: false };
 * markEfficient([
 *   { ...base, name: 'fast', gini: 0.5, tta: 4, served: 0.8 },
 *   { ...base, name: 'fair', gini: 0.4, tta: 6, served: 0.8 },
 *   { ...base, name: 'worse', gini: 0.5, tta: 6, served: 0.8 },
 * ]).map((p) => p.efficient); // [true, true, false]
 */
export function markEfficient(points: readonly FrontierPoint[]): FrontierPoint[] {
  return points.map((p) => ({ ...p, efficient: !points.some((q) => q !== p && dominates(q, p)) }));
}

/** A short text of a point's parameters: `weights.fairness=0.4, waves[0].size=10`. */
export function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

/** The frontier as CSV: name, reference, efficient, the three axes, seeds, then the parameters. */
export function frontierCsv(points: readonly FrontierPoint[]): string {
  const keys = [...new Set(points.flatMap((p) => Object.keys(p.params)))];
  const cell = (v: unknown) => {
    const s = v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const head = [
    'name',
    'reference',
    'efficient',
    'activeFriendsAwardGini',
    'timeToAcceptP50S',
    'servedWithinHour',
    'seeds',
    ...keys,
  ];
  const lines = points.map((p) =>
    [p.name, p.reference, p.efficient, p.gini, p.tta, p.served, p.seeds, ...keys.map((k) => p.params[k])]
      .map(cell)
      .join(','),
  );
  return `${[head.map(cell).join(','), ...lines].join('\n')}\n`;
}
