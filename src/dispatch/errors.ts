/** The dispatcher's own error: what `advance` throws when some due jobs failed. */

import { CrowdDispatchError } from '../shared/errors.js';
import type { Effect } from './types.js';

/**
 * `advance` handled every due job it could; the jobs in `failures` threw and were left exactly as
 * they were, timers included (the next `advance` tries them again). The other jobs' changes are
 * applied and logged: perform `effects` as if `advance` had returned them.
 * @example
 * try {
 *   perform(dispatcher.advance(now));
 * } catch (e) {
 *   if (!(e instanceof JobsFailedError)) throw e;
 *   perform(e.effects); // the jobs that were handled: their changes are applied and logged
 *   for (const { jobId, error } of e.failures) console.error(jobId, error); // still due: the next advance retries them
 * }
 */
export class JobsFailedError extends CrowdDispatchError {
  /** Effects of the jobs that were handled: perform them. */
  readonly effects: readonly Effect[];
  /** The jobs left untouched, with what they threw. */
  readonly failures: readonly {
    /** The job left untouched. */
    jobId: string;
    /** What it threw. */
    error: unknown;
  }[];
  constructor(message: string, effects: readonly Effect[], failures: { jobId: string; error: unknown }[]) {
    super('JOBS_FAILED', message);
    this.effects = effects;
    this.failures = failures;
  }
}
