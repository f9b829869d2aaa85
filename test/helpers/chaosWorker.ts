/**
 * One worker process of the chaos test (test/chaos.test.ts): a replica of a StoreDispatcher on the
 * shared PostgreSQL store. It opens jobs from a task table, accepts jobs (racing the other
 * workers), cancels a few, fires timers and delivers the outbox, completing most assigned jobs.
 * It may be SIGKILLed at any moment; every store error (the server restarts once) is retried.
 * Reports accept latencies and assigned answers to the parent over IPC.
 * Usage: node --import tsx test/helpers/chaosWorker.ts (env: DATABASE_URL, CHAOS_PREFIX, CHAOS_SEED, CHAOS_ID)
 */
import pg from 'pg';
import type { Effect } from '../../src/dispatch/types.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { createPolicy } from '../../src/plan/policy.js';
import { PostgresStore } from '../../src/postgres/store.js';
import { CrowdDispatchError, DuplicateIdError } from '../../src/shared/errors.js';
import { createRng } from '../../src/shared/random.js';
import { StoreDispatcher } from '../../src/store/dispatcher.js';
import type { OutboxEntry } from '../../src/store/types.js';

export const CHAOS_TECHS = 300;
/** Jobs open at once across all workers (about). */
const OPEN_JOBS = 120;

/** The fleet every worker builds: 300 technicians around Zurich, a quarter of them with capacity 1. */
export function chaosFleet(): Fleet {
  const rng = createRng(7);
  const fleet = new Fleet();
  for (let i = 0; i < CHAOS_TECHS; i++) {
    fleet.add({
      id: `c${i}`,
      lat: 47.3769 + (rng.next() - 0.5) * 0.3,
      lon: 8.5417 + (rng.next() - 0.5) * 0.4,
      tier: 'friend',
      radiusKm: 40,
      capacity: i % 4 === 0 ? 1 : 2,
    });
  }
  return fleet;
}

/** Short times so that a job closes within seconds. */
export const chaosPolicy = () =>
  createPolicy({
    waves: [
      { size: 3, offsetMs: 0 },
      { size: 3, offsetMs: 1_500 },
    ],
    maxNotifiedPerJob: 12,
    notificationCap: null,
    offerTtlMs: 4_000,
    escalation: [{ action: 'deeper', afterMs: 3_000, size: 4 }],
    deadlineMs: 6_000,
  });

/** Deterministic per job: 1 in 16 is cancelled, 63 in 64 completed once assigned (the rest hold capacity to the end). */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

