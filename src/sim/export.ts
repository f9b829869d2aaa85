/**
 * Tabular exports of a comparison and of a run (CSV and JSON Lines), shaped for pandas or
 * Observable: one row per record, flat columns, no reshaping needed.
 */
import { type Comparison, flatten } from './compare.js';
import type { JobRecord, RunRecords } from './records.js';

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

/**
 * CSV of plain rows (the first row's keys are the header; booleans as true/false).
 * @example
 * rowsCsv([{ id: 'a', ok: true, note: 'x, y' }, { id: 'b', ok: false, note: null }]);
 * // 'id,ok,note\na,true,"x, y"\nb,false,\n'
 */
export function rowsCsv(rows: readonly object[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]!);
  const lines = rows.map((r) => keys.map((k) => csvCell((r as Record<string, unknown>)[k])).join(','));
  return `${keys.join(',')}\n${lines.join('\n')}\n`;
}

/**
 * JSON Lines of plain rows: one object a line.
 * @example
 * rowsJsonl([{ id: 'a', ok: true }, { id: 'b', ok: false }]); // '{"id":"a","ok":true}\n{"id":"b","ok":false}\n'
 */
export function rowsJsonl(rows: readonly object[]): string {
  return rows.length === 0 ? '' : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

/**
 * A GeoJSON FeatureCollection of jobs as points, every record field a property.
 * @example
 * const { records } = runSimulation({ days: 1 }, preset('today').policy, { records: true });
 * writeFileSync('unfilled.geojson', jobsGeoJson(records!.jobs.filter((j) => j.outcome === 'unfilled')));
 */
export function jobsGeoJson(jobs: readonly JobRecord[]): string {
  const features = jobs.map((j) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [j.lon, j.lat] },
    properties: j,
  }));
  return `${JSON.stringify({ type: 'FeatureCollection', features })}\n`;
}

/**
 * The files of an export directory, by name, from the records of every run.
 * @example
 * const { records } = runSimulation({ days: 1 }, PRESETS.today.policy, { records: true });
 * exportFiles([records!])['unfilled.geojson']; // a FeatureCollection of the unfilled jobs
 */
export function exportFiles(records: readonly RunRecords[]): Record<string, string> {
  const jobs = records.flatMap((r) => r.jobs);
  const technicians = records.flatMap((r) => r.technicians);
  const timeline = records.flatMap((r) => r.timeline);
  return {
    'jobs.csv': rowsCsv(jobs),
    'jobs.jsonl': rowsJsonl(jobs),
    'technicians.csv': rowsCsv(technicians),
    'technicians.jsonl': rowsJsonl(technicians),
    'timeline.csv': rowsCsv(timeline),
    'timeline.jsonl': rowsJsonl(timeline),
    'jobs.geojson': jobsGeoJson(jobs),
    'unfilled.geojson': jobsGeoJson(jobs.filter((j) => j.outcome === 'unfilled')),
  };
}
