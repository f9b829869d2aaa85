/**
 * Rebuilds a job's session from its stored event stream alone, with the facts each event recorded:
 * the audit that a stream and the store's current state agree.
 */

import { FactEnv, fingerprint, offersOf } from '../dispatch/env.js';
import { openSession, type SessionState, transition } from '../dispatch/session.js';
import type { Policy } from '../plan/policy.js';
import { InvalidStateError } from '../shared/errors.js';
import type { StoredEvent } from './types.js';

/**
 * Replays one job's events (version 1, 2, … without gaps) under the policy they were recorded with.
 * @example
 * const state = replayJob(await store.events('job-1'), policy);
 * // sessionToJSON(state) equals (await store.get('job-1')).state
 */
export function replayJob(events: readonly StoredEvent[], policy: Policy): SessionState {
  let s: SessionState | undefined;
  const key = fingerprint(policy);
  events.forEach((e, i) => {
    const where = `replayJob('${e.jobId}') event ${e.version}`;
    if (e.version !== i + 1) {
      throw new InvalidStateError(
        `${where}: expected version ${i + 1}; pass the job's whole stream in order.`,
      );
    }
    const env = new FactEnv(null, null, false, where).replay(e.facts);
    if (e.input.type === 'open') {
      if (s !== undefined) throw new InvalidStateError(`${where}: a second opening; the stream is corrupt.`);
      if (e.input.policy !== key) {
        throw new InvalidStateError(
          `${where}: recorded under policy ${e.input.policy}, this one is ${key}; replay with the policy the job was opened with.`,
        );
      }
      const fact = env.next('candidates');
      [s] = openSession(
        {
          at: e.at,
          job: e.input.job,
          ordinal: 0,
          policy,
          candidates: offersOf(fact),
          waves: fact.waves ?? [],
          ...(fact.preferred === undefined ? {} : { preferred: offersOf(fact.preferred) }),
        },
        env,
      );
    } else {
      if (s === undefined)
        throw new InvalidStateError(`${where}: the stream does not start with the opening.`);
      [s] = transition(s, e.input, env);
    }
    env.done();
  });
  if (s === undefined)
    throw new InvalidStateError('replayJob(): no events; pass a job stream that starts with its opening.');
  return s;
}
