/**
 * The dispatcher facade: every refusal of an accept and every bad input (table-driven), fleet
 * counters, capacity, unavailability, security of what effects carry, and recovery (snapshot,
 * restore, replay, log tail).
 */
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { DispatchEvent } from '../src/dispatch/event-types.js';
import type { AcceptOutcome, Effect } from '../src/dispatch/types.js';
import { Fleet } from '../src/fleet/fleet.js';
import type { Policy } from '../src/plan/policy.js';
import {
  type CrowdDispatchError,
  DuplicateIdError,
  InvalidArgumentError,
  InvalidJobError,
  InvalidPolicyError,
  InvalidRecordError,
} from '../src/shared/errors.js';
import type { Job } from '../src/shared/types.js';
import { fastPolicy, job, makeFleet, notified, T0, technicians } from './dispatcher.fixtures.js';

function setup(n = 12, policy: Policy = fastPolicy()) {
  const fleet = makeFleet(n);
  const d = new Dispatcher({ fleet, policy });
  return { fleet, d, policy };
}

/** Opens a job and returns who wave 0 notified. */
function openJob(d: Dispatcher, id = 'j', extra: Partial<Job> = {}, at = T0) {
  const effects = d.open(job(id, extra), at);
  return { effects, wave0: notified(effects) };
}

