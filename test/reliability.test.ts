/**
 * Reliability of the in-process dispatcher: write-ahead and all-or-nothing inputs (failures
 * injected at random points), nothing handed out aliases the engine, strict inputs, idempotency
 * across job-id reuse, and distances that do not locate a technician.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { JobsFailedError } from '../src/dispatch/errors.js';
import type { DispatchEvent } from '../src/dispatch/event-types.js';
import type { Fleet } from '../src/fleet/fleet.js';
import { haversineKm } from '../src/fleet/geo/sphere.js';
import { plan } from '../src/plan/plan.js';
import { createPolicy } from '../src/plan/policy.js';
import {
  InputFailedError,
  InvalidArgumentError,
  InvalidJobError,
  InvalidPolicyError,
  InvalidTechnicianError,
  PersistenceError,
} from '../src/shared/errors.js';
import type { Job } from '../src/shared/types.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('reliability.test.ts');

/** Everything observable: the dispatcher's snapshot and every technician's counters. */
function state(d: Dispatcher): string {
  const techs = [...d.fleet.idsIterator()].map((id) => d.fleet.get(id));
  return JSON.stringify({ snap: d.snapshot(), techs, next: d.nextDueAt() });
}

type Op = {
  kind: 'open' | 'advance' | 'accept' | 'decline' | 'cancel' | 'complete';
  job: number;
  tech: number;
  dt: number;
};
type Inject = 'none' | 'persist' | 'fleet';

function run(d: Dispatcher, op: Op, now: number): unknown {
  const jobId = `j${op.job}`;
  const tech = `t${op.tech}`;
  switch (op.kind) {
    case 'open':
      return d.status(jobId) ? d.advance(now) : d.open(job(jobId), now);
    case 'advance':
      return d.advance(now);
    case 'accept':
      return d.accept(jobId, tech, now, `r${op.tech}`);
    case 'decline':
      return d.decline(jobId, tech, now);
    case 'cancel':
      return d.cancel(jobId, now);
    case 'complete':
      return d.complete(jobId, now);
  }
}

/** Makes every read of positions and slots throw while `on()` says so (a failing fleet read). */
function breakable(fleet: Fleet): { set(on: boolean): void } {
  let broken = false;
  const findSlot = fleet.findSlot.bind(fleet);
  const positionOf = fleet.positionOf.bind(fleet);
  fleet.findSlot = (id: string) => {
    if (broken) throw new Error('fleet read failed');
    return findSlot(id);
  };
  fleet.positionOf = (slot: number) => {
    if (broken) throw new Error('fleet read failed');
    return positionOf(slot);
  };
  return { set: (on) => (broken = on) };
}

