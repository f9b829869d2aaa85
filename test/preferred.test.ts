/**
 * A chosen technician (issue 12 item 2): the technician the customer booked from the profile, or
 * an ordered list of preferred ones, is offered the job first and exclusively for
 * `policy.preferredExclusiveMs`; then the crowd waves follow — unless `only`, when the job is handed
 * back (`preferred_unavailable`). `explain` shows the phase and why a chosen technician was not offered.
 */
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { Effect, NotifyEffect } from '../src/dispatch/types.js';
import { plan } from '../src/plan/plan.js';
import { InvalidJobError } from '../src/shared/errors.js';
import type { Job } from '../src/shared/types.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';

const policy = fastPolicy({ preferredExclusiveMs: 60_000 });
const X = policy.preferredExclusiveMs;
const TTL = policy.offerTtlMs;

function setup() {
  const fleet = makeFleet(12);
  return { fleet, d: new Dispatcher({ fleet, policy, keepLog: true }) };
}
const notifies = (effects: readonly Effect[]) =>
  effects.filter((e): e is NotifyEffect => e.type === 'notify');

describe('the plan of a direct booking', () => {
  it('lists the chosen technicians in order with the rules they fail; they are not among the crowd candidates', () => {
    const fleet = makeFleet(12);
    fleet.setOnline('t3', false);
    const j = job('p', { preferred: { technicianIds: ['t7', 't3', 't1'] } });
    const p = plan(fleet, j, { now: T0, policy, explain: true });
    expect(p.preferred!.map((v) => [v.id, v.reasons])).toEqual([
      ['t7', []],
      ['t3', ['offline']],
      ['t1', []],
    ]);
    expect(p.schedule).toEqual({ offersAt: T0, crowdAt: T0 + X, deadlineAt: T0 + X + policy.deadlineMs });
    for (const id of ['t7', 't3', 't1']) {
      expect(p.candidates.map((c) => c.id)).not.toContain(id);
      expect(p.excluded!.map((x) => x.id)).not.toContain(id);
    }
    // The fast path ranks the crowd the same.
    expect(plan(fleet, j, { now: T0, policy }).candidates).toEqual(p.candidates);
  });

  it('with nobody of them eligible, the crowd needs not wait for the exclusive phase', () => {
    const fleet = makeFleet(12);
    fleet.setOnline('t3', false);
    const p = plan(fleet, job('p', { preferred: { technicianIds: ['t3'] } }), { now: T0, policy });
    expect(p.schedule).toEqual({ offersAt: T0, crowdAt: T0, deadlineAt: T0 + policy.deadlineMs });
  });
});

