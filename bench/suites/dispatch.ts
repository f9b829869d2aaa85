/**
 * Suite `dispatch`: live dispatch events on one core — a seeded mix of declines (60 %), accepts
 * (20 %) and clock advances (20 %, firing waves, expiries and escalations) against 10,000 open
 * jobs over 100,000 technicians — and replay of a recorded event log. Jobs that close are
 * replaced between timed calls (their `open` includes a plan and is not counted as an event).
 */

import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import type { DispatchEvent } from '../../src/dispatch/event-types.js';
import type { Effect } from '../../src/dispatch/types.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { createRng } from '../../src/shared/random.js';
import type { Job } from '../../src/shared/types.js';
import { generateFleet, generateJobs } from '../data.js';
import type { ScenarioSpec } from '../harness.js';
import { type BuildOptions, benchPolicy, citiesOf, NOW, type SuiteDef } from './common.js';

/** Events per timed call (~1 ms of CPU time, timed on the CPU clock). */
const BATCH = 64;

/** Ids in a dense array with O(1) add, remove (swap with the last) and random pick. */
class DenseIds {
  readonly ids: string[] = [];
  private readonly pos = new Map<string, number>();

  get size(): number {
    return this.ids.length;
  }

  add(id: string): void {
    this.pos.set(id, this.ids.length);
    this.ids.push(id);
  }

  remove(id: string): void {
    const i = this.pos.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.pos.set(last, i);
    }
    this.pos.delete(id);
  }
}

/**
 * Open jobs and the technicians each one offered, kept in step with the dispatcher's effects. Jobs
 * with a technician still to answer are also kept in a dense list, so the driver picks one in O(1)
 * — the measured time is the dispatcher's, not a search of the driver's own bookkeeping.
 */
class OpenJobs {
  private readonly open = new DenseIds();
  readonly offered = new Map<string, string[]>();
  /** Jobs whose offered list is not empty. */
  private readonly pending = new DenseIds();

  /** Ids of the open jobs. */
  get ids(): readonly string[] {
    return this.open.ids;
  }

  add(id: string): void {
    this.open.add(id);
    this.offered.set(id, []);
  }

  remove(id: string): void {
    this.open.remove(id);
    this.offered.delete(id);
    this.pending.remove(id);
  }

  /** Takes a random technician still to answer from a random pending job (null when none). */
  take(rng: { int(n: number): number }): { jobId: string; tech: string } | null {
    if (this.pending.size === 0) return null;
    const jobId = this.pending.ids[rng.int(this.pending.size)]!;
    const list = this.offered.get(jobId)!;
    const i = rng.int(list.length);
    const tech = list[i]!;
    list[i] = list[list.length - 1]!;
    list.pop();
    if (list.length === 0) this.pending.remove(jobId);
    return { jobId, tech };
  }

  /** Applies effects: notified technicians join their job's list; closed jobs leave. */
  apply(effects: readonly Effect[], closed: string[]): void {
    for (const e of effects) {
      if (e.type === 'notify') {
        const list = this.offered.get(e.jobId);
        if (!list || e.technicianIds.length === 0) continue;
        if (list.length === 0) this.pending.add(e.jobId);
        list.push(...e.technicianIds);
      } else if (e.type === 'assigned' || e.type === 'unfilled') closed.push(e.jobId);
    }
  }
}

interface Driver {
  dispatcher: Dispatcher;
  fleet: Fleet;
  jobs: OpenJobs;
  /** Runs `n` events (the mix, or only one kind); returns how many were accepts that won. */
  events(n: number, only?: 'decline' | 'accept' | 'advance'): number;
  /** Replaces closed jobs (and releases their winners) so `open` stays at its target. */
  refill(): void;
}

function driver(fleet: Fleet, jobSource: Job[], openTarget: number, seed: number, keepLog: boolean): Driver {
  const policy = benchPolicy();
  const dispatcher = new Dispatcher({ fleet, policy, keepLog });
  const jobs = new OpenJobs();
  const rng = createRng(seed);
  let now: number;
  let opened = 0;
  const closed: string[] = [];
  const winners: string[] = [];
  const open = () => {
    const src = jobSource[opened % jobSource.length]!;
    const job: Job = { ...src, id: `j${opened++}` };
    jobs.add(job.id);
    jobs.apply(dispatcher.open(job, now), closed);
  };
  const drainClosed = () => {
    for (const id of closed) jobs.remove(id);
    closed.length = 0;
  };
  // Stagger the initial opens over the 15 minutes before NOW (one job per 90 ms, timers firing
  // as they fall due), so jobs are at every stage of their life — not all in the same wave.
  now = NOW - openTarget * 90;
  for (let i = 0; i < openTarget; i++) {
    now += 90;
    open();
    if (i % 16 === 15) jobs.apply(dispatcher.advance(now), closed);
    drainClosed();
  }
  return {
    dispatcher,
    fleet,
    jobs,
    events(n, only) {
      let won = 0;
      for (let k = 0; k < n; k++) {
        now += 1 + rng.int(4);
        const r = only === undefined ? rng.next() : only === 'decline' ? 0 : only === 'accept' ? 0.7 : 0.9;
        const picked = r >= 0.8 ? null : jobs.take(rng);
        if (picked === null) {
          jobs.apply(dispatcher.advance(now), closed);
          continue;
        }
        const { jobId, tech } = picked;
        if (r < 0.6) {
          jobs.apply(dispatcher.decline(jobId, tech, now), closed);
        } else {
          const out = dispatcher.accept(jobId, tech, now, `r${k}`);
          if (out.outcome === 'assigned') {
            won++;
            winners.push(tech);
            jobs.apply(out.effects, closed);
          }
        }
      }
      return won;
    },
    refill() {
      drainClosed();
      for (const t of winners) if (fleet.has(t) && (fleet.get(t)?.load ?? 0) > 0) fleet.release(t);
      winners.length = 0;
      while (jobs.ids.length < openTarget) open();
      drainClosed();
    },
  };
}