describe('accept: every refusal and success, table-driven', () => {
  type Case = {
    name: string;
    expected: AcceptOutcome | Partial<AcceptOutcome>;
    act: (ctx: ReturnType<typeof setup>) => AcceptOutcome;
  };
  const cases: Case[] = [
    {
      name: 'assigned',
      expected: { outcome: 'assigned', jobId: 'j', technicianId: 'W', repeated: false },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        return rename(d.accept('j', wave0[0]!, T0 + 1_000, 'r1'), wave0[0]!);
      },
    },
    {
      name: 'assigned again for the winner’s retry with the same request id (idempotent)',
      expected: {
        outcome: 'assigned',
        jobId: 'j',
        technicianId: 'W',
        at: T0 + 1_000,
        repeated: true,
        effects: [],
      },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.accept('j', wave0[0]!, T0 + 1_000, 'r1');
        return rename(d.accept('j', wave0[0]!, T0 + 2_000, 'r1'), wave0[0]!);
      },
    },
    {
      name: 'unknown_job',
      expected: { outcome: 'unknown_job', jobId: 'nope' },
      act: ({ d }) => d.accept('nope', 't0', T0),
    },
    {
      name: 'not_offered: never notified',
      expected: { outcome: 'not_offered', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        const other = ['t0', 't1', 't2', 't3'].find((t) => !wave0.includes(t))!;
        return d.accept('j', other, T0 + 1);
      },
    },
    {
      name: 'not_offered: a technician not certified by the job’s partner',
      expected: { outcome: 'not_offered', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d, 'j', { partner: 'swisscom' });
        expect(wave0.every((id) => Number(id.slice(1)) % 3 === 0)).toBe(true);
        return d.accept('j', 't1', T0 + 1); // t1 is not certified
      },
    },
    {
      name: 'not_offered: a job of another partner’s technician even after it is taken (reveals nothing)',
      expected: { outcome: 'not_offered', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d, 'j', { partner: 'swisscom' });
        d.accept('j', wave0[0]!, T0 + 1);
        return d.accept('j', 't1', T0 + 2);
      },
    },
    {
      name: 'already_taken',
      expected: { outcome: 'already_taken', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.accept('j', wave0[0]!, T0 + 1_000);
        return d.accept('j', wave0[1]!, T0 + 1_001);
      },
    },
    {
      name: 'already_taken: the winner with a different request id',
      expected: { outcome: 'already_taken', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.accept('j', wave0[0]!, T0 + 1_000, 'a');
        return d.accept('j', wave0[0]!, T0 + 1_001, 'b');
      },
    },
    {
      name: 'job_cancelled',
      expected: { outcome: 'job_cancelled', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.cancel('j', T0 + 10);
        return d.accept('j', wave0[0]!, T0 + 20);
      },
    },
    {
      name: 'job_unfilled',
      expected: { outcome: 'job_unfilled', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.advance(T0 + 180_000);
        return d.accept('j', wave0[0]!, T0 + 180_001);
      },
    },
    {
      name: 'offer_expired (before advance processed it)',
      expected: { outcome: 'offer_expired', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        return d.accept('j', wave0[0]!, T0 + 20_000);
      },
    },
    {
      name: 'offer_expired (after advance processed it)',
      expected: { outcome: 'offer_expired', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.advance(T0 + 25_000);
        return d.accept('j', wave0[0]!, T0 + 25_000);
      },
    },
    {
      name: 'offer_declined',
      expected: { outcome: 'offer_declined', jobId: 'j' },
      act: ({ d }) => {
        const { wave0 } = openJob(d);
        d.decline('j', wave0[0]!, T0 + 5);
        return d.accept('j', wave0[0]!, T0 + 6);
      },
    },
    {
      name: 'offer_withdrawn',
      expected: { outcome: 'offer_withdrawn', jobId: 'j' },
      act: ({ d, fleet }) => {
        const { wave0 } = openJob(d);
        fleet.setOnline(wave0[0]!, false);
        d.technicianUnavailable(wave0[0]!, T0 + 5, 'offline');
        fleet.setOnline(wave0[0]!, true);
        return d.accept('j', wave0[0]!, T0 + 6);
      },
    },
    ...(
      [
        ['offline', (f: Fleet, id: string) => f.setOnline(id, false)],
        ['at_capacity', (f: Fleet, id: string) => f.setLoad(id, 1)],
        ['removed', (f: Fleet, id: string) => f.remove(id)],
        ['not_certified', (f: Fleet, id: string) => f.update(id, { certifications: [] })],
      ] as const
    ).map(
      ([reason, change]): Case => ({
        name: `no_longer_eligible: ${reason} since the offer (the dispatcher was not told)`,
        expected: { outcome: 'no_longer_eligible', jobId: 'j', reason },
        act: ({ d, fleet }) => {
          const { wave0 } = openJob(d, 'j', { partner: 'swisscom' });
          change(fleet, wave0[0]!);
          return d.accept('j', wave0[0]!, T0 + 1);
        },
      }),
    ),
  ];

  /** Replaces the winner's id with `W` so one expectation fits any fleet. */
  function rename(o: AcceptOutcome, id: string): AcceptOutcome {
    return o.outcome === 'assigned' && o.technicianId === id ? { ...o, technicianId: 'W' } : o;
  }

  for (const c of cases) {
    it(c.name, () => {
      const ctx = setup();
      const outcome = c.act(ctx);
      expect(outcome).toMatchObject(c.expected);
      if (outcome.outcome !== 'assigned')
        expect(Object.keys(outcome).sort()).toEqual(Object.keys(c.expected).sort());
    });
  }

  it('a refused accept changes nothing, not even the log', () => {
    const { d } = setup();
    const { wave0 } = openJob(d);
    d.decline('j', wave0[0]!, T0 + 1);
    const before = d.snapshot();
    d.accept('j', wave0[0]!, T0 + 1);
    d.accept('j', 't11', T0 + 1);
    expect(d.snapshot()).toEqual(before);
    expect(d.lastSeq).toBe(before.seq);
  });
});

