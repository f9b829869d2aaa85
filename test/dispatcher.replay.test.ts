/**
 * Crash and recovery as a property: a random run with random crash points — each recovered from
 * the full durable log or from the last snapshot plus the log's tail — produces exactly the same
 * effects, accept outcomes, final state and fleet as the same run without crashes. The fleet has
 * technicians reached only through an extra area, and one partner's region refuses its jobs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { DispatchEvent, DispatcherSnapshot } from '../src/dispatch/event-types.js';
import type { GeoJsonArea } from '../src/shared/types.js';
import { fastPolicy, job, makeFleet, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('dispatcher.replay.test.ts');

const box = (x0: number, y0: number, x1: number, y1: number): GeoJsonArea => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});
const AROUND_ZURICH = box(8.45, 47.32, 8.65, 47.44);
const AROUND_GENEVA = box(5.9, 46.1, 6.3, 46.4);
const LUCERNE = { lat: 47.05, lon: 8.31 };
const AROUND_LUCERNE = box(8.2, 46.95, 8.45, 47.15);

type Op =
  | { op: 'open'; partner: 'none' | 'swisscom' | 'geneva'; lucerne: boolean }
  | { op: 'advance'; dt: number }
  | { op: 'accept' | 'decline'; job: number; tech: number }
  | { op: 'cancel'; job: number }
  | { op: 'offline' | 'online'; tech: number };

const nat = fc.nat({ max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('open' as const),
    partner: fc.constantFrom('none' as const, 'swisscom' as const, 'geneva' as const),
    lucerne: fc.boolean(),
  }),
  fc.record({ op: fc.constant('advance' as const), dt: fc.constantFrom(0, 2_000, 10_000, 25_000, 70_000) }),
  fc.record({ op: fc.constantFrom('accept' as const, 'decline' as const), job: nat, tech: nat }),
  fc.record({ op: fc.constant('cancel' as const), job: nat }),
  fc.record({ op: fc.constantFrom('offline' as const, 'online' as const), tech: nat }),
);

/** Runs `ops`, crashing after every op whose index is in `crashes`; returns everything observable. */
function run(ops: Op[], crashes: ReadonlyMap<number, 'log' | 'snapshot'>) {
  const fleet = makeFleet(12, 3);
  // Two Friends in Bern reach the Zürich and Lucerne jobs only through their extra areas; partner `geneva`'s
  // region leaves Zürich out, so its jobs are handed back at open.
  for (const id of ['a0', 'a1'])
    fleet.add({
      id,
      lat: 46.95,
      lon: 7.45,
      tier: 'friend',
      radiusKm: 20,
      areas: [AROUND_ZURICH, AROUND_LUCERNE],
    });
  const policy = fastPolicy({
    maxNotifiedPerJob: 16, // everyone is kept: the area Friends rank last (distance factor 0)
    partners: { swisscom: { requireCertification: true }, geneva: { region: AROUND_GENEVA } },
  });
  const durable: DispatchEvent[] = [];
  // Closed jobs are forgotten 100 s after they close, so recovery must also agree on what was forgotten.
  const options = { fleet, policy, retainClosedMs: 100_000, onEvent: (e: DispatchEvent) => durable.push(e) };
  let d = new Dispatcher(options);
  let snapshot: DispatcherSnapshot | null = null;
  const observed: unknown[] = [];
  const offered = new Map<string, string[]>();
  const jobs: string[] = [];
  let now = T0;
  ops.forEach((o, i) => {
    const jobId = 'job' in o ? (jobs[o.job % Math.max(1, jobs.length)] ?? 'none') : '';
    const pool = offered.get(jobId) ?? [];
    const tech = 'tech' in o ? (pool[o.tech % Math.max(1, pool.length)] ?? `t${o.tech % 12}`) : '';
    let out: unknown;
    switch (o.op) {
      case 'open':
        jobs.push(`j${jobs.length}`);
        out = d.open(
          job(jobs.at(-1)!, {
            ...(o.partner === 'none' ? {} : { partner: o.partner }),
            // Lucerne is beyond every local radius: only the area Friends can take it.
            ...(o.lucerne ? LUCERNE : {}),
          }),
          now,
        );
        break;
      case 'advance':
        now += o.dt;
        out = d.advance(now);
        break;
      case 'accept':
        out = d.accept(jobId, tech, now, 'r');
        break;
      case 'decline':
        out = d.decline(jobId, tech, now);
        break;
      case 'cancel':
        out = d.cancel(jobId, now);
        break;
      case 'offline':
        fleet.setOnline(`t${o.tech % 12}`, false);
        out = d.technicianUnavailable(`t${o.tech % 12}`, now, 'offline');
        break;
      case 'online':
        fleet.setOnline(`t${o.tech % 12}`, true);
        break;
    }
    for (const e of (Array.isArray(out) ? out : ((out as { effects?: unknown[] })?.effects ?? [])) as {
      type: string;
      jobId: string;
      technicianIds?: string[];
    }[]) {
      if (e.type === 'notify') offered.set(e.jobId, [...(offered.get(e.jobId) ?? []), ...e.technicianIds!]);
    }
    observed.push(out);
    const crash = crashes.get(i);
    if (crash) {
      // The process dies: only the fleet (the caller's store), the durable log and the last snapshot survive.
      d =
        crash === 'snapshot' && snapshot
          ? Dispatcher.restore(snapshot, options).replay(durable.slice(snapshot.seq))
          : Dispatcher.replay(durable, options);
      snapshot = JSON.parse(JSON.stringify(d.snapshot()));
    }
  });
  const fleetState = [...fleet.idsIterator()].map((id) => fleet.get(id));
  return { observed, snapshot: d.snapshot(), fleetState, seq: d.lastSeq, log: durable.length };
}

describe('crash-and-replay', () => {
  it('a run with random crash points ends identical to the same run without', () => {
    let areaNotified = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(
          fc.tuple(
            nat.map((n) => n * 2),
            fc.constantFrom<'log' | 'snapshot'>('log', 'snapshot'),
          ),
          {
            maxLength: 6,
          },
        ),
        (ops, crashList) => {
          const crashes = new Map(crashList.map(([i, how]) => [i % ops.length, how]));
          const clean = run(ops, new Map());
          const crashed = run(ops, crashes);
          expect(crashed).toEqual(clean);
          const text = JSON.stringify(clean.observed);
          if (/"technicianIds":\[[^\]]*"a[01]"/.test(text)) areaNotified++;
          if (text.includes('outside_partner_region')) refused++;
        },
      ),
      { seed, numRuns: 120 },
    );
    // Not vacuous: area technicians were notified and regions refused jobs in many runs.
    expect(areaNotified).toBeGreaterThan(4);
    expect(refused).toBeGreaterThan(20);
  });
});
