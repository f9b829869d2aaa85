/**
 * Accept races with `fc.scheduler`: request handlers that await (authentication, I/O) before and
 * after calling the dispatcher, interleaved in every order fast-check can find.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { AcceptOutcome, Effect } from '../src/dispatch/types.js';
import { fastPolicy, job, makeFleet, notified, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('dispatcher.race.test.ts');

/** A request handler: awaits, accepts, awaits again. The clock moves on with every call. */
function handler(s: fc.Scheduler, d: Dispatcher, clock: { now: number }) {
  return async (jobId: string, tech: string, requestId: string): Promise<AcceptOutcome> => {
    await s.schedule(Promise.resolve(), `auth ${tech}→${jobId}`);
    const outcome = d.accept(jobId, tech, ++clock.now, requestId);
    await s.schedule(Promise.resolve(), `respond ${tech}`);
    return outcome;
  };
}

const wide = (n: number) => fastPolicy({ waves: [{ size: n, offsetMs: 0 }], maxNotifiedPerJob: n });

describe('accept races (fc.scheduler)', () => {
  it('2–64 concurrent accepts on one job: exactly one is assigned, the others are already_taken', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 64 }), fc.boolean(), async (s, n, retry) => {
        const fleet = makeFleet(64, 11);
        const d = new Dispatcher({ fleet, policy: wide(64) });
        const ids = notified(d.open(job('j', { tier: 'any' }), T0)).slice(0, n);
        expect(ids).toHaveLength(n);
        const clock = { now: T0 };
        const accept = handler(s, d, clock);
        const requests = ids.map((id, i) => accept('j', id, `r${i}`));
        // A client that retries its request while the first is still in flight.
        if (retry) requests.push(accept('j', ids[0]!, 'r0'));
        await s.waitAll();
        const outcomes = await Promise.all(requests);
        const won = outcomes.filter((o) => o.outcome === 'assigned' && !o.repeated);
        expect(won).toHaveLength(1);
        const winner = won[0]!.outcome === 'assigned' ? won[0]!.technicianId : '';
        for (const o of outcomes) {
          if (o.outcome === 'assigned') expect(o.technicianId).toBe(winner);
          else expect(o).toEqual({ outcome: 'already_taken', jobId: 'j' });
        }
        expect(d.status('j')).toMatchObject({ state: 'assigned', technicianId: winner });
        expect(fleet.get(winner)!.load).toBe(1);
        expect([...fleet.idsIterator()].reduce((sum, id) => sum + fleet.get(id)!.load, 0)).toBe(1);
      }),
      { seed, numRuns: 100 },
    );
  });

  it('two jobs racing for one technician of capacity 1 (or two overlapping appointments): he gets at most one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        async (s, others, booking) => {
          const fleet = makeFleet(8, 5);
          const policy = wide(8);
          const d = new Dispatcher({ fleet, policy });
          // Appointments whose offers go out at once, an hour apart, two hours long: they overlap.
          const start = T0 + policy.appointments.minLeadMs + 1;
          const at = (h: number) => ({
            window: {
              start: start + h * 3_600_000,
              end: start + (h + 2) * 3_600_000,
              timeZone: 'Europe/Zurich',
            },
          });
          const a = notified(d.open(job('a', booking ? at(0) : {}), T0));
          const b = notified(d.open(job('b', booking ? at(1) : {}), T0));
          const tech = a.find((id) => b.includes(id))!;
          const clock = { now: T0 };
          const accept = handler(s, d, clock);
          const requests = [accept('a', tech, 'x'), accept('b', tech, 'y')];
          // Competitors on both jobs.
          for (const id of a.filter((t) => t !== tech).slice(0, others)) requests.push(accept('a', id, 'c'));
          for (const id of b.filter((t) => t !== tech).slice(0, others)) requests.push(accept('b', id, 'c'));
          await s.waitAll();
          const outcomes = await Promise.all(requests);
          const mine = outcomes.slice(0, 2).filter((o) => o.outcome === 'assigned');
          expect(mine.length).toBeLessThanOrEqual(1);
          expect(fleet.get(tech)!.load).toBeLessThanOrEqual(booking ? 0 : 1);
          expect(fleet.reservationsOf(tech)).toHaveLength(booking ? mine.length : 0);
          for (const jobId of ['a', 'b']) {
            expect(outcomes.filter((o) => o.jobId === jobId && o.outcome === 'assigned')).toHaveLength(
              d.status(jobId)!.state === 'assigned' ? 1 : 0,
            );
          }
          // His losing accept is refused for a reason that does not leak the other job.
          for (const o of outcomes.slice(0, 2)) {
            if (o.outcome !== 'assigned')
              expect(['offer_withdrawn', 'already_taken', 'no_longer_eligible']).toContain(o.outcome);
          }
        },
      ),
      { seed, numRuns: 100 },
    );
  });

  it('best accept: concurrent accepts and the award racing: one winner, the nearest of those held in time', async () => {
    const best = (n: number) =>
      fastPolicy({
        waves: [{ size: n, offsetMs: 0 }],
        maxNotifiedPerJob: n,
        award: { mode: 'best', windowMs: 10, by: 'nearest' },
      });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 24 }), async (s, n) => {
        const fleet = makeFleet(24, 13);
        const d = new Dispatcher({ fleet, policy: best(24) });
        const opened = d.open(job('j', { tier: 'any' }), T0);
        const notify = opened.find((e) => e.type === 'notify')!;
        const km = new Map(notify.technicianIds.map((id, i) => [id, notify.distancesKm[i]!]));
        const ids = notified(opened).slice(0, n);
        const clock = { now: T0 };
        const accept = handler(s, d, clock);
        const effects: Effect[] = [];
        const requests = ids.map((id, i) => accept('j', id, `r${i}`));
        // A timer firing the award somewhere among the requests (the window is 10 ms of this clock).
        const timer = (async () => {
          await s.schedule(Promise.resolve(), 'timer');
          clock.now += 10;
          effects.push(...d.advance(clock.now));
        })();
        await s.waitAll();
        const outcomes = await Promise.all(requests);
        await timer;
        effects.push(...d.advance(clock.now + 1_000));
        const held = outcomes
          .filter((o) => o.outcome === 'held')
          .map((o) => (o.outcome === 'held' ? o.technicianId : ''));
        const assigned = effects.filter((e) => e.type === 'assigned');
        expect(assigned).toHaveLength(1);
        const winner = assigned[0]!.type === 'assigned' ? assigned[0]!.technicianId : '';
        expect(held).toContain(winner);
        const order = notify.technicianIds;
        const bestHeld = [...held].sort(
          (a, b) => km.get(a)! - km.get(b)! || order.indexOf(a) - order.indexOf(b),
        )[0];
        expect(winner).toBe(bestHeld);
        for (const o of outcomes) expect(['held', 'already_taken']).toContain(o.outcome);
        expect(d.status('j')).toMatchObject({ state: 'assigned', technicianId: winner });
        expect([...fleet.idsIterator()].reduce((sum, id) => sum + fleet.get(id)!.load, 0)).toBe(1);
      }),
      { seed, numRuns: 100 },
    );
  });

  it('best accept: one technician of capacity 1 held in two windows gets at most one award', async () => {
    const policy = fastPolicy({
      waves: [{ size: 8, offsetMs: 0 }],
      maxNotifiedPerJob: 8,
      award: { mode: 'best', windowMs: 10, by: 'score' },
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 0, max: 4 }), async (s, others) => {
        const fleet = makeFleet(8, 5);
        const d = new Dispatcher({ fleet, policy });
        const a = notified(d.open(job('a'), T0));
        const b = notified(d.open(job('b'), T0));
        const tech = a.find((id) => b.includes(id))!;
        const clock = { now: T0 };
        const accept = handler(s, d, clock);
        const requests = [accept('a', tech, 'x'), accept('b', tech, 'y')];
        for (const id of a.filter((t) => t !== tech).slice(0, others)) requests.push(accept('a', id, 'c'));
        for (const id of b.filter((t) => t !== tech).slice(0, others)) requests.push(accept('b', id, 'c'));
        const effects: Effect[] = [];
        const timer = (async () => {
          await s.schedule(Promise.resolve(), 'timer');
          clock.now += 10;
          effects.push(...d.advance(clock.now));
        })();
        await s.waitAll();
        await Promise.all(requests);
        await timer;
        effects.push(...d.advance(clock.now + 1_000));
        const his = effects.filter((e) => e.type === 'assigned' && e.technicianId === tech);
        expect(his.length).toBeLessThanOrEqual(1);
        expect(fleet.get(tech)!.load).toBeLessThanOrEqual(1);
        for (const jobId of ['a', 'b']) {
          expect(effects.filter((e) => e.type === 'assigned' && e.jobId === jobId)).toHaveLength(
            d.status(jobId)!.state === 'assigned' ? 1 : 0,
          );
        }
      }),
      { seed, numRuns: 100 },
    );
  });
  it('the winner cancelling while others accept, then racing the re-dispatch: never re-assigned, one winner, loads agree', async () => {
    const seen = { before: 0, after: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        async (s, n, winnerRetries) => {
          const fleet = makeFleet(48, 5);
          const d = new Dispatcher({
            fleet,
            policy: fastPolicy({ waves: [{ size: 16, offsetMs: 0 }], maxNotifiedPerJob: 48 }),
          });
          const ids = notified(d.open(job('j', { tier: 'any' }), T0));
          const clock = { now: T0 };
          expect(d.accept('j', ids[0]!, ++clock.now, 'r-first').outcome).toBe('assigned');
          const winner = ids[0]!;
          const accept = handler(s, d, clock);
          // Phase 1: his cancel in flight with the accepts of the others offered and his own new tap.
          const cancel = (async () => {
            await s.schedule(Promise.resolve(), `auth cancel ${winner}`);
            const r = d.technicianCancel('j', winner, ++clock.now, 'flat tyre');
            await s.schedule(Promise.resolve(), 'respond cancel');
            return r;
          })();
          const early = ids.slice(1, n + 1).map((id, i) => accept('j', id, `r${i}`));
          if (winnerRetries) early.push(accept('j', winner, 'r-again'));
          await s.waitAll();
          const c = await cancel;
          expect(c.outcome).toBe('reopened');
          const first = await Promise.all(early);
          // The re-dispatch notifies a new batch (others offered before may be in it again, never him).
          const fresh = c.outcome === 'reopened' ? notified(c.effects) : [];
          expect(fresh.length).toBeGreaterThan(0);
          expect(fresh).not.toContain(winner);
          expect(fleet.get(winner)!.load).toBe(0);
          // Phase 2: the new batch's accepts race a new tap of the canceller.
          const late = fresh.slice(0, n).map((id, i) => accept('j', id, `q${i}`));
          late.push(accept('j', winner, 'q-winner'));
          await s.waitAll();
          const second = await Promise.all(late);
          for (const o of first) {
            if (o.outcome === 'already_taken') seen.before++;
            if (o.outcome === 'assigned' && o.technicianId !== winner) seen.after++;
          }
          // One new winner over both phases, never the canceller after his cancel.
          const all = [...first, ...second];
          const won = all.filter((o) => o.outcome === 'assigned' && !o.repeated && o.technicianId !== winner);
          expect(won).toHaveLength(1);
          const w = won[0]!.outcome === 'assigned' ? won[0]!.technicianId : '';
          expect(second.at(-1)!.outcome).not.toBe('assigned');
          for (const o of all) if (o.outcome === 'assigned') expect([w, winner]).toContain(o.technicianId);
          const status = d.status('j')!;
          expect(status).toMatchObject({ state: 'assigned', technicianId: w });
          const total = [...fleet.idsIterator()].reduce((sum, id) => sum + fleet.get(id)!.load, 0);
          expect(total).toBe(1);
          // Every order replays to the same state from the log.
          const again = new Dispatcher({
            fleet: makeFleet(48, 5),
            policy: fastPolicy({ waves: [{ size: 16, offsetMs: 0 }], maxNotifiedPerJob: 48 }),
          });
          again.replay(d.eventLog());
          expect(again.status('j')).toEqual(status);
        },
      ),
      { seed, numRuns: 100 },
    );
    // Both orders of phase 1 occur: accepts before the cancel (taken) and after it (a new offer won).
    expect(seen.before).toBeGreaterThan(5);
    expect(seen.after).toBeGreaterThan(5);
  });
});