describe('bad input: a typed error that says what to do, and nothing changes', () => {
  const cases: [string, new (...args: never[]) => CrowdDispatchError, (d: Dispatcher) => unknown][] = [
    ['open: a job without an id', InvalidJobError, (d) => d.open({ lat: 47, lon: 8 } as Job, T0 + 10)],
    ['open: a job at latitude 200', InvalidJobError, (d) => d.open(job('x', { lat: 200 }), T0 + 10)],
    ['open: a job id already opened', DuplicateIdError, (d) => d.open(job('j'), T0 + 10)],
    ['open: now is NaN', InvalidArgumentError, (d) => d.open(job('x'), Number.NaN)],
    ['advance: now before the previous input', InvalidArgumentError, (d) => d.advance(T0 - 1)],
    ['advance: now is a string', InvalidArgumentError, (d) => d.advance('soon' as unknown as number)],
    ['accept: empty job id', InvalidArgumentError, (d) => d.accept('', 't0', T0 + 10)],
    [
      'accept: technician id is a number',
      InvalidArgumentError,
      (d) => d.accept('j', 7 as unknown as string, T0 + 10),
    ],
    ['accept: empty request id', InvalidArgumentError, (d) => d.accept('j', 't0', T0 + 10, '')],
    ['accept: now is Infinity', InvalidArgumentError, (d) => d.accept('j', 't0', Number.POSITIVE_INFINITY)],
    [
      'decline: missing technician id',
      InvalidArgumentError,
      (d) => d.decline('j', undefined as unknown as string, T0 + 10),
    ],
    ['cancel: now before the previous input', InvalidArgumentError, (d) => d.cancel('j', T0 - 5)],
    ['complete: an unknown reason', InvalidArgumentError, (d) => d.complete('j', T0 + 10, 'late' as never)],
    [
      'technicianCancel: empty technician id',
      InvalidArgumentError,
      (d) => d.technicianCancel('j', '', T0 + 10),
    ],
    [
      'technicianCancel: a reason that is not a string',
      InvalidArgumentError,
      (d) => d.technicianCancel('j', 't0', T0 + 10, 5 as never),
    ],
    [
      'technicianCancel: now before the previous input',
      InvalidArgumentError,
      (d) => d.technicianCancel('j', 't0', T0 - 1),
    ],
    [
      'replay: a complete with an unknown reason',
      InvalidRecordError,
      (d) =>
        d.replay([{ seq: d.lastSeq + 1, type: 'complete', at: T0 + 10, jobId: 'j', reason: 'x' } as never]),
    ],
    [
      'technicianUnavailable: an unknown reason',
      InvalidArgumentError,
      (d) => d.technicianUnavailable('t0', T0 + 10, 'bored' as never),
    ],
    [
      'restore: not a snapshot',
      InvalidRecordError,
      (d) => Dispatcher.restore({ version: 2 } as never, { fleet: d.fleet, policy: d.policy }),
    ],
    [
      'replay: a gap in the sequence',
      InvalidRecordError,
      (d) => d.replay([{ seq: d.lastSeq + 2, type: 'advance', at: T0 + 10 }]),
    ],
  ];
  for (const [name, ErrorType, act] of cases) {
    it(name, () => {
      const { d } = setup();
      openJob(d);
      const before = JSON.stringify(d.snapshot());
      expect(() => act(d)).toThrow(ErrorType);
      try {
        act(d);
      } catch (e) {
        expect((e as Error).message).toMatch(/;|\./); // what was wrong; what to do
      }
      expect(JSON.stringify(d.snapshot())).toBe(before);
    });
  }

  it('constructor: a fleet and a resolved policy are required', () => {
    expect(() => new Dispatcher({ fleet: {} as Fleet, policy: fastPolicy() })).toThrow(InvalidArgumentError);
    expect(() => new Dispatcher({ fleet: new Fleet(), policy: {} as Policy })).toThrow(InvalidPolicyError);
  });

  it('replay: a log recorded under another policy is rejected', () => {
    const { d, fleet } = setup();
    openJob(d);
    expect(() =>
      Dispatcher.replay(d.eventLog(), { fleet, policy: fastPolicy({ offerTtlMs: 5_000 }) }),
    ).toThrow(/another policy/);
  });

  it('replay: a log whose facts do not match is rejected', () => {
    const { d, fleet, policy } = setup();
    openJob(d);
    const log = structuredClone(d.eventLog());
    log[0]!.facts = [{ kind: 'verdict', reason: null, saturated: false }];
    expect(() => Dispatcher.replay(log, { fleet, policy })).toThrow(InvalidRecordError);
  });
});

