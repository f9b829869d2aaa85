/**
 * The pure session machine on its own, with a hand-made environment: waves over time, expiry,
 * declines pulling the next wave forward, the escalation ladder, the deadline, and purity.
 */
import { describe, expect, it } from 'vitest';
import {
  coarsenKm,
  dueAt,
  openSession,
  type SessionEnv,
  type SessionEvent,
  type SessionState,
  sessionFromJSON,
  sessionToJSON,
  transition,
} from '../src/dispatch/session.js';
import type { Effect, IneligibleReason, PlannedOffer } from '../src/dispatch/types.js';
import type { Job } from '../src/shared/types.js';
import { fastPolicy, job, T0 } from './dispatcher.fixtures.js';

/** An environment whose answers the test controls; it records every re-plan request. */
function fakeEnv(pool: PlannedOffer[] = []) {
  const down = new Set<string>();
  const verdicts = new Map<string, IneligibleReason>();
  const replans: {
    job: Job;
    maxRadiusKm?: number;
    allowProsOnFriendJobs: boolean;
    exclude: readonly string[];
  }[] = [];
  const env: SessionEnv = {
    unavailable: (ids) => ids.filter((id) => down.has(id)),
    replan: (j, o) => {
      replans.push({ job: j, ...o });
      return pool.filter((p) => !o.exclude.includes(p.id));
    },
    verdict: (id) => verdicts.get(id) ?? null,
    standing: (ids) => ({ awards: ids.map(() => 0), bestFriend: ids.map(() => false) }),
  };
  return { env, down, verdicts, replans };
}

const offer = (id: string, km = 1): PlannedOffer => ({ id, km });
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Opens a session with candidates c0..c(n-1), waves per the fast policy (2 + 2, rest reserve). */
function open(n = 8, extra: Partial<Job> = {}, pool: PlannedOffer[] = [], policy = fastPolicy()) {
  const f = fakeEnv(pool);
  const candidates = ids('c', n).map((id, i) => offer(id, i + 0.5));
  const waves = candidates.map((_, i) => (i < 2 ? 0 : i < 4 ? 1 : -1));
  const [state, effects] = openSession(
    { at: T0, job: job('j', extra), ordinal: 0, policy, candidates, waves },
    f.env,
  );
  return { ...f, state, effects };
}

function run(state: SessionState, env: SessionEnv, events: SessionEvent[]): [SessionState, Effect[]] {
  const all: Effect[] = [];
  for (const e of events) {
    const [next, effects] = transition(state, e, env);
    state = next;
    all.push(...effects);
  }
  return [state, all];
}

const types = (effects: Effect[]) => effects.map((e) => e.type);

