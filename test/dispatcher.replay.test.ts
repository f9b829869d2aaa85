/**
 * Crash and recovery as a property: a random run with random crash points — each recovered from
 * the full durable log or from the last snapshot plus the log's tail — produces exactly the same
 * effects, accept outcomes, final state and fleet as the same run without crashes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DispatchEvent, DispatcherSnapshot } from '../src/dispatch/types.js';
import { Dispatcher } from '../src/dispatcher.js';
import { fastPolicy, job, makeFleet, T0 } from './dispatcher.fixtures.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('dispatcher.replay.test.ts');

type Op =
  | { op: 'open'; partner: boolean }
  | { op: 'advance'; dt: number }
  | { op: 'accept' | 'decline'; job: number; tech: number }
  | { op: 'cancel'; job: number }
  | { op: 'offline' | 'online'; tech: number };

const nat = fc.nat({ max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('open' as const), partner: fc.boolean() }),
  fc.record({ op: fc.constant('advance' as const), dt: fc.constantFrom(0, 2_000, 10_000, 25_000, 70_000) }),
  fc.record({ op: fc.constantFrom('accept' as const, 'decline' as const), job: nat, tech: nat }),
  fc.record({ op: fc.constant('cancel' as const), job: nat }),
  fc.record({ op: fc.constantFrom('offline' as const, 'online' as const), tech: nat }),
);

/** Runs `ops`, crashing after every op whose index is in `crashes`; returns everything observable. */
function run(ops: Op[], crashes: ReadonlyMap<number, 'log' | 'snapshot'>) {
  const fleet = makeFleet(12, 3);
  const policy = fastPolicy();
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
        out = d.open(job(jobs.at(-1)!, o.partner ? { partner: 'swisscom' } : {}), now);
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
        },
      ),
      { seed, numRuns: 120 },
    );
  });
});
