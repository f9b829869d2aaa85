/**
 * The chaos run across processes: N worker processes (test/helpers/chaosWorker.ts) on one
 * PostgreSQL database, killed with SIGKILL and restarted at random, the server itself restarted
 * once mid-run; then an audit of the store. Used by test/chaos.test.ts (CI size) and
 * scripts/chaos.ts (full size).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sessionToJSON } from '../../src/dispatch/session.js';
import { migrate } from '../../src/postgres/migrate.js';
import { createRng } from '../../src/shared/random.js';
import { replayJob } from '../../src/store/replay.js';
import type { StoredEvent } from '../../src/store/types.js';
import { chaosPolicy } from './chaosWorker.js';

export interface ChaosOptions {
  databaseUrl: string;
  /** scripts/db-start.sh state dir: the server is restarted through it (omit: no server restart). */
  dbState?: string;
  jobs: number;
  workers: number;
  seed: number;
  prefix: string;
  /** Give up after this long, ms. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  jobs: number;
  workers: number;
  seconds: number;
  kills: number;
  serverRestarted: boolean;
  accepts: number;
  acceptsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  storeErrorsRetried: number;
  states: Record<string, number>;
  redelivered: number;
  audit: {
    doubleAssignments: number;
    overCapacity: number;
    loadMismatches: number;
    lostJobs: number;
    lostEffects: number;
    replayMismatches: number;
  };
}

const WORKER = join(import.meta.dirname, 'chaosWorker.ts');

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => {});
  const rng = createRng(o.seed);
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 3 });
  pool.on('error', () => {});
  const p = o.prefix;
  await migrate(pool, { prefix: p });
  await pool.query(`CREATE TABLE ${p}chaos_tasks (job_id text PRIMARY KEY, lat float8, lon float8,
    lease timestamptz, done boolean NOT NULL DEFAULT false)`);
  await pool.query(`CREATE TABLE ${p}chaos_delivered (effect_id text PRIMARY KEY, job_id text, type text,
    fence bigint, by text, times integer NOT NULL DEFAULT 1)`);
  await pool.query(
    `INSERT INTO ${p}chaos_tasks (job_id, lat, lon)
     SELECT 'job-' || lpad(g::text, 6, '0'), 47.3769 + (random() - 0.5) * 0.2, 8.5417 + (random() - 0.5) * 0.3
     FROM generate_series(1, $1) g`,
    [o.jobs],
  );

  const latencies: number[] = [];
  const winners = new Map<string, Set<string>>();
  let storeErrors = 0;
  let kills = 0;
  let spawned = 0;
  const children = new Map<number, ChildProcess>();
  const spawn = (slot: number): void => {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        DATABASE_URL: o.databaseUrl,
        CHAOS_PREFIX: p,
        CHAOS_SEED: String(o.seed + 1000 * spawned++),
        CHAOS_ID: `w${slot}`,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: { latencies: number[]; assigned: [string, string][]; errors: number }) => {
      for (const l of m.latencies) latencies.push(l);
      for (const [job, tech] of m.assigned) {
        let s = winners.get(job);
        if (!s) winners.set(job, (s = new Set()));
        s.add(tech);
      }
      storeErrors += m.errors;
    });
    children.set(slot, child);
  };
  const t0 = performance.now();
  for (let i = 0; i < o.workers; i++) spawn(i);

  const remaining = async (): Promise<number> => {
    try {
      const r = await pool.query(
        `SELECT (SELECT count(*) FROM ${p}chaos_tasks WHERE NOT done)
              + (SELECT count(*) FROM ${p}jobs WHERE due_at IS NOT NULL)
              + (SELECT count(*) FROM ${p}outbox WHERE delivered_at IS NULL) AS n`,
      );
      return Number(r.rows[0].n);
    } catch {
      return Number.POSITIVE_INFINITY; // the server is restarting
    }
  };

  let restarted = false;
  const respawns = new Set<ReturnType<typeof setTimeout>>();
  const deadline = t0 + (o.timeoutMs ?? 600_000);
  let nextKill = performance.now() + 1000 + rng.next() * 2000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const left = await remaining();
    const done = await pool
      .query(`SELECT count(*)::int AS n FROM ${p}chaos_tasks WHERE done`)
      .then((r) => Number(r.rows[0].n))
      .catch(() => 0);
    if (left === 0) break;
    if (performance.now() > deadline)
      throw new Error(`chaos run did not finish in time (${left} items left)`);
    if (!restarted && o.dbState && done >= o.jobs * 0.4) {
      restarted = true;
      log(`restarting PostgreSQL at ${done}/${o.jobs} jobs opened`);
      restartServer(o.dbState);
    }
    if (performance.now() >= nextKill && done < o.jobs) {
      const slot = Math.floor(rng.next() * o.workers);
      children.get(slot)?.kill('SIGKILL');
      kills++;
      // Restarted after a pause, so that leases held by the dead worker must expire or be taken over.
      const timer = setTimeout(
        () => {
          respawns.delete(timer);
          spawn(slot);
        },
        200 + rng.next() * 800,
      );
      respawns.add(timer);
      nextKill = performance.now() + 500 + rng.next() * 2500;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const t of respawns) clearTimeout(t);
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const hard = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(hard);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  const audit = await auditStore(pool, p, winners);
  await pool.end();
  latencies.sort((a, b) => a - b);
  const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))] ?? 0;
  return {
    jobs: o.jobs,
    workers: o.workers,
    seconds,
    kills,
    serverRestarted: restarted,
    accepts: latencies.length,
    acceptsPerSecond: latencies.length / seconds,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    storeErrorsRetried: storeErrors,
    states: audit.states,
    redelivered: audit.redelivered,
    audit: audit.counts,
  };
}

/** Immediate shutdown (like a crash: recovery replays the WAL on start), then a start on the same port. */
function restartServer(state: string): void {
  const pid = Number(readFileSync(join(state, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGQUIT');
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    execFileSync('sleep', ['0.05']);
  }
  execFileSync('bash', [join(import.meta.dirname, '..', '..', 'scripts', 'db-start.sh'), '--restart'], {
    env: { ...process.env, CROWD_DB_STATE: state },
    stdio: 'ignore',
  });
}

async function auditStore(pool: pg.Pool, p: string, winners: Map<string, Set<string>>) {
  const counts = {
    doubleAssignments: 0,
    overCapacity: 0,
    loadMismatches: 0,
    lostJobs: 0,
    lostEffects: 0,
    replayMismatches: 0,
  };
  // Answers seen by the workers: one technician per job.
  for (const s of winners.values()) if (s.size > 1) counts.doubleAssignments++;
  const tasks = await pool.query(
    `SELECT t.job_id, j.state FROM ${p}chaos_tasks t LEFT JOIN ${p}jobs j USING (job_id)`,
  );
  const states: Record<string, number> = {};
  const held = new Map<string, number>();
  const stored = new Map<string, unknown>();
  for (const row of tasks.rows) {
    const s = row.state as { state: string; winner: { technicianId: string } | null } | null;
    if (!s || s.state === 'open') {
      counts.lostJobs++;
      continue;
    }
    states[s.state] = (states[s.state] ?? 0) + 1;
    stored.set(String(row.job_id), s);
    if (s.state === 'assigned') held.set(s.winner!.technicianId, (held.get(s.winner!.technicianId) ?? 0) + 1);
  }
  // Capacity: never exceeded, and the store's load equals the assignments still held.
  const techs = await pool.query(`SELECT technician_id, load, capacity FROM ${p}technicians`);
  for (const t of techs.rows) {
    if (Number(t.load) > Number(t.capacity)) counts.overCapacity++;
    if (Number(t.load) !== (held.get(String(t.technician_id)) ?? 0)) counts.loadMismatches++;
  }
  for (const [id, n] of held)
    if (!techs.rows.some((t) => t.technician_id === id) && n > 0) counts.loadMismatches++;
  // Streams: at most one `assigned` effect per job, each delivered; every stream replays to the stored state.
  const events = await pool.query(`SELECT job_id, body FROM ${p}events ORDER BY job_id, version`);
  const byJob = new Map<string, StoredEvent[]>();
  for (const row of events.rows) {
    const id = String(row.job_id);
    let list = byJob.get(id);
    if (!list) byJob.set(id, (list = []));
    list.push(row.body as StoredEvent);
  }
  const delivered = await pool.query(`SELECT effect_id, times FROM ${p}chaos_delivered`);
  const seen = new Set(delivered.rows.map((r) => String(r.effect_id)));
  const redelivered = delivered.rows.filter((r) => Number(r.times) > 1).length;
  const outbox = await pool.query(`SELECT id FROM ${p}outbox`);
  for (const r of outbox.rows) if (!seen.has(String(r.id))) counts.lostEffects++;
  const policy = chaosPolicy();
  for (const [id, evs] of byJob) {
    let assigned = 0;
    for (const e of evs) {
      e.effects.forEach((eff, i) => {
        if (eff.type !== 'assigned') return;
        assigned++;
        if (!seen.has(`${id}:${e.version}:${i}`)) counts.lostEffects++;
      });
    }
    if (assigned > 1) counts.doubleAssignments++;
    try {
      const replayed = JSON.stringify(sessionToJSON(replayJob(evs, policy)));
      if (replayed !== JSON.stringify(stored.get(id))) counts.replayMismatches++;
    } catch {
      counts.replayMismatches++;
    }
  }
  return { counts, states, redelivered };
}
