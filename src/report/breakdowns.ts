/**
 * The report's breakdowns: jobs, customers served in time and the median time to accept by local
 * hour and by weekday, and the distribution of minutes from the request to the technician at the
 * door — each a mean over seeds with a band when there are enough seeds.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Comparison } from '../sim/compare.js';
import { type Breakdown, DOOR_BIN_MIN, DOOR_BINS } from '../sim/metrics.js';
import { type BandPoint, bandLayers, bandNote, bandOf, SCHEMA, seedsOf } from './bands.js';
import type { ChartSpec } from './charts.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
// Monday first, the way a work week reads.
const WEEK_ORDER = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

type Row = { policy: string; key: number | string; measure: string } & BandPoint;

function rowsOf(c: Comparison, pick: 'byHour' | 'byWeekday'): Row[] {
  const rows: Row[] = [];
  const measures: [string, (b: Breakdown) => number | null][] = [
    ['jobs per seed', (b) => b.jobs],
    ['served in time', (b) => (b.jobs ? b.served / b.jobs : null)],
    ['median time to accept (s)', (b) => b.acceptP50],
  ];
  for (const policy of c.policies) {
    const seeds = seedsOf(c, policy);
    const n = seeds[0]?.[pick].length ?? 0;
    for (let k = 0; k < n; k++) {
      // Hours or weekdays without requests (a short run) have nothing to show.
      if (seeds.every((d) => d[pick][k]!.jobs === 0)) continue;
      for (const [measure, f] of measures) {
        const b = bandOf(seeds.map((d) => f(d[pick][k]!)));
        if (b) rows.push({ policy, key: pick === 'byHour' ? k : WEEKDAYS[k]!, measure, ...b });
      }
    }
  }
  return rows;
}

function breakdown(c: Comparison, pick: 'byHour' | 'byWeekday'): ChartSpec {
  const hourly = pick === 'byHour';
  const x = hourly
    ? {
        field: 'key',
        type: 'quantitative',
        scale: { domain: [0, 23] },
        axis: { tickCount: 12 },
        title: 'local hour of the request',
      }
    : { field: 'key', type: 'ordinal', sort: WEEK_ORDER, title: 'weekday of the request' };
  const y = { type: 'quantitative', title: null };
  return {
    id: hourly ? 'by-hour' : 'by-weekday',
    title: hourly ? 'By hour of the day' : 'By weekday',
    caption: `Requests (top), share of customers with a technician at the door within the hour or inside their appointment (middle) and median seconds to the first accept (bottom), by ${hourly ? 'local hour' : 'weekday'} of the request. ${bandNote(c)}`,
    spec: {
      $schema: SCHEMA,
      data: { values: rowsOf(c, pick) },
      facet: {
        row: {
          field: 'measure',
          type: 'nominal',
          sort: ['jobs per seed', 'served in time', 'median time to accept (s)'],
          title: null,
        },
      },
      spec: { width: 520, height: 120, layer: bandLayers(c, x, y, { type: 'line', point: !hourly }) },
      resolve: { scale: { y: 'independent' } },
    } as unknown as TopLevelSpec,
  };
}

/** Share of assigned on-demand jobs by minutes to the door. */
function doorMinutes(c: Comparison): ChartSpec {
  const values: ({ policy: string; minutes: number } & BandPoint)[] = [];
  for (const policy of c.policies) {
    const shares = seedsOf(c, policy).map((d) => {
      const total = d.doorMinutes.reduce((s, x) => s + x, 0);
      return d.doorMinutes.map((x) => (total ? x / total : Number.NaN));
    });
    for (let k = 0; k < DOOR_BINS; k++) {
      const b = bandOf(shares.map((s) => s[k]));
      if (b) values.push({ policy, minutes: k * DOOR_BIN_MIN + DOOR_BIN_MIN / 2, ...b });
    }
  }
  const last = (DOOR_BINS - 1) * DOOR_BIN_MIN;
  const x = {
    field: 'minutes',
    type: 'quantitative',
    scale: { domain: [0, last + DOOR_BIN_MIN] },
    title: `minutes from the request to the technician at the door (last bin: ${last}+)`,
  };
  const y = { type: 'quantitative', axis: { format: '%' }, title: `share of jobs per ${DOOR_BIN_MIN} min` };
  return {
    id: 'door-minutes',
    title: 'Minutes to the door',
    caption: `Distribution of the minutes from the request to the technician at the door, assigned on-demand jobs (appointments excluded). The dashed line marks the hour. ${bandNote(c)}`,
    spec: {
      $schema: SCHEMA,
      width: 560,
      height: 220,
      layer: [
        { data: { values }, layer: bandLayers(c, x, y, { type: 'line', interpolate: 'monotone' }) },
        {
          data: { values: [{ m: 60 }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
          encoding: { x: { field: 'm', type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** The breakdown charts, in report order. */
export function breakdownCharts(c: Comparison): ChartSpec[] {
  return [breakdown(c, 'byHour'), breakdown(c, 'byWeekday'), doorMinutes(c)];
}
