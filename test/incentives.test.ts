/**
 * Incentives: escalation steps that carry a bonus. The job's bonus only grows, never past the
 * policy's cap; every offer sent after a bonus step carries the job's bonus (new, re-sent and
 * re-opened offers alike), offers before it carry none; the in-memory and store dispatchers agree;
 * snapshots keep it; a bad bonus is a typed error that changes nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { Effect, NotifyEffect } from '../src/dispatch/types.js';
import { createPolicy, type EscalationStep } from '../src/plan/policy.js';
import { InvalidPolicyError, InvalidRecordError } from '../src/shared/errors.js';
import { StoreDispatcher } from '../src/store/dispatcher.js';
import { MemoryStore } from '../src/store/memory.js';
import { fastPolicy, job, makeFleet, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('incentives.test.ts');
const CHF = (amount: number) => ({ amount, currency: 'CHF' });

const notifies = (effects: readonly Effect[]) =>
  effects.filter((e): e is NotifyEffect => e.type === 'notify');

/** Runs one job to its deadline with nobody accepting; returns every effect in order. */
function run(d: Dispatcher): Effect[] {
  const out = [...d.open(job('j1'), T0)];
  for (let t = T0; t <= T0 + 200_000; t += 1_000) out.push(...d.advance(t));
  return out;
}

