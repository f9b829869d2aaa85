/**
 * Suite `postgres`: accepts per second and accept latency (p50/p99) of the store-backed dispatcher
 * on the PostgreSQL server of DATABASE_URL, side by side with the same dispatcher on the in-memory
 * store and with the in-memory `Dispatcher`, in one run on the same jobs. Skipped (with a message)
 * without DATABASE_URL. Wall-clock timing: the database is another process.
 *   eval "$(npm run -s db:start)" && npm run bench:postgres [-- --jobs 4000 --clients 8 --pool 8]
 * Each job is accepted by two of its notified technicians at once (one wins, one is refused), each
 * accept with a request id, as a retrying app sends them.
 */
import pg from 'pg';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { createPolicy } from '../../src/plan/policy.js';
import { dropSchema, migrate } from '../../src/postgres/migrate.js';
import type { PgClient, PgPool } from '../../src/postgres/pg.js';
import { PostgresStore } from '../../src/postgres/store.js';
import { createRng } from '../../src/shared/random.js';
import { StoreDispatcher } from '../../src/store/dispatcher.js';
import { FleetFollower } from '../../src/store/follow.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { DispatchStore } from '../../src/store/types.js';

export interface AcceptBenchRow {
  target: string;
  accepts: number;
  seconds: number;
  acceptsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Statements sent to PostgreSQL per accept (PostgreSQL rows only). */
  statementsPerAccept?: number;
}

/** A pool that counts the statements sent through it (directly and on checked-out clients). */
function counting(pool: pg.Pool): { pool: PgPool; count: () => number } {
  let n = 0;
  const wrapped: PgPool = {
    query: (text, values) => {
      n++;
      return pool.query(text, values);
    },
    connect: async () => {
      const c = await pool.connect();
      const query = c.query.bind(c) as PgClient['query'];
      return Object.assign(Object.create(c), {
        query: (text: string, values?: unknown[]) => {
          n++;
          return query(text, values);
        },
        release: (d?: boolean | Error) => c.release(d),
      }) as PgClient;
    },
    on: (event, listener) => pool.on(event, listener),
    listenerCount: (event) => pool.listenerCount(event),
  };
  return { pool: wrapped, count: () => n };
}

const NOW = 1_700_000_000_000;

function fleetOf(n: number): Fleet {
  const rng = createRng(11);
  const fleet = new Fleet();
  for (let i = 0; i < n; i++) {
    fleet.add({
      id: `b${i}`,
      lat: 47.3769 + (rng.next() - 0.5) * 0.6,
      lon: 8.5417 + (rng.next() - 0.5) * 0.8,
      tier: 'friend',
      radiusKm: 40,
      capacity: 1000,
    });
  }
  return fleet;
}

const policy = createPolicy({
  waves: [{ size: 4, offsetMs: 0 }],
  notificationCap: null,
  offerTtlMs: 600_000,
  deadlineMs: 3_600_000,
  escalation: [],
});

