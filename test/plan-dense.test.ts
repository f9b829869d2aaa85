/**
 * Dense areas: thousands of eligible technicians for one job exercise the planner's cut to the
 * best k and its upper-bound skip. The result must equal a naive ranking (score everyone with the
 * reference scorer, sort all, keep k).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearPlanner, slotTable } from '../bench/baselines.js';
import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import { createRng } from '../src/shared/random.js';
import type { TechnicianInput } from '../src/shared/types.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('plan-dense');

describe('plan() in dense areas', () => {
  it('keeps exactly the naive top k when thousands are eligible', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 80 }), (s, k) => {
        const rng = createRng(s);
        const inputs: TechnicianInput[] = [];
        for (let i = 0; i < 2500; i++) {
          inputs.push({
            id: `t${i}`,
            lat: 35.68 + (rng.next() - 0.5) * 0.4,
            lon: 139.69 + (rng.next() - 0.5) * 0.5,
            tier: rng.next() < 0.8 ? 'friend' : 'pro',
            radiusKm: 20 + rng.int(30),
            rating: 1 + rng.next() * 4,
            ratingCount: rng.int(50),
            bestFriend: rng.next() < 0.05,
            stats: { recentOffers: rng.int(30), recentAwards: rng.int(6) },
          });
        }
        const fleet = new Fleet();
        for (const t of inputs) fleet.add(t);
        const policy = createPolicy({ maxNotifiedPerJob: k, waves: [{ size: 1, offsetMs: 0 }] });
        const now = 1_800_000_000_000;
        const job = { id: 'j', lat: 35.68, lon: 139.69 };
        const fast = plan(fleet, job, { now, policy });
        const naive = linearPlanner(fleet, slotTable(fleet, inputs), policy, now)(job);
        expect(fast.eligibleCount).toBe(naive.eligibleCount);
        expect(fast.eligibleCount).toBeGreaterThan(1000);
        expect(fast.candidates.map((c) => c.id)).toEqual(naive.candidates.map((c) => c.id));
        for (const [i, c] of fast.candidates.entries())
          expect(c.score).toBeCloseTo(naive.candidates[i]!.score, 12);
      }),
      { seed, numRuns: 8 },
    );
  });
});
