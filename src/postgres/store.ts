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
import { StoreConflictError } from '../store/errors.js';
import { checkCapacity } from '../store/memory.js';
import type {
  AppendResult,
  ClaimResult,
  DispatchStore,
  FeedCursor,
  OutboxEntry,
  Step,
  StoredEvent,
  StoredJob,
} from '../store/types.js';
import { appendWithBooking, booksOrFrees } from './booking.js';
import { claimBatch } from './claim.js';
import { isRetryable, storeError } from './errors.js';
import { checkPrefix, DEFAULT_PREFIX, type PgClient, type PgPool } from './pg.js';
import { appendArgs, appendResultOf, cursorAfter, cursorArgs, jobOf, outboxEntryOf } from './rows.js';
import { type Statements, statements } from './sql.js';

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
  private readonly sql: Statements;
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
    this.sql = statements(p);
  }

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    const r = await this.query('get()', this.sql.get, [jobId, requestId ?? null]);
    const row = r.rows[0];
    return row ? jobOf(jobId, row) : undefined;
  }

  async append(step: Step): Promise<AppendResult> {
    const what = `append('${step.event.jobId}')`;
    // One statement (so one transaction) unless the step books or frees an appointment window.
    const answer = booksOrFrees(step)
      ? await this.transaction(what, (client) => appendWithBooking(client, this.sql, step))
      : String((await this.query(what, this.sql.append, appendArgs(step))).rows[0]!.r);
    const result = appendResultOf(answer, step);
    if (result.ok) this.wake();
    return result;
  }

  async claimDue(
    now: number,
    limit: number,
    compute: (job: StoredJob, full: readonly string[]) => Step | null,
    skip?: ReadonlySet<string>,
  ): Promise<ClaimResult> {
    return this.transaction('claimDue()', async (client) => {
      const r = await claimBatch(client, this.sql, now, limit, compute, skip);
      if (r.applied.length > 0) this.wake();
      return r;
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
    await this.query('setCapacity()', this.sql.setCapacity, [technicianId, capacity]);
  }

  async capacityOf(technicianId: string): Promise<{ load: number; capacity: number } | undefined> {
    const r = await this.query('capacityOf()', this.sql.capacityOf, [technicianId]);
    const row = r.rows[0];
    return row ? { load: Number(row.load), capacity: Number(row.capacity) } : undefined;
  }

  async liveJobs(technicianId: string): Promise<string[]> {
    const r = await this.query('liveJobs()', this.sql.liveJobs, [technicianId]);
    return r.rows.map((row) => String(row.job_id));
  }

  async events(jobId: string): Promise<StoredEvent[]> {
    const r = await this.query('events()', this.sql.events, [jobId]);
    return r.rows.map((row) => row.body as StoredEvent);
  }

  async feed(cursor: FeedCursor, limit: number): Promise<{ events: StoredEvent[]; cursor: FeedCursor }> {
    const r = await this.query('feed()', this.sql.feed, [...cursorArgs(cursor), limit]);
    return {
      events: r.rows.map((row) => row.body as StoredEvent),
      cursor: cursorAfter(r.rows, cursor),
    };
  }

  async deliver(limit: number, deliver: (entries: OutboxEntry[]) => Promise<void> | void): Promise<number> {
    // A short lease instead of a transaction held open while delivering: an open transaction would
    // hold back the feed's horizon (and vacuum) for as long as the receiver takes.
    const r = await this.query('deliver()', this.sql.lease, [limit, this.leaseMs]);
    if (r.rows.length === 0) return 0;
    const rows = r.rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const entries: OutboxEntry[] = rows.map(outboxEntryOf);
    try {
      await deliver(entries);
    } catch (err) {
      // Hand them back at once rather than after the lease (best effort: the lease expires anyway).
      await this.pool.query(this.sql.unlease, [entries.map((e) => e.id)]).catch(() => {});
      throw err;
    }
    await this.query('deliver() marking delivered', this.sql.delivered, [entries.map((e) => e.id)]);
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

  /**
   * One NOTIFY per millisecond at most, and none while one is on its way, outside the step's
   * transaction: a NOTIFY inside every append would serialise commits, one per append would
   * double the statements. Appends while one is in flight are covered by the next.
   */
  private wake(): void {
    if (!this.notify || this.notifyPending) return;
    this.notifyPending = true;
    setTimeout(() => {
      this.pool
        .query(this.sql.notify, [this.channel])
        .catch(() => {})
        .finally(() => {
          this.notifyPending = false;
        });
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

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`new PostgresStore(): ${name} is ${String(value)}; pass an integer ≥ 0.`);
  }
  return value;
}
