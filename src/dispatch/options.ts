/**
 * The options of the in-memory dispatcher, checked once: unknown fields refused, every value
 * typed and in range, defaults filled in one place.
 */

import { Fleet } from '../fleet/fleet.js';
import { assertPolicy, type Policy } from '../plan/policy.js';
import { describe, InvalidArgumentError } from '../shared/errors.js';
import { readFields } from '../shared/validate.js';
import type { DispatchEvent } from './event-types.js';
import { MAX_TIME } from './log.js';

const OPTION_FIELDS = ['fleet', 'policy', 'keepLog', 'retainClosedMs', 'onEvent', 'applyToFleet'];

/** Options of a {@link Dispatcher}. */
export interface DispatcherOptions {
  /** The live fleet; the dispatcher reads it and updates its counters (offers, responses, awards, load). */
  fleet: Fleet;
  /** A policy made by `createPolicy`; sessions copy what they need when they open. */
  policy: Policy;
  /**
   * What {@link Dispatcher.eventLog} keeps in memory: `'checkpoint'` keeps the events since the last
   * {@link Dispatcher.checkpoint} — which the dispatcher moves forward on its own every 10,000
   * events (or twice the jobs it knows), so memory stays flat; `true` keeps every event; `false` none
   * (stream them with `onEvent`). @default 'checkpoint'
   */
  keepLog?: boolean | 'checkpoint';
  /**
   * How long a closed job (completed, cancelled, unfilled) stays queryable — `status`, idempotent
   * accept replies, snapshots — before `advance` forgets it, ms; `Infinity` keeps every job.
   * Assigned jobs stay until completed or cancelled. Replays must use the same value. @default 3600000
   */
  retainClosedMs?: number;
  /**
   * Persists each new event (deeply frozen) before the input's result is returned; if it throws,
   * the input is undone entirely and the call throws {@link PersistenceError} (retry it). Not
   * called for replayed events. The dispatcher cannot be used from inside the hook.
   */
  onEvent?: (event: Readonly<DispatchEvent>) => void;
}

/** Options of {@link Dispatcher.replay} (static). */
export interface ReplayOptions extends DispatcherOptions {
  /**
   * Also re-apply the fleet counter updates (recordOffer/recordResponse/recordAward/release) while
   * replaying — for a fleet rebuilt from the same state it had when the log began. @default false
   */
  applyToFleet?: boolean;
}

/** {@link DispatcherOptions} with the defaults filled in. */
export interface ResolvedOptions {
  fleet: Fleet;
  policy: Policy;
  keepLog: boolean | 'checkpoint';
  retainMs: number;
  onEvent: ((event: Readonly<DispatchEvent>) => void) | undefined;
}

/** Checks the options (a plain copy, each field read once) and fills in the defaults. */
export function resolveOptions(options: ReplayOptions): ResolvedOptions {
  const o = readFields(options, OPTION_FIELDS, 'new Dispatcher(options)', 'options', InvalidArgumentError);
  if (!(o.fleet instanceof Fleet)) {
    throw new InvalidArgumentError(
      `new Dispatcher(options): options.fleet is ${describe(o.fleet)}; pass { fleet: new Fleet(), policy }.`,
      'fleet',
    );
  }
  assertPolicy(o.policy);
  const keepLog = o.keepLog === undefined ? 'checkpoint' : o.keepLog;
  if (keepLog !== true && keepLog !== false && keepLog !== 'checkpoint') {
    throw new InvalidArgumentError(
      `new Dispatcher(): keepLog is ${describe(keepLog)}; pass true, false or 'checkpoint'.`,
      'keepLog',
    );
  }
  const retainMs = o.retainClosedMs === undefined ? 3_600_000 : o.retainClosedMs;
  if (
    typeof retainMs !== 'number' ||
    Number.isNaN(retainMs) ||
    retainMs < 0 ||
    (retainMs > MAX_TIME && retainMs !== Number.POSITIVE_INFINITY)
  ) {
    throw new InvalidArgumentError(
      `new Dispatcher(): retainClosedMs is ${describe(retainMs)}; pass ms from 0 to ${MAX_TIME} (Infinity keeps every job).`,
      'retainClosedMs',
    );
  }
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') {
    throw new InvalidArgumentError(
      `new Dispatcher(): onEvent is ${describe(o.onEvent)}; pass a function or leave it out.`,
      'onEvent',
    );
  }
  if (o.applyToFleet !== undefined && typeof o.applyToFleet !== 'boolean') {
    throw new InvalidArgumentError(
      `Dispatcher.replay(): applyToFleet is ${describe(o.applyToFleet)}; pass true or false.`,
      'applyToFleet',
    );
  }
  return {
    fleet: o.fleet,
    policy: o.policy as Policy,
    keepLog,
    retainMs,
    onEvent: o.onEvent as ResolvedOptions['onEvent'],
  };
}
