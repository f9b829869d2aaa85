/**
 * Own data in: a fleet from CSV or GeoJSON, and a job history from CSV or JSON Lines, turned into
 * the scenario's `fleet.technicians` and `history`. Parsing is strict: every bad cell is reported
 * with its row and column (all of them, up to a limit, in one error), unknown columns and fields
 * are refused with a "did you mean", and nothing is guessed or clamped.
 */
import type { TechnicianInput } from 'crowd-dispatch';
import {
  type Columns,
  csvRows,
  InvalidInputFileError,
  jsonlRows,
  Problems,
  type Row,
  setDotted,
  type Time,
} from './cells.js';
import type { HistoryJob } from './scenario.js';

export { InvalidInputFileError };

const DAY_MS = 86_400_000;

/** Columns of a fleet CSV (and fields of a GeoJSON feature's properties). */
const TECHNICIAN_COLUMNS: Columns = {
  id: { kind: 'string', required: true },
  lat: { kind: 'number', required: true },
  lon: { kind: 'number', required: true },
  tier: { kind: ['friend', 'pro'], required: true },
  radiusKm: { kind: 'number' },
  rating: { kind: 'number' },
  ratingCount: { kind: 'integer' },
  bestFriend: { kind: 'boolean' },
  skills: { kind: 'list' },
  certifications: { kind: 'list' },
  capacity: { kind: 'integer' },
  'stats.recentOffers': { kind: 'number' },
  'stats.recentAwards': { kind: 'number' },
  'stats.acceptRate': { kind: 'number' },
  'stats.responseMs': { kind: 'number' },
};

/** Columns of a job history (CSV header names, or JSON Lines field names). */
const JOB_COLUMNS: Columns = {
  id: { kind: 'string' },
  createdAt: { kind: 'time', required: true },
  lat: { kind: 'number', required: true },
  lon: { kind: 'number', required: true },
  tier: { kind: ['friend', 'pro', 'any'] },
  skills: { kind: 'list' },
  partner: { kind: 'string' },
  appointmentStart: { kind: 'time' },
  appointmentEnd: { kind: 'time' },
  cancelledAt: { kind: 'time' },
  observedOutcome: { kind: ['assigned', 'unfilled', 'cancelled'] },
  observedAcceptS: { kind: 'number' },
  observedTechnicianId: { kind: 'string' },
};

/**
 * Technicians from a CSV with a header row: `id,lat,lon,tier` required, then any of `radiusKm`,
 * `rating`, `ratingCount`, `bestFriend`, `skills` and `certifications` (separated by `;`),
 * `capacity`, `stats.recentOffers`… Throws {@link InvalidInputFileError} listing every bad cell.
 * @example
 * parseFleetCsv('id,lat,lon,tier,skills\nt1,47.37,8.54,friend,router;printer\n');
 * // [{ id: 't1', lat: 47.37, lon: 8.54, tier: 'friend', skills: ['router', 'printer'] }]
 */
export function parseFleetCsv(text: string, source = 'fleet.csv'): TechnicianInput[] {
  const problems = new Problems(source);
  const rows = csvRows(text, TECHNICIAN_COLUMNS, problems);
  problems.throwIfAny();
  if (rows.length === 0)
    throw new InvalidInputFileError(`${source}: no technicians below the header; add rows.`);
  return rows.map(({ values }) => {
    const t: Row = {};
    for (const [k, v] of Object.entries(values)) setDotted(t, k, v);
    return t as unknown as TechnicianInput;
  });
}

/**
 * Technicians from a GeoJSON FeatureCollection of points (properties = technician fields, the
 * position from the geometry). Unknown properties are refused by the fleet with their path.
 */
export function parseFleetGeoJson(data: unknown, source = 'fleet.geojson'): TechnicianInput[] {
  const fc = data as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new InvalidInputFileError(`${source}: expected a GeoJSON FeatureCollection of points.`);
  }
  return (fc.features as { geometry?: { type?: string; coordinates?: unknown }; properties?: object }[]).map(
    (f, i) => {
      const c = f?.geometry?.coordinates;
      if (f?.geometry?.type !== 'Point' || !Array.isArray(c) || c.length < 2) {
        throw new InvalidInputFileError(
          `${source}: features[${i}] is not a Point; give every technician a Point geometry.`,
          `features[${i}].geometry`,
        );
      }
      const props = f.properties && typeof f.properties === 'object' ? f.properties : {};
      return { ...props, lat: c[1], lon: c[0] } as TechnicianInput;
    },
  );
}

/** A parsed job history: the scenario's `history` and the calendar it spans. */
export interface JobHistory {
  history: HistoryJob[];
  /** Weekday (0 = Sunday) of the first job's local day, the scenario's `startWeekday`. */
  startWeekday: number;
  /** Whole days from the first job's local midnight past the last job. */
  days: number;
  /** The local midnight that is time 0, as written (`2026-11-02T00:00`). */
  origin: string;
}