function jobsOf(n: number) {
  const rng = createRng(12);
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}`,
    lat: 47.3769 + (rng.next() - 0.5) * 0.4,
    lon: 8.5417 + (rng.next() - 0.5) * 0.5,
  }));
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function row(target: string, lat: number[], seconds: number): AcceptBenchRow {
  lat.sort((a, b) => a - b);
  return {
    target,
    accepts: lat.length,
    seconds,
    acceptsPerSecond: lat.length / seconds,
    p50Ms: quantile(lat, 0.5),
    p99Ms: quantile(lat, 0.99),
  };
}

/** Opens the jobs (untimed), then times concurrent accepts from `clients` loops. */
async function storeRun(
  target: string,
  store: DispatchStore,
  jobs: number,
  clients: number,
  rememberedJobs?: number,
  statements?: () => number,
  tag = 'r',
): Promise<AcceptBenchRow> {
  const d = new StoreDispatcher({
    store,
    fleet: fleetOf(2000),
    policy,
    ...(rememberedJobs === undefined ? {} : { rememberedJobs }),
  });
  const list = jobsOf(jobs).map((j) => ({ ...j, id: `${tag}-${j.id}` }));
  const offered = new Map<string, string[]>();
  for (let i = 0; i < list.length; i += 32) {
    await Promise.all(
      list.slice(i, i + 32).map(async (j) => {
        const effects = await d.open(j, NOW);
        offered.set(
          j.id,
          effects.flatMap((e) => (e.type === 'notify' ? e.technicianIds : [])),
        );
      }),
    );
  }
  const work: [string, string][] = [];
  for (const j of list) for (const t of offered.get(j.id)!.slice(0, 2)) work.push([j.id, t]);
  const lat: number[] = [];
  let next = 0;
  const sent = statements?.() ?? 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < work.length) {
        const [jobId, tech] = work[next++]!;
        const a = performance.now();
        await d.accept(jobId, tech, NOW + 1000, `${jobId}/${tech}`);
        lat.push(performance.now() - a);
      }
    }),
  );
  const out = row(target, lat, (performance.now() - t0) / 1000);
  if (statements) out.statementsPerAccept = (statements() - sent) / lat.length;
  return out;
}

/** The in-memory Dispatcher: synchronous, one accept at a time. */
function memoryDispatcherRun(jobs: number): AcceptBenchRow {
  const d = new Dispatcher({ fleet: fleetOf(2000), policy, keepLog: false });
  const work: [string, string][] = [];
  for (const j of jobsOf(jobs)) {
    const ids = d.open(j, NOW).flatMap((e) => (e.type === 'notify' ? e.technicianIds : []));
    for (const t of ids.slice(0, 2)) work.push([j.id, t]);
  }
  const lat: number[] = [];
  const t0 = performance.now();
  for (const [jobId, tech] of work) {
    const a = performance.now();
    d.accept(jobId, tech, NOW + 1000, `${jobId}/${tech}`);
    lat.push(performance.now() - a);
  }
  return row('Dispatcher (in memory, sync)', lat, (performance.now() - t0) / 1000);
}

/**
 * Delay from one replica's accept returning to another replica's fleet holding the award: replica
 * B listens (LISTEN/NOTIFY) and catches up by sequence; accepts arrive every `gapMs`.
 */
async function followerDelay(
  url: string,
  prefix: string,
  n: number,
  gapMs: number,
): Promise<{ events: number; p50Ms: number; p99Ms: number; maxMs: number }> {
  const poolA = new pg.Pool({ connectionString: url, max: 4 });
  const poolB = new pg.Pool({ connectionString: url, max: 4 });
  const a = new StoreDispatcher({
    store: new PostgresStore({ pool: poolA, prefix }),
    fleet: fleetOf(2000),
    policy,
  });
  const storeB = new PostgresStore({ pool: poolB, prefix });
  const committed = new Map<string, number>();
  const applied = new Map<string, number>();
  const follower = new FleetFollower(storeB, fleetOf(2000), {
    onEvent: (e) => applied.set(`${e.jobId}:${e.version}`, performance.now()),
  });
  await follower.catchUp(); // the history of earlier runs is not measured
  applied.clear();
  const stop = await storeB.listen(() => void follower.catchUp());
  const jobs = jobsOf(n).map((j) => ({ ...j, id: `delay-${j.id}` }));
  for (const j of jobs) {
    const ids = (await a.open(j, NOW)).flatMap((e) => (e.type === 'notify' ? e.technicianIds : []));
    await a.accept(j.id, ids[0]!, NOW + 1000, `d/${j.id}`);
    committed.set(`${j.id}:2`, performance.now());
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await new Promise((r) => setTimeout(r, 200));
  await stop();
  await poolA.end();
  await poolB.end();
  const delays: number[] = [];
  for (const [k, t] of committed) {
    const at = applied.get(k);
    delays.push(at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, at - t));
  }
  delays.sort((x, y) => x - y);
  return {
    events: delays.length,
    p50Ms: quantile(delays, 0.5),
    p99Ms: quantile(delays, 0.99),
    maxMs: delays.at(-1)!,
  };
}

export async function runPostgresBench(options: {
  databaseUrl: string | undefined;
  jobs: number;
  clients: number;
  poolSize: number;
}): Promise<AcceptBenchRow[] | undefined> {
  const rows: AcceptBenchRow[] = [memoryDispatcherRun(options.jobs)];
  rows.push(
    await storeRun('StoreDispatcher + MemoryStore', new MemoryStore(), options.jobs, options.clients),
  );
  if (!options.databaseUrl) {
    console.error(
      'postgres bench: DATABASE_URL is unset, PostgreSQL rows skipped (eval "$(npm run -s db:start)").',
    );
    return rows;
  }
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  pool.on('error', () => {});
  const prefix = `bench_${process.pid}_`;
  await migrate(pool, { prefix });
  try {
    // The same accepts twice: reading each job before deciding (as before remembered copies), then
    // on the replica's remembered copies (the default); NOTIFYs to followers included, as deployed.
    const c = counting(pool);
    const store = new PostgresStore({ pool: c.pool, prefix });
    const label = `StoreDispatcher + PostgresStore (pool ${options.poolSize}, ${options.clients} clients)`;
    rows.push(
      await storeRun(`${label}, reads first`, store, options.jobs, options.clients, 0, c.count, 'a'),
      await storeRun(label, store, options.jobs, options.clients, undefined, c.count, 'b'),
    );
    const delay = await followerDelay(options.databaseUrl, prefix, 300, 5);
    console.error(
      `fleet follower delay (LISTEN/NOTIFY + catch-up, accept every 5 ms): p50 ${delay.p50Ms.toFixed(2)} ms, p99 ${delay.p99Ms.toFixed(2)} ms, max ${delay.maxMs.toFixed(2)} ms over ${delay.events} accepts`,
    );
  } finally {
    await dropSchema(pool, { prefix });
    await pool.end();
  }
  return rows;
}

function arg(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(argv[i + 1]);
}

/** Runs the suite and prints its Markdown table (`--jobs`, `--clients`, `--pool` from `argv`). */
export async function printPostgresBench(argv: readonly string[] = []): Promise<void> {
  const rows = await runPostgresBench({
    databaseUrl: process.env.DATABASE_URL,
    jobs: arg(argv, 'jobs', 4000),
    clients: arg(argv, 'clients', 8),
    poolSize: arg(argv, 'pool', 8),
  });
  console.log('\n### postgres: accepts (wall clock; two accepts per job, request ids)\n');
  console.log('| target | accepts | accepts/s | p50 ms | p99 ms | statements per accept |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows ?? []) {
    const st = r.statementsPerAccept === undefined ? '' : r.statementsPerAccept.toFixed(2);
    console.log(
      `| ${r.target} | ${r.accepts} | ${Math.round(r.acceptsPerSecond)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${st} |`,
    );
  }
}

if (process.argv[1]?.endsWith('postgres.ts')) await printPostgresBench(process.argv.slice(2));
