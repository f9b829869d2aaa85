/**
 * Rows ↔ records for the PostgreSQL store: a step as the `append` function's arguments, the rows
 * read back as the store port's records, and the feed cursor as text. No I/O here.
 */
import type { AcceptOutcome } from '../dispatch/types.js';
import {
  type AppendConflict,
  type AppendResult,
  type FeedCursor,
  liveOf,
  type OutboxEntry,
  type Step,
  type StoredJob,
} from '../store/types.js';

type Row = Record<string, unknown>;

/** The arguments of the `append` statement for `step`, in the order the SQL function takes them. */
export function appendArgs(step: Step): unknown[] {
  const { event } = step;
  return [
    event.jobId,
    step.expectedVersion,
    JSON.stringify(step.state),
    event.at,
    step.dueAt,
    JSON.stringify(event),
    JSON.stringify(event.effects),
    step.reserve?.technicianId ?? null,
    step.reserve?.capacity ?? null,
    step.release ?? null,
    step.request?.requestId ?? null,
    step.request ? JSON.stringify(step.request.outcome) : null,
    liveOf(step.state),
  ];
}

/**
 * What the `append` function answered, as an {@link AppendResult}: 'ok', 'full' (applied, and the
 * winner is now at capacity), or the conflict that stopped it ('version:' followed by the job as
 * it stands, as JSON).
 */
export function appendResultOf(answer: string, step: Step): AppendResult {
  if (answer === 'ok') return { ok: true, version: step.event.version };
  if (answer === 'full') return { ok: true, version: step.event.version, full: true };
  if (answer.startsWith('version:')) {
    const current = jobOf(step.event.jobId, JSON.parse(answer.slice('version:'.length)) as Row);
    return { ok: false, conflict: 'version', current };
  }
  return { ok: false, conflict: answer as AppendConflict };
}

/** A jobs row (`version`, `state`, `last_at`, and for `get` the request's `outcome`) as a {@link StoredJob}. */
export function jobOf(jobId: string, row: Row): StoredJob {
  const job: StoredJob = {
    jobId,
    version: Number(row.version),
    state: row.state as StoredJob['state'],
    lastAt: Number(row.last_at),
  };
  if (row.outcome !== null && row.outcome !== undefined) job.answer = row.outcome as AcceptOutcome;
  return job;
}

/** A leased outbox row as an {@link OutboxEntry}. */
export function outboxEntryOf(row: Row): OutboxEntry {
  return {
    id: String(row.id),
    jobId: String(row.job_id),
    fence: Number(row.fence),
    effect: row.effect as OutboxEntry['effect'],
  };
}

/** A feed cursor as the (transaction id, sequence) pair the feed statement compares; '' is the start. */
export function cursorArgs(cursor: FeedCursor): [string, string] {
  const [tx, seq] = cursor === '' ? ['0', '0'] : cursor.split('/');
  return [tx!, seq!];
}

/** The cursor after the last row read, or the same cursor when nothing was read. */
export function cursorAfter(rows: readonly Row[], cursor: FeedCursor): FeedCursor {
  const last = rows[rows.length - 1];
  return last ? `${String(last.tx)}/${String(last.seq)}` : cursor;
}
