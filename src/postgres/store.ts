/**
 * The PostgreSQL dispatch store. Every step is one call of the `append` function the migrations
 * create: one statement, so one transaction, so all or nothing. Versions give optimistic
 * concurrency per job; capacity is reserved by a conditional update; due jobs are claimed with
 * `FOR UPDATE SKIP LOCKED`; effects go to an outbox in the same transaction and are leased out for
 * delivery; the feed orders events by (transaction id, sequence) below the oldest running
 * transaction, so a follower's cursor never skips a late commit.
 */
import type { AcceptOutcome } from '../dispatch/types.js';
import { InvalidArgumentError } from '../shared/errors.js';
import { awardFailed, StoreConflictError } from '../store/errors.js';
import { checkCapacity } from '../store/memory.js';
import {
  type AppendResult,
  type ClaimResult,
  type DispatchStore,
  type FeedCursor,
  liveOf,
  MAX_AWARD_TRIES,
  type OutboxEntry,
  type Step,
  type StoredEvent,
  type StoredJob,
} from '../store/types.js';
import { isRetryable, storeError } from './errors.js';
import { checkPrefix, DEFAULT_PREFIX, type PgClient, type PgPool } from './pg.js';

/** Options of a {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** A `pg.Pool` (its `error` events on idle clients are absorbed if nobody listens, so a restart cannot crash the process). */
  pool: PgPool;
  /** Table prefix, as given to `migrate`. @default 'crowd_dispatch_' */
  prefix?: string;
  /**
   * Re-runs of a statement that PostgreSQL aborted as a serialization failure (40001) or deadlock
   * (40P01), before {@link StoreConflictError}. Versions are checked under a row lock, so these are
   * rare (two first answers to one request id at once). @default 5
   */
  serializationRetries?: number;
  /** How long a replica holds outbox entries it is delivering before another may take them, ms. @default 30000 */
  leaseMs?: number;
  /** Send a NOTIFY after each append so followers wake at once (they also catch up by sequence). @default true */
  notify?: boolean;
}

/**
 * A {@link DispatchStore} on PostgreSQL ≥ 13, shared by every replica. Run `migrate(pool)` first.
 * @example
 * import pg from 'pg';
 * import { migrate, PostgresStore } from 'crowd-dispatch/postgres';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const store = new PostgresStore({ pool });
 * const dispatcher = new StoreDispatcher({ store, fleet, policy });
 */
export class PostgresStore implements DispatchStore {
  readonly pool: PgPool;
  readonly prefix: string;
  /** The channel NOTIFY wakes followers on. */
  readonly channel: string;
  private readonly retries: number;
  private readonly leaseMs: number;
  private readonly notify: boolean;
  private readonly sql: Record<'get' | 'append' | 'answer' | 'remember' | 'feed', string>;
  private notifyPending = false;

