/**
 * The dispatcher's re-check when a wave goes out and at accept (`dispatch/fleet-facts.ts`) is its
 * own code, so it is held to `RULES` here: over random fleets (availability windows, loads,
 * notification histories, reservations) and on-demand or appointment jobs, a technician is skipped
 * at send exactly when a rule that can change while a job is open fails, and `ineligible` names
 * one of the failing rules.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ineligible, skipAtSend } from '../src/dispatch/fleet-facts.js';
import { jobContext, reasonsFor } from '../src/plan/eligibility.js';
import { createPolicy } from '../src/plan/policy.js';
import type { ExclusionReason, Job } from '../src/shared/types.js';
import { buildFleet, scenarioArb } from './helpers/scenario.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('fleet-facts');

/** The rules whose answer can change between the plan and the send (the rest hold for the job's life). */
const SEND_RULES: readonly ExclusionReason[] = [
  'offline',
  'not_certified',
  'unavailable_now',
  'unavailable_in_window',
  'at_capacity',
  'booked_in_window',
  'notification_cap',
];
/** What `ineligible` decides (the cap and "now" windows are `skipAtSend`'s own). */
const VERDICT_RULES: readonly ExclusionReason[] = [
  'offline',
  'not_certified',
  'unavailable_in_window',
  'at_capacity',
  'booked_in_window',
];

const HOUR = 3_600_000;

const caseArb = fc.record({
  s: scenarioArb,
  // An appointment window some hours ahead, or an on-demand job.
  window: fc.option(
    fc.record({ inH: fc.integer({ min: 1, max: 72 }), lengthH: fc.integer({ min: 1, max: 4 }) }),
    { nil: undefined },
  ),
  // Reservations of other appointments: [technician index, start offset h, length h, km east].
  reservations: fc.array(
    fc.tuple(
      fc.nat(),
      fc.integer({ min: -6, max: 80 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 300 }),
    ),
    { maxLength: 12 },
  ),
});

describe('dispatch re-check at send and accept agrees with RULES', () => {
  it('skipAtSend ⇔ a send-time rule fails; ineligible names a failing rule', () => {
    let skipped = 0;
    let kept = 0;
    let reserved = 0;
    fc.assert(
      fc.property(caseArb, ({ s, window, reservations }) => {
        const fleet = buildFleet(s);
        const policy = createPolicy(s.policy);
        const job: Job =
          window === undefined
            ? s.job
            : {
                ...s.job,
                window: {
                  start: s.now + window.inH * HOUR,
                  end: s.now + (window.inH + window.lengthH) * HOUR,
                  timeZone: 'Europe/Zurich',
                },
              };
        for (const [i, startH, lengthH, km] of reservations) {
          if (s.techs.length === 0) break;
          const t = s.techs[i % s.techs.length]!;
          fleet.reserve(t.id, {
            jobId: `other-${i}-${startH}`,
            start: s.now + startH * HOUR,
            end: s.now + (startH + lengthH) * HOUR,
            lat: job.lat,
            lon: Math.max(-180, Math.min(180, job.lon + km / 80)),
          });
        }
        if (fleet.reservations.size > 0) reserved++;
        const ctx = jobContext(fleet, job, policy, s.now);
        // As the session resolves it: the partner whose certification the job requires.
        const certPartner = ctx.certRequired ? job.partner! : null;
        for (const t of s.techs) {
          if (!fleet.has(t.id)) continue;
          const slot = fleet.slotOf(t.id);
          const entry = fleet.index.slotEntry[slot]!;
          const failing = reasonsFor(fleet, slot, entry, 0, ctx);
          const verdict = ineligible(fleet, t.id, certPartner, true, { job, policy, now: s.now });
          const skip = skipAtSend(fleet, policy, t.id, certPartner, s.now, job);
          // At send an appointment's offers go out now: online and capacity count then, whatever the plan deferred.
          const atSend = new Set(failing.filter((r) => SEND_RULES.includes(r)));
          if (job.window !== undefined && !fleet.get(t.id)!.online) atSend.add('offline');
          const verdictRules = [...atSend].filter((r) => VERDICT_RULES.includes(r));
          expect(skip, `${t.id}: rules fail ${[...atSend]}`).toBe(atSend.size > 0);
          expect(verdict === null, `${t.id}: verdict ${verdict}, rules fail ${verdictRules}`).toBe(
            verdictRules.length === 0,
          );
          if (verdict !== null) expect(verdictRules).toContain(verdict);
          if (skip) skipped++;
          else kept++;
        }
      }),
      { seed, numRuns: 200 },
    );
    // The cases are not all one-sided (else the equivalences above would hold vacuously).
    expect(skipped).toBeGreaterThan(50);
    expect(kept).toBeGreaterThan(50);
    expect(reserved).toBeGreaterThan(50);
  });
});
