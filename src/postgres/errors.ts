/**
 * Maps `pg` and network errors to the store errors: unreachable, timed out, failed part-way.
 * Serialization failures and deadlocks are retried by the caller before they get here.
 */
import type { CrowdDispatchError } from '../errors.js';
import { StoreFailedError, StoreTimeoutError, StoreUnavailableError } from '../store/errors.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether PostgreSQL asks for the transaction to be retried (serialization failure, deadlock). */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** A store error for `err`, raised while doing `what`; `started`: whether a statement was sent. */
export function storeError(err: unknown, what: string, started: boolean): CrowdDispatchError {
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  const cause = { cause: err };
  if (
    code === '57014' ||
    /timeout/i.test(message) // pg: "Query read timeout", "timeout exceeded when trying to connect"
  ) {
    return new StoreTimeoutError(
      `${what}: PostgreSQL did not answer in time (${message}); the step is all or nothing — retry it (an accept with the same request id returns what happened).`,
      cause,
    );
  }
  if (
    !started &&
    (UNREACHABLE.has(code) ||
      code.startsWith('08') ||
      code.startsWith('28') ||
      code === '3D000' ||
      code === '57P03')
  ) {
    return new StoreUnavailableError(
      `${what}: cannot reach PostgreSQL (${message}); nothing was applied — check DATABASE_URL and that the server runs, then retry.`,
      cause,
    );
  }
  if (!started && /terminat|ECONNRESET|closed|not queryable/i.test(message + code)) {
    return new StoreUnavailableError(
      `${what}: the connection to PostgreSQL was lost before the step was sent (${message}); nothing was applied — retry.`,
      cause,
    );
  }
  return new StoreFailedError(
    `${what}: the transaction failed (${message}); PostgreSQL rolled it back if it had not committed — retry it (an accept with the same request id returns what happened).`,
    cause,
  );
}
