/**
 * crowd-dispatch/postgres: the PostgreSQL dispatch store for several replicas on one database.
 * `pg` is an optional peer dependency: pass your own `pg.Pool`; this module never imports it.
 */
export { dropSchema, MIGRATIONS, type MigrateOptions, migrate } from './migrate.js';
export type { PgClient, PgPool, PgResult } from './pg.js';
export { PostgresStore, type PostgresStoreOptions } from './store.js';
