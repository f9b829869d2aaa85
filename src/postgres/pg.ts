/**
 * The slice of the `pg` client this package uses, typed structurally so that neither the code nor
 * its type declarations load `pg`: the caller passes a `pg.Pool` (an optional peer dependency).
 */
import { InvalidArgumentError } from '../shared/errors.js';

export interface PgResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

export interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  release(destroy?: boolean | Error): void;
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** A `pg.Pool` (or anything with the same `query` and `connect`). */
export interface PgPool {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  connect(): Promise<PgClient>;
  on?(event: 'error', listener: (err: Error) => void): unknown;
  listenerCount?(event: 'error'): number;
}

/** Checks a table prefix: it is spliced into SQL as an identifier, so only [a-z0-9_] are allowed. */
export function checkPrefix(prefix: string, fn: string): string {
  if (typeof prefix !== 'string' || !/^[a-z_][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new InvalidArgumentError(
      `${fn}: prefix is ${JSON.stringify(prefix)}; use 1–40 lower-case letters, digits or underscores, starting with a letter or underscore (it names tables).`,
    );
  }
  return prefix;
}

/** The default table prefix. */
export const DEFAULT_PREFIX = 'crowd_dispatch_';
