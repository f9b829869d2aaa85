/**
 * Technician cancellations and no-shows on the in-memory dispatcher: what re-opens, what restarts,
 * who is barred, what it costs the technician, and that it is logged, replayed and snapshotted.
 * (The model-based test and the store contract cover them too, over random sequences.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { DispatchEvent } from '../src/dispatch/event-types.js';
import type { Effect } from '../src/dispatch/types.js';
import { InvalidArgumentError, InvalidRecordError } from '../src/shared/errors.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('technician-cancel.test.ts');

function setup(n = 12) {
  const fleet = makeFleet(n, 3);
  const policy = fastPolicy();
  const log: DispatchEvent[] = [];
  const d = new Dispatcher({
    fleet,
    policy,
    retainClosedMs: Number.POSITIVE_INFINITY,
    onEvent: (e) => log.push(e),
  });
  return { fleet, policy, log, d };
}

/** Opens j1 and lets its first technician win it at `T0 + 1000`. */
function assigned(n = 12) {
  const s = setup(n);
  const first = notified(s.d.open(job('j1'), T0));
  const winner = first[0]!;
  const r = s.d.accept('j1', winner, T0 + 1000, 'req-1');
  expect(r.outcome).toBe('assigned');
  return { ...s, first, winner };
}

describe('technicianCancel', () => {
  it('re-opens the job without him: a new deadline, the steps not taken count from now, a re-planned batch', () => {
    const { d, fleet, winner, first } = assigned();
    const slot = fleet.slotOf(winner);
    const rate = fleet.acceptRate[slot]!;
    expect(fleet.load[slot]).toBe(1);
    const at = T0 + 40_000;
    const r = d.technicianCancel('j1', winner, at, 'car broke down');
    expect(r.outcome).toBe('reopened');
    const effects = r.outcome === 'reopened' ? r.effects : [];
    expect(effects[0]).toEqual({
      type: 'reopened',
      jobId: 'j1',
      at,
      technicianId: winner,
      reason: 'car broke down',
      deadlineAt: at + 180_000,
    });
    const again = notified(effects);
    expect(again.length).toBe(2); // one batch (waves[0].size)
    expect(again).not.toContain(winner);
    // The one whose offer the assignment revoked may hear of it again.
    expect(again).toContain(first[1]);
    const st = d.status('j1')!;
    expect(st).toMatchObject({ state: 'open', deadlineAt: at + 180_000, escalationSteps: 0 });
    expect(st.technicianId).toBeUndefined();
    // The first step (deeper after 30 s) was not taken before: it now comes 30 s after the re-opening.
    expect(st.nextDueAt).toBe(at + 20_000); // the new offers' expiry comes first
    d.advance(at + 29_999);
    expect(d.status('j1')!.escalationSteps).toBe(0);
    d.advance(at + 30_000);
    expect(d.status('j1')!.escalationSteps).toBe(1);
    // Released once, and counted against his responsiveness.
    expect(fleet.load[slot]).toBe(0);
    expect(fleet.acceptRate[slot]!).toBeLessThan(rate);
  });

  it('never offers the job to him again, through every escalation step, and refuses his accept', () => {
    const { d, winner } = assigned(6);
    d.technicianCancel('j1', winner, T0 + 2000);
    expect(d.accept('j1', winner, T0 + 2000, 'req-1')).toEqual({ outcome: 'offer_cancelled', jobId: 'j1' });
    const later: Effect[] = [];
    for (let t = T0 + 2000; t <= T0 + 200_000; t += 5000) later.push(...d.advance(t));
    expect(notified(later)).not.toContain(winner);
  });

  it('refuses, changing and logging nothing: an unknown job, a job not assigned, someone not the winner', () => {
    const { d, log, winner, first } = assigned();
    const before = d.snapshot();
    const n = log.length;
    expect(d.technicianCancel('nope', winner, T0 + 2000)).toEqual({ outcome: 'unknown_job', jobId: 'nope' });
    expect(d.technicianCancel('j1', first[1]!, T0 + 2000)).toEqual({ outcome: 'not_winner', jobId: 'j1' });
    d.open(job('j2'), T0 + 2000);
    const m = log.length;
    const snap2 = d.snapshot();
    expect(d.technicianCancel('j2', winner, T0 + 2000)).toEqual({ outcome: 'not_assigned', jobId: 'j2' });
    expect(d.snapshot()).toEqual(snap2);
    expect(log).toHaveLength(m);
    expect(m).toBe(n + 1);
    expect(before.seq).toBe(n);
  });

  it('rejects bad arguments with typed errors naming the argument, state unchanged', () => {
    const { d, winner } = assigned();
    const before = d.snapshot();
    const bad: [unknown[], string][] = [
      [['', winner, T0 + 2000], 'jobId'],
      [['j1', 42, T0 + 2000], 'technicianId'],
      [['j1', winner, Number.NaN], 'now'],
      [['j1', winner, T0 + 2000, ''], 'reason'],
      [['j1', winner, T0 + 2000, 'x'.repeat(1001)], 'reason'],
      [['j1', winner, T0], 'now'], // before the previous input
    ];
    for (const [args, path] of bad) {
      let error: unknown;
      try {
        (d.technicianCancel as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).path).toBe(path);
      expect((error as Error).message).toMatch(/pass/);
    }
    expect(d.snapshot()).toEqual(before);
  });

  it('with nobody left to notify and no step to come, hands the job back unfilled at once', () => {
    const { d, winner } = assigned(1);
    const r = d.technicianCancel('j1', winner, T0 + 200_000);
    // The steps are re-timed from now, so they still come: advance through them.
    expect(r.outcome).toBe('reopened');
    const effects = [...(r.outcome === 'reopened' ? r.effects : []), ...d.advance(T0 + 400_000)];
    expect(notified(effects)).toEqual([]);
    expect(d.status('j1')!.state).toBe('unfilled');
  });
});