describe('fleet counters and capacity', () => {
  it('offers, declines, ignored offers and awards feed the fleet', () => {
    const { d, fleet } = setup();
    const { wave0 } = openJob(d);
    const [a, b] = wave0 as [string, string];
    expect(fleet.get(a)!.stats.recentOffers).toBeCloseTo(1, 5);
    d.decline('j', a, T0 + 4_000);
    expect(fleet.get(a)!.stats).toMatchObject({ acceptRate: 0, responseMs: 4_000 });
    d.advance(T0 + 20_000); // b's offer expires unanswered
    expect(fleet.get(b)!.stats.acceptRate).toBe(0);
    expect(fleet.get(b)!.stats.responseMs).toBeUndefined();
    const { wave0: w2 } = openJob(d, 'k', {}, T0 + 20_000);
    const fresh = w2.find((id) => fleet.get(id)!.stats.acceptRate === undefined)!; // no answer yet
    const r = d.accept('k', fresh, T0 + 23_000);
    expect(r.outcome).toBe('assigned');
    expect(fleet.get(fresh)).toMatchObject({ load: 1, stats: { acceptRate: 1, responseMs: 3_000 } });
    expect(fleet.get(fresh)!.stats.recentAwards).toBeCloseTo(1, 5);
  });

  it('a technician at capacity never wins a second job; his other offers go to someone else', () => {
    const { d } = setup(12, fastPolicy({ waves: [{ size: 12, offsetMs: 0 }], maxNotifiedPerJob: 12 }));
    const a = openJob(d, 'a').wave0;
    const b = openJob(d, 'b').wave0;
    const tech = a.find((id) => b.includes(id))!;
    const won = d.accept('a', tech, T0 + 1);
    expect(won.outcome).toBe('assigned');
    if (won.outcome !== 'assigned') return;
    expect(won.effects).toContainEqual({
      type: 'revoke',
      jobId: 'b',
      at: T0 + 1,
      technicianIds: [tech],
      reason: 'unavailable',
    });
    expect(d.accept('b', tech, T0 + 2)).toEqual({ outcome: 'offer_withdrawn', jobId: 'b' });
  });

  it('with capacity 2 the same technician may hold two jobs', () => {
    const fleet = new Fleet();
    for (const t of technicians(4, 3, { capacity: 2 })) fleet.add(t);
    const d = new Dispatcher({ fleet, policy: fastPolicy() });
    const a = openJob(d, 'a').wave0;
    openJob(d, 'b');
    expect(d.accept('a', a[0]!, T0 + 1).outcome).toBe('assigned');
    expect(d.accept('b', a[0]!, T0 + 2).outcome).toBe('assigned');
    expect(fleet.get(a[0]!)!.load).toBe(2);
  });

  it('cancelling an assigned job releases the winner and tells him', () => {
    const { d, fleet } = setup();
    const { wave0 } = openJob(d);
    d.accept('j', wave0[0]!, T0 + 1);
    expect(d.cancel('j', T0 + 2)).toEqual([
      { type: 'revoke', jobId: 'j', at: T0 + 2, technicianIds: [wave0[0]], reason: 'cancelled' },
    ]);
    expect(fleet.get(wave0[0]!)!.load).toBe(0);
    expect(d.status('j')).toMatchObject({ state: 'cancelled', technicianId: wave0[0], closedAt: T0 + 2 });
    expect(d.cancel('j', T0 + 3)).toEqual([]);
  });

  it('a technician going offline loses his offers in every job, each job notifying a replacement', () => {
    const { d, fleet } = setup(12, fastPolicy({ waves: [{ size: 3, offsetMs: 0 }], maxNotifiedPerJob: 10 }));
    const a = openJob(d, 'a').wave0;
    openJob(d, 'b');
    const tech = a[0]!;
    fleet.setOnline(tech, false);
    const effects = d.technicianUnavailable(tech, T0 + 5, 'offline');
    const revoked = effects.filter((e) => e.type === 'revoke');
    expect(revoked.map((e) => e.jobId)).toEqual(['a', 'b']);
    expect(notified(effects)).toHaveLength(2);
    expect(notified(effects)).not.toContain(tech);
    // Later waves skip him too.
    expect(notified(d.advance(T0 + 60_000))).not.toContain(tech);
  });
});

