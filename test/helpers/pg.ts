/**
 * PostgreSQL for tests: a pool on DATABASE_URL and a fresh table prefix per store, so test files
 * (and runs) never see each other's rows. Without DATABASE_URL the suites skip with a message.
 */
import pg from 'pg';
import { dropSchema, migrate } from '../../src/postgres/migrate.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/postgres/store.js';

export const DATABASE_URL = process.env.DATABASE_URL;
export const SKIP_REASON =
  'DATABASE_URL is unset: PostgreSQL tests skipped (run `eval "$(npm run -s db:start)"` first; CI always sets it)';

if (!DATABASE_URL) console.warn(SKIP_REASON);

let counter = 0;

/** A unique prefix for this process. */
export function uniquePrefix(tag: string): string {
  return `t_${tag}_${process.pid}_${counter++}_`;
}

export function makePool(extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8, ...extra });
  pool.on('error', () => {});
  return pool;
}

/** Drops every table and function of a prefix. */
export async function dropPrefix(pool: pg.Pool, prefix: string): Promise<void> {
  await dropSchema(pool, { prefix });
}

/** A migrated store on its own prefix; `cleanup` drops it. */
export async function freshStore(
  pool: pg.Pool,
  tag: string,
  options: Partial<PostgresStoreOptions> = {},
): Promise<{ store: PostgresStore; prefix: string }> {
  const prefix = uniquePrefix(tag);
  await migrate(pool, { prefix });
  return { store: new PostgresStore({ pool, prefix, ...options }), prefix };
}
