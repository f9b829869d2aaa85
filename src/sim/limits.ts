/**
 * Work limits of a command-line run: how many days, jobs, technicians, seeds, workers and sweep
 * points one command may ask for before it is refused. They stop a typo (`--replications 1000000`)
 * from tying up a machine for days; each is raised explicitly with `--limit name=value`.
 */
import { InvalidArgumentError } from 'crowd-dispatch';
import type { Scenario } from './scenario.js';

/** The limits, by name. */
export interface Limits {
  /** Simulated days. @default 366 */
  days: number;
  /** Expected jobs over the whole run (days × jobs per day, or the job history's rows). @default 5,000,000 */
  jobs: number;
  /** Technicians in the fleet. @default 200,000 */
  technicians: number;
  /** Seeds (replications) per command. @default 1,000 */
  seeds: number;
  /** Worker threads. @default 64 */
  workers: number;
  /** Points of a sweep grid (after sharding). @default 10,000 */
  points: number;
}

/** The defaults of {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  days: 366,
  jobs: 5_000_000,
  technicians: 200_000,
  seeds: 1_000,
  workers: 64,
  points: 10_000,
});

const NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/**
 * Parses `name=value[,name=value…]` on top of the current limits (`--limit jobs=2e7,seeds=5000`).
 * @example
 * parseLimits('seeds=5000').seeds; // 5000
 */
export function parseLimits(text: string, base: Readonly<Limits> = DEFAULT_LIMITS): Limits {
  const out: Limits = { ...base };
  for (const part of text.split(',')) {
    const m = /^\s*(\w+)\s*=\s*([\d.e+_]+)\s*$/.exec(part);
    const name = m?.[1] as keyof Limits | undefined;
    const value = m ? Number(m[2]!.replaceAll('_', '')) : Number.NaN;
    if (!name || !NAMES.includes(name)) {
      throw new InvalidArgumentError(
        `--limit '${text}': '${part.trim()}' is not name=value with a name among ${NAMES.join(', ')} (e.g. --limit jobs=20000000).`,
        'limit',
      );
    }
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidArgumentError(
        `--limit '${text}': ${name} must be a whole number ≥ 1, got '${m![2]}'.`,
        'limit',
      );
    }
    out[name] = value;
  }
  return out;
}

/** Throws naming the limit, what asked for more, and how to raise it. */
export function checkLimit(limits: Readonly<Limits>, name: keyof Limits, asked: number, what: string): void {
  if (asked <= limits[name]) return;
  const fmt = (n: number) => n.toLocaleString('en-US');
  throw new InvalidArgumentError(
    `${what} asks for ${fmt(Math.ceil(asked))} ${name}, over the limit of ${fmt(limits[name])}; lower it, or raise the limit with --limit ${name}=${Math.ceil(asked)}.`,
    name,
  );
}

/** Checks a parsed scenario against the limits (days, expected jobs, technicians). */
export function checkScenarioLimits(scenario: Scenario, limits: Readonly<Limits>): void {
  checkLimit(limits, 'days', scenario.days, 'The scenario field days');
  const technicians = scenario.fleet.technicians?.length ?? scenario.fleet.size;
  checkLimit(
    limits,
    'technicians',
    technicians,
    scenario.fleet.technicians ? 'The fleet file' : 'The scenario field fleet.size',
  );
  const history = scenario.history;
  if (history) checkLimit(limits, 'jobs', history.length, 'The job history');
  else
    checkLimit(
      limits,
      'jobs',
      scenario.days * scenario.demand.jobsPerDay,
      'The scenario fields days × demand.jobsPerDay',
    );
}
