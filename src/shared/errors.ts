/**
 * Typed errors. They are thrown only for programmer errors (bad input, unknown ids, invalid
 * policies); expected outcomes such as "already taken" are returned as tagged unions instead.
 * Every message says what was wrong and what to do about it.
 */

/** Machine-readable error codes, one per kind of mistake. */
export type ErrorCode =
  | 'INVALID_TECHNICIAN'
  | 'INVALID_JOB'
  | 'INVALID_POLICY'
  | 'INVALID_ARGUMENT'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_ID'
  | 'REGISTRY_FULL'
  | 'INVALID_STATE'
  /** a dispatch store (PostgreSQL) could not be reached */
  | 'STORE_UNAVAILABLE'
  /** a dispatch store did not answer in time */
  | 'STORE_TIMEOUT'
  /** a dispatch store transaction failed part-way and was rolled back */
  | 'STORE_FAILED'
  /** concurrent writers kept conflicting past the retry bound */
  | 'STORE_CONFLICT'
  /** the persistence hook (`onEvent`) threw: nothing was applied, retry the same call */
  | 'PERSISTENCE_FAILED'
  /** handling an input threw unexpectedly (e.g. a fleet read): nothing was applied */
  | 'INPUT_FAILED'
  /** `advance` could not handle some due jobs: they were left as they were, the others applied */
  | 'JOBS_FAILED'
  /** a snapshot or event log handed to restore/replay does not pass its schema or hash chain */
  | 'INVALID_RECORD';

/**
 * Base class of every error the library throws; `code` is stable, `message` is for humans.
 * @example
 * try {
 *   fleet.add({ id: 'x', lat: 95, lon: 8.5, tier: 'friend' });
 * } catch (e) {
 *   if (!(e instanceof CrowdDispatchError)) throw e; // not the library's: a bug elsewhere
 *   e.code; // 'INVALID_TECHNICIAN': branch on this, never on the message
 *   e.path; // 'lat'
 *   e.message; // "technician 'x': lat is 95; pass a WGS84 latitude in degrees between -90 and 90."
 * }
 */
export class CrowdDispatchError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Dotted path of the offending field, when there is one (e.g. `waves[1].offsetMs`). */
  readonly path: string | undefined;
  constructor(code: ErrorCode, message: string, path?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.path = path;
  }
}

/**
 * A technician record (or a patch of one) has a missing, non-finite or out-of-range field.
 * @example
 * try {
 *   fleet.update('anna', { radiusKm: -1 });
 * } catch (e) {
 *   if (!(e instanceof InvalidTechnicianError)) throw e;
 *   e.path; // 'radiusKm': "technician 'anna': radiusKm is -1; pass a distance in km greater than 0 and at most 1000."
 * }
 * fleet.get('anna')?.radiusKm; // unchanged: a refused write leaves the fleet as it was
 */
export class InvalidTechnicianError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_TECHNICIAN', message, path);
  }
}

/**
 * A job has a missing, non-finite or out-of-range field.
 * @example
 * try {
 *   perform(dispatcher.open({ id: 'job-7', lat: 47.37, lon: 200 }, now));
 * } catch (e) {
 *   if (!(e instanceof InvalidJobError)) throw e;
 *   res.status(400).json({ field: e.path, error: e.message }); // 'lon': "job 'job-7': lon is 200; pass a WGS84 longitude …"
 * }
 */
export class InvalidJobError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_JOB', message, path);
  }
}

/**
 * A policy value is out of range or inconsistent; `path` names the field.
 * @example
 * try {
 *   createPolicy({ waves: [{ size: 0, offsetMs: 0 }] });
 * } catch (e) {
 *   if (!(e instanceof InvalidPolicyError)) throw e;
 *   e.path; // 'waves[0].size': "policy.waves[0].size is 0, outside [1, 10000]; pass a value in that range."
 * }
 * new Dispatcher({ fleet, policy: { ...policy } }); // throws InvalidPolicyError too: pass createPolicy's result itself
 */
export class InvalidPolicyError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_POLICY', message, path);
  }
}

/**
 * A function argument (coordinates, k, a time) is not usable.
 * @example
 * try {
 *   fleet.move('anna', Number.NaN, 8.54); // a GPS update without a fix
 * } catch (e) {
 *   if (!(e instanceof InvalidArgumentError)) throw e;
 *   e.path; // 'lat': "move('anna'): lat is NaN; pass a WGS84 latitude in degrees between -90 and 90."
 * }
 * dispatcher.advance(earlier); // throws InvalidArgumentError (path 'now') for a time before the previous input
 */
export class InvalidArgumentError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_ARGUMENT', message, path);
  }
}

/**
 * `add` was called with an id that is already in the fleet, or `open` with a job id the dispatcher
 * still knows (open, or closed and not yet forgotten, see `retainClosedMs`).
 * @example
 * try {
 *   perform(dispatcher.open(job, now));
 * } catch (e) {
 *   if (!(e instanceof DuplicateIdError)) throw e;
 *   // "open(): job 'job-1' was already opened; use a new id for a new job." — a retried request:
 *   dispatcher.status(job.id); // the job is dispatched already; answer with its status
 * }
 */
export class DuplicateIdError extends CrowdDispatchError {
  constructor(message: string) {
    super('DUPLICATE_ID', message);
  }
}

