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
import type { Effect } from '../src/dispatch/types.js';
import { Dispatcher } from '../src/dispatcher.js';
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
});

const byJob = (effects: readonly Effect[]) =>
  [...effects].sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));

describe('StoreDispatcher on MemoryStore vs Dispatcher', () => {
  it('property: the same inputs give the same answers and effects', async () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('accept' as const), job: fc.nat(4), tech: fc.nat(11), req: fc.boolean() }),
      fc.record({ k: fc.constant('decline' as const), job: fc.nat(4), tech: fc.nat(11) }),
      fc.record({ k: fc.constant('advance' as const) }),
      fc.record({ k: fc.constant('complete' as const), job: fc.nat(4) }),
      fc.record({ k: fc.constant('cancel' as const), job: fc.nat(4) }),
      fc.record({ k: fc.constant('open' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(op, fc.integer({ min: 0, max: 25_000 })), { minLength: 1, maxLength: 40 }),
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
          expect(await st.open(job('j0'), now)).toEqual(mem.open(job('j0'), now));
          opened++;
          await follower.catchUp();
          for (const [i, [o, dt]] of ops.entries()) {
            now += dt;
            const jobId = `j${'job' in o ? o.job : 0}`;
            switch (o.k) {
              case 'open': {
                if (opened >= 5) break;
                const j = job(`j${opened++}`);
                expect(await st.open(j, now)).toEqual(mem.open(j, now));
                break;
              }
              case 'accept': {
                const req = o.req ? `r${i}` : undefined;
                const a = mem.accept(jobId, `t${o.tech}`, now, req);
                expect(await st.accept(jobId, `t${o.tech}`, now, req)).toEqual(a);
                break;
              }
              case 'decline':
                expect(await st.decline(jobId, `t${o.tech}`, now)).toEqual(
                  mem.decline(jobId, `t${o.tech}`, now),
                );
                break;
              case 'advance':
                expect(byJob(await st.advance(now))).toEqual(byJob(mem.advance(now)));
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
        },
      ),
      { seed, numRuns: 60 },
    );
  });
});