describe('session: waves over time', () => {
  it('sends wave 0 at open and wave 1 at its offset, each offer expiring after the TTL', () => {
    const { state, effects, env } = open();
    expect(effects).toEqual([
      {
        type: 'notify',
        jobId: 'j',
        at: T0,
        wave: 0,
        technicianIds: ['c0', 'c1'],
        distancesKm: [0.5, 1.5],
        expiresAt: T0 + 20_000,
      },
    ]);
    expect(dueAt(state)).toBe(T0 + 10_000);
    const [s1, e1] = transition(state, { type: 'tick', at: T0 + 9_999 }, env);
    expect(s1).toBe(state);
    expect(e1).toEqual([]);
    const [s2, e2] = transition(state, { type: 'tick', at: T0 + 10_000 }, env);
    expect(e2).toMatchObject([
      { type: 'notify', wave: 1, technicianIds: ['c2', 'c3'], expiresAt: T0 + 30_000 },
    ]);
    const [, e3] = transition(s2, { type: 'tick', at: T0 + 20_000 }, env);
    expect(e3).toEqual([{ type: 'expired', jobId: 'j', at: T0 + 20_000, technicianIds: ['c0', 'c1'] }]);
  });

  it('never mutates the state it is given', () => {
    const { state, env } = open();
    const before = JSON.stringify(sessionToJSON(state));
    const events: SessionEvent[] = [
      { type: 'decline', at: T0 + 1, technicianId: 'c0' },
      { type: 'tick', at: T0 + 40_000 },
      { type: 'withdraw', at: T0 + 40_001, technicianId: 'c4', reason: 'offline' },
      { type: 'accept', at: T0 + 40_002, technicianId: 'c5', requestId: null },
      { type: 'cancel', at: T0 + 40_003 },
    ];
    for (const e of events) {
      transition(state, e, env);
      expect(JSON.stringify(sessionToJSON(state))).toBe(before);
    }
  });

  it('stays a value when two branches grow from the same state (shared offer index)', () => {
    const { state, env, down } = open();
    const [s1] = transition(state, { type: 'tick', at: T0 + 10_000 }, env);
    down.add('c4');
    const [b] = transition(s1, { type: 'decline', at: T0 + 10_001, technicianId: 'c1' }, env); // c5 at position 4
    down.clear();
    const [a1] = transition(s1, { type: 'decline', at: T0 + 10_001, technicianId: 'c0' }, env); // c4 at position 4
    const [a2] = transition(a1, { type: 'decline', at: T0 + 10_002, technicianId: 'c4' }, env); // c5 at position 5
    expect(a1.offers.map((o) => o.technicianId)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(a2.offers.map((o) => o.technicianId)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(b.offers.map((o) => o.technicianId)).toEqual(['c0', 'c1', 'c2', 'c3', 'c5']);
    expect(
      transition(a1, { type: 'accept', at: T0 + 10_003, technicianId: 'c5', requestId: null }, env)[2],
    ).toEqual({
      outcome: 'not_offered',
      jobId: 'j',
    });
    expect(
      transition(b, { type: 'accept', at: T0 + 10_003, technicianId: 'c5', requestId: null }, env)[2],
    ).toMatchObject({
      outcome: 'assigned',
    });
  });

  it('round-trips through JSON', () => {
    const { state, env } = open();
    const [s] = run(state, env, [{ type: 'decline', at: T0 + 5, technicianId: 'c1' }]);
    const json = JSON.parse(JSON.stringify(sessionToJSON(s)));
    expect(sessionToJSON(sessionFromJSON(json))).toEqual(sessionToJSON(s));
  });

  it('coarsens distances to 0.5 km', () => {
    expect([0.24, 0.26, 3.74, 3.76, 12.1].map(coarsenKm)).toEqual([0, 0.5, 3.5, 4, 12]);
  });
});

describe('session: declines and timeouts', () => {
  it('a decline pulls the next wave forward; with no wave left, one replacement from the reserve', () => {
    const { state, env } = open();
    const [s1, e1] = transition(state, { type: 'decline', at: T0 + 1_000, technicianId: 'c0' }, env);
    expect(e1).toMatchObject([
      { type: 'notify', wave: 1, technicianIds: ['c2', 'c3'], expiresAt: T0 + 21_000 },
    ]);
    const [, e2] = transition(s1, { type: 'decline', at: T0 + 2_000, technicianId: 'c2' }, env);
    expect(e2).toMatchObject([{ type: 'notify', wave: 2, technicianIds: ['c4'] }]);
  });

  it('a decline of an offer that is not running changes nothing', () => {
    const { state, env } = open();
    for (const e of [
      { type: 'decline', at: T0 + 1, technicianId: 'c9' },
      { type: 'decline', at: T0 + 20_000, technicianId: 'c0' },
    ] as SessionEvent[]) {
      const [next, effects] = transition(state, e, env);
      expect(next).toBe(state);
      expect(effects).toEqual([]);
    }
  });

  it('never re-offers to decliners or expired offers unless the policy says so', () => {
    const pool = [offer('c0'), offer('c1'), offer('x1')];
    for (const reofferDeclined of [false, true]) {
      const { state, env, replans } = open(2, { maxRadiusKm: 10 }, pool, fastPolicy({ reofferDeclined }));
      const [, effects] = run(state, env, [
        { type: 'decline', at: T0 + 1, technicianId: 'c0' },
        { type: 'tick', at: T0 + 60_000 }, // c1 expired at 20 s; widen re-plans
      ]);
      expect(replans[0]!.exclude).toEqual(reofferDeclined ? [] : ['c0', 'c1']);
      const widened = effects.filter((e) => e.type === 'notify').at(-1)!;
      // A re-plan batch is the size of the first wave (2).
      expect(widened).toMatchObject({ technicianIds: reofferDeclined ? ['c0', 'c1'] : ['x1'] });
    }
  });

  it('skips technicians that became unavailable before their wave went out', () => {
    const { state, env, down } = open();
    down.add('c3');
    const [, effects] = transition(state, { type: 'tick', at: T0 + 10_000 }, env);
    expect(effects).toMatchObject([{ type: 'notify', technicianIds: ['c2'] }]);
  });

  it('withdraws the offer of a technician who became unavailable and notifies a replacement', () => {
    const { state, env } = open();
    const [s, effects] = transition(
      state,
      { type: 'withdraw', at: T0 + 1, technicianId: 'c1', reason: 'offline' },
      env,
    );
    expect(effects).toMatchObject([
      { type: 'revoke', technicianIds: ['c1'], reason: 'unavailable' },
      { type: 'notify', wave: 1, technicianIds: ['c2', 'c3'] },
    ]);
    const [, , reply] = transition(
      s,
      { type: 'accept', at: T0 + 2, technicianId: 'c1', requestId: null },
      env,
    );
    expect(reply).toEqual({ outcome: 'offer_withdrawn', jobId: 'j' });
  });
});

describe('session: accept', () => {
  it('first valid accept wins; the others are told the job is gone', () => {
    const { state, env } = open();
    const [s1] = transition(state, { type: 'tick', at: T0 + 10_000 }, env);
    const [s2, effects, reply] = transition(
      s1,
      { type: 'accept', at: T0 + 12_000, technicianId: 'c2', requestId: 'r' },
      env,
    );
    expect(reply).toMatchObject({ outcome: 'assigned', technicianId: 'c2', repeated: false });
    expect(effects).toEqual([
      { type: 'assigned', jobId: 'j', at: T0 + 12_000, technicianId: 'c2', responseMs: 2_000 },
      { type: 'revoke', jobId: 'j', at: T0 + 12_000, technicianIds: ['c0', 'c1', 'c3'], reason: 'taken' },
    ]);
    expect(dueAt(s2)).toBeUndefined();
    const [, , again] = transition(
      s2,
      { type: 'accept', at: T0 + 13_000, technicianId: 'c2', requestId: 'r' },
      env,
    );
    expect(again).toEqual({
      outcome: 'assigned',
      jobId: 'j',
      technicianId: 'c2',
      at: T0 + 12_000,
      repeated: true,
      effects: [],
    });
    const [, , other] = transition(
      s2,
      { type: 'accept', at: T0 + 13_000, technicianId: 'c0', requestId: null },
      env,
    );
    expect(other).toEqual({ outcome: 'already_taken', jobId: 'j' });
  });

  it('refuses an accept from a technician the fleet no longer finds eligible, without changing the state', () => {
    const { state, env, verdicts } = open();
    verdicts.set('c0', 'not_certified');
    const [next, effects, reply] = transition(
      state,
      { type: 'accept', at: T0 + 1, technicianId: 'c0', requestId: null },
      env,
    );
    expect(reply).toEqual({ outcome: 'no_longer_eligible', jobId: 'j', reason: 'not_certified' });
    expect(next).toBe(state);
    expect(effects).toEqual([]);
  });

  it('an accept at or after expiresAt is refused even before the expiry was processed', () => {
    const { state, env } = open();
    const [, , reply] = transition(
      state,
      { type: 'accept', at: T0 + 20_000, technicianId: 'c0', requestId: null },
      env,
    );
    expect(reply).toEqual({ outcome: 'offer_expired', jobId: 'j' });
  });
});

describe('session: escalation ladder and deadline', () => {
  it('takes every step as an effect, in order, then hands the job back when nothing is left', () => {
    const pool = ['p0', 'p1', 'p2', 'p3', 'p4'].map((id) => offer(id, 2));
    const { state, env, replans } = open(6, { maxRadiusKm: 10 }, pool);
    const [s, effects] = run(
      state,
      env,
      [180_000].map((dt) => ({ type: 'tick', at: T0 + dt }) as SessionEvent),
    );
    expect(s.state).toBe('unfilled');
    // Late processing skips everything to the deadline.
    expect(types(effects)).toEqual(['revoke', 'unfilled']);
    const [s2, stepwise] = run(
      state,
      env,
      [10_000, 20_000, 30_000, 60_000, 90_000, 120_000, 150_000, 179_999, 180_000].map(
        (dt) => ({ type: 'tick', at: T0 + dt }) as SessionEvent,
      ),
    );
    const steps = stepwise.filter((e) => e.type === 'escalated');
    expect(
      steps.map((e) => [e.type === 'escalated' && e.action, e.type === 'escalated' && e.notified]),
    ).toEqual([
      ['deeper', 2],
      ['widen', 2],
      ['allowPros', 2],
      ['broadcast', 0],
    ]);
    expect(replans.map((r) => [r.maxRadiusKm, r.allowProsOnFriendJobs])).toEqual([
      [50, false],
      [50, true],
      [50, true],
    ]);
    // The broadcast found the per-job cap reached; once the last offers expired nothing was left.
    expect(stepwise.at(-1)).toEqual({
      type: 'unfilled',
      jobId: 'j',
      at: T0 + 120_000,
      reason: 'exhausted',
      notified: 10,
    });
    expect(s2.notified).toBe(10); // maxNotifiedPerJob
  });

  it('skips widening for a job without its own max radius, and says so', () => {
    const { state, env, replans } = open(4);
    const [, effects] = run(state, env, [{ type: 'tick', at: T0 + 60_000 }]);
    expect(effects.filter((e) => e.type === 'escalated')).toMatchObject([
      { action: 'deeper', notified: 0 },
      { action: 'widen', notified: 0, skipped: 'no_job_radius' },
    ]);
    expect(replans).toEqual([]);
  });

  it('hands the job back at the deadline while offers are still running', () => {
    const { state, env } = open(8, {}, [], fastPolicy({ offerTtlMs: 500_000, escalation: [] }));
    const [s, effects] = run(state, env, [
      { type: 'tick', at: T0 + 10_000 },
      { type: 'tick', at: T0 + 180_000 },
    ]);
    expect(effects.slice(-2)).toEqual([
      {
        type: 'revoke',
        jobId: 'j',
        at: T0 + 180_000,
        technicianIds: ['c0', 'c1', 'c2', 'c3'],
        reason: 'unfilled',
      },
      { type: 'unfilled', jobId: 'j', at: T0 + 180_000, reason: 'deadline', notified: 4 },
    ]);
    expect(s.closedAt).toBe(T0 + 180_000);
  });

  it('letting Pros onto a job open to any tier changes nothing: the next batch comes from the reserve, no re-plan', () => {
    const pool = ['p0', 'p1', 'p2', 'p3'].map((id) => offer(id, 2));
    const { state, env, replans } = open(8, { tier: 'any', maxRadiusKm: 10 }, pool);
    const [, effects] = run(state, env, [{ type: 'tick', at: T0 + 90_000 }]);
    expect(replans.map((r) => r.allowProsOnFriendJobs)).toEqual([false]); // the widen step only
    expect(effects.filter((e) => e.type === 'escalated').at(-1)).toMatchObject({
      action: 'allowPros',
      notified: 2,
    });
  });

  it('offers never run past the deadline', () => {
    const policy = fastPolicy({ deadlineMs: 15_000, escalation: [] });
    const { state, env } = open(4, {}, [], policy);
    const [, effects] = run(state, env, [{ type: 'tick', at: T0 + 10_000 }]);
    expect(effects).toMatchObject([{ type: 'notify', wave: 1, expiresAt: T0 + 15_000 }]);
  });

  it('hands the job back as exhausted once nothing is left to try', () => {
    const { state, env } = open(0, {}, [], fastPolicy({ escalation: [] }));
    expect(state.state).toBe('unfilled');
    expect(state.reason).toBe('exhausted');
    expect(env).toBeDefined();
  });

  it('a cancel revokes every running offer and closes the job', () => {
    const { state, env } = open();
    const [s, effects] = transition(state, { type: 'cancel', at: T0 + 1 }, env);
    expect(effects).toEqual([
      { type: 'revoke', jobId: 'j', at: T0 + 1, technicianIds: ['c0', 'c1'], reason: 'cancelled' },
    ]);
    expect(s.state).toBe('cancelled');
    const [, , reply] = transition(
      s,
      { type: 'accept', at: T0 + 2, technicianId: 'c0', requestId: null },
      env,
    );
    expect(reply).toEqual({ outcome: 'job_cancelled', jobId: 'j' });
  });
});