describe('complete with a reason (no-shows)', () => {
  it('records the no-show, releases the winner once; a technician no-show costs responsiveness, a customer one does not', () => {
    for (const reason of ['customer_no_show', 'technician_no_show', 'done'] as const) {
      const { d, fleet, winner } = assigned();
      const slot = fleet.slotOf(winner);
      const rate = fleet.acceptRate[slot]!;
      expect(d.complete('j1', T0 + 5000, reason)).toBe(true);
      expect(d.complete('j1', T0 + 5001, reason)).toBe(false);
      expect(fleet.load[slot]).toBe(0);
      expect(d.status('j1')!.completion).toBe(reason === 'done' ? undefined : reason);
      if (reason === 'technician_no_show') expect(fleet.acceptRate[slot]!).toBeLessThan(rate);
      else expect(fleet.acceptRate[slot]!).toBe(rate);
      const last = d.eventLog().at(-1)!;
      expect(last).toMatchObject({ type: 'complete', jobId: 'j1' });
      expect('reason' in last ? last.reason : undefined).toBe(reason === 'done' ? undefined : reason);
    }
  });

  it('rejects an unknown reason with a typed error, changing nothing', () => {
    const { d } = assigned();
    const before = d.snapshot();
    expect(() => d.complete('j1', T0 + 5000, 'no_show' as 'done')).toThrow(InvalidArgumentError);
    expect(() => d.complete('j1', T0 + 5000, 'no_show' as 'done')).toThrow(/customer_no_show/);
    expect(d.snapshot()).toEqual(before);
  });
});

describe('cancellations in the log', () => {
  it('property: random cancels, re-accepts and no-shows replay exactly and survive snapshot + tail', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('accept' as const), pick: fc.nat(20) }),
      fc.record({
        k: fc.constant('techCancel' as const),
        reason: fc.option(fc.string({ minLength: 1, maxLength: 5 }), { nil: undefined }),
      }),
      fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
      fc.record({
        k: fc.constant('complete' as const),
        reason: fc.constantFrom('done', 'customer_no_show', 'technician_no_show'),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.nat(25), (ops, cut) => {
        const { d, fleet, policy, log } = setup(8);
        let now = T0;
        const offered = new Set(notified(d.open(job('j1'), now)));
        let snapshot = d.snapshot();
        ops.forEach((o, i) => {
          now += 1000;
          if (i === cut) snapshot = d.snapshot();
          if (o.k === 'advance') {
            now += o.ms;
            for (const t of notified(d.advance(now))) offered.add(t);
          } else if (o.k === 'accept') {
            const ids = [...offered];
            if (ids.length === 0) return;
            const r = d.accept('j1', ids[o.pick % ids.length]!, now);
            if (r.outcome === 'assigned') for (const t of notified(r.effects)) offered.add(t);
          } else if (o.k === 'techCancel') {
            const w = d.status('j1')!.technicianId ?? 'nobody';
            const r = d.technicianCancel('j1', w, now, o.reason);
            if (r.outcome === 'reopened') for (const t of notified(r.effects)) offered.add(t);
          } else d.complete('j1', now, o.reason);
        });
        const options = { fleet, policy, retainClosedMs: Number.POSITIVE_INFINITY };
        expect(Dispatcher.replay(log, options).snapshot()).toEqual(d.snapshot());
        expect(Dispatcher.restore(snapshot, options).replay(log.slice(snapshot.seq)).snapshot()).toEqual(
          d.snapshot(),
        );
        // Replaying onto a fresh fleet gives the same counters as the live run.
        const fresh = makeFleet(8, 3);
        Dispatcher.replay(log, { ...options, fleet: fresh, applyToFleet: true });
        for (const t of Array.from({ length: 8 }, (_, i) => `t${i}`)) {
          expect(fresh.load[fresh.slotOf(t)]).toBe(fleet.load[fleet.slotOf(t)]);
          expect(fresh.acceptRate[fresh.slotOf(t)]).toEqual(fleet.acceptRate[fleet.slotOf(t)]);
        }
      }),
      { seed, numRuns: 60 },
    );
  });

  it('refuses a logged cancellation or no-show that was edited', () => {
    const { d, winner, policy, fleet } = assigned();
    d.technicianCancel('j1', winner, T0 + 2000, 'ill');
    const log = d.eventLog(0);
    const options = { fleet, policy, retainClosedMs: Number.POSITIVE_INFINITY };
    const edited = log.map((e) => (e.type === 'technicianCancel' ? { ...e, reason: 'fine' } : e));
    expect(() => Dispatcher.replay(edited, options)).toThrow(/hash/);
    const unknown = log.map((e) => (e.type === 'technicianCancel' ? { ...e, reason: '' } : e));
    expect(() => Dispatcher.replay(unknown, options)).toThrow(InvalidRecordError);
    const complete = [
      ...log,
      { ...log[0]!, seq: log.length + 1, type: 'complete', jobId: 'j1', reason: 'done' },
    ];
    expect(() => Dispatcher.replay(complete as DispatchEvent[], options)).toThrow(/reason/);
  });
});