describe('write-ahead: an input is applied all or nothing', () => {
  const opArb = fc.record({
    kind: fc.constantFrom('open', 'open', 'advance', 'accept', 'accept', 'decline', 'cancel', 'complete'),
    job: fc.nat(4),
    tech: fc.nat(11),
    dt: fc.nat(25_000),
  }) as fc.Arbitrary<Op>;
  const stepArb = fc.record({
    op: opArb,
    inject: fc.constantFrom<Inject>('none', 'none', 'persist', 'fleet'),
  });

  it('a failed input leaves the dispatcher equal to one that never saw it (injected persistence and fleet failures)', () => {
    const outcomes = { persisted: 0, persistFailed: 0, fleetFailed: 0, jobsFailed: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
        const policy = fastPolicy();
        let failPersist = false;
        const durable: DispatchEvent[] = [];
        const a = new Dispatcher({
          fleet: makeFleet(12),
          policy,
          onEvent: (e) => {
            if (failPersist) throw new Error('disk full');
            durable.push(e);
          },
        });
        const fault = breakable(a.fleet);
        const b = new Dispatcher({ fleet: makeFleet(12), policy });
        let now = T0;
        for (const { op, inject } of steps) {
          now += op.dt;
          const before = state(a);
          failPersist = inject === 'persist';
          fault.set(inject === 'fleet');
          let failed: unknown;
          let result: unknown;
          try {
            result = run(a, op, now);
          } catch (error) {
            failed = error;
          } finally {
            failPersist = false;
            fault.set(false);
          }
          if (failed instanceof JobsFailedError) {
            // Some due jobs threw: each is exactly as before, its timer kept; the run stops here
            // (the others were applied, so the reference cannot follow without the same fault).
            outcomes.jobsFailed++;
            const snapBefore = JSON.parse(before).snap;
            for (const f of failed.failures) {
              const was = snapBefore.sessions.find((s: { job: { id: string } }) => s.job.id === f.jobId);
              const is = a.snapshot().sessions.find((s) => s.job.id === f.jobId);
              expect(is).toEqual(was);
              expect(a.nextDueAt()).toBeLessThanOrEqual(now);
            }
            expect(Dispatcher.replay(durable, { fleet: makeFleet(12), policy }).snapshot()).toEqual(
              a.snapshot(),
            );
            return;
          }
          if (failed !== undefined) {
            if (inject === 'persist') {
              expect(failed).toBeInstanceOf(PersistenceError);
              outcomes.persistFailed++;
            } else {
              expect(failed).toBeInstanceOf(InputFailedError);
              outcomes.fleetFailed++;
            }
            expect((failed as PersistenceError).retryable).toBe(true);
            expect(state(a)).toBe(before);
            continue; // b never sees the input
          }
          outcomes.persisted++;
          expect(JSON.stringify(run(b, op, now))).toBe(JSON.stringify(result));
          expect(state(a)).toBe(state(b));
        }
        // What was persisted is exactly the dispatcher: replaying it rebuilds the same state.
        expect(Dispatcher.replay(durable, { fleet: makeFleet(12), policy }).snapshot()).toEqual(a.snapshot());
      }),
      { seed, numRuns: 150 },
    );
    expect(outcomes.persistFailed).toBeGreaterThan(0);
    expect(outcomes.fleetFailed).toBeGreaterThan(0);
    console.log(`write-ahead property: ${JSON.stringify(outcomes)}`);
  });

  it('advance: one failing job keeps its timer and loses nothing; the others are applied and logged', () => {
    const policy = fastPolicy();
    const d = new Dispatcher({ fleet: makeFleet(20), policy });
    d.open(job('a'), T0);
    d.open(job('b', { lat: 47.38 }), T0);
    d.open(job('c', { lat: 47.39 }), T0);
    const before = d.snapshot();
    const fleet = d.fleet;
    // Job 'b' is corrupt in a way only a fleet read finds: every read for it throws.
    const plain = fleet.findSlot.bind(fleet);
    fleet.findSlot = (id: string) => {
      if (failingFor.has(id)) throw new Error('corrupt record');
      return plain(id);
    };
    const bWave1 = before.sessions[1]!.pending[0]!.offers.map((o) => o.id);
    const failingFor = new Set(
      bWave1.filter((id) => !before.sessions[0]!.pending[0]!.offers.some((o) => o.id === id)),
    );
    let error: JobsFailedError | undefined;
    try {
      d.advance(T0 + 10_000);
    } catch (e) {
      error = e as JobsFailedError;
    }
    expect(error).toBeInstanceOf(JobsFailedError);
    const failed = error!.failures.map((f) => f.jobId);
    expect(failed).toContain('b');
    expect(failed).not.toContain('a');
    const after = d.snapshot();
    before.sessions.forEach((s, i) => {
      if (failed.includes(s.job.id)) expect(after.sessions[i]).toEqual(s);
    });
    expect(after.sessions[0]).not.toEqual(before.sessions[0]);
    expect(notified(error!.effects).length).toBeGreaterThan(0);
    expect(d.status('b')!.nextDueAt).toBe(T0 + 10_000);
    expect(d.eventLog().at(-1)!.facts).toContainEqual({ kind: 'failed', jobId: 'b' });
    // Healed, the next advance handles 'b'; the log replays to the same state.
    failingFor.clear();
    const effects = d.advance(T0 + 10_000);
    expect(effects.every((e) => failed.includes(e.jobId))).toBe(true);
    expect(d.status('b')!.notified).toBeGreaterThan(before.sessions[1]!.notified);
    expect(Dispatcher.replay(d.eventLog(), { fleet: makeFleet(20), policy }).snapshot()).toEqual(
      d.snapshot(),
    );
  });

  it('the dispatcher cannot be used from inside onEvent (nothing half-applied is visible)', () => {
    let seen: unknown;
    const d: Dispatcher = new Dispatcher({
      fleet: makeFleet(6),
      policy: fastPolicy(),
      onEvent: () => {
        try {
          d.status('j');
        } catch (e) {
          seen = e;
        }
      },
    });
    d.open(job('j'), T0);
    expect((seen as Error).message).toMatch(/in the middle of an input/);
  });
});