describe('bonus steps', () => {
  it('offers after a bonus step carry the raised bonus, offers before carry none; the escalated effect says it', () => {
    const policy = fastPolicy({
      escalation: [
        { action: 'deeper', afterMs: 30_000, size: 2, bonus: CHF(500) },
        { action: 'widen', afterMs: 60_000, radiusKm: 50 },
        { action: 'broadcast', afterMs: 120_000, bonus: CHF(300) },
      ],
    });
    const effects = run(new Dispatcher({ fleet: makeFleet(30, 2), policy }));
    const steps = effects.filter((e) => e.type === 'escalated');
    expect(steps.map((e) => (e.type === 'escalated' ? e.bonus : null))).toEqual([
      CHF(500),
      undefined,
      CHF(800),
    ]);
    for (const n of notifies(effects)) {
      const expected = n.at < T0 + 30_000 ? undefined : n.at < T0 + 120_000 ? CHF(500) : CHF(800);
      expect(n.bonus).toEqual(expected);
    }
    expect(notifies(effects).some((n) => n.at >= T0 + 120_000)).toBe(true);
  });

  it('property: the bonus only grows, never past the cap, each offer carries the bonus of the steps taken before it, and a bonus step names the offers still running', () => {
    let namedRunning = 0;
    const stepArb = fc.record({
      afterMs: fc.integer({ min: 1, max: 170_000 }),
      bonus: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
      action: fc.constantFrom('deeper', 'broadcast', 'allowPros'),
    });
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 5 }),
        fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
        (raw, cap) => {
          const escalation = raw
            .sort((a, b) => a.afterMs - b.afterMs)
            .map((s) => {
              const base =
                s.action === 'deeper'
                  ? { action: 'deeper' as const, afterMs: s.afterMs, size: 2 }
                  : { action: s.action as 'broadcast' | 'allowPros', afterMs: s.afterMs };
              return (s.bonus === undefined ? base : { ...base, bonus: CHF(s.bonus) }) as EscalationStep;
            });
          const policy = fastPolicy({
            escalation,
            ...(cap === undefined ? {} : { maxBonusPerJob: CHF(cap) }),
          });
          const effects = run(new Dispatcher({ fleet: makeFleet(25, 4), policy }));
          // The model: the sum of the bonuses of the steps taken so far, capped.
          let expected: number | undefined;
          let previous = 0;
          // Offers still running (offer order), to check whom a bonus step names.
          const running = new Map<string, number>();
          for (const e of effects) {
            if (e.type === 'expired' || e.type === 'revoke')
              for (const id of e.technicianIds) running.delete(id);
            if (e.type === 'escalated') {
              const add = escalation[e.step]!.bonus;
              if (add !== undefined) {
                expected = Math.min(cap ?? Number.POSITIVE_INFINITY, (expected ?? 0) + add.amount);
                expect(e.bonus).toEqual(CHF(expected));
                const live = [...running].filter(([, until]) => until > e.at).map(([id]) => id);
                expect(e.runningOffers ?? []).toEqual(live);
                if (live.length > 0) namedRunning++;
              } else {
                expect(e.bonus).toBeUndefined();
                expect(e.runningOffers).toBeUndefined();
              }
            }
            if (e.type === 'notify') {
              for (const id of e.technicianIds) running.set(id, e.expiresAt);
              expect(e.bonus).toEqual(expected === undefined ? undefined : CHF(expected));
              const now = e.bonus?.amount ?? 0;
              expect(now).toBeGreaterThanOrEqual(previous);
              if (cap !== undefined) expect(now).toBeLessThanOrEqual(cap);
              previous = now;
            }
          }
        },
      ),
      { seed, numRuns: 60 },
    );
    expect(namedRunning).toBeGreaterThan(3);
  });

  it('re-sent offers (reofferDeclined) and a re-opened job carry the current bonus', () => {
    const policy = fastPolicy({
      reofferDeclined: true,
      escalation: [
        { action: 'deeper', afterMs: 30_000, size: 2, bonus: CHF(700) },
        { action: 'broadcast', afterMs: 60_000 },
      ],
    });
    const d = new Dispatcher({ fleet: makeFleet(6, 2), policy });
    const first = notifies(d.open(job('j1'), T0))[0]!;
    const t = first.technicianIds[0]!;
    d.decline('j1', t, T0 + 1_000);
    const later: Effect[] = [];
    for (let at = T0 + 2_000; at <= T0 + 61_000; at += 1_000) later.push(...d.advance(at));
    const again = notifies(later).find((n) => n.technicianIds.includes(t));
    expect(again?.bonus).toEqual(CHF(700));
    const winner = notifies(later).at(-1)!.technicianIds[0]!;
    expect(d.accept('j1', winner, T0 + 61_000).outcome).toBe('assigned');
    const r = d.technicianCancel('j1', winner, T0 + 62_000);
    const reopened = r.outcome === 'reopened' ? notifies(r.effects) : [];
    for (const n of reopened) expect(n.bonus).toEqual(CHF(700));
  });

  it('the store dispatcher sends the same bonuses, recorded in its event stream', async () => {
    const policy = fastPolicy({
      escalation: [{ action: 'deeper', afterMs: 30_000, size: 2, bonus: CHF(250) }],
      maxBonusPerJob: CHF(200),
    });
    const mem = run(new Dispatcher({ fleet: makeFleet(12, 5), policy }));
    const store = new MemoryStore();
    const sd = new StoreDispatcher({ store, fleet: makeFleet(12, 5), policy });
    const out = [...(await sd.open(job('j1'), T0))];
    for (let t = T0; t <= T0 + 200_000; t += 1_000) out.push(...(await sd.advance(t)));
    expect(out).toEqual(mem);
    const logged = (await store.events('j1')).flatMap((e) => e.effects);
    expect(
      notifies(logged)
        .filter((n) => n.bonus !== undefined)
        .map((n) => n.bonus),
    ).not.toHaveLength(0);
    for (const n of notifies(logged)) if (n.bonus) expect(n.bonus).toEqual(CHF(200)); // capped
  });

  it('survives snapshot and restore (the bonus and the cap are in the session), and refuses an edited one', () => {
    const policy = fastPolicy({
      escalation: [
        { action: 'deeper', afterMs: 30_000, size: 2, bonus: CHF(400) },
        { action: 'broadcast', afterMs: 60_000, bonus: CHF(400) },
      ],
      maxBonusPerJob: CHF(600),
    });
    const fleet = makeFleet(20, 2);
    const d = new Dispatcher({ fleet, policy });
    d.open(job('j1'), T0);
    d.advance(T0 + 30_000);
    const snap = d.snapshot();
    expect(snap.sessions[0]).toMatchObject({ bonus: CHF(400), maxBonus: CHF(600) });
    const restored = Dispatcher.restore(snap, { fleet, policy });
    const after = notifies(restored.advance(T0 + 60_000));
    expect(after[0]?.bonus).toEqual(CHF(600));
    const edited = structuredClone(snap);
    (edited.sessions[0] as { bonus: unknown }).bonus = { amount: -5, currency: 'CHF' };
    delete edited.digest;
    expect(() => Dispatcher.restore(edited, { fleet, policy })).toThrow(InvalidRecordError);
  });

  it('a bad bonus is an InvalidPolicyError saying what to do; nothing is created', () => {
    const bad = [
      [{ amount: -1, currency: 'CHF' }, /negative.*≥ 0/],
      [{ amount: 100, currency: 'ABC' }, /ISO 4217/],
      [{ amount: 100, currency: 'eur' }, /'EUR'/],
    ] as const;
    for (const [bonus, message] of bad) {
      expect(() =>
        createPolicy({ escalation: [{ action: 'broadcast', afterMs: 0, bonus: { ...bonus } }] }),
      ).toThrow(InvalidPolicyError);
      expect(() =>
        createPolicy({ escalation: [{ action: 'broadcast', afterMs: 0, bonus: { ...bonus } }] }),
      ).toThrow(message);
    }
  });

  it('policies without a bonus keep their shape (and so their fingerprint): no maxBonusPerJob key', () => {
    expect('maxBonusPerJob' in createPolicy()).toBe(false);
    expect(createPolicy({ maxBonusPerJob: CHF(100) }).maxBonusPerJob).toEqual(CHF(100));
  });
});
