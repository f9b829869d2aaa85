/**
 * Shared pieces of the report's charts: the colour-blind-safe palette (Okabe–Ito), the policy
 * colour scale, and bands over seeds (mean line with the range across seeds, drawn only with
 * ≥ 3 seeds so two seeds never pose as an interval).
 */
import type { Comparison } from '../sim/compare.js';
import type { SimDetail } from '../sim/metrics.js';

/** The Vega-Lite schema every chart declares. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies; yellow last. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** Seeds needed before a chart draws a band or a table shows ± (fewer are not an interval). */
export const MIN_SEEDS_FOR_INTERVALS = 3;

/** The colour encoding of a policy, the same in every chart. */
export function policyColor(c: Comparison): Record<string, unknown> {
  return {
    field: 'policy',
    type: 'nominal',
    sort: c.policies,
    scale: { domain: c.policies, range: c.policies.map((_, i) => PALETTE[i % PALETTE.length]) },
    title: 'policy',
  };
}

/** Every seed's detail of a policy (empty when the comparison kept none). */
export function seedsOf(c: Comparison, policy: string): SimDetail[] {
  return c.detail?.[policy] ?? [];
}

/** Whether charts draw bands: enough seeds for a range to mean something. */
export function banded(c: Comparison): boolean {
  return c.seeds.length >= MIN_SEEDS_FOR_INTERVALS;
}

/** Mean, minimum and maximum over seeds of one point of a curve. */
export interface BandPoint {
  mean: number;
  lo: number;
  hi: number;
}

/** Mean and range of values (NaN and null skipped); undefined when none is left. */
export function bandOf(values: readonly (number | null | undefined)[]): BandPoint | undefined {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (ok.length === 0) return undefined;
  return {
    mean: ok.reduce((s, v) => s + v, 0) / ok.length,
    lo: Math.min(...ok),
    hi: Math.max(...ok),
  };
}

/**
 * Layers of a banded line: an area from `lo` to `hi` (only with enough seeds) under the mean.
 * `x` is the x encoding; the y title names the measure.
 */
export function bandLayers(
  c: Comparison,
  x: Record<string, unknown>,
  y: Record<string, unknown>,
  line: Record<string, unknown> = { type: 'line' },
): Record<string, unknown>[] {
  const color = policyColor(c);
  const layers: Record<string, unknown>[] = [];
  if (banded(c)) {
    layers.push({
      mark: { type: 'area', opacity: 0.18, ...(line.interpolate ? { interpolate: line.interpolate } : {}) },
      encoding: {
        x,
        y: { ...y, field: 'lo' },
        y2: { field: 'hi' },
        color: { ...color, legend: null },
      },
    });
  }
  layers.push({ mark: line, encoding: { x, y: { ...y, field: 'mean' }, color } });
  return layers;
}

/** The caption sentence about bands, for every banded chart. */
export function bandNote(c: Comparison): string {
  const n = c.seeds.length;
  return banded(c)
    ? `Lines are the mean over ${n} seeds; the shaded band is the range from the lowest to the highest seed.`
    : `Lines are the mean over ${n} seed${n > 1 ? 's' : ''} (no band: ranges are drawn from ${MIN_SEEDS_FOR_INTERVALS} seeds up).`;
}