/**
 * A technician id that the fleet does not know (the dispatcher answers an unknown job id with an
 * `unknown_job` refusal instead).
 * @example
 * try {
 *   fleet.move('bob', 47.37, 8.54); // a late GPS update from a technician removed a moment ago
 * } catch (e) {
 *   if (!(e instanceof UnknownIdError)) throw e;
 *   // "technician 'bob' is not in the fleet; add it first or check the id." — drop the update
 * }
 * fleet.get('bob'); // undefined: reads answer without throwing (and fleet.has('bob') is false)
 */
export class UnknownIdError extends CrowdDispatchError {
  constructor(message: string) {
    super('UNKNOWN_ID', message);
  }
}

/**
 * More distinct skills or partners than the bitmask registry holds.
 * @example
 * // The fleet already uses 32 distinct skills:
 * try {
 *   fleet.add({ id: 'tom', lat: 47.37, lon: 8.54, tier: 'pro', skills: ['solar-inverter'] });
 * } catch (e) {
 *   if (!(e instanceof RegistryFullError)) throw e;
 *   // "skill 'solar-inverter' would be the 33rd distinct skill; …": tom was not added; merge rare skills
 * }
 */
export class RegistryFullError extends CrowdDispatchError {
  constructor(message: string) {
    super('REGISTRY_FULL', message);
  }
}

/**
 * An operation is not valid in the current state (e.g. replaying a log under another policy than
 * the one it was recorded with, or asking `eventLog` for events already folded into the checkpoint).
 * @example
 * const log = dispatcher.eventLog();
 * try {
 *   Dispatcher.replay(log, { fleet, policy: createPolicy({ offerTtlMs: 30_000 }) });
 * } catch (e) {
 *   if (!(e instanceof InvalidStateError)) throw e;
 *   // "replay(): job 'job-1' was opened under another policy (…); replay with the policy the log was recorded with."
 * }
 */
export class InvalidStateError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_STATE', message, path);
  }
}

/**
 * The `onEvent` persistence hook threw: the input was not applied (sessions, timers, log and fleet
 * counters are exactly as before). Retry the same call once the store is back; `cause` is the hook's error.
 * @example
 * const dispatcher = new Dispatcher({ fleet, policy, onEvent: (event) => journal.appendSync(event) });
 * try {
 *   perform(dispatcher.open(job, now));
 * } catch (e) {
 *   if (!(e instanceof PersistenceError)) throw e;
 *   console.warn(e.message, e.cause); // the journal's own error
 *   // e.retryable: nothing was applied, so make the same call again once the journal is back
 * }
 */
export class PersistenceError extends CrowdDispatchError {
  /** Always true: nothing was applied, so the same call can be made again. */
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super('PERSISTENCE_FAILED', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * Handling an input threw something that is not a typed error (e.g. a fleet read failed): nothing
 * was applied. Retry once the cause is fixed; `cause` is the original error.
 * @example
 * try {
 *   perform(dispatcher.open(job, now));
 * } catch (e) {
 *   if (!(e instanceof InputFailedError)) throw e;
 *   // "open(): handling the input threw …; nothing was applied — fix the cause and retry."
 *   console.error(e.message, e.cause); // e.cause: what the fleet (or other code) threw
 * }
 */
export class InputFailedError extends CrowdDispatchError {
  /** Always true: nothing was applied. */
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super('INPUT_FAILED', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A snapshot or event log read back does not pass its schema (or the log's hash chain); `path` names the field.
 * @example
 * try {
 *   Dispatcher.restore(saved.snapshot, { fleet, policy }).replay(saved.tail);
 * } catch (e) {
 *   if (!(e instanceof InvalidRecordError)) throw e;
 *   e.path; // e.g. 'digest': the snapshot was edited after snapshot() wrote it; '[0].hash': the log's chain is broken
 * }
 */
export class InvalidRecordError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_RECORD', message, path);
  }
}

/**
 * Describes any value for an error message without throwing: BigInt, Symbol, null-prototype
 * objects, cycles, proxies and throwing getters or `toString`s all come out as short text.
 * @example describe(10n) // '10n'
 */
export function describe(value: unknown, depth = 0): string {
  try {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
      case 'number':
        return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint':
        return `${value}n`;
      case 'symbol':
        return value.description === undefined ? 'Symbol()' : `Symbol(${describe(value.description)})`;
      case 'function':
        return 'a function';
      case 'undefined':
      case 'boolean':
        return String(value);
      default:
        break;
    }
    if (value === null) return 'null';
    if (Array.isArray(value)) {
      if (depth > 0) return `an array of ${value.length}`;
      const items = value.slice(0, 5).map((v) => describe(v, depth + 1));
      return `[${items.join(', ')}${value.length > 5 ? ', …' : ''}]`;
    }
    const keys = Object.keys(value as object);
    if (depth > 0 || keys.length > 5) return keys.length === 0 ? 'an empty object' : 'an object';
    // Values are not read (a getter could throw or lie): keys are enough to recognise the object.
    return keys.length === 0
      ? 'an empty object'
      : `an object with ${keys.map((k) => describe(k, 1)).join(', ')}`;
  } catch {
    return 'an unreadable value';
  }
}

/** Levenshtein distance, for "did you mean" hints (short strings only). */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** ` Did you mean 'skills'?` when a known name is within a third of the name's length in edits, else ''. */
export function didYouMean(name: string, known: readonly string[]): string {
  if (name.length > 64) return '';
  let best = '';
  let bestD = Math.max(2, Math.ceil(name.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best === '' ? '' : ` Did you mean '${best}'?`;
}