describe('nothing handed out aliases the engine', () => {
  it('events handed to onEvent and eventLog() are deeply frozen; editing them fails and changes nothing', () => {
    const policy = fastPolicy();
    let redacted: unknown;
    const d = new Dispatcher({
      fleet: makeFleet(10),
      policy,
      onEvent: (e) => {
        try {
          (e as { job?: Job }).job!.lat = 0; // a persister redacting the position
        } catch (error) {
          redacted = error;
        }
      },
    });
    d.open(job('j', { partner: 'swisscom' }), T0);
    expect(redacted).toBeInstanceOf(TypeError);
    const log = d.eventLog();
    expect(Object.isFrozen(log[0])).toBe(true);
    expect(() => {
      (log[0] as { job: Job }).job.partner = 'other';
    }).toThrow(TypeError);
    expect(d.status('j')!.partner).toBe('swisscom');
    const snap = d.snapshot();
    snap.sessions[0]!.job.lat = 0;
    expect(d.snapshot().sessions[0]!.job.lat).toBe(job('j').lat);
  });

  it('a job with getters and a lying toJSON is read once; what was checked is what is stored', () => {
    const d = new Dispatcher({ fleet: makeFleet(10), policy: fastPolicy() });
    let reads = 0;
    const tricky = {
      get id() {
        reads++;
        return reads === 1 ? 'first' : 'second';
      },
      lat: 47.3769,
      lon: 8.5417,
      toJSON: () => ({ id: 'liar', lat: 0, lon: 0 }),
    };
    // toJSON is not a job field: refused, not silently used or dropped.
    expect(() => d.open(tricky as unknown as Job, T0)).toThrow(/unknown field 'toJSON'/);
    const { toJSON: _t, ...rest } = Object.getOwnPropertyDescriptors(tricky);
    reads = 0;
    const once = Object.defineProperties({}, rest) as Job;
    d.open(once, T0);
    expect(reads).toBe(1);
    expect(d.status('first')).toBeDefined();
    expect(d.status('second')).toBeUndefined();
    expect(d.eventLog()[0]).toMatchObject({ type: 'open', job: { id: 'first' } });
  });

  it('a technician record is copied: editing the caller’s object later changes nothing', () => {
    const fleet = makeFleet(0);
    const skills = ['router'];
    fleet.add({ id: 'a', lat: 47, lon: 8, tier: 'friend', skills });
    skills.push('tv');
    expect(fleet.get('a')!.skills).toEqual(['router']);
  });
});

