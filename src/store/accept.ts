/**
 * The accept path of the store-backed dispatcher. An accept is the one input whose answer must be
 * the same everywhere: exactly one accept per job is ever `assigned`, across every replica, and a
 * retry with the same request id gets the answer it got first. So the assignment reserves the
 * winner's capacity and records the request's answer in the same append, and refusals are
 * recorded too (first answer wins).
 */

import { type SessionEvent, sessionFromJSON, transition } from '../dispatch/session.js';
import type { AcceptOutcome, SessionJSON } from '../dispatch/types.js';
import type { StoreSteps } from './steps.js';
import type { StoredJob } from './types.js';

/** A technician accepts (arguments already checked); see `StoreDispatcher.accept`. */
export async function acceptOnStore(
  steps: StoreSteps,
  jobId: string,
  technicianId: string,
  now: number,
  requestId: string | undefined,
): Promise<AcceptOutcome> {
  let fresh = false;
  let current: StoredJob | undefined;
  for (let attempt = 0; attempt <= steps.maxRetries; ) {
    // One read (the job and, for a retry, the answer it already got) — or none, on this replica's
    // remembered copy, where only a step that writes is decided (see StoreSteps), or on the job a
    // conflicting append returned.
    const read = await steps.read(jobId, requestId, fresh, current);
    current = undefined;
    if (!read) return { outcome: 'unknown_job', jobId };
    const { job, remembered } = read;
    if (!remembered) attempt++;
    fresh = true;
    // An assignment stands while its request still holds the job (not after its winner cancelled).
    const stale = job.answer?.outcome === 'assigned' && !holds(job.state, technicianId, requestId);
    if (job.answer && !stale) return repeatOf(job.answer);
    const at = Math.max(now, job.lastAt);
    const s = sessionFromJSON(job.state);
    const env = steps.env(at);
    const input: SessionEvent = { type: 'accept', at, technicianId, requestId: requestId ?? null };
    const [next, effects, reply] = transition(s, input, env);
    const outcome = reply!;
    const writes = next !== s && (outcome.outcome === 'held' || outcome.outcome === 'assigned');
    if (!writes && remembered) continue;
    if (outcome.outcome === 'held') {
      // Best accept: collected, no capacity reserved (the award reserves it); the answer is not final.
      if (next === s) return outcome;
      const r = await steps.append(steps.stepOf(job, at, input, env.facts, next, effects));
      if (r.ok) return outcome;
      current = r.current;
      continue;
    }
    if (outcome.outcome !== 'assigned' || next === s)
      return stale ? outcome : refuse(steps, jobId, requestId, outcome);
    const step = steps.stepOf(job, at, input, env.facts, next, effects);
    steps.claim(step, next, technicianId);
    if (requestId !== undefined) step.request = { requestId, outcome: { ...outcome, effects: [] } };
    const r = await steps.append(step);
    if (r.ok) {
      if (r.full) {
        // He holds as many jobs as he can: his other running offers go to someone else. The
        // assignment is committed whatever happens here; offers a failure leaves running are
        // refused at accept by the store's capacity, and technicianUnavailable finishes the job.
        try {
          const more = await steps.withdrawAll(technicianId, now, 'at_capacity', jobId);
          if (more.length > 0) outcome.effects = [...outcome.effects, ...more];
        } catch {
          // The caller gets the assignment; the withdrawals that failed stay undone (see above).
        }
      }
      return outcome;
    }
    current = r.current;
    // A refusal is decided on a fresh read only (the booking check runs before the version's).
    if (remembered || r.conflict === 'version') continue;
    if (r.conflict === 'capacity') {
      return refuse(steps, jobId, requestId, { outcome: 'no_longer_eligible', jobId, reason: 'at_capacity' });
    }
    if (r.conflict === 'booked') {
      // Another replica booked him for a colliding appointment meanwhile (this one's fleet did not know yet).
      return refuse(steps, jobId, requestId, {
        outcome: 'no_longer_eligible',
        jobId,
        reason: 'booked_in_window',
      });
    }
  }
  throw steps.conflict('accept', jobId);
}

/** Records a refusal as the request's answer, unless another answer got there first (that one stands). */
async function refuse(
  steps: StoreSteps,
  jobId: string,
  requestId: string | undefined,
  outcome: AcceptOutcome,
): Promise<AcceptOutcome> {
  if (requestId === undefined || outcome.outcome === 'assigned' || outcome.outcome === 'unknown_job')
    return outcome;
  return repeatOf(await steps.store.remember(jobId, requestId, outcome), outcome);
}

/** Whether the job's winner is still this technician's request. */
function holds(state: SessionJSON, technicianId: string, requestId: string | undefined): boolean {
  const w = state.winner;
  return w !== null && w.technicianId === technicianId && w.requestId === (requestId ?? null);
}

/** A recorded answer handed out again: an assignment is marked as a repeat and carries no effects. */
function repeatOf(had: AcceptOutcome, fresh?: AcceptOutcome): AcceptOutcome {
  if (had.outcome === 'assigned') return { ...had, repeated: true, effects: [] };
  return fresh && JSON.stringify(fresh) === JSON.stringify(had) ? fresh : had;
}
