/**
 * The store-backed dispatcher makes the same decisions as the in-memory Dispatcher: both run the
 * pure session machine, so for the same inputs they answer the same and emit the same effects —
 * including the withdrawal of a technician's other offers when an award fills his capacity (1 here).
 * The store replica's fleet counters (which plans read: fairness, responsiveness) follow the
 * shared feed through a FleetFollower after every input, as the in-memory dispatcher's own fleet
 * is updated at once. Escalation here sends from the reserve: a re-plan could differ, because a
 * store replica plans every job of one `advance` batch on the counters from before the batch,
 * while the in-memory dispatcher updates its fleet between jobs (docs/several-processes.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { Effect } from '../src/dispatch/types.js';
import type { Job } from '../src/shared/types.js';
import { StoreDispatcher } from '../src/store/dispatcher.js';
import { FleetFollower } from '../src/store/follow.js';
import { MemoryStore } from '../src/store/memory.js';
import { fastPolicy, job, makeFleet, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('store.equivalence.test.ts');
const policy = fastPolicy({
  escalation: [
    { action: 'deeper', afterMs: 30_000, size: 2 },
    { action: 'deeper', afterMs: 60_000, size: 3 },
  ],
  // Appointments whose offers go out within the run, chosen technicians with a short exclusive phase.
  appointments: { minLeadMs: 120_000, assignBeforeMs: 60_000, leadMs: 180_000, maxWindowMs: 3_600_000 },
  preferredExclusiveMs: 15_000,
});

/** The kinds of job opened: on demand, an appointment (overlapping ones share technicians), a direct booking. */
const kindArb = fc.oneof(
  fc.record({ kind: fc.constant('now' as const) }),
  fc.record({
    kind: fc.constant('appointment' as const),
    slot: fc.nat(6),
    hours: fc.constantFrom(0.25, 0.5, 1),
  }),
  fc.record({
    kind: fc.constant('preferred' as const),
    techs: fc.uniqueArray(fc.nat(11), { minLength: 1, maxLength: 3 }),
    only: fc.boolean(),
    window: fc.boolean(),
  }),
);

type KindSpec = typeof kindArb extends fc.Arbitrary<infer T> ? T : never;

function jobOf(id: string, k: KindSpec, now: number): Job {
  const window = (slot: number, hours: number) => ({
    start: now + 120_000 + slot * 30_000,
    end: now + 120_000 + slot * 30_000 + hours * 3_600_000,
    timeZone: 'Europe/Zurich',
  });
  if (k.kind === 'now') return job(id);
  if (k.kind === 'appointment') return job(id, { window: window(k.slot, k.hours) });
  return job(id, {
    preferred: { technicianIds: k.techs.map((t) => `t${t}`), only: k.only },
    ...(k.window ? { window: window(0, 0.5) } : {}),
  });
}

const byJob = (effects: readonly Effect[]) =>
  [...effects].sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));

describe('StoreDispatcher on MemoryStore vs Dispatcher', () => {
  it('property: the same inputs give the same answers and effects', async () => {
    const op = fc.oneof(
      fc.record({
        k: fc.constant('accept' as const),
        job: fc.nat(4),
        tech: fc.nat(11),
        req: fc.boolean(),
        offered: fc.boolean(),
      }),
      fc.record({ k: fc.constant('decline' as const), job: fc.nat(4), tech: fc.nat(11) }),
      fc.record({ k: fc.constant('advance' as const) }),
      fc.record({ k: fc.constant('complete' as const), job: fc.nat(4) }),
      fc.record({ k: fc.constant('cancel' as const), job: fc.nat(4) }),
      fc.record({ k: fc.constant('open' as const), kind: kindArb }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(op, fc.integer({ min: 0, max: 25_000 })), { minLength: 5, maxLength: 40 }),
        async (ops) => {
          const mem = new Dispatcher({
            fleet: makeFleet(12, 3, { capacity: 1 }),
            policy,
            retainClosedMs: Number.POSITIVE_INFINITY,
          });
          const st = new StoreDispatcher({
            store: new MemoryStore(),
            fleet: makeFleet(12, 3, { capacity: 1 }),
            policy,
          });
          const follower = new FleetFollower(st.store, st.fleet);
          let now = T0;
          let opened = 0;
          // Who was notified of which job (an accept may pick one of them, to reach assignments often).
          const offered = new Map<string, string[]>();
          const seen = <T>(effects: T): T => {
            const list = Array.isArray(effects)
              ? effects
              : ((effects as { effects?: Effect[] }).effects ?? []);
            for (const e of list as Effect[]) {
              if (e.type === 'notify')
                offered.set(e.jobId, [...(offered.get(e.jobId) ?? []), ...e.technicianIds]);
            }
            return effects;
          };
          expect(await st.open(job('j0'), now)).toEqual(seen(mem.open(job('j0'), now)));
          opened++;
          await follower.catchUp();
          for (const [i, [o, dt]] of ops.entries()) {
            now += dt;
            // Mostly a job that exists (now and then the next id, not yet opened).
            const jobId = `j${'job' in o ? o.job % (opened + 1) : 0}`;
            switch (o.k) {
              case 'open': {
                if (opened >= 5) break;
                const j = jobOf(`j${opened++}`, o.kind, now);
                expect(await st.open(j, now)).toEqual(seen(mem.open(j, now)));
                break;
              }
              case 'accept': {
                const req = o.req ? `r${i}` : undefined;
                const pool = offered.get(jobId) ?? [];
                const tech = o.offered && pool.length > 0 ? pool[o.tech % pool.length]! : `t${o.tech}`;
                const a = seen(mem.accept(jobId, tech, now, req));
                expect(await st.accept(jobId, tech, now, req)).toEqual(a);
                break;
              }
              case 'decline':
                expect(await st.decline(jobId, `t${o.tech}`, now)).toEqual(
                  seen(mem.decline(jobId, `t${o.tech}`, now)),
                );
                break;
              case 'advance':
                expect(byJob(await st.advance(now))).toEqual(byJob(seen(mem.advance(now))));
                break;
              case 'complete':
                expect(await st.complete(jobId, now)).toBe(mem.complete(jobId, now));
                break;
              case 'cancel':
                expect(await st.cancel(jobId, now)).toEqual(mem.cancel(jobId, now));
                break;
            }
            await follower.catchUp();
          }
          for (let j = 0; j < opened; j++) {
            const s = await st.store.get(`j${j}`);
            expect(s?.state.state).toBe(mem.status(`j${j}`)?.state);
          }
          // Appointment reservations: the follower's fleet holds exactly the in-memory dispatcher's.
          for (let t = 0; t < 12; t++) {
            expect(st.fleet.reservationsOf(`t${t}`)).toEqual(mem.fleet.reservationsOf(`t${t}`));
          }
        },
      ),
      { seed, numRuns: 60 },
    );
  });
});