describe('strict inputs', () => {
  it('unknown fields are typed errors with the path and a did-you-mean', () => {
    const fleet = makeFleet(2);
    expect(() => fleet.add({ id: 'x', lat: 47, lon: 8, tier: 'friend', skill: ['router'] } as never)).toThrow(
      InvalidTechnicianError,
    );
    expect(() => fleet.add({ id: 'x', lat: 47, lon: 8, tier: 'friend', skill: ['router'] } as never)).toThrow(
      /unknown field 'skill'\. Did you mean 'skills'\?/,
    );
    expect(() => fleet.update('t0', { radiusKn: 4 } as never)).toThrow(/Did you mean 'radiusKm'/);
    expect(() =>
      fleet.add({ id: 'y', lat: 47, lon: 8, tier: 'pro', stats: { acceptRat: 1 } } as never),
    ).toThrow(/stats\.acceptRat'\. Did you mean 'acceptRate'/);
    const d = new Dispatcher({ fleet, policy: fastPolicy() });
    expect(() => d.open({ ...job('j'), skill: ['tv'] } as never, T0)).toThrow(InvalidJobError);
    expect(() => d.open({ ...job('j'), skill: ['tv'] } as never, T0)).toThrow(/Did you mean 'skills'/);
    expect(() => createPolicy({ wave: [] } as never)).toThrow(InvalidPolicyError);
    expect(() => createPolicy({ wave: [] } as never)).toThrow(/Did you mean 'waves'/);
    expect(() => new Dispatcher({ fleet, policy: fastPolicy(), keeplog: false } as never)).toThrow(
      /Did you mean 'keepLog'/,
    );
  });

  it('now and every time is an integer within the JavaScript Date range', () => {
    const d = new Dispatcher({ fleet: makeFleet(4), policy: fastPolicy() });
    for (const now of [1e20, 8.64e15 + 1, -8.64e15 - 1, 1.5, Number.NaN, -0.5]) {
      expect(() => d.advance(now)).toThrow(InvalidArgumentError);
    }
    expect(() => d.advance(8.64e15)).not.toThrow();
  });

  it('messages survive any value: BigInt, Symbol, null prototype, cycles, throwing getters', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const values = [10n, Symbol('s'), Object.create(null), cyclic, getter, [1n, Symbol()], () => 1];
    const fleet = makeFleet(2);
    const d = new Dispatcher({ fleet, policy: fastPolicy() });
    for (const v of values) {
      for (const act of [
        () => fleet.add({ id: 'z', lat: v, lon: 8, tier: 'friend' } as never),
        () => fleet.add(v as never),
        () => fleet.update('t0', { rating: v } as never),
        () => fleet.move(v as never, 1, 1),
        () => fleet.setOnline('t0', v as never),
        () => d.open({ id: v, lat: 1, lon: 1 } as never, T0),
        () => d.open(job('q', { tier: v } as never), T0),
        () => d.accept(v as never, 't0', T0),
        () => d.advance(v as never),
        () => d.technicianUnavailable('t0', T0, v as never),
        () => createPolicy({ deadlineMs: v } as never),
        () => plan(v as never, job('p'), { now: T0, policy: fastPolicy() }),
        () => Dispatcher.restore(v as never, { fleet, policy: fastPolicy() }),
        () => d.replay([v] as never),
      ]) {
        let error: unknown;
        try {
          act();
        } catch (e) {
          error = e;
        }
        expect(error, String(act)).toBeDefined();
        expect((error as Error).name, `${String(act)}: ${(error as Error).message}`).not.toMatch(
          /^(TypeError|RangeError)$/,
        );
        expect((error as { code?: string }).code).toBeTypeOf('string');
      }
    }
  });

  it('plan() on something that is not a fleet is a typed error', () => {
    expect(() => plan({} as Fleet, job('p'), { now: T0, policy: fastPolicy() })).toThrow(
      InvalidArgumentError,
    );
    expect(() => plan({} as Fleet, job('p'), { now: T0, policy: fastPolicy() })).toThrow(/pass a Fleet/);
  });
});

describe('idempotency survives job-id reuse', () => {
  it('a request id that won a forgotten job never wins a later job with the same id', () => {
    const policy = fastPolicy();
    const d = new Dispatcher({ fleet: makeFleet(4), policy, retainClosedMs: 1_000 });
    const first = notified(d.open(job('j'), T0));
    const winner = first[0]!;
    expect(d.accept('j', winner, T0 + 100, 'req-1').outcome).toBe('assigned');
    d.complete('j', T0 + 200);
    d.advance(T0 + 1_300); // forgotten
    expect(d.status('j')).toBeUndefined();
    const second = notified(d.open(job('j'), T0 + 1_400));
    expect(second).toContain(winner);
    // The winner's delayed retry of his first accept arrives now.
    expect(d.accept('j', winner, T0 + 1_500, 'req-1').outcome).toBe('already_taken');
    expect(d.status('j')!.state).toBe('open');
    // A fresh accept of the new offer is a fresh win; the snapshot carries the memory.
    const snap = d.snapshot();
    expect(Dispatcher.restore(snap, { fleet: d.fleet, policy, retainClosedMs: 1_000 }).snapshot()).toEqual(
      snap,
    );
    expect(d.accept('j', winner, T0 + 1_600, 'req-2').outcome).toBe('assigned');
  });
});