describe('rules that depend on time are checked again when a wave goes out', () => {
  const at = (km: number) => ({ lat: 47.3769 + km / 111.2, lon: 8.5417 });
  const waves = [
    { size: 1, offsetMs: 0 },
    { size: 1, offsetMs: 10_000 },
  ];

  it('the notification cap: a technician who reached it since the plan is skipped', () => {
    const fleet = new Fleet();
    fleet.add({ id: 'x', ...at(0), tier: 'friend' });
    fleet.add({ id: 'y', ...at(5), tier: 'friend' });
    const d = new Dispatcher({
      fleet,
      policy: fastPolicy({ waves, notificationCap: { max: 1, windowMs: 3_600_000 } }),
    });
    expect(notified(d.open(job('b'), T0))).toEqual(['x']); // y is planned for b's wave 1
    expect(notified(d.open({ id: 'a', ...at(5), tier: 'friend' }, T0 + 1))).toEqual(['y']); // y reaches the cap
    expect(notified(d.advance(T0 + 10_000))).toEqual([]);
  });

  it('availability windows: a technician whose window closed since the plan is skipped', () => {
    const fleet = new Fleet();
    const t = Date.UTC(2026, 0, 5, 8, 59, 55); // Monday 09:59:55 in Zurich
    fleet.add({ id: 'x', ...at(0), tier: 'friend' });
    fleet.add({
      id: 'y',
      ...at(5),
      tier: 'friend',
      availability: { timeZone: 'Europe/Zurich', windows: [{ day: 1, start: '08:00', end: '10:00' }] },
    });
    const d = new Dispatcher({ fleet, policy: fastPolicy({ waves }) });
    expect(notified(d.open(job('b'), t))).toEqual(['x']);
    expect(d.status('b')!.nextDueAt).toBe(t + 10_000); // y's wave, after his window closed
    expect(notified(d.advance(t + 10_000))).toEqual([]);
  });
});

describe('timers across many jobs', () => {
  it('advance fires only what is due, in time order, and nextDueAt names the next time', () => {
    const { d } = setup();
    for (let i = 0; i < 20; i++) d.open(job(`j${i}`), T0 + i * 100);
    expect(d.nextDueAt()).toBe(T0 + 10_000); // j0's wave 1
    const effects = d.advance(T0 + 10_250);
    expect(effects.map((e) => e.jobId)).toEqual(['j0', 'j1', 'j2']);
    expect(d.nextDueAt()).toBe(T0 + 10_300);
    let t = d.nextDueAt();
    let last = 0;
    while (t !== undefined) {
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      d.advance(t);
      t = d.nextDueAt();
    }
    for (let i = 0; i < 20; i++) expect(d.status(`j${i}`)!.state).toBe('unfilled');
  });
});

