/**
 * The schema, as numbered migrations applied in order by {@link migrate} under an advisory lock
 * (several replicas may start at once). Nothing is created at import. Each migration runs in its
 * own transaction with its version row, so a failed one leaves the schema at the previous version.
 */
import { StoreFailedError } from '../store/errors.js';
import { storeError } from './errors.js';
import { checkPrefix, DEFAULT_PREFIX, type PgPool } from './pg.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Prefix of every table and function name ([a-z0-9_]). @default 'crowd_dispatch_' */
  prefix?: string;
}

/**
 * The migrations, oldest first; `p` is the validated prefix. Never edit one that shipped: add a new
 * one. (Version 1 was folded together before the store's first release.)
 */
export const MIGRATIONS: readonly ((p: string) => string)[] = [
  (p) => `
CREATE TABLE ${p}jobs (
  job_id text PRIMARY KEY,
  version bigint NOT NULL CHECK (version > 0),
  state json NOT NULL,
  last_at double precision NOT NULL,
  due_at double precision
);
CREATE INDEX ${p}jobs_due ON ${p}jobs (due_at) WHERE due_at IS NOT NULL;
CREATE TABLE ${p}events (
  job_id text NOT NULL,
  version bigint NOT NULL,
  -- The writing transaction's id: the feed reads only below every running transaction's id, so
  -- nothing can later commit behind a reader's cursor (a sequence alone can commit out of order).
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq bigserial NOT NULL,
  at double precision NOT NULL,
  body json NOT NULL,
  PRIMARY KEY (job_id, version)
);
CREATE INDEX ${p}events_feed ON ${p}events (tx, seq);
CREATE TABLE ${p}requests (
  job_id text NOT NULL,
  request_id text NOT NULL,
  outcome json NOT NULL,
  PRIMARY KEY (job_id, request_id)
);
CREATE TABLE ${p}technicians (
  technician_id text PRIMARY KEY,
  load integer NOT NULL DEFAULT 0 CHECK (load >= 0),
  capacity integer NOT NULL CHECK (capacity >= 0)
);
CREATE TABLE ${p}outbox (
  id text PRIMARY KEY,
  job_id text NOT NULL,
  fence bigint NOT NULL,
  seq bigserial NOT NULL,
  effect json NOT NULL,
  lease_until timestamptz,
  delivered_at timestamptz
);
CREATE INDEX ${p}outbox_pending ON ${p}outbox (seq) WHERE delivered_at IS NULL;

CREATE TABLE ${p}live_offers (
  technician_id text NOT NULL,
  job_id text NOT NULL,
  PRIMARY KEY (technician_id, job_id)
);
CREATE INDEX ${p}live_offers_job ON ${p}live_offers (job_id);

-- One step, all or nothing, in one round trip: check the version (row lock), reserve capacity by a
-- conditional update, then write the job, its event, its effects and the request's answer; keep
-- live_offers, and say when a reservation filled the technician.
CREATE FUNCTION ${p}append(
  p_job text, p_expected bigint, p_state json, p_at double precision, p_due double precision,
  p_event json, p_effects json, p_reserve text, p_capacity integer, p_release text,
  p_request text, p_outcome json, p_live text[]
) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  v bigint := p_expected + 1;
BEGIN
  IF p_expected = 0 THEN
    INSERT INTO ${p}jobs (job_id, version, state, last_at, due_at)
      VALUES (p_job, 1, p_state, p_at, p_due) ON CONFLICT (job_id) DO NOTHING;
    IF NOT FOUND THEN RETURN 'exists'; END IF;
  ELSE
    PERFORM 1 FROM ${p}jobs WHERE job_id = p_job AND version = p_expected FOR UPDATE;
    IF NOT FOUND THEN RETURN 'version'; END IF;
  END IF;
  IF p_reserve IS NOT NULL THEN
    UPDATE ${p}technicians SET load = load + 1 WHERE technician_id = p_reserve AND load < capacity;
    IF NOT FOUND THEN
      INSERT INTO ${p}technicians (technician_id, load, capacity)
        SELECT p_reserve, 1, p_capacity WHERE p_capacity >= 1 ON CONFLICT (technician_id) DO NOTHING;
      IF NOT FOUND THEN
        -- A concurrent first reservation created the row: try the conditional update once more.
        UPDATE ${p}technicians SET load = load + 1 WHERE technician_id = p_reserve AND load < capacity;
        IF NOT FOUND THEN RETURN 'capacity'; END IF;
      END IF;
    END IF;
  END IF;
  IF p_request IS NOT NULL THEN
    INSERT INTO ${p}requests (job_id, request_id, outcome) VALUES (p_job, p_request, p_outcome)
      ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'request % of job % answered concurrently', p_request, p_job USING ERRCODE = '40001';
    END IF;
  END IF;
  IF p_release IS NOT NULL THEN
    UPDATE ${p}technicians SET load = load - 1 WHERE technician_id = p_release AND load > 0;
  END IF;
  IF p_expected > 0 THEN
    UPDATE ${p}jobs SET version = v, state = p_state, last_at = p_at, due_at = p_due WHERE job_id = p_job;
  END IF;
  -- Who holds a running offer of this job, for withdrawing a technician everywhere at once.
  DELETE FROM ${p}live_offers WHERE job_id = p_job AND technician_id <> ALL (p_live);
  INSERT INTO ${p}live_offers (technician_id, job_id) SELECT t, p_job FROM unnest(p_live) AS t
    ON CONFLICT DO NOTHING;
  INSERT INTO ${p}events (job_id, version, at, body) VALUES (p_job, v, p_at, p_event);
  INSERT INTO ${p}outbox (id, job_id, fence, effect)
    SELECT p_job || ':' || v || ':' || (x.i - 1), p_job, v, x.e
    FROM json_array_elements(p_effects) WITH ORDINALITY AS x(e, i);
  -- 'full': the reservation took the technician's last unit of capacity.
  IF p_reserve IS NOT NULL AND EXISTS (SELECT 1 FROM ${p}technicians
      WHERE technician_id = p_reserve AND load >= capacity) THEN
    RETURN 'full';
  END IF;
  RETURN 'ok';
END
$fn$;
`,
  // Appointments booked per technician: an assignment whose window collides with another of his
  // (travel counted) is refused under a per-technician lock (see booking.ts).
  (p) => `
CREATE TABLE ${p}bookings (
  job_id text PRIMARY KEY,
  technician_id text NOT NULL,
  start_at double precision NOT NULL,
  end_at double precision NOT NULL CHECK (end_at > start_at),
  lat double precision NOT NULL,
  lon double precision NOT NULL
);
CREATE INDEX ${p}bookings_technician ON ${p}bookings (technician_id, start_at);
`,
  // The step function, revised: a request id that already has an answer is a version conflict,
  // decided before anything is written — a replica may decide a step on its remembered copy of a
  // job without reading the answer first; a version conflict returns the job as it stands (and
  // that answer), so the retry needs no read; and 'full' comes from the reserving update itself
  // rather than from a second read of the technician.
  (p) => `
CREATE OR REPLACE FUNCTION ${p}append(
  p_job text, p_expected bigint, p_state json, p_at double precision, p_due double precision,
  p_event json, p_effects json, p_reserve text, p_capacity integer, p_release text,
  p_request text, p_outcome json, p_live text[]
) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  v bigint := p_expected + 1;
  v_full boolean := false;
  cur record;
  had json;
BEGIN
  IF p_expected = 0 THEN
    INSERT INTO ${p}jobs (job_id, version, state, last_at, due_at)
      VALUES (p_job, 1, p_state, p_at, p_due) ON CONFLICT (job_id) DO NOTHING;
    IF NOT FOUND THEN RETURN 'exists'; END IF;
  ELSE
    SELECT version, state, last_at INTO cur FROM ${p}jobs WHERE job_id = p_job FOR UPDATE;
    IF NOT FOUND THEN RETURN 'version'; END IF;
    -- Under the job's row lock: an answer written by any step of this job is visible here.
    IF p_request IS NOT NULL THEN
      SELECT outcome INTO had FROM ${p}requests WHERE job_id = p_job AND request_id = p_request;
    END IF;
    IF cur.version <> p_expected OR had IS NOT NULL THEN
      -- 'version:' and the job as it stands, so the caller retries without reading it again.
      RETURN 'version:' || json_build_object('version', cur.version, 'state', cur.state,
        'last_at', cur.last_at, 'outcome', had)::text;
    END IF;
  END IF;
  IF p_reserve IS NOT NULL THEN
    UPDATE ${p}technicians SET load = load + 1 WHERE technician_id = p_reserve AND load < capacity
      RETURNING load >= capacity INTO v_full;
    IF NOT FOUND THEN
      INSERT INTO ${p}technicians (technician_id, load, capacity)
        SELECT p_reserve, 1, p_capacity WHERE p_capacity >= 1 ON CONFLICT (technician_id) DO NOTHING
        RETURNING load >= capacity INTO v_full;
      IF NOT FOUND THEN
        -- A concurrent first reservation created the row: try the conditional update once more.
        UPDATE ${p}technicians SET load = load + 1 WHERE technician_id = p_reserve AND load < capacity
          RETURNING load >= capacity INTO v_full;
        IF NOT FOUND THEN RETURN 'capacity'; END IF;
      END IF;
    END IF;
  END IF;
  IF p_request IS NOT NULL THEN
    INSERT INTO ${p}requests (job_id, request_id, outcome) VALUES (p_job, p_request, p_outcome)
      ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      -- Only a remember() racing this step can get here (it takes no row lock): it stands.
      RAISE EXCEPTION 'request % of job % answered concurrently', p_request, p_job USING ERRCODE = '40001';
    END IF;
  END IF;
  IF p_release IS NOT NULL THEN
    UPDATE ${p}technicians SET load = load - 1 WHERE technician_id = p_release AND load > 0;
  END IF;
  IF p_expected > 0 THEN
    UPDATE ${p}jobs SET version = v, state = p_state, last_at = p_at, due_at = p_due WHERE job_id = p_job;
  END IF;
  DELETE FROM ${p}live_offers WHERE job_id = p_job AND technician_id <> ALL (p_live);
  INSERT INTO ${p}live_offers (technician_id, job_id) SELECT t, p_job FROM unnest(p_live) AS t
    ON CONFLICT DO NOTHING;
  INSERT INTO ${p}events (job_id, version, at, body) VALUES (p_job, v, p_at, p_event);
  INSERT INTO ${p}outbox (id, job_id, fence, effect)
    SELECT p_job || ':' || v || ':' || (x.i - 1), p_job, v, x.e
    FROM json_array_elements(p_effects) WITH ORDINALITY AS x(e, i);
  IF v_full THEN RETURN 'full'; END IF;
  RETURN 'ok';
END
$fn$;
`,
];