describe('privacy: distances in effects do not locate a technician', () => {
  it('a trilateration attack with 1,000 offers cannot place a technician better than ~1 km', () => {
    const policy = createPolicy({
      waves: [{ size: 1, offsetMs: 0 }],
      notificationCap: null,
      maxNotifiedPerJob: 1,
      escalation: [],
    });
    const home = { lat: 47.3769 + 0.0041, lon: 8.5417 - 0.0067 };
    const fleet = makeFleet(0);
    fleet.add({ id: 'victim', lat: home.lat, lon: home.lon, tier: 'friend', radiusKm: 60 });
    const d = new Dispatcher({ fleet, policy, keepLog: false, retainClosedMs: 0 });
    const observations: { lat: number; lon: number; km: number }[] = [];
    let x = 12345;
    const rand = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x / 2 ** 32;
    };
    for (let i = 0; i < 1_000; i++) {
      const j = { id: `p${i}`, lat: home.lat + (rand() - 0.5) * 0.8, lon: home.lon + (rand() - 0.5) * 1.2 };
      const effects = d.open(j, T0 + i * 1_000);
      const n = effects.find((e) => e.type === 'notify');
      if (n?.type === 'notify') observations.push({ lat: j.lat, lon: j.lon, km: n.distancesKm[0]! });
      d.cancel(j.id, T0 + i * 1_000);
    }
    expect(observations.length).toBeGreaterThan(900);
    // Least-squares trilateration by grid search around the truth (the attacker's best case).
    let best = { err: Number.POSITIVE_INFINITY, lat: 0, lon: 0 };
    for (let dy = -60; dy <= 60; dy++) {
      for (let dx = -60; dx <= 60; dx++) {
        const lat = home.lat + dy * 0.0005;
        const lon = home.lon + dx * 0.0007;
        let err = 0;
        for (const o of observations) err += (haversineKm(lat, lon, o.lat, o.lon) - o.km) ** 2;
        if (err < best.err) best = { err, lat, lon };
      }
    }
    const miss = haversineKm(best.lat, best.lon, home.lat, home.lon);
    expect(miss).toBeGreaterThan(0.5);
    // A second technician elsewhere in the same cell receives exactly the same distances.
    const fleet2 = makeFleet(0);
    fleet2.add({ id: 'victim', lat: home.lat + 0.002, lon: home.lon + 0.001, tier: 'friend', radiusKm: 60 });
    const d2 = new Dispatcher({ fleet: fleet2, policy, keepLog: false, retainClosedMs: 0 });
    const same = observations.slice(0, 50).every((o, i) => {
      const n = d2.open({ id: `q${i}`, lat: o.lat, lon: o.lon }, T0 + i).find((e) => e.type === 'notify');
      return n?.type === 'notify' && n.distancesKm[0] === o.km;
    });
    expect(same).toBe(true);
    console.log(
      `trilateration with ${observations.length} offers: best estimate ${miss.toFixed(2)} km from the home`,
    );
  });
});

describe('bounded memory: the log folds into a checkpoint', () => {
  it('after more than 10,000 events, restore(checkpoint()).replay(eventLog()) is the dispatcher', () => {
    const policy = fastPolicy();
    const d = new Dispatcher({ fleet: makeFleet(12), policy, retainClosedMs: 5_000 });
    let now = T0;
    for (let i = 0; d.lastSeq < 10_500; i++) {
      now += 1_000;
      const wave = notified(d.open(job(`j${i}`), now));
      if (wave.length > 0 && i % 2 === 0) {
        d.accept(`j${i}`, wave[0]!, now + 10, `r${i}`);
        d.complete(`j${i}`, now + 20);
      } else d.cancel(`j${i}`, now + 20);
      d.advance(now + 30);
    }
    const base = d.checkpoint();
    expect(base.seq).toBeGreaterThan(0);
    const log = d.eventLog();
    expect(log.length).toBeLessThan(10_001);
    expect(log[0]!.seq).toBe(base.seq + 1);
    expect(() => d.eventLog(0)).toThrow(/folded into checkpoint/);
    const rebuilt = Dispatcher.restore(base, { fleet: makeFleet(12), policy, retainClosedMs: 5_000 }).replay(
      log,
    );
    expect(rebuilt.snapshot()).toEqual(d.snapshot());
    // Closed jobs were forgotten: the checkpoint holds only what is still known.
    expect(base.sessions.length).toBeLessThan(20);
  });
});
