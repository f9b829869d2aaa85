/**
 * The SQL text of every statement the PostgreSQL store sends, for one table prefix. Built once per
 * store, so the text of a statement is the same on every call (and `pg` sees one query string).
 * The prefix must already be validated by `checkPrefix`: it is spliced in as an identifier.
 */

/** The statements of a store whose tables are named with prefix `p`. */
export function statements(p: string) {
  return {
    /** A job and, for a retry, the answer its request id already got ($1 job, $2 request id or null). */
    get: `SELECT j.version, j.state, j.last_at, r.outcome FROM ${p}jobs j
        LEFT JOIN ${p}requests r ON r.job_id = j.job_id AND r.request_id = $2 WHERE j.job_id = $1`,
    /** One step, all or nothing: the `append` function the migrations create (arguments: `appendArgs`). */
    append: `SELECT ${p}append($1, $2, $3::json, $4, $5, $6::json, $7::json, $8, $9, $10, $11, $12::json, $13::text[]) AS r`,
    answer: `SELECT outcome FROM ${p}requests WHERE job_id = $1 AND request_id = $2`,
    /** Records an answer unless one is there; returns the answer that stands (none if a later commit won). */
    remember: `WITH ins AS (INSERT INTO ${p}requests (job_id, request_id, outcome) VALUES ($1, $2, $3::json)
        ON CONFLICT DO NOTHING RETURNING outcome)
        SELECT outcome FROM ins UNION ALL
        SELECT outcome FROM ${p}requests WHERE job_id = $1 AND request_id = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
    /** Events after the cursor ($1 tx, $2 seq) and below the oldest running transaction, in commit-safe order. */
    feed: `SELECT body, tx::text AS tx, seq FROM ${p}events
        WHERE (tx, seq) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY tx, seq LIMIT $3`,
    /** Due jobs ($1 now, $2 limit, $3 ids to skip), locked; those another replica holds are skipped. */
    claimDue: `SELECT job_id, version, state, last_at FROM ${p}jobs WHERE due_at <= $1 AND job_id <> ALL ($3::text[])
         ORDER BY due_at, job_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    setCapacity: `INSERT INTO ${p}technicians (technician_id, load, capacity) VALUES ($1, 0, $2)
       ON CONFLICT (technician_id) DO UPDATE SET capacity = EXCLUDED.capacity`,
    capacityOf: `SELECT load, capacity FROM ${p}technicians WHERE technician_id = $1`,
    /** Jobs with a running offer to the technician, oldest opened first. */
    liveJobs: `SELECT l.job_id FROM ${p}live_offers l JOIN ${p}jobs j USING (job_id) WHERE l.technician_id = $1
       ORDER BY (j.state->>'openedAt')::float8, l.job_id`,
    events: `SELECT body FROM ${p}events WHERE job_id = $1 ORDER BY version`,
    /** Leases up to $1 undelivered entries for $2 ms: those nobody holds or whose lease ran out. */
    lease: `UPDATE ${p}outbox o SET lease_until = clock_timestamp() + $2 * interval '1 millisecond'
       FROM (SELECT id FROM ${p}outbox WHERE delivered_at IS NULL
             AND (lease_until IS NULL OR lease_until < clock_timestamp())
             ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED) c
       WHERE o.id = c.id RETURNING o.id, o.job_id, o.fence, o.seq, o.effect`,
    unlease: `UPDATE ${p}outbox SET lease_until = NULL WHERE id = ANY($1::text[])`,
    delivered: `UPDATE ${p}outbox SET delivered_at = clock_timestamp() WHERE id = ANY($1::text[])`,
    notify: `SELECT pg_notify($1, '')`,
    /** Serialises the bookings of one technician ($1) until the transaction ends (no row needs to exist). */
    bookingLock: `SELECT pg_advisory_xact_lock(hashtextextended('${p}booking:' || $1, 0))`,
    /** A technician's ($1) booked appointments. */
    bookingsOf: `SELECT job_id, start_at, end_at, lat, lon FROM ${p}bookings WHERE technician_id = $1`,
    book: `INSERT INTO ${p}bookings (job_id, technician_id, start_at, end_at, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (job_id) DO UPDATE SET technician_id = EXCLUDED.technician_id, start_at = EXCLUDED.start_at,
       end_at = EXCLUDED.end_at, lat = EXCLUDED.lat, lon = EXCLUDED.lon`,
    unbook: `DELETE FROM ${p}bookings WHERE job_id = $1 AND technician_id = $2`,
  };
}

/** The statements of one store (see {@link statements}). */
export type Statements = ReturnType<typeof statements>;