async function main(): Promise<void> {
  const prefix = process.env.CHAOS_PREFIX!;
  const id = process.env.CHAOS_ID!;
  const rng = createRng(Number(process.env.CHAOS_SEED ?? 1));
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 6 });
  pool.on('error', () => {});
  const store = new PostgresStore({ pool, prefix, leaseMs: 2_000, notify: false });
  const fleet = chaosFleet();
  const d = new StoreDispatcher({ store, fleet, policy: chaosPolicy() });
  const latencies: number[] = [];
  const assigned: [string, string][] = [];
  let errors = 0;
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  const flush = (): void => {
    if (latencies.length === 0 && assigned.length === 0) return;
    if (process.connected)
      process.send?.({ latencies: latencies.splice(0), assigned: assigned.splice(0), errors });
    errors = 0;
  };
  const tick = setInterval(flush, 500);

  /** Runs `fn`, retrying store errors (the server restarts, connections drop) until it succeeds. */
  const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof CrowdDispatchError) || !err.code.startsWith('STORE_')) throw err;
        errors++;
        if (process.env.CHAOS_DEBUG) console.error(`retry ${err.code}: ${err.message.slice(0, 160)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const openSome = async (): Promise<number> => {
    // Few jobs open at a time, so that every one of them is raced for by every worker.
    const open = await pool.query(`SELECT count(*)::int AS n FROM ${prefix}jobs WHERE due_at IS NOT NULL`);
    if (Number(open.rows[0]!.n) >= OPEN_JOBS) return 0;
    const r = await pool.query(
      `UPDATE ${prefix}chaos_tasks t SET lease = clock_timestamp() + interval '3 seconds'
       FROM (SELECT job_id FROM ${prefix}chaos_tasks WHERE NOT done AND (lease IS NULL OR lease < clock_timestamp())
             ORDER BY job_id LIMIT 10 FOR UPDATE SKIP LOCKED) c WHERE t.job_id = c.job_id RETURNING t.job_id, t.lat, t.lon`,
    );
    for (const row of r.rows) {
      const job = { id: String(row.job_id), lat: Number(row.lat), lon: Number(row.lon) };
      await retry(async () => {
        try {
          await d.open(job, Date.now());
        } catch (err) {
          if (!(err instanceof DuplicateIdError)) throw err; // opened before a crash: fine
        }
      });
      await pool.query(`UPDATE ${prefix}chaos_tasks SET done = true WHERE job_id = $1`, [job.id]);
    }
    return r.rows.length;
  };

  const acceptSome = async (): Promise<void> => {
    // The earliest-due open jobs: every worker races on the same few.
    const r = await pool.query(
      `SELECT job_id, state FROM ${prefix}jobs WHERE due_at IS NOT NULL ORDER BY due_at LIMIT ${OPEN_JOBS}`,
    );
    const work: Promise<unknown>[] = [];
    for (const row of r.rows) {
      const jobId = String(row.job_id);
      const state = row.state as { offers: { technicianId: string; status: string }[] };
      if (hash(jobId) % 16 === 0) {
        if (rng.next() < 0.3) work.push(retry(() => d.cancel(jobId, Date.now())));
        continue;
      }
      const live = state.offers.filter((o) => o.status === 'live');
      // Two of the notified technicians answer through this worker; the others answer elsewhere.
      for (let k = 0; k < 2 && live.length > 0; k++) {
        const o = live.splice(Math.floor(rng.next() * live.length), 1)[0]!;
        if (rng.next() < 0.1) {
          work.push(retry(() => d.decline(jobId, o.technicianId, Date.now())));
          continue;
        }
        const requestId = `${jobId}/${o.technicianId}`;
        work.push(
          retry(async () => {
            const t0 = performance.now();
            const a = await d.accept(jobId, o.technicianId, Date.now(), requestId);
            latencies.push(performance.now() - t0);
            if (a.outcome === 'assigned') assigned.push([jobId, a.technicianId]);
          }),
        );
      }
    }
    await Promise.all(work);
  };

  const deliver = async (entries: OutboxEntry[]): Promise<void> => {
    await pool.query(
      `INSERT INTO ${prefix}chaos_delivered (effect_id, job_id, type, fence, by)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) ON CONFLICT (effect_id) DO
       UPDATE SET times = ${prefix}chaos_delivered.times + 1`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.jobId),
        entries.map((e) => e.effect.type),
        entries.map((e) => e.fence),
        entries.map(() => id),
      ],
    );
    for (const e of entries) {
      const effect: Effect = e.effect;
      if (effect.type === 'assigned' && (hash(e.jobId) >>> 8) % 64 !== 0)
        await d.complete(e.jobId, Date.now());
    }
  };

  while (!stopping) {
    try {
      const opened = await openSome();
      await acceptSome();
      await d.advance(Date.now());
      while ((await store.deliver(50, deliver)) === 50) {}
      if (opened === 0) await new Promise((r) => setTimeout(r, 50));
    } catch (err) {
      // The server restarts mid-run: pg's own errors (task queries) and store errors alike are retried.
      errors++;
      if (!(err instanceof CrowdDispatchError) && errors < 5)
        console.error(`chaos worker ${id}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  clearInterval(tick);
  flush();
  await pool.end().catch(() => {});
  process.exit(0);
}

if (process.env.CHAOS_PREFIX) {
  main().catch((err) => {
    console.error(`chaos worker ${process.env.CHAOS_ID}:`, err);
    process.exit(1);
  });
}