describe('forgetting closed jobs', () => {
  it('keeps a closed job for retainClosedMs, then forgets it (assigned jobs stay until completed)', () => {
    const fleet = makeFleet(12);
    const policy = fastPolicy();
    const d = new Dispatcher({ fleet, policy, retainClosedMs: 1_000 });
    const a = openJob(d, 'a').wave0;
    openJob(d, 'b');
    openJob(d, 'c');
    d.accept('a', a[0]!, T0 + 1, 'r');
    d.cancel('b', T0 + 2);
    d.advance(T0 + 1_001);
    expect(d.status('b')).toMatchObject({ state: 'cancelled' });
    d.advance(T0 + 1_002);
    expect(d.status('b')).toBeUndefined();
    expect(d.accept('b', a[1]!, T0 + 1_002)).toEqual({ outcome: 'unknown_job', jobId: 'b' });
    expect(d.status('c')!.state).toBe('open');
    d.advance(T0 + 200_000); // c is handed back (closedAt: this call)…
    expect(d.status('c')).toMatchObject({ state: 'unfilled', closedAt: T0 + 200_000 });
    d.advance(T0 + 201_000); // …and forgotten 1 s later
    expect(d.status('c')).toBeUndefined();
    expect(d.status('a')).toMatchObject({ state: 'assigned' });
    expect(d.complete('a', T0 + 300_000)).toBe(true);
    expect(d.status('a')).toMatchObject({ state: 'completed', completedAt: T0 + 300_000 });
    expect(d.accept('a', a[0]!, T0 + 300_500, 'r')).toMatchObject({ outcome: 'assigned', repeated: true });
    const snap = d.snapshot();
    expect(Dispatcher.restore(snap, { fleet, policy, retainClosedMs: 1_000 }).snapshot()).toEqual(snap);
    d.advance(T0 + 301_000);
    expect(d.size).toBe(0);
    expect(Dispatcher.replay(d.eventLog(), { fleet, policy, retainClosedMs: 1_000 }).snapshot()).toEqual(
      d.snapshot(),
    );
    expect(d.open(job('b'), T0 + 301_001)).not.toHaveLength(0); // the id is free again
  });

  it('complete() releases the winner once and only for an assigned job', () => {
    const { d, fleet } = setup();
    const { wave0 } = openJob(d);
    expect(d.complete('j', T0 + 1)).toBe(false);
    d.accept('j', wave0[0]!, T0 + 2);
    expect(fleet.get(wave0[0]!)!.load).toBe(1);
    expect(d.complete('j', T0 + 3)).toBe(true);
    expect(fleet.get(wave0[0]!)!.load).toBe(0);
    expect(d.complete('j', T0 + 4)).toBe(false);
    expect(d.cancel('j', T0 + 5)).toEqual([]);
    expect(fleet.get(wave0[0]!)!.load).toBe(0);
  });

  it('rejects a negative retention', () => {
    expect(() => new Dispatcher({ fleet: new Fleet(), policy: fastPolicy(), retainClosedMs: -1 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('security: what effects carry', () => {
  function allEffects(): { effects: Effect[]; d: Dispatcher; fleet: Fleet } {
    const { d, fleet } = setup(
      30,
      fastPolicy({
        waves: [
          { size: 4, offsetMs: 0 },
          { size: 4, offsetMs: 5_000 },
        ],
      }),
    );
    const effects: Effect[] = [];
    effects.push(...d.open(job('s1', { partner: 'swisscom' }), T0));
    effects.push(...d.open(job('b1', { partner: 'brack', maxRadiusKm: 5 }), T0));
    effects.push(...d.open(job('n1'), T0));
    effects.push(...d.advance(T0 + 7_000));
    const first = effects.find((e) => e.type === 'notify' && e.jobId === 'b1');
    if (first?.type === 'notify') effects.push(...d.decline('b1', first.technicianIds[0]!, T0 + 7_500));
    effects.push(...d.advance(T0 + 200_000));
    return { effects, d, fleet };
  }

  it('effects never carry coordinates, and distances are coarsened to 0.5 km', () => {
    const { effects, fleet } = allEffects();
    const text = JSON.stringify(effects);
    expect(text).not.toMatch(/"lat"|"lon"/);
    for (const id of fleet.idsIterator()) {
      const t = fleet.get(id)!;
      expect(text).not.toContain(String(t.lat));
      expect(text).not.toContain(String(t.lon));
    }
    for (const e of effects)
      if (e.type === 'notify') for (const km of e.distancesKm) expect(km * 2).toBe(Math.round(km * 2));
  });

  it('each effect concerns one job and names only its own partner and its own notified technicians', () => {
    const { effects } = allEffects();
    const partnerOf: Record<string, string | undefined> = { s1: 'swisscom', b1: 'brack', n1: undefined };
    const offered = new Map<string, Set<string>>();
    for (const e of effects) {
      expect(e.partner).toBe(partnerOf[e.jobId]);
      const set = offered.get(e.jobId) ?? new Set();
      offered.set(e.jobId, set);
      if (e.type === 'notify') for (const id of e.technicianIds) set.add(id);
      if (e.type === 'revoke' || e.type === 'expired')
        for (const id of e.technicianIds) expect(set.has(id)).toBe(true);
    }
    // Swisscom requires its certification: only certified technicians (every third) heard of s1.
    for (const id of offered.get('s1')!) expect(Number(id.slice(1)) % 3).toBe(0);
  });
});

describe('recovery: log, snapshot, restore, replay', () => {
  function busy() {
    const { d, fleet, policy } = setup(20);
    const a = openJob(d, 'a').wave0;
    openJob(d, 'b', { partner: 'swisscom' }, T0 + 1_000);
    openJob(d, 'c', { maxRadiusKm: 3 }, T0 + 2_000);
    d.decline('a', a[0]!, T0 + 3_000);
    d.advance(T0 + 12_000);
    d.accept('a', a[1]!, T0 + 13_000, 'req');
    return { d, fleet, policy };
  }

  it('numbers events 1…n without gaps and records the fleet facts they used', () => {
    const { d } = busy();
    const log = d.eventLog();
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log[0]).toMatchObject({
      type: 'open',
      seq: 1,
      facts: [{ kind: 'candidates' }],
    });
    expect(log.find((e) => e.type === 'accept')!.facts).toEqual([
      { kind: 'verdict', reason: null, saturated: true },
    ]);
  });

  it('records who was skipped at send time, so a replay skips them without asking the fleet', () => {
    const { d, fleet, policy } = setup();
    const first = d.open(job('j'), T0);
    // Take every technician offline but the ones already notified: wave 1 is skipped.
    const off = [...fleet.idsIterator()].filter((id) => !notified(first).includes(id));
    for (const id of off) fleet.setOnline(id, false);
    expect(notified(d.advance(T0 + 10_000))).toEqual([]);
    const advance = d.eventLog().at(-1)!;
    expect(advance.facts).toEqual([{ kind: 'skipped', call: 0, ids: expect.any(Array) }]);
    for (const id of off) fleet.setOnline(id, true);
    expect(Dispatcher.replay(d.eventLog(), { fleet, policy }).snapshot()).toEqual(d.snapshot());
  });

  it('snapshot is plain JSON and equals both a restore of it and a full replay of the log', () => {
    const { d, policy } = busy();
    const snap = d.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    const fleet2 = new Fleet(); // replay needs no fleet: the log carries its facts
    expect(Dispatcher.restore(snap, { fleet: fleet2, policy }).snapshot()).toEqual(snap);
    expect(Dispatcher.replay(d.eventLog(), { fleet: fleet2, policy }).snapshot()).toEqual(snap);
  });

  it('snapshot + the log tail equals the live dispatcher; truncated logs keep their numbering', () => {
    const { d, fleet, policy } = busy();
    const snap = d.snapshot();
    d.truncateLog(snap.seq);
    expect(d.eventLog()).toEqual([]);
    d.advance(T0 + 40_000);
    d.open(job('e'), T0 + 41_000);
    const tail = d.eventLog(snap.seq);
    expect(tail[0]!.seq).toBe(snap.seq + 1);
    const r = Dispatcher.restore(JSON.parse(JSON.stringify(snap)), { fleet: new Fleet(), policy }).replay(
      tail,
    );
    expect(r.snapshot()).toEqual(d.snapshot());
    expect(fleet.size).toBe(20);
  });

  it('running offers keep their original deadlines after a restore, whatever the new policy', () => {
    const { d, fleet } = setup();
    const { wave0, effects } = openJob(d);
    const expiresAt = (effects[0] as Extract<Effect, { type: 'notify' }>).expiresAt;
    const snap = d.snapshot();
    const restore = () => Dispatcher.restore(snap, { fleet, policy: fastPolicy({ offerTtlMs: 1_000_000 }) });
    expect(restore().nextDueAt()).toBe(d.nextDueAt());
    expect(restore().accept('j', wave0[0]!, expiresAt)).toEqual({ outcome: 'offer_expired', jobId: 'j' });
    const r = restore();
    expect(r.advance(expiresAt)).toContainEqual({
      type: 'expired',
      jobId: 'j',
      at: expiresAt,
      technicianIds: wave0,
    });
    expect(restore().accept('j', wave0[0]!, expiresAt - 1).outcome).toBe('assigned');
  });

  it('replay with applyToFleet rebuilds the fleet counters from the same starting fleet', () => {
    const { d, fleet, policy } = busy();
    d.advance(T0 + 200_000);
    const fresh = makeFleet(20);
    Dispatcher.replay(d.eventLog(), { fleet: fresh, policy, applyToFleet: true });
    for (const id of fleet.idsIterator()) expect(fresh.get(id)).toEqual(fleet.get(id));
  });

  it('replay of a log recorded live produces the same effects and outcomes', () => {
    const { d, policy } = setup();
    const out: unknown[] = [];
    const events: DispatchEvent[] = [];
    const live = new Dispatcher({ fleet: makeFleet(12), policy, onEvent: (e) => events.push(e) });
    const { wave0 } = openJob(live);
    out.push(live.advance(T0 + 10_000), live.accept('j', wave0[0]!, T0 + 11_000, 'x'));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(Dispatcher.replay(events, { fleet: new Fleet(), policy }).snapshot()).toEqual(live.snapshot());
    expect(d.size).toBe(0);
  });
});

describe('technician cancellation', () => {
  it('re-opens the job: released once, accept rate lowered, never re-offered, deadline restarted; replays exactly', () => {
    const fleet = makeFleet(12);
    const log: DispatchEvent[] = [];
    const d = new Dispatcher({ fleet, policy: fastPolicy(), onEvent: (e) => log.push(e) });
    const { wave0 } = openJob(d);
    const w = wave0[0]!;
    expect(d.accept('j', w, T0 + 1000).outcome).toBe('assigned');
    const rateBefore = fleet.get(w)!.stats!.acceptRate!;
    expect(fleet.get(w)!.load).toBe(1);
    const deadlineBefore = d.status('j')!.deadlineAt;
    const r = d.technicianCancel('j', w, T0 + 5000);
    expect(r.outcome).toBe('reopened');
    expect(fleet.get(w)!.load).toBe(0);
    expect(fleet.get(w)!.stats!.acceptRate!).toBeLessThan(rateBefore);
    const s = d.status('j')!;
    expect(s.state).toBe('open');
    expect(s.technicianId).toBeUndefined();
    expect(s.deadlineAt).toBe(deadlineBefore + 5000); // as long as it was, from the re-open
    // Through the whole life of the job he is never notified again.
    const all: Effect[] = r.outcome === 'reopened' ? [...r.effects] : [];
    for (let t = T0 + 6000; t < s.deadlineAt + 1000; t += 7000) all.push(...d.advance(t));
    for (const e of all) if (e.type === 'notify') expect(e.technicianIds).not.toContain(w);
    expect(d.technicianCancel('j', w, T0 + 400_000)).toEqual({ outcome: 'not_assigned', jobId: 'j' });
    expect(d.complete('j', T0 + 400_000, 'customer_no_show')).toBe(false);
    const again = Dispatcher.replay(log, { fleet: makeFleet(12), policy: fastPolicy() });
    expect(again.snapshot()).toEqual(d.snapshot());
    expect(Dispatcher.restore(d.snapshot(), { fleet, policy: fastPolicy() }).snapshot()).toEqual(
      d.snapshot(),
    );
  });
});
