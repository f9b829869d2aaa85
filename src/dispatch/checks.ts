/**
 * The argument checks every dispatcher input shares — in memory and on a store — so that both
 * refuse the same values with the same messages.
 */
import { describe, InvalidArgumentError } from '../shared/errors.js';
import { COMPLETION_REASONS, isTime, MAX_TIME, UNAVAILABLE_REASONS } from './log.js';
import type { CompletionReason, UnavailableReason } from './types.js';

/** Ids (jobs, technicians, request ids) are non-empty strings of at most this length. */
export const MAX_ID_LENGTH = 1_000;

/** Throws unless `value` is an id: a non-empty string of at most {@link MAX_ID_LENGTH} characters. */
export function checkId(value: unknown, name: string, fn: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(
      `${fn}(): ${name} is ${describe(value)}; pass a non-empty string (at most ${MAX_ID_LENGTH} characters).`,
      name,
    );
  }
}

/** Throws unless `now` is a time: an integer number of ms within the JavaScript Date range. */
export function checkTime(now: unknown, fn: string): void {
  if (!isTime(now)) {
    throw new InvalidArgumentError(
      `${fn}(): now is ${describe(now)}; pass the current time in ms (an integer within ±${MAX_TIME}, the JavaScript Date range).`,
      'now',
    );
  }
}

/** Throws unless `reason` is one of the reasons a technician can become unavailable. */
export function checkUnavailableReason(reason: unknown, fn: string): asserts reason is UnavailableReason {
  if (!UNAVAILABLE_REASONS.includes(reason as UnavailableReason)) {
    throw new InvalidArgumentError(
      `${fn}(): reason is ${describe(reason)}; use one of ${UNAVAILABLE_REASONS.join(', ')}.`,
      'reason',
    );
  }
}

/** Throws unless `reason` is how an assigned job may end (see {@link COMPLETION_REASONS}). */
export function checkCompletionReason(reason: unknown, fn: string): asserts reason is CompletionReason {
  if (!COMPLETION_REASONS.includes(reason as CompletionReason)) {
    throw new InvalidArgumentError(
      `${fn}(): reason is ${describe(reason)}; use one of ${COMPLETION_REASONS.join(', ')} (or leave it out for done).`,
      'reason',
    );
  }
}