/** The live mix small enough to count under Valgrind: the instruction gate's dispatcher target. */
function gateScenario(): ScenarioSpec {
  const cities = citiesOf('ch');
  const fleet = new Fleet({ initialCapacity: 10_000 });
  for (const t of generateFleet(cities, 10_000, { seed: 10_000 })) fleet.add(t);
  const live = driver(fleet, generateJobs(cities, 4_000, { seed: 78 }), 1_000, 9, false);
  for (let i = 0; i < 50; i++) {
    live.events(BATCH);
    live.refill();
  }
  return {
    suite: 'dispatch',
    scenario: 'ch-10000-1k-jobs',
    params: { technicians: 10_000, openJobs: 1_000, batch: BATCH },
    methods: [
      {
        // Deterministic for a given build (fixed seeds, fixed state after the run-in): gated by
        // instruction count; its time is not a headline figure.
        name: 'events',
        role: 'subject',
        opsPerCall: BATCH,
        clock: 'cpu' as const,
        fn: () => live.events(BATCH),
        beforeEach: live.refill,
      },
    ],
    figures: {},
  };
}

function scenario(options: BuildOptions = {}): ScenarioSpec {
  const technicians = 100_000;
  const cities = citiesOf('world');
  const inputs = generateFleet(cities, technicians, { seed: technicians });
  const jobSource = generateJobs(cities, 20_000, { seed: 77 });
  const build = () => {
    const f = new Fleet({ initialCapacity: technicians });
    for (const t of inputs) f.add(t);
    return f;
  };

  // The replay log: 100 jobs opened, then 400 mixed events, recorded on a fleet of its own.
  const recFleet = build();
  const rec = driver(recFleet, jobSource, 100, 6, true);
  rec.events(400);
  const log: DispatchEvent[] = rec.dispatcher.eventLog();
  const policy = rec.dispatcher.policy;
  // Check once that the log replays to the same statuses before timing it.
  const replayed = Dispatcher.replay(log, { fleet: recFleet, policy });
  for (const id of rec.jobs.ids) {
    const a = JSON.stringify(rec.dispatcher.status(id));
    const b = JSON.stringify(replayed.status(id));
    if (a !== b) throw new Error(`dispatch suite: replay differs for job ${id}: ${a} vs ${b}`);
  }

  const replay = {
    name: 'replay',
    role: 'subject' as const,
    opsPerCall: log.length,
    clock: 'cpu' as const,
    fn: () => Dispatcher.replay(log, { fleet: recFleet, policy }).nextDueAt() ?? 0,
  };
  const params = { technicians, openJobs: 10_000, batch: BATCH, replayEvents: log.length };
  if (options.subjectOnly) {
    return { suite: 'dispatch', scenario: 'world-100k-10k-jobs', params, methods: [replay] };
  }

  // The live driver: 10k open jobs, run in to a steady state (escalated, half-answered and fresh
  // jobs in stable shares) before timing. It feeds only the ungated figures.
  const live = driver(build(), jobSource, 10_000, 5, false);
  for (let i = 0; i < 500; i++) {
    live.events(BATCH);
    live.refill();
  }

  return {
    suite: 'dispatch',
    scenario: 'world-100k-10k-jobs',
    params,
    methods: [
      {
        // Reported, not gated: the live mix drifts with the state of 10k jobs (±20 % run to run on an
        // unchanged build); the gate watches the session machine through the deterministic replay.
        name: 'events',
        role: 'info',
        opsPerCall: BATCH,
        clock: 'cpu' as const,
        fn: () => live.events(BATCH),
        beforeEach: live.refill,
      },
      ...(['decline', 'accept', 'advance'] as const).map((kind) => ({
        name: kind,
        role: 'info' as const,
        opsPerCall: BATCH,
        clock: 'cpu' as const,
        fn: () => live.events(BATCH, kind),
        beforeEach: live.refill,
      })),
      replay,
    ],
    figures: {},
  };
}

/** The `dispatch` suite. */
export const dispatchSuite: SuiteDef = {
  name: 'dispatch',
  description: 'accept/decline/advance events per second with 10k open jobs over 100k technicians; replay',
  scenarios: [
    { name: 'world-100k-10k-jobs', quick: true, build: (o) => scenario(o) },
    { name: 'ch-10000-1k-jobs', quick: false, build: () => gateScenario() },
  ],
};
