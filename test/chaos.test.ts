/**
 * Chaos across real processes on a real PostgreSQL: worker processes killed with SIGKILL and
 * restarted at random, the server restarted once, then the audit must find nothing wrong.
 * Size: CHAOS_JOBS (default 3,000 here, to stay near a minute inside `npm test` on 2 cores),
 * CHAOS_WORKERS (default 4); `npm run chaos` runs the full 10,000 (scripts/chaos.ts).
 * The test starts its own throwaway cluster (scripts/db-start.sh) so that restarting it cannot
 * disturb the other PostgreSQL test files running at the same time; where the server binaries
 * are missing it runs on DATABASE_URL without the restart, saying so. Skips without DATABASE_URL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos } from './helpers/chaosRun.js';
import { DATABASE_URL, SKIP_REASON, uniquePrefix } from './helpers/pg.js';
import { fcSeed } from './helpers/seed.js';

const jobs = Number(process.env.CHAOS_JOBS ?? 3_000);
const workers = Number(process.env.CHAOS_WORKERS ?? 4);
const root = join(import.meta.dirname, '..');

/** A cluster of our own, or undefined (with the reason printed) when it cannot be started. */
function ownCluster(): { url: string; state: string } | undefined {
  const state = mkdtempSync(join(tmpdir(), 'crowd-dispatch-chaos-db-'));
  try {
    const out = execFileSync('bash', [join(root, 'scripts', 'db-start.sh')], {
      env: { ...process.env, CROWD_DB_STATE: state },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = /DATABASE_URL=(\S+)/.exec(out)?.[1];
    if (url) return { url, state };
  } catch (err) {
    console.warn(`chaos: cannot start a cluster of its own (${String(err).slice(0, 200)})`);
  }
  return undefined;
}

describe('chaos across processes', () => {
  const own = DATABASE_URL ? ownCluster() : undefined;
  afterAll(() => {
    if (own)
      execFileSync('bash', [join(root, 'scripts', 'db-stop.sh')], {
        env: { ...process.env, CROWD_DB_STATE: own.state },
      });
  });

  it.skipIf(!DATABASE_URL)(
    `${jobs} jobs, ${workers} workers killed at random, PostgreSQL restarted once: the audit finds nothing`,
    async () => {
      if (!own) console.warn('chaos: running on DATABASE_URL without the server restart');
      const report = await runChaos({
        databaseUrl: own?.url ?? DATABASE_URL!,
        ...(own ? { dbState: own.state } : {}),
        jobs,
        workers,
        seed: fcSeed('chaos.test.ts'),
        prefix: uniquePrefix('chaos'),
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
      expect(report.serverRestarted).toBe(own !== undefined);
      expect((report.states.assigned ?? 0) + (report.states.completed ?? 0)).toBeGreaterThan(0);
    },
    600_000,
  );
  if (!DATABASE_URL) it.skip(SKIP_REASON, () => {});
});
