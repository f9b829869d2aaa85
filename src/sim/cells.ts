/**
 * The cell-level machinery of the input files: typed cells (numbers, booleans, `;` lists, ISO
 * times), CSV and JSON Lines rows checked against known columns, and problems collected with their
 * row and column so one error lists them all.
 */

import { InvalidArgumentError } from 'crowd-dispatch';
import { csvParseRows } from 'd3-dsv';
import { didYouMean, show } from './strict.js';

/** An input file has bad rows; `path` is the first bad cell (`row 4, column lat`). */
export class InvalidInputFileError extends InvalidArgumentError {}

const MAX_REPORTED = 12;

/** The type of a column: a scalar kind, or the allowed values. */
export type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'time' | readonly string[];

/** A column: its type and whether it must be given. */
export type Columns = Record<string, { kind: Kind; required?: boolean }>;

/** A wall-clock time as written and its instant. */
export interface Time {
  /** The written local date and time as if it were UTC, ms. */
  local: number;
  /** The instant, ms since the epoch (the written offset applied; none = as written). */
  instant: number;
  offsetMin: number;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function parseTime(text: string): Time | string {
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
export class Problems {
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

export type Row = Record<string, unknown>;

/** Reads a CSV into rows keyed by column, checking the header against the known columns. */
export function csvRows(text: string, columns: Columns, problems: Problems): { row: number; values: Row }[] {
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
export function jsonlRows(
  text: string,
  columns: Columns,
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

export function setDotted(target: Row, key: string, value: unknown): void {
  const dot = key.indexOf('.');
  if (dot < 0) target[key] = value;
  else {
    const head = key.slice(0, dot);
    const inner = (target[head] ?? {}) as Row;
    inner[key.slice(dot + 1)] = value;
    target[head] = inner;
  }
}