/** The tables and functions {@link migrate} creates, by name without the prefix. */
const TABLES = [
  'jobs',
  'events',
  'requests',
  'technicians',
  'outbox',
  'live_offers',
  'bookings',
  'migrations',
];
const FUNCTIONS = ['append'];

/**
 * Drops every table and function {@link migrate} created under a prefix, data included — for
 * tests, benchmarks and throwaway schemas. Never call it on a store in use.
 * @example
 * await migrate(pool, { prefix: 'scratch_' });
 * // …
 * await dropSchema(pool, { prefix: 'scratch_' });
 */
export async function dropSchema(pool: PgPool, options: MigrateOptions = {}): Promise<void> {
  const p = checkPrefix(options.prefix ?? DEFAULT_PREFIX, 'dropSchema()');
  try {
    for (const f of FUNCTIONS) await pool.query(`DROP FUNCTION IF EXISTS ${p}${f} CASCADE`);
    for (const t of TABLES) await pool.query(`DROP TABLE IF EXISTS ${p}${t} CASCADE`);
  } catch (err) {
    throw storeError(err, 'dropSchema()');
  }
}

/**
 * Brings the schema to the latest version; safe to call from every replica at start-up.
 * Returns the versions it applied (empty when already current).
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool); // or migrate(pool, { prefix: 'dispatch_' })
 */
