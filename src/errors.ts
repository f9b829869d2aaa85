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
  | 'STORE_CONFLICT';

/** Base class of every error the library throws; `code` is stable, `message` is for humans. */
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

/** A technician record (or a patch of one) has a missing, non-finite or out-of-range field. */
export class InvalidTechnicianError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_TECHNICIAN', message, path);
  }
}

/** A job has a missing, non-finite or out-of-range field. */
export class InvalidJobError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_JOB', message, path);
  }
}

/** A policy value is out of range or inconsistent; `path` names the field. */
export class InvalidPolicyError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_POLICY', message, path);
  }
}

/** A function argument (coordinates, k, a time) is not usable. */
export class InvalidArgumentError extends CrowdDispatchError {
  constructor(message: string, path?: string) {
    super('INVALID_ARGUMENT', message, path);
  }
}

/** `add` was called with an id that is already in the fleet (or a job id already open). */
export class DuplicateIdError extends CrowdDispatchError {
  constructor(message: string) {
    super('DUPLICATE_ID', message);
  }
}

/** An id that the fleet (or dispatcher) does not know. */
export class UnknownIdError extends CrowdDispatchError {
  constructor(message: string) {
    super('UNKNOWN_ID', message);
  }
}

/** More distinct skills or partners than the bitmask registry holds. */
export class RegistryFullError extends CrowdDispatchError {
  constructor(message: string) {
    super('REGISTRY_FULL', message);
  }
}

/** An operation is not valid in the current state (e.g. restoring an incompatible snapshot). */
export class InvalidStateError extends CrowdDispatchError {
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}
