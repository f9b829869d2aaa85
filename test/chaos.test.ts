/**
 * Chaos across real processes on a real PostgreSQL: worker processes killed with SIGKILL and
 * restarted at random, the server restarted once, then the audit must find nothing wrong.
 * Size: CHAOS_JOBS (default 3,000 here, to stay near a minute inside `npm test` on 2 cores),
 * CHAOS_WORKERS (default 4); `npm run chaos` runs the full 10,000 (scripts/chaos.ts). Needs
 * DATABASE_URL; the server restart needs CROWD_DB_STATE (scripts/db-start.sh sets both; CI always does).
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './helpers/chaosRun.js';
import { DATABASE_URL, dropPrefix, makePool, SKIP_REASON, uniquePrefix } from './helpers/pg.js';
import { fcSeed } from './helpers/seed.js';

const jobs = Number(process.env.CHAOS_JOBS ?? 3_000);
const workers = Number(process.env.CHAOS_WORKERS ?? 4);

describe('chaos across processes', () => {
  it.skipIf(!DATABASE_URL)(
    `${jobs} jobs, ${workers} workers killed at random, PostgreSQL restarted once: the audit finds nothing`,
    async () => {
      if (!process.env.CROWD_DB_STATE) console.warn('CROWD_DB_STATE is unset: the server restart is skipped');
      const prefix = uniquePrefix('chaos');
      const report = await runChaos({
        databaseUrl: DATABASE_URL!,
        ...(process.env.CROWD_DB_STATE ? { dbState: process.env.CROWD_DB_STATE } : {}),
        jobs,
        workers,
        seed: fcSeed('chaos.test.ts'),
        prefix,
        timeoutMs: 540_000,
        log: (l) => console.log(l),
      });
      console.log(`chaos report ${JSON.stringify(report)}`);
      expect(report.audit).toEqual({
        doubleAssignments: 0,
        overCapacity: 0,
        loadMismatches: 0,
        lostJobs: 0,
        lostEffects: 0,
        replayMismatches: 0,
      });
      expect(report.kills).toBeGreaterThan(0);
      expect(report.serverRestarted).toBe(process.env.CROWD_DB_STATE !== undefined);
      expect((report.states.assigned ?? 0) + (report.states.completed ?? 0)).toBeGreaterThan(0);
      const pool = makePool();
      await dropPrefix(pool, prefix);
      for (const t of ['chaos_tasks', 'chaos_delivered'])
        await pool.query(`DROP TABLE IF EXISTS ${prefix}${t}`);
      await pool.end();
    },
    600_000,
  );
  if (!DATABASE_URL) it.skip(SKIP_REASON, () => {});
});
