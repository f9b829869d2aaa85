/**
 * Own data in: a fleet from CSV or GeoJSON, and a job history from CSV or JSON Lines, turned into
 * the scenario's `fleet.technicians` and `history`. Parsing is strict: every bad cell is reported
 * with its row and column (all of them, up to a limit, in one error), unknown columns and fields
 * are refused with a "did you mean", and nothing is guessed or clamped.
 */
import { csvParseRows } from 'd3-dsv';
import { InvalidArgumentError } from '../errors.js';
import type { TechnicianInput } from '../types.js';
import type { HistoryJob } from './scenario.js';
import { didYouMean, show } from './strict.js';

/** An input file has bad rows; `path` is the first bad cell (`row 4, column lat`). */
export class InvalidInputFileError extends InvalidArgumentError {}

const MAX_REPORTED = 12;
const DAY_MS = 86_400_000;

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'time' | readonly string[];

/** Columns of a fleet CSV (and fields of a GeoJSON feature's properties). */
const TECHNICIAN_COLUMNS: Record<string, { kind: Kind; required?: boolean }> = {
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
const JOB_COLUMNS: Record<string, { kind: Kind; required?: boolean }> = {
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

/** A wall-clock time as written and its instant. */
interface Time {
  /** The written local date and time as if it were UTC, ms. */
  local: number;
  /** The instant, ms since the epoch (the written offset applied; none = as written). */
  instant: number;
  offsetMin: number;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

function parseTime(text: string): Time | string {
  const m = TIME.exec(text);
  if (!m) return 'is not an ISO 8601 time like 2026-11-02T08:15:00+01:00';
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(local);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return 'is not a real date and time';
  let offsetMin = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    if (Math.abs(offsetMin) > 14 * 60) return 'has a UTC offset beyond ±14:00';
  }
  return { local, instant: local - offsetMin * 60_000, offsetMin };
}

/** Collects cell errors with their row and column; throws them together. */
class Problems {
  readonly list: { where: string; text: string }[] = [];
  total = 0;
  constructor(private readonly source: string) {}
  add(where: string, text: string): void {
    this.total++;
    if (this.list.length < MAX_REPORTED) this.list.push({ where, text });
  }
  throwIfAny(): void {
    if (this.total === 0) return;
    const more = this.total > this.list.length ? ` (and ${this.total - this.list.length} more)` : '';
    throw new InvalidInputFileError(
      `${this.source}: ${this.total} bad value${this.total > 1 ? 's' : ''}${more}: ${this.list
        .map((p) => `${p.where}: ${p.text}`)
        .join('; ')}. Fix these cells and run again.`,
      this.list[0]!.where,
    );
  }
}

type Converted = { ok: true; value: unknown } | { ok: false; error: string };
const ok = (value: unknown): Converted => ({ ok: true, value });
const bad = (error: string): Converted => ({ ok: false, error });

/** Converts one cell (CSV text, or a JSON value) to its field's type. */
function convert(kind: Kind, value: unknown, fromText: boolean): Converted {
  if (Array.isArray(kind)) {
    return typeof value === 'string' && kind.includes(value)
      ? ok(value)
      : bad(`${show(value)} is not one of ${kind.join(', ')}`);
  }
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.length > 0
        ? ok(value)
        : bad(`${show(value)} is not a non-empty text`);
    case 'number':
    case 'integer': {
      const n = fromText && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad(`${show(value)} is not a finite number`);
      if (kind === 'integer' && !Number.isInteger(n)) return bad(`${show(value)} is not a whole number`);
      return ok(n);
    }
    case 'boolean':
      if (typeof value === 'boolean') return ok(value);
      if (fromText && (value === 'true' || value === 'false')) return ok(value === 'true');
      return bad(`${show(value)} is not true or false`);
    case 'list':
      if (fromText && typeof value === 'string')
        return ok(
          value
            .split(/[;|]/)
            .map((x) => x.trim())
            .filter(Boolean),
        );
      if (Array.isArray(value) && value.every((x) => typeof x === 'string' && x.length > 0))
        return ok([...value]);
      return bad(`${show(value)} is not a list of names${fromText ? ' separated by ;' : ''}`);
    case 'time': {
      if (typeof value !== 'string') return bad(`${show(value)} is not an ISO 8601 time text`);
      const t = parseTime(value);
      return typeof t === 'string' ? bad(`${show(value)} ${t}`) : ok(t);
    }
  }
  return bad('has an unknown column type');
}

type Row = Record<string, unknown>;

/** Reads a CSV into rows keyed by column, checking the header against the known columns. */
function csvRows(
  text: string,
  columns: Record<string, { kind: Kind; required?: boolean }>,
  problems: Problems,
): { row: number; values: Row }[] {
  const rows = csvParseRows(text.replace(/^\uFEFF/, ''));
  const header = (rows[0] ?? []).map((h) => h.trim());
  const known = Object.keys(columns);
  header.forEach((h, c) => {
    if (!(h in columns)) {
      const guess = didYouMean(h, known);
      problems.add(
        `row 1, column ${c + 1} (${show(h)})`,
        `unknown column; ${guess ? `did you mean "${guess}"?` : `known columns: ${known.join(', ')}`}`,
      );
    } else if (header.indexOf(h) !== c) problems.add(`row 1, column ${c + 1}`, `column "${h}" appears twice`);
  });
  for (const [name, col] of Object.entries(columns))
    if (col.required && !header.includes(name))
      problems.add('row 1', `the required column "${name}" is missing`);
  problems.throwIfAny();
  const out: { row: number; values: Row }[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r]!;
    if (cells.length === 1 && cells[0] === '') continue; // a blank line
    if (cells.length !== header.length) {
      problems.add(`row ${r + 1}`, `has ${cells.length} cells but the header has ${header.length}`);
      continue;
    }
    const values: Row = {};
    header.forEach((h, c) => {
      const cell = cells[c]!;
      if (cell.trim() === '') {
        if (columns[h]!.required)
          problems.add(`row ${r + 1}, column ${c + 1} (${h})`, 'is empty but required');
        return;
      }
      const v = convert(columns[h]!.kind, cell.trim(), true);
      if (v.ok) values[h] = v.value;
      else problems.add(`row ${r + 1}, column ${c + 1} (${h})`, v.error);
    });
    out.push({ row: r + 1, values });
  }
  return out;
}

