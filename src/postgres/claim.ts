/**
 * The timer batch of the PostgreSQL store: inside one transaction that has locked the due jobs,
 * compute and append each job's step under its own savepoint, so one job's failure (or an award
 * whose winner is full) undoes that job only and the rest of the batch still commits.
 */
import { awardFailed } from '../store/errors.js';
import {
  type ClaimResult,
  MAX_AWARD_TRIES,
  type Step,
  type StoredJob,
  winnerConflict,
  winnerOf,
} from '../store/types.js';
import { appendWithBooking } from './booking.js';
import { storeError } from './errors.js';
import type { PgClient } from './pg.js';
import { jobOf } from './rows.js';
import type { Statements } from './sql.js';

/**
 * Claims up to `limit` jobs due at `now` (none of `skip`) on `client`, whose transaction is open,
 * and applies the step `compute` gives each. Returns what `DispatchStore.claimDue` returns.
 */
export async function claimBatch(
  client: PgClient,
  sql: Statements,
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
        answer = await appendWithBooking(client, sql, step);
        if (answer !== 'ok' && answer !== 'full' && !(winnerConflict(answer) && winnerOf(step))) {
          throw new Error(`claimDue(): a locked job answered '${answer}'; this is a bug`);
        }
      } catch (error) {
        // If the connection is gone this throws too, and the whole batch fails (rolled back).
        await client.query('ROLLBACK TO SAVEPOINT step');
        failures.push({ jobId, error: storeError(error, `claimDue() step of '${jobId}'`) });
        break;
      }
      if (!winnerConflict(answer)) {
        await client.query('RELEASE SAVEPOINT step');
        applied.push(step);
        break;
      }
      // An award whose winner has no capacity left (or a colliding booking): compute it again without him.
      await client.query('ROLLBACK TO SAVEPOINT step');
      if (attempt + 1 >= MAX_AWARD_TRIES) {
        failures.push({ jobId, error: awardFailed(jobId) });
        break;
      }
      full.push(winnerOf(step)!);
    }
  }
  return { claimed: due.rows.length, applied, failures };
}
