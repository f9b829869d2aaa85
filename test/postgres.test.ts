/**
 * PostgreSQL-specific behaviour: migrations, faults (unreachable, timeout, failure mid-transaction),
 * the serialization retry bound, and that the core never loads `pg`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobsFailedError } from '../src/dispatch/errors.js';
import { MIGRATIONS, migrate } from '../src/postgres/migrate.js';
import type { PgPool } from '../src/postgres/pg.js';
import { PostgresStore } from '../src/postgres/store.js';
import { InvalidArgumentError } from '../src/shared/errors.js';
import { StoreDispatcher } from '../src/store/dispatcher.js';
import {
  StoreConflictError,
  StoreFailedError,
  StoreTimeoutError,
  StoreUnavailableError,
} from '../src/store/errors.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';
import { DATABASE_URL, dropPrefix, freshStore, makePool, SKIP_REASON, uniquePrefix } from './helpers/pg.js';

const policy = fastPolicy();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('postgres store without a server', () => {
  it('never imports pg: the caller passes a pool, so importing crowd-dispatch cannot load it', () => {
    for (const f of files('src')) {
      // JSDoc examples show the caller's own `import pg from 'pg'`: only code lines count.
      const code = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/)/.test(l))
        .join('\n');
      expect(code, f).not.toMatch(/from ['"]pg['"]|require\(['"]pg['"]\)|import\(['"]pg['"]\)/);
    }
  });

  it('retries a serialization failure a bounded number of times, then throws StoreConflictError', async () => {
    let calls = 0;
    const pool: PgPool = {
      query: async () => {
        calls++;
        throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      },
      connect: async () => {
        throw new Error('unused');
      },
    };
    const store = new PostgresStore({ pool, serializationRetries: 3 });
    await expect(store.get('j')).rejects.toThrow(StoreConflictError);
    expect(calls).toBe(4);
  });

  it('rejects a prefix that is not a plain identifier, and bad options', async () => {
    const pool = {
      query: async () => ({ rows: [], rowCount: 0 }),
      connect: async () => ({}),
    } as unknown as PgPool;
    expect(() => new PostgresStore({ pool, prefix: 'x; DROP TABLE y' })).toThrow(InvalidArgumentError);
    expect(() => new PostgresStore({ pool, prefix: 'Upper' })).toThrow(/lower-case/);
    expect(() => new PostgresStore({ pool, leaseMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new PostgresStore({ pool: {} as PgPool })).toThrow(InvalidArgumentError);
    await expect(migrate(pool, { prefix: '1abc' })).rejects.toThrow(InvalidArgumentError);
  });
});

if (!DATABASE_URL) {
  describe('postgres store on a server', () => {
    it.skip(SKIP_REASON, () => {});
  });
} else {
  describe('postgres store on a server', () => {
    const pool = makePool();
    const prefixes: string[] = [];
    afterAll(async () => {
      for (const p of prefixes) await dropPrefix(pool, p);
      await pool.end();
    });
    async function fresh(options = {}) {
      const r = await freshStore(pool, 'pg', options);
      prefixes.push(r.prefix);
      return r;
    }

    it('migrates once, from several replicas at once, and creates nothing outside its prefix', async () => {
      // Several rounds on fresh prefixes: the replicas race on creating the migrations table too.
      for (let round = 0; round < 4; round++) {
        const fresh = uniquePrefix('migr');
        prefixes.push(fresh);
        const all = await Promise.all([1, 2, 3, 4].map(() => migrate(pool, { prefix: fresh })));
        expect(all.flat().sort()).toEqual(MIGRATIONS.map((_, i) => i + 1));
      }
      const prefix = uniquePrefix('mig');
      prefixes.push(prefix);
      const results = await Promise.all([
        migrate(pool, { prefix }),
        migrate(pool, { prefix }),
        migrate(pool, { prefix }),
      ]);
      expect(results.flat().sort()).toEqual(MIGRATIONS.map((_, i) => i + 1));
      expect(await migrate(pool, { prefix })).toEqual([]);
      const tables = await pool.query(
        `SELECT tablename FROM pg_tables WHERE tablename LIKE $1 ORDER BY tablename`,
        [`${prefix}%`],
      );
      expect(tables.rows.map((r) => r.tablename)).toEqual(
        ['bookings', 'events', 'jobs', 'live_offers', 'migrations', 'outbox', 'requests', 'technicians'].map(
          (t) => prefix + t,
        ),
      );
    });

    it('throws StoreUnavailableError when the server cannot be reached, before anything is sent', async () => {
      const dead = makePool({
        connectionString: 'postgres://crowd@127.0.0.1:1/crowd',
        connectionTimeoutMillis: 2000,
      });
      const store = new PostgresStore({ pool: dead });
      const d = new StoreDispatcher({ store, fleet: makeFleet(10), policy });
      await expect(d.open(job('j1'), T0)).rejects.toThrow(StoreUnavailableError);
      await expect(d.advance(T0)).rejects.toThrow(StoreUnavailableError);
      await expect(migrate(dead)).rejects.toThrow(StoreUnavailableError);
      await dead.end();
    });

    it('throws StoreTimeoutError when a statement runs past the timeout, and applies nothing', async () => {
      const { store, prefix } = await fresh();
      const d = new StoreDispatcher({ store, fleet: makeFleet(10), policy });
      const ids = notified(await d.open(job('j1'), T0));
      const slow = makePool({ statement_timeout: 300 });
      const slowStore = new PostgresStore({ pool: slow, prefix });
      const ds = new StoreDispatcher({ store: slowStore, fleet: makeFleet(10), policy });
      const blocker = await pool.connect();
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${prefix}jobs WHERE job_id = 'j1' FOR UPDATE`);
      await expect(ds.accept('j1', ids[0]!, T0 + 100, 'r1')).rejects.toThrow(StoreTimeoutError);
      await blocker.query('ROLLBACK');
      blocker.release();
      expect((await store.get('j1'))?.version).toBe(1);
      expect(await store.answer('j1', 'r1')).toBeUndefined();
      expect(await store.capacityOf(ids[0]!)).toBeUndefined();
      // The retry with the same request id now goes through.
      expect(await ds.accept('j1', ids[0]!, T0 + 200, 'r1')).toMatchObject({ outcome: 'assigned' });
      await slow.end();
    });

    it('leaves no partial state when the transaction fails part-way (a trigger fails the outbox insert)', async () => {
      const { store, prefix } = await fresh();
      const d = new StoreDispatcher({ store, fleet: makeFleet(10), policy });
      const ids = notified(await d.open(job('boom'), T0));
      await pool.query(`CREATE FUNCTION ${prefix}fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.job_id = 'boom' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$`);
      await pool.query(
        `CREATE TRIGGER ${prefix}fail BEFORE INSERT ON ${prefix}outbox FOR EACH ROW EXECUTE FUNCTION ${prefix}fail()`,
      );
      const before = await pool.query(`SELECT count(*)::int AS n FROM ${prefix}events`);
      await expect(d.accept('boom', ids[0]!, T0 + 100, 'r1')).rejects.toThrow(StoreFailedError);
      const job1 = await store.get('boom');
      expect(job1?.version).toBe(1);
      expect(job1?.state.state).toBe('open');
      expect(await store.capacityOf(ids[0]!)).toBeUndefined();
      expect(await store.answer('boom', 'r1')).toBeUndefined();
      expect((await pool.query(`SELECT count(*)::int AS n FROM ${prefix}events`)).rows[0].n).toBe(
        before.rows[0].n,
      );
      await pool.query(`DROP TRIGGER ${prefix}fail ON ${prefix}outbox`);
      expect(await d.accept('boom', ids[0]!, T0 + 200, 'r1')).toMatchObject({ outcome: 'assigned' });
    });

    it("advance applies the other due jobs when one job's step fails, and throws JobsFailedError naming it", async () => {
      const { store, prefix } = await fresh();
      const d = new StoreDispatcher({ store, fleet: makeFleet(10), policy });
      for (const id of ['a', 'poison', 'z']) await d.open(job(id), T0);
      await pool.query(`CREATE FUNCTION ${prefix}fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.job_id = 'poison' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$`);
      await pool.query(
        `CREATE TRIGGER ${prefix}fail BEFORE INSERT ON ${prefix}events FOR EACH ROW EXECUTE FUNCTION ${prefix}fail()`,
      );
      const err = await d.advance(T0 + 10_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobsFailedError);
      const failed = err as JobsFailedError;
      expect(failed.failures.map((f) => f.jobId)).toEqual(['poison']);
      expect(failed.failures[0]!.error).toBeInstanceOf(StoreFailedError);
      expect(new Set(failed.effects.map((e) => e.jobId))).toEqual(new Set(['a', 'z']));
      expect((await store.get('a'))!.version).toBe(2);
      expect((await store.get('poison'))!.version).toBe(1);
      await pool.query(`DROP TRIGGER ${prefix}fail ON ${prefix}events`);
      const effects = await d.advance(T0 + 10_000);
      expect(effects.every((e) => e.jobId === 'poison') && effects.length > 0).toBe(true);
      expect((await store.get('poison'))!.version).toBe(2);
    });

    it('leases outbox entries: a replica that died mid-delivery hands them to another after the lease', async () => {
      const { store, prefix } = await fresh({ leaseMs: 300 });
      const d = new StoreDispatcher({ store, fleet: makeFleet(10), policy });
      await d.open(job('j1'), T0);
      let first: string[] = [];
      // The deliverer "dies": it never acknowledges.
      const dying = store.deliver(10, (es) => {
        first = es.map((e) => e.id);
        return new Promise(() => {});
      });
      void dying;
      await new Promise((r) => setTimeout(r, 50));
      expect(first.length).toBeGreaterThan(0);
      expect(await store.deliver(10, () => {})).toBe(0); // still leased
      await new Promise((r) => setTimeout(r, 400));
      const again: string[] = [];
      await store.deliver(10, (es) => void again.push(...es.map((e) => e.id)));
      expect(again).toEqual(first);
      const pending = await pool.query(
        `SELECT count(*)::int AS n FROM ${prefix}outbox WHERE delivered_at IS NULL`,
      );
      expect(pending.rows[0].n).toBe(0);
    });

    it('wakes listeners on every replica when any replica appends (LISTEN/NOTIFY)', async () => {
      const { store } = await fresh();
      const other = new PostgresStore({ pool, prefix: store.prefix });
      let wakes = 0;
      let woke: () => void = () => {};
      const stop = await other.listen(() => {
        wakes++;
        woke();
      });
      const initial = wakes; // one wake on (re)connect
      const d = new StoreDispatcher({ store, fleet: makeFleet(10), policy });
      const got = new Promise<void>((r) => {
        woke = r;
      });
      await d.open(job('j1'), T0);
      await got;
      expect(wakes).toBeGreaterThan(initial);
      await stop();
    });
  });
}