export async function migrate(pool: PgPool, options: MigrateOptions = {}): Promise<number[]> {
  const p = checkPrefix(options.prefix ?? DEFAULT_PREFIX, 'migrate()');
  let client: Awaited<ReturnType<PgPool['connect']>>;
  try {
    client = await pool.connect();
  } catch (err) {
    throw storeError(err, 'migrate()', true);
  }
  const applied: number[] = [];
  let broken = false;
  try {
    // Under the migrations' lock: two replicas running CREATE TABLE IF NOT EXISTS at once can
    // both pass the check, and the loser fails on the catalog (23505, 42710 or 42P07).
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${p}migrations`]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${p}migrations (
      version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    }
    for (let i = 0; i < MIGRATIONS.length; i++) {
      const version = i + 1;
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${p}migrations`]);
        const done = await client.query(`SELECT 1 FROM ${p}migrations WHERE version = $1`, [version]);
        if (done.rows.length === 0) {
          await client.query(MIGRATIONS[i]!(p));
          await client.query(`INSERT INTO ${p}migrations (version) VALUES ($1)`, [version]);
          applied.push(version);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof StoreFailedError) throw err;
    throw storeError(err, `migrate() at version ${applied.length + 1}`);
  } finally {
    client.release(broken);
  }
  return applied;
}
