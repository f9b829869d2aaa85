/**
 * Errors of a dispatch store. Each says whether the step may have been applied: a store that failed
 * before its commit applied nothing (the transaction was rolled back); a timeout during the commit
 * leaves the outcome unknown, and a retry with the same request id returns what happened.
 */
import { CrowdDispatchError } from '../shared/errors.js';
import { MAX_AWARD_TRIES } from './types.js';

/**
 * The database could not be reached (refused, DNS, authentication, pool closed). Nothing was applied.
 * @example
 * const dispatcher = new StoreDispatcher({ store: new PostgresStore({ pool }), fleet, policy });
 * try {
 *   perform(await dispatcher.open(job, Date.now()));
 * } catch (e) {
 *   if (!(e instanceof StoreUnavailableError)) throw e;
 *   console.error(e.message, e.cause); // e.cause: pg's error, e.g. connect ECONNREFUSED 127.0.0.1:5432
 *   // nothing was applied: open the job again once the database is back
 * }
 */
export class StoreUnavailableError extends CrowdDispatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The database did not answer in time. Retry with the same request id: it returns the original outcome.
 * @example
 * const accept = () => dispatcher.accept(job.id, 'anna', Date.now(), 'req-anna-1');
 * const r = await accept().catch((e) => {
 *   if (e instanceof StoreTimeoutError) return accept(); // it may have committed: the same request id says what happened
 *   throw e;
 * });
 */
export class StoreTimeoutError extends CrowdDispatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_TIMEOUT', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A statement or transaction failed (server error, connection lost): PostgreSQL applied all of it or none of it; a retry (same request id) tells which.
 * @example
 * let r: AcceptOutcome;
 * try {
 *   r = await dispatcher.accept(job.id, 'anna', Date.now(), 'req-anna-1');
 * } catch (e) {
 *   if (!(e instanceof StoreFailedError)) throw e;
 *   console.warn(e.message, (e.cause as { code?: string }).code); // e.g. '57P01': the server closed the connection
 *   r = await dispatcher.accept(job.id, 'anna', Date.now(), 'req-anna-1'); // the original answer if it committed
 * }
 */
export class StoreFailedError extends CrowdDispatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_FAILED', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * Other writers changed the job each time it was re-read, past the retry bound. Nothing was applied.
 * @example
 * try {
 *   perform(await dispatcher.decline(job.id, 'anna', Date.now()));
 * } catch (e) {
 *   if (!(e instanceof StoreConflictError)) throw e;
 *   // other replicas kept changing the job (or PostgreSQL kept aborting the transaction): nothing was applied;
 *   // try again a little later, or give the StoreDispatcher a larger maxRetries (default 8)
 * }
 */
export class StoreConflictError extends CrowdDispatchError {
  constructor(message: string) {
    super('STORE_CONFLICT', message);
  }
}

/** A best-accept award found no capacity for {@link MAX_AWARD_TRIES} held accepters in a row: the job is left due. */
export function awardFailed(jobId: string): StoreConflictError {
  return new StoreConflictError(
    `claimDue(): the award of '${jobId}' found no capacity left for ${MAX_AWARD_TRIES} held accepters in a row; the job stays due and the next advance tries again once replicas' fleets have caught up.`,
  );
}
