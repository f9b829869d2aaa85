/**
 * Vega-Lite specs of the report's charts, built from a comparison's detail over every seed:
 * time-to-accept distributions, breakdowns by hour and weekday, minutes to the door, offers and
 * awards per technician, fairness (Lorenz curves and Gini), and a map of unfilled jobs. Data is
 * reduced here (quantiles, ranks, bands) so the SVGs stay small.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Comparison } from '../sim/compare.js';
import type { City } from '../sim/scenario.js';
import { gini, sortedCopy } from '../sim/stats.js';
import {
  type BandPoint,
  banded,
  bandLayers,
  bandNote,
  bandOf,
  policyColor,
  SCHEMA,
  seedsOf,
} from './bands.js';
import { breakdownCharts } from './breakdowns.js';
import { comparisonFrontier } from './frontier.js';
import { mapCharts } from './maps.js';

/** A chart of the report. */
export interface ChartSpec {
  id: string;
  title: string;
  /** One or two sentences under the chart: what to read from it. */
  caption: string;
  spec: TopLevelSpec;
}

const WIDTH = 560;

/** Log-spaced times (s) at which the time-to-accept curves are read. */
const TTA_GRID = Array.from({ length: 81 }, (_, i) => 0.5 * (1800 / 0.5) ** (i / 80));

