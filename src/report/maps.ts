/**
 * The report's maps, first seed: where the awards went (technicians at home, sized by awards) and
 * where jobs went unfilled, over the towns and — for the Swiss geography — the real national
 * border (Natural Earth 1:10m via world-atlas, inlined from `fixtures/sim/ch-borders.json`, so the
 * file opens without a network).
 */
import { UNFILLED_REASONS } from 'crowd-dispatch';
import type { TopLevelSpec } from 'vega-lite';
import borders from '../../fixtures/sim/ch-borders.json' with { type: 'json' };
import type { Comparison } from '../sim/compare.js';
import type { City } from '../sim/scenario.js';
import { PALETTE, SCHEMA, seedsOf } from './bands.js';
import type { ChartSpec } from './charts.js';

const MAX_MAP_POINTS = 600;

/** Whether the geography lies in Switzerland (then the border is drawn). */
function swiss(cities: readonly City[]): boolean {
  return cities.every((t) => t.lon > 5.9 && t.lon < 10.5 && t.lat > 45.8 && t.lat < 47.9);
}

/** Layers under every map: the border (Swiss geography only) and the towns of 10,000+ people. */
function baseLayers(cities: readonly City[]): Record<string, unknown>[] {
  const towns = cities
    .filter((t) => t.population >= 10_000)
    .map((t) => ({ lat: t.lat, lon: t.lon, population: t.population }));
  const layers: Record<string, unknown>[] = [];
  if (swiss(cities))
    layers.push({
      data: { values: borders.features },
      mark: { type: 'geoshape', fill: '#f4f4f4', stroke: '#777', strokeWidth: 0.8 },
    });
  layers.push({
    data: { values: towns },
    mark: { type: 'circle', color: '#888', opacity: 0.3 },
    encoding: {
      longitude: { field: 'lon', type: 'quantitative' },
      latitude: { field: 'lat', type: 'quantitative' },
      size: { field: 'population', type: 'quantitative', scale: { range: [6, 200] }, legend: null },
    },
  });
  return layers;
}

function mapSpec(
  c: Comparison,
  cities: readonly City[],
  values: object[],
  top: Record<string, unknown>,
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    data: { values },
    facet: { column: { field: 'policy', type: 'nominal', sort: c.policies, title: null } },
    spec: {
      width: 240,
      height: 160,
      projection: { type: 'mercator' },
      layer: [...baseLayers(cities), top],
      // Town sizes and award sizes are different quantities.
      resolve: { scale: { size: 'independent', color: 'independent' } },
    },
  } as unknown as TopLevelSpec;
}

/** An even sample of at most `max` items (the pattern, not each point, is what a map shows). */
function sample<T>(items: readonly T[], max: number): { items: T[]; sampled: boolean } {
  const step = Math.max(1, Math.ceil(items.length / max));
  return { items: items.filter((_, i) => i % step === 0), sampled: step > 1 };
}

function unfilledMap(c: Comparison, cities: readonly City[]): ChartSpec {
  let sampled = false;
  const jobs = c.policies.flatMap((policy) => {
    const s = sample(seedsOf(c, policy)[0]?.unfilledJobs ?? [], MAX_MAP_POINTS);
    sampled ||= s.sampled;
    return s.items.map((j) => ({ policy, lat: j.lat, lon: j.lon, reason: j.reason }));
  });
  return {
    id: 'unfilled-map',
    title: 'Unfilled jobs',
    caption: `Jobs handed back to the partner unfilled (first seed${sampled ? `, at most ${MAX_MAP_POINTS} per policy, evenly sampled` : ''}), by policy, over towns of 10,000+ people (grey, sized by population)${swiss(cities) ? ' and the national border' : ''}. Clusters show regions the crowd does not cover.`,
    spec: mapSpec(c, cities, jobs, {
      mark: { type: 'circle', size: 8, opacity: 0.6 },
      encoding: {
        longitude: { field: 'lon', type: 'quantitative' },
        latitude: { field: 'lat', type: 'quantitative' },
        color: {
          field: 'reason',
          type: 'nominal',
          scale: { domain: [...UNFILLED_REASONS], range: [PALETTE[4], PALETTE[0], PALETTE[3], PALETTE[6]] },
        },
      },
    }),
  };
}

function awardsMap(c: Comparison, cities: readonly City[]): ChartSpec {
  let sampled = false;
  const techs = c.policies.flatMap((policy) => {
    const s = sample(
      (seedsOf(c, policy)[0]?.technicians ?? []).filter((t) => t.awards > 0),
      2 * MAX_MAP_POINTS,
    );
    sampled ||= s.sampled;
    return s.items.map((t) => ({ policy, lat: t.lat, lon: t.lon, awards: t.awards, tier: t.tier }));
  });
  return {
    id: 'awards-map',
    title: 'Where the awards went',
    caption: `Every technician who won at least one job (first seed${sampled ? `, at most ${2 * MAX_MAP_POINTS} per policy, evenly sampled` : ''}), at home, sized by the jobs won, by policy; Friends and Pros in two colours. A fair policy shows many mid-sized circles instead of a few large ones in the centres.`,
    spec: mapSpec(c, cities, techs, {
      mark: { type: 'circle', opacity: 0.45 },
      encoding: {
        longitude: { field: 'lon', type: 'quantitative' },
        latitude: { field: 'lat', type: 'quantitative' },
        size: { field: 'awards', type: 'quantitative', scale: { range: [4, 220] }, title: 'jobs won' },
        color: {
          field: 'tier',
          type: 'nominal',
          scale: { domain: ['friend', 'pro'], range: [PALETTE[1], PALETTE[0]] },
        },
      },
    }),
  };
}

/** The maps, in report order. */
export function mapCharts(c: Comparison, cities: readonly City[]): ChartSpec[] {
  return [awardsMap(c, cities), unfilledMap(c, cities)];
}