describe('dispatching a direct booking', () => {
  it('offers the chosen ones at once, alone; the crowd at the end of the exclusive phase', () => {
    const { d } = setup();
    const opened = d.open(job('p', { preferred: { technicianIds: ['t7', 't1'] } }), T0);
    expect(notifies(opened)).toEqual([
      expect.objectContaining({ technicianIds: ['t7', 't1'], preferred: true, expiresAt: T0 + X + TTL }),
    ]);
    expect(d.nextDueAt()).toBe(T0 + X);
    expect(d.advance(T0 + X - 1)).toEqual([]);
    const crowd = notifies(d.advance(T0 + X));
    expect(crowd).toHaveLength(1);
    expect(crowd[0]!.preferred).toBeUndefined();
    expect(crowd[0]!.technicianIds).toHaveLength(policy.waves[0]!.size);
    expect(crowd[0]!.technicianIds.some((t) => t === 't7' || t === 't1')).toBe(false);
    // A chosen technician may still take it while his offer runs.
    expect(d.accept('p', 't1', T0 + X + 1).outcome).toBe('assigned');
  });

  it('one of two declining keeps the phase exclusive; both declining pulls the crowd forward', () => {
    const { d } = setup();
    d.open(job('p', { preferred: { technicianIds: ['t7', 't1'] } }), T0);
    expect(d.decline('p', 't7', T0 + 1000)).toEqual([]);
    const pulled = d.decline('p', 't1', T0 + 2000);
    expect(notified(pulled)).toHaveLength(policy.waves[0]!.size);
    expect(pulled[0]!.at).toBe(T0 + 2000);
  });

  it('only: a decline hands the job back at once with preferred_unavailable, nobody else is offered', () => {
    const { d } = setup();
    d.open(job('p', { preferred: { technicianIds: ['t7'], only: true } }), T0);
    expect(d.decline('p', 't7', T0 + 5000)).toEqual([
      expect.objectContaining({ type: 'unfilled', reason: 'preferred_unavailable', notified: 1 }),
    ]);
    expect(d.status('p')).toMatchObject({ state: 'unfilled', reason: 'preferred_unavailable', notified: 1 });
  });

  it('only: no answer within the exclusive phase → handed back then; accepting in time wins', () => {
    const { d } = setup();
    const opened = d.open(job('p', { preferred: { technicianIds: ['t7', 't1'], only: true } }), T0);
    expect(notifies(opened)[0]!.expiresAt).toBe(T0 + X);
    expect(d.status('p')!.deadlineAt).toBe(T0 + X);
    const end = d.advance(T0 + X);
    expect(end.filter((e) => e.type === 'unfilled')).toEqual([
      expect.objectContaining({ reason: 'preferred_unavailable' }),
    ]);
    expect(notified(end)).toEqual([]);
    d.open(job('q', { preferred: { technicianIds: ['t2'], only: true } }), T0 + X);
    expect(d.accept('q', 't2', T0 + X + 100).outcome).toBe('assigned');
  });

  it('only, and the chosen technician cannot take it: handed back at open with the reason in the plan', () => {
    const { fleet, d } = setup();
    fleet.setOnline('t7', false);
    const j = job('p', { preferred: { technicianIds: ['t7'], only: true } });
    expect(plan(fleet, j, { now: T0, policy }).preferred).toEqual([
      expect.objectContaining({ id: 't7', reasons: ['offline'] }),
    ]);
    expect(d.open(j, T0)).toEqual([
      expect.objectContaining({ type: 'unfilled', reason: 'preferred_unavailable', notified: 0 }),
    ]);
  });

  it('an appointment booked with a technician: his exclusive offer at start − leadMs', () => {
    const { d } = setup();
    const start = T0 + 10 * 3_600_000;
    const lead = policy.appointments.leadMs;
    const j = job('a', {
      window: { start, end: start + 3_600_000, timeZone: 'Europe/Zurich' },
      preferred: { technicianIds: ['t4'] },
    });
    expect(d.open(j, T0)).toEqual([]);
    expect(notifies(d.advance(start - lead))).toEqual([
      expect.objectContaining({ technicianIds: ['t4'], preferred: true }),
    ]);
    expect(notified(d.advance(start - lead + X))).toHaveLength(policy.waves[0]!.size);
  });

  it('replays exactly and survives snapshot/restore in the exclusive phase', () => {
    const { fleet, d } = setup();
    d.open(job('p', { preferred: { technicianIds: ['t7', 't1'] } }), T0);
    d.decline('p', 't7', T0 + 1000);
    const snap = d.snapshot();
    const restored = Dispatcher.restore(snap, { fleet, policy });
    const again = Dispatcher.replay(d.eventLog(), { fleet, policy });
    expect(again.snapshot()).toEqual(snap);
    expect(restored.advance(T0 + X)).toEqual(d.advance(T0 + X));
    expect(restored.snapshot().sessions).toEqual(d.snapshot().sessions);
  });
});

describe('bad input: typed errors, nothing changed', () => {
  const cases: [string, Job['preferred'] | unknown, string][] = [
    ['an unknown technician', { technicianIds: ['t1', 'nobody'] }, 'preferred.technicianIds[1]'],
    ['a repeated technician', { technicianIds: ['t1', 't1'] }, 'preferred.technicianIds[1]'],
    ['an empty list', { technicianIds: [] }, 'preferred.technicianIds'],
    ['too many', { technicianIds: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'preferred.technicianIds'],
    ['only not a boolean', { technicianIds: ['t1'], only: 'yes' }, 'preferred.only'],
    ['an unknown field', { technicianIds: ['t1'], onlyThis: true }, 'preferred.onlyThis'],
    ['not an object', 't1', 'preferred'],
  ];
  for (const [what, preferred, path] of cases) {
    it(`${what} → InvalidJobError at ${path}`, () => {
      const { fleet, d } = setup();
      const j = job('bad', { preferred: preferred as Job['preferred'] });
      const err = (() => {
        try {
          d.open(j, T0);
        } catch (error) {
          return error as InvalidJobError;
        }
        throw new Error('open did not throw');
      })();
      expect(err).toBeInstanceOf(InvalidJobError);
      expect(err.path).toBe(path);
      expect(() => plan(fleet, j, { now: T0, policy })).toThrow(InvalidJobError);
      expect(d.size).toBe(0);
      expect(d.eventLog()).toEqual([]);
    });
  }
  it('the message of an unknown technician says what to do', () => {
    const { d } = setup();
    expect(() => d.open(job('bad', { preferred: { technicianIds: ['nobody'] } }), T0)).toThrow(
      /'nobody', a technician the fleet does not know; pass ids of technicians in the fleet/,
    );
  });
});
