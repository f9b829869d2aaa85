/**
 * Maps `pg` and network errors to the store errors: unreachable, timed out, failed part-way.
 * Serialization failures and deadlocks are retried by the caller before they get here.
 */
import type { CrowdDispatchError } from '../shared/errors.js';
import { StoreFailedError, StoreTimeoutError, StoreUnavailableError } from '../store/errors.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether PostgreSQL asks for the transaction to be retried (serialization failure, deadlock). */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/**
 * Whether `err` proves the statement never reached the server: refused or failed connections,
 * a server still starting, bad credentials or database. A connection lost mid-statement is not
 * proof: the server may have committed.
 */
export function neverSent(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  return (
    UNREACHABLE.has(code) ||
    code === '57P03' ||
    code.startsWith('28') ||
    code === '3D000' ||
    /trying to connect/i.test(e?.message ?? '')
  );
}

/** A store error for `err`, raised while doing `what`; `connecting`: it happened while getting a connection. */
export function storeError(err: unknown, what: string, connecting = false): CrowdDispatchError {
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  const cause = { cause: err };
  if (connecting || neverSent(err)) {
    if (/timeout/i.test(message)) {
      return new StoreTimeoutError(
        `${what}: no connection to PostgreSQL in time (${message}); nothing was applied — retry.`,
        cause,
      );
    }
    return new StoreUnavailableError(
      `${what}: cannot reach PostgreSQL (${message}); nothing was applied — check DATABASE_URL and that the server runs, then retry.`,
      cause,
    );
  }
  if (code === '57014' || /timeout/i.test(message)) {
    return new StoreTimeoutError(
      `${what}: PostgreSQL did not answer in time (${message}); the step is all or nothing but may have committed — retry it (an accept with the same request id returns what happened).`,
      cause,
    );
  }
  return new StoreFailedError(
    `${what}: the statement failed (${message}); PostgreSQL applied all of it or none of it — retry it (an accept with the same request id returns what happened).`,
    cause,
  );
}