/**
 * A job history from CSV (header row) or JSON Lines (one object a line) with the fields
 * `createdAt` (ISO 8601, e.g. `2026-11-02T08:15:00+01:00`), `lat`, `lon` required and `id`,
 * `tier`, `skills`, `partner`, `appointmentStart`/`appointmentEnd`, `cancelledAt`,
 * `observedOutcome`, `observedAcceptS`, `observedTechnicianId` optional. Time 0 is the local
 * midnight of the earliest job; jobs are sorted by creation. Every bad cell is reported with its
 * row (CSV: line 1 is the header) and column.
 * @example
 * const h = parseJobHistory('createdAt,lat,lon\n2026-11-02T08:15:00+01:00,47.37,8.54\n', 'csv');
 * h.history[0].at; // 29_700_000 (08:15 local)
 */
export function parseJobHistory(
  text: string,
  format: 'csv' | 'jsonl',
  source = `jobs.${format}`,
): JobHistory {
  const problems = new Problems(source);
  const rows =
    format === 'csv' ? csvRows(text, JOB_COLUMNS, problems) : jsonlRows(text, JOB_COLUMNS, problems);
  const where = (row: number, col: string) =>
    format === 'csv' ? `row ${row}, column ${col}` : `line ${row}, field ${col}`;
  for (const { row, values } of rows) {
    const lat = values.lat as number | undefined;
    const lon = values.lon as number | undefined;
    if (lat !== undefined && Math.abs(lat) > 90) problems.add(where(row, 'lat'), `${lat} is outside −90…90`);
    if (lon !== undefined && Math.abs(lon) > 180)
      problems.add(where(row, 'lon'), `${lon} is outside −180…180`);
    const s = values.appointmentStart as Time | undefined;
    const e = values.appointmentEnd as Time | undefined;
    if (
      (s === undefined) !== (e === undefined) &&
      !problems.list.some((p) => p.where.startsWith(where(row, 'appointment')))
    )
      problems.add(
        where(row, s ? 'appointmentEnd' : 'appointmentStart'),
        'is missing; give both ends of the appointment or neither',
      );
    if (s && e && e.instant <= s.instant)
      problems.add(where(row, 'appointmentEnd'), 'is not after appointmentStart');
    const c = values.cancelledAt as Time | undefined;
    const t = values.createdAt as Time | undefined;
    if (c && t && c.instant < t.instant) problems.add(where(row, 'cancelledAt'), 'is before createdAt');
    if (values.observedAcceptS !== undefined && (values.observedAcceptS as number) < 0)
      problems.add(where(row, 'observedAcceptS'), 'is negative');
  }
  problems.throwIfAny();
  if (rows.length === 0) throw new InvalidInputFileError(`${source}: no jobs in the file; add rows.`);
  const ids = new Map<string, number>();
  rows.forEach(({ row, values }, i) => {
    const id = (values.id as string | undefined) ?? `row-${row}`;
    if (ids.has(id))
      problems.add(
        where(row, 'id'),
        `"${id}" is also the id at ${format === 'csv' ? 'row' : 'line'} ${ids.get(id)}`,
      );
    ids.set(id, row);
    values.id = id;
    values.__order = i;
  });
  problems.throwIfAny();
  const sorted = [...rows].sort(
    (a, b) => (a.values.createdAt as Time).instant - (b.values.createdAt as Time).instant || a.row - b.row,
  );
  const first = sorted[0]!.values.createdAt as Time;
  const midnight = first.local - (((first.local % DAY_MS) + DAY_MS) % DAY_MS);
  const zero = midnight - first.offsetMin * 60_000; // the instant of time 0
  const ms = (t: Time) => t.instant - zero;
  const history = sorted.map(({ values: v }) => {
    const job: HistoryJob = {
      id: v.id as string,
      at: ms(v.createdAt as Time),
      lat: v.lat as number,
      lon: v.lon as number,
    };
    if (v.tier !== undefined) job.tier = v.tier as HistoryJob['tier'];
    if (v.skills !== undefined && (v.skills as string[]).length > 0) job.skills = v.skills as string[];
    if (v.partner !== undefined) job.partner = v.partner as string;
    if (v.appointmentStart)
      job.appointment = { start: ms(v.appointmentStart as Time), end: ms(v.appointmentEnd as Time) };
    if (v.cancelledAt) job.cancelAt = ms(v.cancelledAt as Time);
    if (v.observedOutcome !== undefined) {
      job.observed = { outcome: v.observedOutcome as 'assigned' | 'unfilled' | 'cancelled' };
      if (v.observedAcceptS !== undefined) job.observed.acceptS = v.observedAcceptS as number;
      if (v.observedTechnicianId !== undefined) job.observed.technicianId = v.observedTechnicianId as string;
    }
    return job;
  });
  const last = history[history.length - 1]!.at;
  const d = new Date(midnight);
  return {
    history,
    startWeekday: d.getUTCDay(),
    days: Math.floor(last / DAY_MS) + 1,
    origin: d.toISOString().slice(0, 16),
  };
}
