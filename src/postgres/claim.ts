/**
 * The timer batch of the PostgreSQL store: inside one transaction that has locked the due jobs,
 * compute and append each job's step under its own savepoint, so one job's failure (or an award
 * whose winner is full) undoes that job only and the rest of the batch still commits.
 */
import { awardFailed } from '../store/errors.js';
import { type ClaimResult, MAX_AWARD_TRIES, type Step, type StoredJob } from '../store/types.js';
import { storeError } from './errors.js';
import type { PgClient } from './pg.js';
import { appendArgs, jobOf } from './rows.js';

/**
 * Claims up to `limit` jobs due at `now` (none of `skip`) on `client`, whose transaction is open,
 * and applies the step `compute` gives each. Returns what `DispatchStore.claimDue` returns.
 */
export async function claimBatch(
  client: PgClient,
  sql: { claimDue: string; append: string },
  now: number,
  limit: number,
  compute: (job: StoredJob, full: readonly string[]) => Step | null,
  skip: ReadonlySet<string> | undefined,
): Promise<ClaimResult> {
  const due = await client.query(sql.claimDue, [now, limit, [...(skip ?? [])]]);
  const applied: Step[] = [];
  const failures: ClaimResult['failures'] = [];
  for (const row of due.rows) {
    const jobId = String(row.job_id);
    const full: string[] = [];
    for (let attempt = 0; ; attempt++) {
      let step: Step | null;
      try {
        step = compute(jobOf(jobId, row), full);
      } catch (error) {
        failures.push({ jobId, error });
        break;
      }
      if (!step) break;
      // A savepoint per job: one job's failing step leaves the others of the batch to commit.
      await client.query('SAVEPOINT step');
      let answer: string;
      try {
        const r = await client.query(sql.append, appendArgs(step));
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
  return { claimed: due.rows.length, applied, failures };
}
