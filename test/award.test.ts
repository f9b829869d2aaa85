/**
 * Best-accept mode of the session machine (`policy.award.mode: 'best'`): accepts are held for a
 * window, then the job goes to the best of them by the policy's criterion; the others are told,
 * and exactly one is ever assigned. Checked against a brute-force order over random windows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dueAt,
  openSession,
  type SessionEnv,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  transition,
} from '../src/dispatch/session.js';
import type { AcceptOutcome, Effect, IneligibleReason, PlannedOffer } from '../src/dispatch/types.js';
import { type AwardRule, createPolicy, InvalidPolicyError } from '../src/index.js';
import { fastPolicy, job, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('award.test.ts');

interface World {
  awards: Map<string, number>;
  best: Set<string>;
  ineligible: Map<string, IneligibleReason>;
  standingCalls: string[][];
}

function env(w: World): SessionEnv {
  return {
    unavailable: () => [],
    replan: () => [],
    verdict: (id) => w.ineligible.get(id) ?? null,
    standing: (ids) => {
      w.standingCalls.push(ids.slice());
      return { awards: ids.map((id) => w.awards.get(id) ?? 0), bestFriend: ids.map((id) => w.best.has(id)) };
    },
  };
}

function world(): World {
  return { awards: new Map(), best: new Set(), ineligible: new Map(), standingCalls: [] };
}

/** A session whose first wave notifies c0..c(n-1) at once, c_i at i + 0.5 km unless `km` says otherwise. */
function open(award: AwardRule, n = 6, w = world(), km?: number[]) {
  const policy = fastPolicy({ waves: [{ size: n, offsetMs: 0 }], maxNotifiedPerJob: n + 4, award });
  const candidates: PlannedOffer[] = Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    km: km?.[i] ?? i + 0.5,
  }));
  const e = env(w);
  const [state] = openSession(
    { at: T0, job: job('j'), ordinal: 0, policy, candidates, waves: candidates.map(() => 0) },
    e,
  );
  return { state, env: e, w };
}

function accept(
  s: SessionState,
  e: SessionEnv,
  id: string,
  at: number,
): [SessionState, Effect[], AcceptOutcome] {
  const [next, effects, reply] = transition(
    s,
    { type: 'accept', at, technicianId: id, requestId: `r-${id}` },
    e,
  );
  return [next, effects, reply!];
}

const BEST = (by: 'nearest' | 'score' | 'fewestRecentAwards', bestFriendFirst = false): AwardRule => ({
  mode: 'best',
  windowMs: 5_000,
  by,
  bestFriendFirst,
});

