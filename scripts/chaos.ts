/**
 * The full-size chaos run (10,000 jobs, 4 workers unless CHAOS_JOBS / CHAOS_WORKERS say otherwise)
 * on the server of DATABASE_URL, restarting it through CROWD_DB_STATE (scripts/db-start.sh).
 * Prints the report as JSON and exits 1 when the audit finds anything.
 *   eval "$(npm run -s db:start)" && npm run chaos
 */
import pg from 'pg';
import { runChaos } from '../test/helpers/chaosRun.js';
import { dropPrefix } from '../test/helpers/pg.js';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('chaos: DATABASE_URL is unset; start a server with `eval "$(npm run -s db:start)"`.');
  process.exit(2);
}
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const prefix = `chaos_${process.pid}_`;
console.log(`chaos seed ${seed}`);
const report = await runChaos({
  databaseUrl: url,
  ...(process.env.CROWD_DB_STATE ? { dbState: process.env.CROWD_DB_STATE } : {}),
  jobs: Number(process.env.CHAOS_JOBS ?? 10_000),
  workers: Number(process.env.CHAOS_WORKERS ?? 4),
  seed,
  prefix,
  timeoutMs: 1_800_000,
  log: (l) => console.log(l),
});
console.log(JSON.stringify(report, null, 2));
const pool = new pg.Pool({ connectionString: url });
await dropPrefix(pool, prefix);
for (const t of ['chaos_tasks', 'chaos_delivered']) await pool.query(`DROP TABLE IF EXISTS ${prefix}${t}`);
await pool.end();
process.exit(Object.values(report.audit).every((n) => n === 0) ? 0 : 1);
