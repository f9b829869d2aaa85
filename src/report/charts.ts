/**
 * Vega-Lite specs of the report's charts, built from a comparison's detail: time-to-accept
 * distributions, offers and awards per technician, fairness (Lorenz curves and Gini), and a map of
 * unfilled jobs. Data is reduced here (quantiles, ranks) so the SVGs stay small.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Comparison } from '../sim/compare.js';
import type { City } from '../sim/scenario.js';
import { gini, sortedCopy } from '../sim/stats.js';

/** A chart of the report. */
export interface ChartSpec {
  id: string;
  title: string;
  /** One or two sentences under the chart: what to read from it. */
  caption: string;
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 560;
const MAX_MAP_POINTS = 600;

/** Share of jobs accepted by time t, on a log time axis (one line per policy). */
function timeToAccept(c: Comparison): ChartSpec {
  const values: { policy: string; seconds: number; share: number }[] = [];
  for (const name of c.policies) {
    const d = c.detail?.[name]?.[0];
    if (!d || d.acceptSeconds.length === 0) continue;
    const s = sortedCopy(d.acceptSeconds);
    // Share of *all* jobs of the run (unfilled ones never reach 1).
    const total = s.length + d.unfilledJobs.length;
    const steps = 120;
    for (let k = 0; k <= steps; k++) {
      const i = Math.min(s.length - 1, Math.round((k / steps) * (s.length - 1)));
      values.push({ policy: name, seconds: Math.max(0.5, s[i]!), share: (i + 1) / total });
    }
  }
  return {
    id: 'time-to-accept',
    title: 'Time to accept',
    caption:
      'Share of jobs accepted by a given time after they opened (log scale). The dashed lines mark 10 s and 60 s; a curve that rises earlier is faster.',
    spec: {
      $schema: SCHEMA,
      width: WIDTH,
      height: 260,
      data: { values },
      layer: [
        {
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: {
            x: {
              field: 'seconds',
              type: 'quantitative',
              scale: { type: 'log', domain: [0.5, 1800], nice: false },
              title: 'seconds after the job opened',
            },
            y: {
              field: 'share',
              type: 'quantitative',
              scale: { domain: [0, 1] },
              axis: { format: '%' },
              title: 'jobs accepted',
            },
            color: { field: 'policy', type: 'nominal', sort: c.policies },
          },
        },
        {
          data: { values: [{ s: 10 }, { s: 60 }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
          encoding: { x: { field: 's', type: 'quantitative' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Offers and awards per technician, technicians ranked from most to least (Friends). */
function perTechnician(c: Comparison): ChartSpec {
  const values: { policy: string; what: string; rank: number; count: number }[] = [];
  for (const name of c.policies) {
    const d = c.detail?.[name]?.[0];
    if (!d) continue;
    const friends = d.technicians.filter((t) => t.tier === 'friend');
    for (const what of ['offers', 'awards'] as const) {
      const counts = friends.map((t) => t[what]).sort((a, b) => b - a);
      const step = Math.max(1, Math.floor(counts.length / 150));
      for (let i = 0; i < counts.length; i += step)
        values.push({ policy: name, what, rank: i + 1, count: counts[i]! });
    }
  }
  return {
    id: 'per-technician',
    title: 'Offers and awards per Friend',
    caption:
      'Every Friend ranked from the most to the least offers (left) and awards (right) over the run. A steep head and a long flat tail is the "a few get everything" pattern.',
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { column: { field: 'what', type: 'nominal', title: null, sort: ['offers', 'awards'] } },
      spec: {
        width: 270,
        height: 220,
        mark: { type: 'line' },
        encoding: {
          x: { field: 'rank', type: 'quantitative', title: 'Friends, ranked' },
          y: { field: 'count', type: 'quantitative', title: 'count in the run' },
          color: { field: 'policy', type: 'nominal', sort: c.policies },
        },
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** Lorenz curves of awards among Friends. */
function lorenz(c: Comparison): ChartSpec {
  const values: { policy: string; people: number; awards: number }[] = [];
  for (const name of c.policies) {
    const d = c.detail?.[name]?.[0];
    if (!d) continue;
    const s = sortedCopy(d.technicians.filter((t) => t.tier === 'friend').map((t) => t.awards));
    const total = s.reduce((a, b) => a + b, 0) || 1;
    let cum = 0;
    values.push({ policy: name, people: 0, awards: 0 });
    const step = Math.max(1, Math.floor(s.length / 100));
    for (let i = 0; i < s.length; i++) {
      cum += s[i]!;
      if ((i + 1) % step === 0 || i === s.length - 1)
        values.push({ policy: name, people: (i + 1) / s.length, awards: cum / total });
    }
  }
  return {
    id: 'fairness-lorenz',
    title: 'Fairness: who wins the jobs (Lorenz curves, Friends)',
    caption:
      'Share of all Friend awards (y) won by the least-served share of Friends (x). The diagonal is perfect equality; the further a curve sags below it, the more unequal.',
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
        {
          data: { values },
          mark: { type: 'line' },
          encoding: {
            x: {
              field: 'people',
              type: 'quantitative',
              axis: { format: '%' },
              title: 'Friends, fewest awards first',
            },
            y: { field: 'awards', type: 'quantitative', axis: { format: '%' }, title: 'share of awards' },
            color: { field: 'policy', type: 'nominal', sort: c.policies },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Gini of offers and awards for Friends and Pros, per policy. */
function giniBars(c: Comparison): ChartSpec {
  const values: { policy: string; measure: string; gini: number }[] = [];
  for (const name of c.policies) {
    const d = c.detail?.[name]?.[0];
    if (!d) continue;
    for (const tier of ['friend', 'pro'] as const) {
      const group = d.technicians.filter((t) => t.tier === tier);
      if (group.length === 0) continue;
      values.push({ policy: name, measure: `${tier}s: offers`, gini: gini(group.map((t) => t.offers)) });
      values.push({ policy: name, measure: `${tier}s: awards`, gini: gini(group.map((t) => t.awards)) });
    }
  }
  return {
    id: 'fairness-gini',
    title: 'Fairness: Gini coefficients',
    caption:
      'Gini of offers and of awards per technician (0 = everyone the same, 1 = one technician gets all).',
    spec: {
      $schema: SCHEMA,
      width: 360,
      height: 220,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'measure', type: 'nominal', title: null },
        yOffset: { field: 'policy', type: 'nominal', sort: c.policies },
        x: { field: 'gini', type: 'quantitative', scale: { domain: [0, 1] }, title: 'Gini' },
        color: { field: 'policy', type: 'nominal', sort: c.policies },
      },
    } as TopLevelSpec,
  };
}

/** Where jobs went unfilled, over the towns of the geography. */
function unfilledMap(c: Comparison, cities: readonly City[]): ChartSpec {
  const towns = cities
    .filter((t) => t.population >= 10_000)
    .map((t) => ({ lat: t.lat, lon: t.lon, population: t.population }));
  const jobs: { policy: string; lat: number; lon: number; reason: string }[] = [];
  let sampled = false;
  for (const name of c.policies) {
    const all = c.detail?.[name]?.[0]?.unfilledJobs ?? [];
    // An even sample keeps the SVG small; the pattern, not each point, is what the map shows.
    const step = Math.max(1, Math.ceil(all.length / MAX_MAP_POINTS));
    if (step > 1) sampled = true;
    for (let i = 0; i < all.length; i += step) {
      const j = all[i]!;
      jobs.push({ policy: name, lat: j.lat, lon: j.lon, reason: j.reason });
    }
  }
  const projection = { type: 'mercator' as const };
  return {
    id: 'unfilled-map',
    title: 'Unfilled jobs',
    caption: `Jobs handed back to the partner unfilled (first seed${sampled ? `, at most ${MAX_MAP_POINTS} per policy, evenly sampled` : ''}), by policy, over towns of 10,000+ people (grey, sized by population). Clusters show regions and hours the crowd does not cover.`,
    spec: {
      $schema: SCHEMA,
      // Towns are repeated per policy so every facet cell draws them under its jobs.
      data: {
        values: [
          ...c.policies.flatMap((policy) => towns.map((t) => ({ ...t, policy, kind: 'town' }))),
          ...jobs.map((j) => ({ ...j, kind: 'job' })),
        ],
      },
      facet: { column: { field: 'policy', type: 'nominal', sort: c.policies, title: null } },
      spec: {
        width: 240,
        height: 160,
        projection,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'town'" }],
            mark: { type: 'circle', color: '#888', opacity: 0.3 },
            encoding: {
              longitude: { field: 'lon', type: 'quantitative' },
              latitude: { field: 'lat', type: 'quantitative' },
              size: { field: 'population', type: 'quantitative', scale: { range: [6, 260] }, legend: null },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'job'" }],
            mark: { type: 'circle', size: 8, opacity: 0.6 },
            encoding: {
              longitude: { field: 'lon', type: 'quantitative' },
              latitude: { field: 'lat', type: 'quantitative' },
              color: {
                field: 'reason',
                type: 'nominal',
                scale: { domain: ['deadline', 'exhausted'], range: ['#d62728', '#ff7f0e'] },
              },
            },
          },
        ],
      },
    } as TopLevelSpec,
  };
}

/** Every chart of a comparison's report (needs `detail`). */
export function reportCharts(c: Comparison, cities: readonly City[]): ChartSpec[] {
  return [timeToAccept(c), perTechnician(c), lorenz(c), giniBars(c), unfilledMap(c, cities)];
}