/** Reads JSON Lines into rows, checking each object's fields against the known columns. */
function jsonlRows(
  text: string,
  columns: Record<string, { kind: Kind; required?: boolean }>,
  problems: Problems,
): { row: number; values: Row }[] {
  const known = Object.keys(columns);
  const out: { row: number; values: Row }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const row = i + 1;
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      problems.add(`line ${row}`, `is not valid JSON (${(e as Error).message})`);
      return;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      problems.add(`line ${row}`, 'is not a JSON object');
      return;
    }
    const values: Row = {};
    for (const [k, raw] of Object.entries(obj as Row)) {
      const col = columns[k];
      if (!col) {
        const guess = didYouMean(k, known);
        problems.add(
          `line ${row}, field ${show(k)}`,
          `unknown field; ${guess ? `did you mean "${guess}"?` : `known fields: ${known.join(', ')}`}`,
        );
        continue;
      }
      if (raw === null) continue;
      const v = convert(col.kind, raw, false);
      if (v.ok) values[k] = v.value;
      else problems.add(`line ${row}, field ${k}`, v.error);
    }
    for (const [name, col] of Object.entries(columns))
      if (
        col.required &&
        !(name in values) &&
        !problems.list.some((p) => p.where === `line ${row}, field ${name}`)
      )
        problems.add(`line ${row}`, `the required field "${name}" is missing`);
    out.push({ row, values });
  });
  return out;
}

function setDotted(target: Row, key: string, value: unknown): void {
  const dot = key.indexOf('.');
  if (dot < 0) target[key] = value;
  else {
    const head = key.slice(0, dot);
    const inner = (target[head] ?? {}) as Row;
    inner[key.slice(dot + 1)] = value;
    target[head] = inner;
  }
}

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
