/**
 * Waves: sizes and offsets from the policy, the default first round inside 60 s, the per-job cap,
 * Best Friends moved into earlier waves, and the reserve.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet/fleet.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy, type Policy, type PolicyInput } from '../src/plan/policy.js';
import { assignWaves } from '../src/plan/waves.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('waves.test.ts');

/** `n` technicians on a line north of the job, ranked by distance (t00 nearest); `best` are Best Friends. */
function line(n: number, best: number[] = []): Fleet {
  const fleet = new Fleet();
  for (let i = 0; i < n; i++) {
    fleet.add({
      id: `t${String(i).padStart(2, '0')}`,
      lat: 47 + i * 0.002,
      lon: 8,
      tier: 'friend',
      bestFriend: best.includes(i),
    });
  }
  return fleet;
}

/** Policy that ranks by distance alone (so rank = index), with the given waves/cap. */
function byDistance(input: PolicyInput = {}) {
  return createPolicy({
    weights: { distance: 1, tierFit: 0, rating: 0, bestFriend: 0, fairness: 0, responsiveness: 0 },
    ...input,
  });
}

const id = (i: number) => `t${String(i).padStart(2, '0')}`;
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => id(from + k));

/** The oracle: a rank's wave before any Best Friend advance, or -1 in the reserve (beyond the first round). */
function nominalWave(rank: number, policy: Policy): number {
  let end = 0;
  for (let w = 0; w < policy.waves.length; w++) {
    end += policy.waves[w]!.size;
    if (rank < end) return w;
  }
  return -1;
}

describe('waves from the policy', () => {
  it('the default first round is 5 + 10 + 15 technicians, all inside 60 s', () => {
    const policy = createPolicy();
    expect(policy.waves).toEqual([
      { size: 5, offsetMs: 0 },
      { size: 10, offsetMs: 15_000 },
      { size: 15, offsetMs: 35_000 },
    ]);
    for (const w of policy.waves) expect(w.offsetMs).toBeLessThan(60_000);
    expect(policy.maxNotifiedPerJob).toBe(60);
  });

  it('splits ranked candidates into waves of the policy sizes; the rest is the reserve', () => {
    const p = plan(line(40), { id: 'j', lat: 47, lon: 8 }, { now: 0, policy: byDistance() });
    expect(p.waves).toEqual([
      { index: 0, offsetMs: 0, technicianIds: ids(0, 5) },
      { index: 1, offsetMs: 15_000, technicianIds: ids(5, 15) },
      { index: 2, offsetMs: 35_000, technicianIds: ids(15, 30) },
    ]);
    expect(p.candidates.filter((c) => c.wave === -1).map((c) => c.id)).toEqual(ids(30, 40));
    expect(p.candidates.map((c) => c.wave)).toEqual([
      ...Array(5).fill(0),
      ...Array(10).fill(1),
      ...Array(15).fill(2),
      ...Array(10).fill(-1),
    ]);
  });

  it('custom waves and offsets', () => {
    const policy = byDistance({
      waves: [
        { size: 2, offsetMs: 0 },
        { size: 3, offsetMs: 5_000 },
      ],
    });
    const p = plan(line(4), { id: 'j', lat: 47, lon: 8 }, { now: 0, policy });
    expect(p.waves).toEqual([
      { index: 0, offsetMs: 0, technicianIds: ids(0, 2) },
      { index: 1, offsetMs: 5_000, technicianIds: ids(2, 4) },
    ]);
  });

  it('maxNotifiedPerJob caps the candidates; eligibleCount still counts everyone', () => {
    const p = plan(
      line(70),
      { id: 'j', lat: 47, lon: 8 },
      { now: 0, policy: byDistance({ maxNotifiedPerJob: 35 }) },
    );
    expect(p.candidates.map((c) => c.id)).toEqual(ids(0, 35));
    expect(p.eligibleCount).toBe(70);
    expect(p.candidates.filter((c) => c.wave === -1)).toHaveLength(5);
  });
});

describe('Best Friends move into earlier waves', () => {
  it('a Best Friend ranked in wave 1 is notified in wave 0; ranks do not change', () => {
    const p = plan(line(20, [7]), { id: 'j', lat: 47, lon: 8 }, { now: 0, policy: byDistance() });
    expect(p.candidates[7]).toMatchObject({ id: 't07', rank: 7, wave: 0, bestFriend: true });
    expect(p.waves[0]!.technicianIds).toEqual([...ids(0, 5), 't07']);
    expect(p.waves[1]!.technicianIds).toEqual(ids(5, 15).filter((x) => x !== 't07'));
  });

  it('a Best Friend in the reserve joins the last wave; one in wave 0 stays there', () => {
    const p = plan(line(40, [2, 33]), { id: 'j', lat: 47, lon: 8 }, { now: 0, policy: byDistance() });
    expect(p.candidates[2]!.wave).toBe(0);
    expect(p.candidates[33]!.wave).toBe(2);
    expect(p.waves[2]!.technicianIds.at(-1)).toBe('t33');
    expect(p.candidates.filter((c) => c.wave === -1).map((c) => c.id)).toEqual(
      ids(30, 40).filter((x) => x !== 't33'),
    );
  });

  it('bestFriendWaveAdvance 0 disables the move; 2 moves two waves', () => {
    const off = plan(
      line(20, [17]),
      { id: 'j', lat: 47, lon: 8 },
      { now: 0, policy: byDistance({ bestFriendWaveAdvance: 0 }) },
    );
    expect(off.candidates[17]!.wave).toBe(2);
    const two = plan(
      line(20, [17]),
      { id: 'j', lat: 47, lon: 8 },
      { now: 0, policy: byDistance({ bestFriendWaveAdvance: 2 }) },
    );
    expect(two.candidates[17]!.wave).toBe(0);
    const reserve = plan(
      line(35, [32]),
      { id: 'j', lat: 47, lon: 8 },
      { now: 0, policy: byDistance({ bestFriendWaveAdvance: 2 }) },
    );
    expect(reserve.candidates[32]!.wave).toBe(1);
  });

  it('property: waves partition the first-round candidates in rank order; Best Friends never go later', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ size: fc.integer({ min: 1, max: 6 }), gap: fc.integer({ min: 1, max: 20_000 }) }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.integer({ min: 0, max: 4 }),
        (specs, best, advance) => {
          let t = 0;
          const waves = specs.map((s, i) => ({ size: s.size, offsetMs: i === 0 ? 0 : (t += s.gap) }));
          const policy = createPolicy({ waves, bestFriendWaveAdvance: advance });
          const names = best.map((_, i) => id(i));
          const { waveOf, waves: out } = assignWaves(names, best, policy);
          expect(out.map((w) => w.offsetMs)).toEqual(waves.map((w) => w.offsetMs));
          for (let r = 0; r < names.length; r++) {
            const nominal = nominalWave(r, policy);
            const w = waveOf[r]!;
            if (!best[r] || advance === 0) expect(w).toBe(nominal);
            else if (nominal === -1) expect(w).toBe(Math.max(0, waves.length - advance));
            else expect(w).toBe(Math.max(0, nominal - advance));
          }
          // Each wave lists exactly its members, in rank order.
          expect(out.map((w) => w.technicianIds)).toEqual(
            out.map((_, i) => names.filter((_, r) => waveOf[r] === i)),
          );
          // Without Best Friends, sizes are exactly the policy's (or what is left).
          if (!best.some(Boolean)) {
            let left = names.length;
            out.forEach((wave, i) => {
              expect(wave.technicianIds.length).toBe(Math.min(waves[i]!.size, Math.max(0, left)));
              left -= waves[i]!.size;
            });
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});