describe('best accept: a window, then one award', () => {
  it('holds the first accept, opens the window, and awards the nearest when it closes', () => {
    const { state, env: e } = open(BEST('nearest'), 4, world(), [3, 1, 2, 0.5]);
    const [s1, e1, r1] = accept(state, e, 'c0', T0 + 1_000);
    expect(e1).toEqual([
      { type: 'held', jobId: 'j', at: T0 + 1_000, technicianId: 'c0', awardAt: T0 + 6_000 },
    ]);
    expect(r1).toEqual({ outcome: 'held', jobId: 'j', technicianId: 'c0', awardAt: T0 + 6_000, effects: e1 });
    expect(dueAt(s1)).toBe(T0 + 6_000);
    const [s2, , r2] = accept(s1, e, 'c2', T0 + 2_000);
    expect(r2).toMatchObject({ outcome: 'held', awardAt: T0 + 6_000 }); // the window does not move
    const [s3, , r3] = accept(s2, e, 'c0', T0 + 2_500);
    expect(r3).toMatchObject({ outcome: 'held' }); // a repeat is held again, no change
    expect(s3).toBe(s2);
    const [same] = transition(s3, { type: 'tick', at: T0 + 5_999 }, e);
    expect(same).toBe(s3);
    const [s4, e4] = transition(s3, { type: 'tick', at: T0 + 6_000 }, e);
    expect(s4.state).toBe('assigned');
    expect(s4.winner).toEqual({ technicianId: 'c2', requestId: 'r-c2', at: T0 + 2_000, responseMs: 2_000 });
    expect(e4).toEqual([
      { type: 'assigned', jobId: 'j', at: T0 + 6_000, technicianId: 'c2', responseMs: 2_000 },
      { type: 'revoke', jobId: 'j', at: T0 + 6_000, technicianIds: ['c0', 'c1', 'c3'], reason: 'taken' },
    ]);
    // After the award: the winner's retry is the assignment again, the loser's is already_taken.
    expect(accept(s4, e, 'c2', T0 + 7_000)[2]).toMatchObject({ outcome: 'assigned', repeated: true });
    expect(accept(s4, e, 'c0', T0 + 7_000)[2]).toEqual({ outcome: 'already_taken', jobId: 'j' });
  });

  it('holds back waves and escalation steps while the window runs', () => {
    const policy = fastPolicy({ award: { mode: 'best', windowMs: 15_000, by: 'score' } });
    const e = env(world());
    const candidates = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, km: i }));
    const [s0] = openSession(
      { at: T0, job: job('j'), ordinal: 0, policy, candidates, waves: [0, 0, 1, 1, -1] },
      e,
    );
    const [s1] = accept(s0, e, 'b', T0 + 9_000);
    expect(dueAt(s1)).toBe(T0 + 20_000); // the award, not wave 1 at T0 + 10 s (offers expire at T0 + 20 s too)
    const [s2, e2] = transition(s1, { type: 'tick', at: T0 + 12_000 }, e);
    expect(e2).toEqual([]);
    expect(s2.notified).toBe(2);
    const [, e3] = transition(s2, { type: 'decline', at: T0 + 13_000, technicianId: 'a' }, e);
    expect(e3.filter((x) => x.type === 'notify')).toEqual([]); // a decline pulls nothing forward now
  });

  it('ranks by fewest recent awards (then nearest), Best Friends first only when the policy says so', () => {
    const w = world();
    w.awards.set('c0', 3).set('c1', 1).set('c2', 1).set('c3', 0);
    w.best.add('c0');
    for (const [rule, winner] of [
      [BEST('fewestRecentAwards'), 'c3'],
      [BEST('fewestRecentAwards', true), 'c0'],
      [BEST('score'), 'c0'],
      [BEST('nearest'), 'c0'],
    ] as const) {
      const { state, env: e } = open(rule, 4, w);
      let s = state;
      for (const id of ['c3', 'c2', 'c1', 'c0']) s = accept(s, e, id, T0 + 1_000)[0];
      const [done] = transition(s, { type: 'tick', at: T0 + 10_000 }, e);
      expect(done.winner?.technicianId, `${rule.mode}/${rule.mode === 'best' ? rule.by : ''}`).toBe(winner);
    }
    // Without a criterion that needs them, the fleet is not asked for standings (nothing to record).
    w.standingCalls.length = 0;
    const { state, env: e } = open(BEST('nearest'), 2, w);
    const [held] = accept(state, e, 'c1', T0 + 1);
    transition(held, { type: 'tick', at: T0 + 6_000 }, e);
    expect(w.standingCalls).toEqual([]);
  });

  it('skips a held accepter no longer eligible at the award; with none left the job goes on', () => {
    const w = world();
    const { state, env: e } = open(BEST('nearest'), 4, w);
    let [s] = accept(state, e, 'c0', T0 + 1_000);
    [s] = accept(s, e, 'c1', T0 + 1_500);
    w.ineligible.set('c0', 'offline');
    const [a, ea] = transition(s, { type: 'tick', at: T0 + 6_000 }, e);
    expect(a.winner?.technicianId).toBe('c1');
    expect(ea[0]).toMatchObject({ type: 'assigned', technicianId: 'c1' });
    w.ineligible.set('c1', 'at_capacity');
    const [b, eb] = transition(s, { type: 'tick', at: T0 + 6_000 }, e);
    expect(b.state).toBe('open');
    expect(b.winner).toBeNull();
    expect(eb).toEqual([
      { type: 'revoke', jobId: 'j', at: T0 + 6_000, technicianIds: ['c0', 'c1'], reason: 'unavailable' },
    ]);
    expect(b.awardAt).toBeUndefined();
    // Someone else may still accept and open a new window.
    expect(accept(b, e, 'c2', T0 + 7_000)[2]).toMatchObject({ outcome: 'held', awardAt: T0 + 12_000 });
  });

  it('a held accepter who becomes unavailable leaves the window; the last one leaving closes it', () => {
    const { state, env: e } = open(BEST('nearest'), 3);
    const [s1] = accept(state, e, 'c0', T0 + 1_000);
    const [s2, e2] = transition(
      s1,
      { type: 'withdraw', at: T0 + 2_000, technicianId: 'c0', reason: 'offline' },
      e,
    );
    expect(e2).toEqual([
      { type: 'revoke', jobId: 'j', at: T0 + 2_000, technicianIds: ['c0'], reason: 'unavailable' },
    ]);
    expect(s2.held).toBeUndefined();
    expect(s2.awardAt).toBeUndefined();
    expect(s2.state).toBe('open');
  });

  it('never runs the window past the deadline, and a cancel tells the held accepters too', () => {
    const { state, env: e } = open(BEST('nearest'), 3);
    const late = state.deadlineAt - 1_000;
    const [s1, , r1] = accept(state, e, 'c0', late);
    // c0's offer expired long before; a fresh one is needed: re-open with a long TTL.
    expect(r1.outcome).toBe('offer_expired');
    const policy = fastPolicy({
      offerTtlMs: 600_000,
      award: { mode: 'best', windowMs: 600_000, by: 'nearest' },
    });
    const [s0] = openSession(
      { at: T0, job: job('j'), ordinal: 0, policy, candidates: [{ id: 'x', km: 1 }], waves: [0] },
      e,
    );
    const [h, , r] = accept(s0, e, 'x', s0.deadlineAt - 1_000);
    expect(r).toMatchObject({ outcome: 'held', awardAt: s0.deadlineAt });
    const [won] = transition(h, { type: 'tick', at: s0.deadlineAt }, e);
    expect(won.state).toBe('assigned'); // the award comes before the hand-back
    const [cancelled, ec] = transition(h, { type: 'cancel', at: s0.deadlineAt - 500 }, e);
    expect(cancelled.state).toBe('cancelled');
    expect(ec).toEqual([
      { type: 'revoke', jobId: 'j', at: s0.deadlineAt - 500, technicianIds: ['x'], reason: 'cancelled' },
    ]);
    expect(s1).toBe(state);
  });

  it('an accept after awardAt that comes before the award is processed still joins the window', () => {
    const { state, env: e } = open(BEST('nearest'), 3);
    const [s1] = accept(state, e, 'c1', T0 + 1_000);
    const [s2, , r2] = accept(s1, e, 'c0', T0 + 6_500); // window ended at T0 + 6 s, not yet processed
    expect(r2).toMatchObject({ outcome: 'held', awardAt: T0 + 6_000 });
    const [s3] = transition(s2, { type: 'tick', at: T0 + 6_500 }, e);
    expect(s3.winner?.technicianId).toBe('c0');
  });

  it('round-trips a running window through JSON', () => {
    const { state, env: e } = open(BEST('fewestRecentAwards', true), 3);
    const [s] = accept(state, e, 'c1', T0 + 10);
    const json = JSON.parse(JSON.stringify(sessionToJSON(s)));
    expect(json.held).toHaveLength(1);
    expect(sessionToJSON(sessionFromJSON(json))).toEqual(sessionToJSON(s));
  });

  it('property: one winner, the best eligible held accepter by the brute-force order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'nearest' | 'score' | 'fewestRecentAwards'>('nearest', 'score', 'fewestRecentAwards'),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 6, maxLength: 6 }), // km (ties likely)
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }), // recent awards
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), // Best Friends
        // Within one window (the first accept at dt ≥ 0 opens it until dt + 5 s; later ones join).
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 5 }), dt: fc.integer({ min: 0, max: 4_999 }) }), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), // ineligible at the award
        (by, bf, km, awards, best, accepts, out) => {
          const w = world();
          awards.forEach((a, i) => {
            w.awards.set(`c${i}`, a);
          });
          best.forEach((b, i) => {
            if (b) w.best.add(`c${i}`);
          });
          const { state, env: e } = open(
            { mode: 'best', windowMs: 5_000, by, bestFriendFirst: bf },
            6,
            w,
            km,
          );
          let s = state;
          const held: number[] = [];
          let assigned = 0;
          for (const { who, dt } of accepts.sort((a, b) => a.dt - b.dt)) {
            const [n, fx, r] = accept(s, e, `c${who}`, T0 + dt);
            assigned += fx.filter((x) => x.type === 'assigned').length;
            s = n;
            expect(r.outcome).toBe('held');
            if (!held.includes(who)) held.push(who);
          }
          for (const i of out) w.ineligible.set(`c${i}`, 'offline');
          const [end, fx] = transition(s, { type: 'tick', at: T0 + 20_000 }, e);
          assigned += fx.filter((x) => x.type === 'assigned').length;
          // Brute force: every eligible held accepter, ordered by the rule's keys, offer order last.
          const key = (i: number) => [
            ...(bf ? [best[i] ? 0 : 1] : []),
            ...(by === 'nearest' ? [km[i]!] : by === 'fewestRecentAwards' ? [awards[i]!, km[i]!] : []),
            i,
          ];
          const cmp = (a: number, b: number) => {
            const x = key(a);
            const y = key(b);
            for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return x[j]! - y[j]!;
            return 0;
          };
          const eligible = held.filter((i) => !out.includes(i)).sort(cmp);
          if (eligible.length === 0) {
            expect(end.winner).toBeNull();
            expect(assigned).toBe(0);
          } else {
            expect(end.winner?.technicianId).toBe(`c${eligible[0]}`);
            expect(assigned).toBe(1);
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('best accept: bad policy input', () => {
  it.each([
    [{ mode: 'best', by: 'nearest' }, 'award.windowMs'],
    [{ mode: 'best', windowMs: 0, by: 'nearest' }, 'award.windowMs'],
    [{ mode: 'best', windowMs: 5_000, by: 'fastest' }, 'award.by'],
    [{ mode: 'best', windowMs: 5_000 }, 'award.by'],
    [{ mode: 'bestest', windowMs: 5_000, by: 'nearest' }, 'award.mode'],
    [{ mode: 'first', windowMs: 5_000 }, 'award.windowMs'],
    [{ mode: 'best', windowMs: 5_000, by: 'nearest', bestFriendFirst: 'yes' }, 'award.bestFriendFirst'],
    [{ mode: 'best', windowMs: 5_000, by: 'nearest', windw: 1 }, 'award.windw'],
  ])('refuses %j with a typed error naming %s', (award, path) => {
    let error: unknown;
    try {
      createPolicy({ award: award as AwardRule });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPolicyError);
    expect((error as InvalidPolicyError).path).toBe(path);
    expect((error as Error).message).toMatch(/policy\.award/);
  });

  it('defaults to first accept wins', () => {
    expect(createPolicy({}).award).toEqual({ mode: 'first' });
  });
});