/** Share of jobs accepted by time t, on a log time axis (one line per policy, a band over seeds). */
function timeToAccept(c: Comparison): ChartSpec {
  const values: ({ policy: string; seconds: number } & BandPoint)[] = [];
  for (const name of c.policies) {
    const curves = seedsOf(c, name).map((d) => {
      const s = sortedCopy(d.acceptSeconds);
      // Share of *all* jobs of the run (unfilled ones never reach 1).
      const total = s.length + d.unfilledJobs.length;
      let i = 0;
      return TTA_GRID.map((t) => {
        while (i < s.length && s[i]! <= t) i++;
        return total ? i / total : Number.NaN;
      });
    });
    TTA_GRID.forEach((t, k) => {
      const b = bandOf(curves.map((cv) => cv[k]));
      if (b) values.push({ policy: name, seconds: t, ...b });
    });
  }
  const x = {
    field: 'seconds',
    type: 'quantitative',
    scale: { type: 'log', domain: [0.5, 1800], nice: false },
    title: 'seconds after the job opened',
  };
  const y = {
    type: 'quantitative',
    scale: { domain: [0, 1] },
    axis: { format: '%' },
    title: 'jobs accepted',
  };
  return {
    id: 'time-to-accept',
    title: 'Time to accept',
    caption: `Share of jobs accepted by a given time after they opened (log scale). The dashed lines mark 10 s and 60 s; a curve that rises earlier is faster. ${bandNote(c)}`,
    spec: {
      $schema: SCHEMA,
      width: WIDTH,
      height: 260,
      layer: [
        { data: { values }, layer: bandLayers(c, x, y, { type: 'line', interpolate: 'step-after' }) },
        {
          data: { values: [{ s: 10 }, { s: 60 }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
          encoding: { x: { field: 's', type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** Value at each of `points` evenly spaced positions of a sorted list (0 = first, 1 = last). */
function atShares(sorted: readonly number[], points: number): number[] {
  return Array.from({ length: points }, (_, k) =>
    sorted.length ? sorted[Math.round((k / (points - 1)) * (sorted.length - 1))]! : Number.NaN,
  );
}

/** Offers and awards per technician, Friends ranked from most to least, on a log scale. */
function perTechnician(c: Comparison): ChartSpec {
  const values: ({ policy: string; what: string; share: number } & BandPoint)[] = [];
  const points = 101;
  for (const name of c.policies) {
    for (const what of ['offers', 'awards'] as const) {
      const curves = seedsOf(c, name).map((d) =>
        atShares(
          d.technicians
            .filter((t) => t.tier === 'friend')
            .map((t) => t[what])
            .sort((a, b) => b - a),
          points,
        ),
      );
      for (let k = 0; k < points; k++) {
        const b = bandOf(curves.map((cv) => cv[k]));
        if (b) values.push({ policy: name, what, share: k / (points - 1), ...b });
      }
    }
  }
  const x = { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'Friends, most first' };
  // A symmetric log scale: one Friend with ~1,000 offers no longer flattens everyone else, and zeros stay on the axis.
  const y = { type: 'quantitative', scale: { type: 'symlog' }, title: 'count in the run (log scale)' };
  return {
    id: 'per-technician',
    title: 'Offers and awards per Friend',
    caption: `Every Friend ranked from the most to the least offers (left) and awards (right) over the run, on a logarithmic count axis so the few busiest do not squash the rest. A steep head and a long flat tail is the "a few get everything" pattern. ${bandNote(c)}`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { column: { field: 'what', type: 'nominal', title: null, sort: ['offers', 'awards'] } },
      spec: { width: 270, height: 220, layer: bandLayers(c, x, y) },
      resolve: { scale: { y: 'independent' } },
    } as unknown as TopLevelSpec,
  };
}

/** Lorenz curves of awards among Friends. */
function lorenz(c: Comparison): ChartSpec {
  const values: ({ policy: string; people: number } & BandPoint)[] = [];
  const points = 51;
  for (const name of c.policies) {
    const curves = seedsOf(c, name).map((d) => {
      const s = sortedCopy(d.technicians.filter((t) => t.tier === 'friend').map((t) => t.awards));
      const cum = [0];
      for (let i = 0; i < s.length; i++) cum.push(cum[i]! + s[i]!);
      const total = cum[cum.length - 1]! || 1;
      return Array.from(
        { length: points },
        (_, k) => cum[Math.round((k / (points - 1)) * s.length)]! / total,
      );
    });
    for (let k = 0; k < points; k++) {
      const b = bandOf(curves.map((cv) => cv[k]));
      if (b) values.push({ policy: name, people: k / (points - 1), ...b });
    }
  }
  const x = {
    field: 'people',
    type: 'quantitative',
    axis: { format: '%' },
    title: 'Friends, fewest awards first',
  };
  const y = { type: 'quantitative', axis: { format: '%' }, title: 'share of awards' };
  return {
    id: 'fairness-lorenz',
    title: 'Fairness: who wins the jobs (Lorenz curves, Friends)',
    caption: `Share of all Friend awards (y) won by the least-served share of Friends (x). The diagonal is perfect equality; the further a curve sags below it, the more unequal. ${bandNote(c)}`,
    spec: {
      $schema: SCHEMA,
      width: 360,
      height: 300,
      layer: [
        {
          data: { values: [{ x: 0 }, { x: 1 }] },
          mark: { type: 'line', color: '#aaa', strokeDash: [3, 3] },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'x', type: 'quantitative' } },
        },
        { data: { values }, layer: bandLayers(c, x, y) },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** Gini of offers and awards for Friends and Pros, per policy: mean over seeds, range as a rule. */
function giniBars(c: Comparison): ChartSpec {
  const values: ({ policy: string; measure: string } & BandPoint)[] = [];
  for (const name of c.policies) {
    for (const tier of ['friend', 'pro'] as const) {
      for (const what of ['offers', 'awards'] as const) {
        const b = bandOf(
          seedsOf(c, name).map((d) => {
            const group = d.technicians.filter((t) => t.tier === tier);
            return group.length ? gini(group.map((t) => t[what])) : Number.NaN;
          }),
        );
        if (b) values.push({ policy: name, measure: `${tier}s: ${what}`, ...b });
      }
    }
  }
  const color = policyColor(c);
  const enc = {
    y: { field: 'measure', type: 'nominal', title: null },
    yOffset: { field: 'policy', type: 'nominal', sort: c.policies },
  };
  const layer: Record<string, unknown>[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        ...enc,
        x: { field: 'mean', type: 'quantitative', scale: { domain: [0, 1] }, title: 'Gini' },
        color,
      },
    },
  ];
  if (banded(c))
    layer.push({
      mark: { type: 'rule', color: '#222' },
      encoding: { ...enc, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
    });
  return {
    id: 'fairness-gini',
    title: 'Fairness: Gini coefficients',
    caption: `Gini of offers and of awards per technician (0 = everyone the same, 1 = one technician gets all), mean over ${c.seeds.length} seed${c.seeds.length > 1 ? 's' : ''}${banded(c) ? '; the black rule spans the lowest to the highest seed' : ''}.`,
    spec: { $schema: SCHEMA, width: 360, height: 220, data: { values }, layer } as unknown as TopLevelSpec,
  };
}

/** Every chart of a comparison's report (needs `detail`). */
export function reportCharts(c: Comparison, cities: readonly City[]): ChartSpec[] {
  return [
    timeToAccept(c),
    ...breakdownCharts(c),
    perTechnician(c),
    lorenz(c),
    giniBars(c),
    comparisonFrontier(c),
    ...mapCharts(c, cities),
  ];
}
