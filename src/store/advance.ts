/**
 * The timers of the store-backed dispatcher: due jobs are claimed from the store in batches (so no
 * two replicas fire the same step) and ticked. A job whose step fails is left as it was, still due,
 * and skipped for the rest of this call, so one bad job cannot stall the others.
 */

import { JobsFailedError } from '../dispatch/errors.js';
import { type SessionEvent, sessionFromJSON, transition } from '../dispatch/session.js';
import type { Effect } from '../dispatch/types.js';
import type { StoreSteps } from './steps.js';

/** Fires everything due at or before `now` (already checked), `batch` jobs a transaction; see `StoreDispatcher.advance`. */
export async function advanceOnStore(steps: StoreSteps, now: number, batch: number): Promise<Effect[]> {
  const out: Effect[] = [];
  const failures: { jobId: string; error: unknown }[] = [];
  const skip = new Set<string>();
  for (;;) {
    const r = await steps.store.claimDue(
      now,
      batch,
      (job, full) => {
        const at = Math.max(now, job.lastAt);
        const s = sessionFromJSON(job.state);
        const env = steps.env(at);
        if (full.length > 0) env.full = full;
        const input: SessionEvent = { type: 'tick', at };
        const [next, effects] = transition(s, input, env);
        if (next === s) return null;
        const step = steps.stepOf(job, at, input, env.facts, next, effects);
        // A best-accept window closed with an award: the store reserves the winner's capacity.
        const won = effects.find((e) => e.type === 'assigned');
        if (won) steps.claim(step, next, won.technicianId);
        return step;
      },
      skip,
    );
    for (const step of r.applied) {
      steps.stored(step);
      for (const e of step.event.effects) out.push(e);
    }
    for (const f of r.failures) {
      failures.push(f);
      skip.add(f.jobId); // tried again by the next advance, not in this one
    }
    if (r.claimed < batch) break;
  }
  if (failures.length > 0) {
    throw new JobsFailedError(
      `advance(): ${failures.length} due job(s) failed and were left as they were, still due (${failures
        .slice(0, 5)
        .map((f) => `'${f.jobId}'`)
        .join(
          ', ',
        )}${failures.length > 5 ? ', …' : ''}); the others were applied — perform error.effects, and see error.failures.`,
      out,
      failures,
    );
  }
  return out;
}
