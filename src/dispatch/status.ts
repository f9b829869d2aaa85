/**
 * A job's status for operators ({@link JobStatus}), read off its session: what
 * `Dispatcher.status` returns.
 */

import { dueAt, isRunning, type SessionState } from './session.js';
import type { JobStatus } from './types.js';

/**
 * The status of job `jobId`, whose session is `s`; offers count as running at `clock`, the time of
 * the last input (the job's opening before any).
 */
export function statusOf(jobId: string, s: SessionState, clock: number | null): JobStatus {
  const out: JobStatus = {
    jobId,
    state: s.state,
    openedAt: s.openedAt,
    deadlineAt: s.deadlineAt,
    notified: s.notified,
    liveOffers: 0,
    escalationSteps: s.nextStep,
  };
  if (s.job.partner !== undefined) out.partner = s.job.partner;
  if (s.job.window !== undefined) out.window = { ...s.job.window };
  if (s.winner) out.technicianId = s.winner.technicianId;
  if (s.closedAt !== null) out.closedAt = s.closedAt;
  if (s.completedAt !== null) out.completedAt = s.completedAt;
  if (s.completion !== undefined) out.completion = s.completion;
  if (s.reason !== null) out.reason = s.reason;
  const now = clock ?? s.openedAt;
  for (const o of s.offers) if (isRunning(s, o.technicianId, now)) out.liveOffers++;
  const due = dueAt(s);
  if (due !== undefined) out.nextDueAt = due;
  return out;
}