  constructor(options: PostgresStoreOptions) {
    const pool = options?.pool as Partial<PgPool> | undefined;
    if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
      throw new InvalidArgumentError(
        'new PostgresStore(options): options.pool must be a pg.Pool; pass { pool }.',
      );
    }
    this.pool = options.pool;
    const p = checkPrefix(options.prefix ?? DEFAULT_PREFIX, 'new PostgresStore()');
    this.prefix = p;
    this.channel = `${p}feed`;
    this.retries = nonNegative(options.serializationRetries, 5, 'serializationRetries');
    this.leaseMs = nonNegative(options.leaseMs, 30_000, 'leaseMs');
    this.notify = options.notify ?? true;
    if (this.pool.on && this.pool.listenerCount?.('error') === 0) this.pool.on('error', () => {});
    this.sql = {
      get: `SELECT j.version, j.state, j.last_at, r.outcome FROM ${p}jobs j
        LEFT JOIN ${p}requests r ON r.job_id = j.job_id AND r.request_id = $2 WHERE j.job_id = $1`,
      append: `SELECT ${p}append($1, $2, $3::json, $4, $5, $6::json, $7::json, $8, $9, $10, $11, $12::json, $13::text[]) AS r`,
      answer: `SELECT outcome FROM ${p}requests WHERE job_id = $1 AND request_id = $2`,
      remember: `WITH ins AS (INSERT INTO ${p}requests (job_id, request_id, outcome) VALUES ($1, $2, $3::json)
        ON CONFLICT DO NOTHING RETURNING outcome)
        SELECT outcome FROM ins UNION ALL
        SELECT outcome FROM ${p}requests WHERE job_id = $1 AND request_id = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
      feed: `SELECT body, tx::text AS tx, seq FROM ${p}events
        WHERE (tx, seq) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY tx, seq LIMIT $3`,
    };
  }

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    const r = await this.query('get()', this.sql.get, [jobId, requestId ?? null]);
    const row = r.rows[0];
    if (!row) return undefined;
    const job: StoredJob = {
      jobId,
      version: Number(row.version),
      state: row.state as StoredJob['state'],
      lastAt: Number(row.last_at),
    };
    if (row.outcome !== null && row.outcome !== undefined) job.answer = row.outcome as AcceptOutcome;
    return job;
  }

  async append(step: Step): Promise<AppendResult> {
    const r = await this.query(`append('${step.event.jobId}')`, this.sql.append, appendArgs(step));
    return this.result(String(r.rows[0]!.r), step);
  }

  async claimDue(
    now: number,
    limit: number,
    compute: (job: StoredJob, full: readonly string[]) => Step | null,
    skip?: ReadonlySet<string>,
  ): Promise<ClaimResult> {
    const p = this.prefix;
    return this.transaction('claimDue()', async (client) => {
      const due = await client.query(
        `SELECT job_id, version, state, last_at FROM ${p}jobs WHERE due_at <= $1 AND job_id <> ALL ($3::text[])
         ORDER BY due_at, job_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, limit, [...(skip ?? [])]],
      );
      const applied: Step[] = [];
      const failures: ClaimResult['failures'] = [];
      for (const row of due.rows) {
        const jobId = String(row.job_id);
        const full: string[] = [];
        for (let attempt = 0; ; attempt++) {
          let step: Step | null;
          try {
            step = compute(
              {
                jobId,
                version: Number(row.version),
                state: row.state as StoredJob['state'],
                lastAt: Number(row.last_at),
              },
              full,
            );
          } catch (error) {
            failures.push({ jobId, error });
            break;
          }
          if (!step) break;
          // A savepoint per job: one job's failing step leaves the others of the batch to commit.
          await client.query('SAVEPOINT step');
          let answer: string;
          try {
            const r = await client.query(this.sql.append, appendArgs(step));
            answer = String(r.rows[0]!.r);
            if (answer !== 'ok' && answer !== 'full' && !(answer === 'capacity' && step.reserve)) {
              throw new Error(`claimDue(): a locked job answered '${answer}'; this is a bug`);
            }
          } catch (error) {
            // If the connection is gone this throws too, and the whole batch fails (rolled back).
            await client.query('ROLLBACK TO SAVEPOINT step');
            failures.push({ jobId, error: storeError(error, `claimDue() step of '${jobId}'`) });
            break;
          }
          if (answer !== 'capacity') {
            await client.query('RELEASE SAVEPOINT step');
            applied.push(step);
            break;
          }
          // An award whose winner has no capacity left: compute it again without him.
          await client.query('ROLLBACK TO SAVEPOINT step');
          if (attempt + 1 >= MAX_AWARD_TRIES) {
            failures.push({ jobId, error: awardFailed(jobId) });
            break;
          }
          full.push(step.reserve!.technicianId);
        }
      }
      if (applied.length > 0) this.wake();
      return { claimed: due.rows.length, applied, failures };
    });
  }

  async answer(jobId: string, requestId: string): Promise<AcceptOutcome | undefined> {
    const r = await this.query('answer()', this.sql.answer, [jobId, requestId]);
    return r.rows[0]?.outcome as AcceptOutcome | undefined;
  }

  async remember(jobId: string, requestId: string, outcome: AcceptOutcome): Promise<AcceptOutcome> {
    for (;;) {
      const r = await this.query('remember()', this.sql.remember, [
        jobId,
        requestId,
        JSON.stringify(outcome),
      ]);
      if (r.rows[0]) return r.rows[0].outcome as AcceptOutcome;
      // Lost the insert to a writer that committed after this statement's snapshot: read it anew.
      const had = await this.answer(jobId, requestId);
      if (had) return had;
    }
  }

  async setCapacity(technicianId: string, capacity: number): Promise<void> {
    checkCapacity(capacity);
    await this.query(
      'setCapacity()',
      `INSERT INTO ${this.prefix}technicians (technician_id, load, capacity) VALUES ($1, 0, $2)
       ON CONFLICT (technician_id) DO UPDATE SET capacity = EXCLUDED.capacity`,
      [technicianId, capacity],
    );
  }

  async capacityOf(technicianId: string): Promise<{ load: number; capacity: number } | undefined> {
    const r = await this.query(
      'capacityOf()',
      `SELECT load, capacity FROM ${this.prefix}technicians WHERE technician_id = $1`,
      [technicianId],
    );
    const row = r.rows[0];
    return row ? { load: Number(row.load), capacity: Number(row.capacity) } : undefined;
  }

  async liveJobs(technicianId: string): Promise<string[]> {
    const p = this.prefix;
    const r = await this.query(
      'liveJobs()',
      `SELECT l.job_id FROM ${p}live_offers l JOIN ${p}jobs j USING (job_id) WHERE l.technician_id = $1
       ORDER BY (j.state->>'openedAt')::float8, l.job_id`,
      [technicianId],
    );
    return r.rows.map((row) => String(row.job_id));
  }

  async events(jobId: string): Promise<StoredEvent[]> {
    const r = await this.query(
      'events()',
      `SELECT body FROM ${this.prefix}events WHERE job_id = $1 ORDER BY version`,
      [jobId],
    );
    return r.rows.map((row) => row.body as StoredEvent);
  }

  async feed(cursor: FeedCursor, limit: number): Promise<{ events: StoredEvent[]; cursor: FeedCursor }> {
    const [tx, seq] = cursor === '' ? ['0', '0'] : cursor.split('/');
    const r = await this.query('feed()', this.sql.feed, [tx, seq, limit]);
    const last = r.rows[r.rows.length - 1];
    return {
      events: r.rows.map((row) => row.body as StoredEvent),
      cursor: last ? `${String(last.tx)}/${String(last.seq)}` : cursor,
    };
  }

  async deliver(limit: number, deliver: (entries: OutboxEntry[]) => Promise<void> | void): Promise<number> {
    const p = this.prefix;
    // A short lease instead of a transaction held open while delivering: an open transaction would
    // hold back the feed's horizon (and vacuum) for as long as the receiver takes.
    const r = await this.query(
      'deliver()',
      `UPDATE ${p}outbox o SET lease_until = clock_timestamp() + $2 * interval '1 millisecond'
       FROM (SELECT id FROM ${p}outbox WHERE delivered_at IS NULL
             AND (lease_until IS NULL OR lease_until < clock_timestamp())
             ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED) c
       WHERE o.id = c.id RETURNING o.id, o.job_id, o.fence, o.seq, o.effect`,
      [limit, this.leaseMs],
    );
    if (r.rows.length === 0) return 0;
    const rows = r.rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const entries: OutboxEntry[] = rows.map((row) => ({
      id: String(row.id),
      jobId: String(row.job_id),
      fence: Number(row.fence),
      effect: row.effect as OutboxEntry['effect'],
    }));
    try {
      await deliver(entries);
    } catch (err) {
      // Hand them back at once rather than after the lease (best effort: the lease expires anyway).
      await this.pool
        .query(`UPDATE ${p}outbox SET lease_until = NULL WHERE id = ANY($1::text[])`, [
          entries.map((e) => e.id),
        ])
        .catch(() => {});
      throw err;
    }
    await this.query(
      'deliver() marking delivered',
      `UPDATE ${p}outbox SET delivered_at = clock_timestamp() WHERE id = ANY($1::text[])`,
      [entries.map((e) => e.id)],
    );
    return entries.length;
  }

  /**
   * Wakes `onWake` whenever any replica appends (LISTEN on {@link channel}); reconnects after a lost
   * connection and wakes once then, since notifications sent meanwhile are lost. Returns a stop function.
   */
  async listen(onWake: () => void): Promise<() => Promise<void>> {
    let stopped = false;
    let client: PgClient | undefined;
    const connect = async (): Promise<void> => {
      while (!stopped) {
        try {
          const c = await this.pool.connect();
          c.on('notification', (msg) => {
            if (msg.channel === this.channel) onWake();
          });
          c.on('error', () => {
            c.release(true);
            if (client === c) client = undefined;
            if (!stopped) void connect();
          });
          await c.query(`LISTEN ${this.channel}`);
          client = c;
          onWake();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    await connect();
    return async () => {
      stopped = true;
      const c = client;
      client = undefined;
      if (c) {
        await c.query(`UNLISTEN ${this.channel}`).catch(() => {});
        c.release();
      }
    };
  }

  // ---- internals ----------------------------------------------------------------------------

  private result(r: string, step: Step): AppendResult {
    if (r === 'ok' || r === 'full') {
      this.wake();
      return r === 'full'
        ? { ok: true, version: step.event.version, full: true }
        : { ok: true, version: step.event.version };
    }
    return { ok: false, conflict: r as 'version' | 'exists' | 'capacity' };
  }

  /**
   * One NOTIFY per millisecond at most, outside the step's transaction: a NOTIFY inside every
   * append would serialise commits, one per append would double the statements.
   */
  private wake(): void {
    if (!this.notify || this.notifyPending) return;
    this.notifyPending = true;
    setTimeout(() => {
      this.notifyPending = false;
      this.pool.query(`SELECT pg_notify($1, '')`, [this.channel]).catch(() => {});
    }, 1).unref?.();
  }

  private async query(what: string, text: string, values: unknown[]) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pool.query(text, values);
      } catch (err) {
        if (isRetryable(err) && attempt < this.retries) continue;
        if (isRetryable(err)) {
          throw new StoreConflictError(
            `${what}: PostgreSQL aborted the statement as a serialization conflict ${attempt + 1} times; retry later.`,
          );
        }
        throw storeError(err, what);
      }
    }
  }

  private async transaction<T>(what: string, body: (client: PgClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let client: PgClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw storeError(err, what, true);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const out = await body(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        if (isRetryable(err) && attempt < this.retries) continue;
        if (isRetryable(err)) {
          throw new StoreConflictError(
            `${what}: serialization conflicts ${attempt + 1} times in a row; retry later.`,
          );
        }
        if (err instanceof Error && err.message.endsWith('this is a bug')) throw err;
        throw storeError(err, what);
      } finally {
        client.release(broken);
      }
    }
  }
}

function appendArgs(step: Step): unknown[] {
  const { event } = step;
  return [
    event.jobId,
    step.expectedVersion,
    JSON.stringify(step.state),
    event.at,
    step.dueAt,
    JSON.stringify(event),
    JSON.stringify(event.effects),
    step.reserve?.technicianId ?? null,
    step.reserve?.capacity ?? null,
    step.release ?? null,
    step.request?.requestId ?? null,
    step.request ? JSON.stringify(step.request.outcome) : null,
    liveOf(step.state),
  ];
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`new PostgresStore(): ${name} is ${String(value)}; pass an integer ≥ 0.`);
  }
  return value;
}
