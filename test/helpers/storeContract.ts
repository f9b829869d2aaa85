/**
 * The contract every DispatchStore passes, run against the in-memory store and the PostgreSQL one:
 * the same dispatcher logic on top, two replicas (two fleets) sharing one store.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { sessionToJSON } from '../../src/dispatch/session.js';
import type { AcceptOutcome, Effect } from '../../src/dispatch/types.js';
import type { Fleet } from '../../src/fleet/fleet.js';
import { DuplicateIdError, InvalidArgumentError, InvalidJobError } from '../../src/shared/errors.js';
import type { Job } from '../../src/shared/types.js';
import { StoreDispatcher } from '../../src/store/dispatcher.js';
import { FleetFollower } from '../../src/store/follow.js';
import { replayJob } from '../../src/store/replay.js';
import type { DispatchStore, OutboxEntry, Step } from '../../src/store/types.js';
import { fastPolicy, job, makeFleet, notified, T0 } from '../dispatcher.fixtures.js';

export interface ContractTarget {
  /** A fresh, empty store. */
  make(): Promise<DispatchStore>;
}

const policy = fastPolicy();

const bestPolicy = fastPolicy({
  waves: [{ size: 6, offsetMs: 0 }],
  award: { mode: 'best', windowMs: 5_000, by: 'nearest' },
});

const HOUR = 3_600_000;
/** Appointments' first offers are due `LEAD` before their window; `APPT` is a window start an hour after T0's lead. */
const LEAD = policy.appointments.leadMs;
const APPT = T0 + LEAD + HOUR;

/** An appointment window of `hours` from `from`, in Zürich time. */
function windowOf(from: number, hours: number): Job['window'] {
  return { start: from, end: from + hours * HOUR, timeZone: 'Europe/Zurich' };
}

function replicas(
  store: DispatchStore,
  n = 2,
  fleetSize = 20,
  p = policy,
): { d: StoreDispatcher[]; fleets: Fleet[] } {
  const fleets = Array.from({ length: n }, () => makeFleet(fleetSize));
  return { d: fleets.map((fleet) => new StoreDispatcher({ store, fleet, policy: p })), fleets };
}

async function drain(store: DispatchStore, limit = 1000): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = [];
  while ((await store.deliver(limit, (es) => void out.push(...es))) > 0) {}
  return out;
}

/** Every job's stream replays to its stored state. */
async function expectReplays(store: DispatchStore, ids: readonly string[], p = policy): Promise<void> {
  for (const id of ids) {
    const stored = await store.get(id);
    const state = replayJob(await store.events(id), p);
    expect(sessionToJSON(state)).toEqual(stored!.state);
  }
}

export function storeContract(name: string, target: ContractTarget, seed: number): void {
  describe(`store contract: ${name}`, () => {
    let store: DispatchStore;
    beforeEach(async () => {
      store = await target.make();
    });

    it('opens a job at version 1 with its notify effects in the outbox (ids job:version:index, fence 1)', async () => {
      const { d } = replicas(store);
      const effects = await d[0]!.open(job('j1'), T0);
      expect(notified(effects)).toHaveLength(2);
      const stored = await store.get('j1');
      expect(stored?.version).toBe(1);
      expect(stored?.state.state).toBe('open');
      const out = await drain(store);
      expect(out.map((e) => e.id)).toEqual(effects.map((_, i) => `j1:1:${i}`));
      expect(out.every((e) => e.fence === 1)).toBe(true);
      expect(out.map((e) => e.effect)).toEqual(effects);
      expect(await drain(store)).toEqual([]); // delivered once handed and acknowledged
    });

    it('refuses a second opening of a job id from any replica, changing nothing', async () => {
      const { d } = replicas(store);
      await d[0]!.open(job('j1'), T0);
      await expect(d[1]!.open(job('j1'), T0 + 5)).rejects.toThrow(DuplicateIdError);
      expect((await store.get('j1'))?.version).toBe(1);
      expect(await store.events('j1')).toHaveLength(1);
    });

    it('assigns a job to exactly one of several technicians accepting at once through different replicas', async () => {
      const { d } = replicas(store, 3);
      const opened = await d[0]!.open(job('j1'), T0);
      const ids = notified(opened);
      await d[1]!.advance(T0 + 10_000); // wave 1: four technicians hold offers
      const all = notified((await store.events('j1')).flatMap((e) => e.effects));
      expect(all.length).toBeGreaterThanOrEqual(4);
      const answers = await Promise.all(all.map((t, i) => d[i % 3]!.accept('j1', t, T0 + 11_000, `r-${t}`)));
      const won = answers.filter((a) => a.outcome === 'assigned');
      expect(won).toHaveLength(1);
      expect(answers.filter((a) => a.outcome === 'already_taken')).toHaveLength(all.length - 1);
      const winner = (won[0] as Extract<AcceptOutcome, { outcome: 'assigned' }>).technicianId;
      expect((await store.get('j1'))?.state.winner?.technicianId).toBe(winner);
      expect(await store.capacityOf(winner)).toEqual({ load: 1, capacity: 1 });
      const assigned = (await drain(store)).filter((e) => e.effect.type === 'assigned');
      expect(assigned).toHaveLength(1);
      expect(assigned[0]!.fence).toBe((await store.get('j1'))!.version);
      expect(ids.length).toBe(2);
      await expectReplays(store, ['j1']);
    });

    it('returns the original answer to a retried request id, from any replica', async () => {
      const { d } = replicas(store);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      const first = await d[0]!.accept('j1', ids[0]!, T0 + 1000, 'req-1');
      expect(first).toMatchObject({ outcome: 'assigned', repeated: false });
      const again = await d[1]!.accept('j1', ids[0]!, T0 + 9000, 'req-1');
      expect(again).toEqual({ ...first, repeated: true, effects: [] });
      const lost = await d[1]!.accept('j1', ids[1]!, T0 + 2000, 'req-2');
      expect(lost).toEqual({ outcome: 'already_taken', jobId: 'j1' });
      expect(await d[0]!.accept('j1', ids[1]!, T0 + 3000, 'req-2')).toEqual(lost);
      // Retries change nothing: one assignment, one unit of load.
      expect((await store.get('j1'))?.version).toBe(2);
      expect(await store.capacityOf(ids[0]!)).toEqual({ load: 1, capacity: 1 });
    });

    it("decides on a replica's remembered copy only what it writes: stale copies lose no outcome", async () => {
      // Replica 0 opened the job and remembers it at version 1; replica 1 moves it on twice.
      const { d } = replicas(store);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      const [w, other] = [ids[0]!, ids[1]!];
      expect((await d[1]!.accept('j1', w, T0 + 1000, 'req-w')).outcome).toBe('assigned');
      // Stale copy says open: its accept would assign, the store says version, the re-read refuses.
      expect(await d[0]!.accept('j1', other, T0 + 1500, 'req-o')).toEqual({
        outcome: 'already_taken',
        jobId: 'j1',
      });
      const r = await d[1]!.technicianCancel('j1', w, T0 + 2000);
      expect(r.outcome).toBe('reopened');
      // Replica 0 remembers the job as assigned (from its re-read): refusing on that copy would be
      // wrong now that the job is open again — the refusal is decided on a fresh read instead.
      expect((await d[0]!.accept('j1', other, T0 + 2500)).outcome).toBe('assigned');
      expect((await store.get('j1'))?.state.winner?.technicianId).toBe(other);
      // A decline on a remembered copy of an assigned job changes nothing, here as on a fresh read.
      expect(await d[1]!.decline('j1', w, T0 + 3000)).toEqual([]);
      await expectReplays(store, ['j1']);
    });

    it("a version conflict hands back the job as it stands (with the request's answer), writing nothing", async () => {
      const { d } = replicas(store);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      const v1 = (await store.get('j1'))!;
      const won = await d[1]!.accept('j1', ids[0]!, T0 + 1000, 'req-w');
      const stale: Step = {
        expectedVersion: v1.version,
        event: {
          jobId: 'j1',
          version: 2,
          at: T0 + 2000,
          input: { type: 'cancel', at: T0 + 2000 },
          facts: [],
          effects: [],
        },
        state: v1.state,
        dueAt: null,
      };
      expect(await store.append(stale)).toEqual({
        ok: false,
        conflict: 'version',
        current: await store.get('j1'),
      });
      // At the current version, but carrying a request that already has its answer.
      const now2 = (await store.get('j1', 'req-w'))!;
      expect(now2.answer).toMatchObject({ outcome: 'assigned', effects: [] });
      expect(won.outcome).toBe('assigned');
      const again: Step = {
        ...stale,
        expectedVersion: 2,
        event: { ...stale.event, version: 3 },
        request: { requestId: 'req-w', outcome: { outcome: 'already_taken', jobId: 'j1' } },
      };
      expect(await store.append(again)).toEqual({ ok: false, conflict: 'version', current: now2 });
      expect(await store.get('j1', 'req-w')).toEqual(now2);
      expect(await store.events('j1')).toHaveLength(2);
    });

    it('a retried request keeps its recorded refusal although its job is unchanged and the technician is free again', async () => {
      // The store refuses for capacity (its figure, not the replica's) and records the refusal
      // without moving the job's version, so replica 0's remembered copy stays current; when the
      // technician has room again, the retry must still get the recorded refusal back.
      const { d } = replicas(store);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      const t = ids[0]!;
      await store.setCapacity(t, 0);
      const refused = await d[0]!.accept('j1', t, T0 + 600, 'r1');
      expect(refused).toEqual({ outcome: 'no_longer_eligible', jobId: 'j1', reason: 'at_capacity' });
      await store.setCapacity(t, 1);
      for (const r of [d[0]!, d[1]!, d[0]!]) expect(await r.accept('j1', t, T0 + 800, 'r1')).toEqual(refused);
      expect(await store.get('j1')).toMatchObject({ version: 1, state: { state: 'open' } });
      expect(await store.capacityOf(t)).toEqual({ load: 0, capacity: 1 });
      // A new request of his is a new decision: he has room now.
      expect((await d[0]!.accept('j1', t, T0 + 900, 'r2')).outcome).toBe('assigned');
    });

    it('never lets a technician hold more jobs than his capacity, even when accepting two at once', async () => {
      const { d } = replicas(store);
      // Same place, same candidates: the top technician is offered both jobs.
      const a = notified(await d[0]!.open(job('a'), T0));
      const b = notified(await d[1]!.open(job('b'), T0));
      const both = a.filter((t) => b.includes(t));
      expect(both.length).toBeGreaterThan(0);
      const t = both[0]!;
      const [ra, rb] = await Promise.all([
        d[0]!.accept('a', t, T0 + 500, 'ra'),
        d[1]!.accept('b', t, T0 + 500, 'rb'),
      ]);
      const won = [ra, rb].filter((r) => r.outcome === 'assigned');
      expect(won).toHaveLength(1);
      // Refused by the store's capacity, or his offer there was already withdrawn (he is full).
      const lost = [ra, rb].find((r) => r.outcome !== 'assigned')!;
      expect(['no_longer_eligible', 'offer_withdrawn']).toContain(lost.outcome);
      if (lost.outcome === 'no_longer_eligible') expect(lost.reason).toBe('at_capacity');
      expect(await store.capacityOf(t)).toEqual({ load: 1, capacity: 1 });
      expect(await store.liveJobs(t)).toEqual([]);
      // The refused job is still open; completing the won one frees the technician.
      const wonJob = ra.outcome === 'assigned' ? 'a' : 'b';
      const otherJob = wonJob === 'a' ? 'b' : 'a';
      expect((await store.get(otherJob))?.state.state).toBe('open');
      expect(await d[1]!.complete(wonJob, T0 + 60_000)).toBe(true);
      expect(await d[0]!.complete(wonJob, T0 + 60_001)).toBe(false);
      expect(await store.capacityOf(t)).toEqual({ load: 0, capacity: 1 });
      await store.setCapacity(t, 2);
      expect(await store.capacityOf(t)).toEqual({ load: 0, capacity: 2 });
      await expectReplays(store, ['a', 'b']);
    });

    it('re-opens a job its winner cancels: capacity released once, never re-offered, no-show completes', async () => {
      const { d } = replicas(store);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      const w = ids[0]!;
      expect((await d[0]!.accept('j1', w, T0 + 1000, 'req-w')).outcome).toBe('assigned');
      expect(await store.capacityOf(w)).toEqual({ load: 1, capacity: 1 });
      expect(await d[1]!.technicianCancel('nope', w, T0 + 2000)).toEqual({
        outcome: 'unknown_job',
        jobId: 'nope',
      });
      expect(await d[1]!.technicianCancel('j1', ids[1]!, T0 + 2000)).toEqual({
        outcome: 'not_winner',
        jobId: 'j1',
      });
      const r = await d[1]!.technicianCancel('j1', w, T0 + 2000, 'sick');
      expect(r.outcome).toBe('reopened');
      if (r.outcome !== 'reopened') return;
      expect(r.effects[0]).toMatchObject({ type: 'reopened', technicianId: w, reason: 'sick' });
      for (const e of r.effects) if (e.type === 'notify') expect(e.technicianIds).not.toContain(w);
      expect(await store.capacityOf(w)).toEqual({ load: 0, capacity: 1 });
      expect((await store.get('j1'))?.state.state).toBe('open');
      // A second cancel, or a retry of his winning accept, changes nothing.
      expect(await d[0]!.technicianCancel('j1', w, T0 + 2001)).toEqual({
        outcome: 'not_assigned',
        jobId: 'j1',
      });
      expect(await d[0]!.accept('j1', w, T0 + 2002, 'req-w')).toEqual({
        outcome: 'offer_cancelled',
        jobId: 'j1',
      });
      expect(await d[0]!.accept('j1', w, T0 + 2003)).toEqual({ outcome: 'offer_cancelled', jobId: 'j1' });
      expect(await store.capacityOf(w)).toEqual({ load: 0, capacity: 1 });
      const next = r.effects.find((e) => e.type === 'notify');
      if (next?.type === 'notify') {
        const t = next.technicianIds[0]!;
        expect((await d[1]!.accept('j1', t, T0 + 3000)).outcome).toBe('assigned');
        expect(await d[0]!.complete('j1', T0 + 9000, 'customer_no_show')).toBe(true);
        expect((await store.get('j1'))?.state.completion).toBe('customer_no_show');
        expect(await store.capacityOf(t)).toEqual({ load: 0, capacity: 1 });
      }
      await expectReplays(store, ['j1']);
    });

    it("withdraws a technician's running offers in every job when he fills his capacity or becomes unavailable", async () => {
      const { d } = replicas(store);
      const a = notified(await d[0]!.open(job('a'), T0));
      const b = notified(await d[1]!.open(job('b'), T0 + 1));
      const c = notified(await d[1]!.open(job('c'), T0 + 2));
      const t = a.find((x) => b.includes(x) && c.includes(x))!;
      expect(await store.liveJobs(t)).toEqual(['a', 'b', 'c']);
      const r = await d[0]!.accept('a', t, T0 + 100);
      expect(r.outcome).toBe('assigned');
      const revoked = (r as Extract<AcceptOutcome, { outcome: 'assigned' }>).effects.filter(
        (e) => e.type === 'revoke' && e.reason === 'unavailable',
      );
      expect(revoked.map((e) => e.jobId)).toEqual(['b', 'c']);
      for (const id of ['b', 'c']) {
        expect((await store.get(id))!.state.offers.find((o) => o.technicianId === t)?.status).toBe(
          'withdrawn',
        );
      }
      expect(await store.liveJobs(t)).toEqual([]);
      const u = b.find((x) => x !== t && c.includes(x));
      if (u !== undefined) {
        const effects = await d[1]!.technicianUnavailable(u, T0 + 200, 'offline');
        expect(effects.filter((e) => e.type === 'revoke').map((e) => e.jobId)).toEqual(['b', 'c']);
        expect(await store.liveJobs(u)).toEqual([]);
      }
      await expectReplays(store, ['a', 'b', 'c']);
    });

    it('fires each due wave, expiry and deadline once although several replicas advance at once', async () => {
      const { d } = replicas(store, 3);
      for (let i = 0; i < 5; i++) await d[i % 3]!.open(job(`j${i}`), T0 + i);
      for (const t of [10_000, 30_000, 60_000, 90_000, 120_000, 200_000]) {
        await Promise.all(d.map((x) => x.advance(T0 + t)));
      }
      const ids = Array.from({ length: 5 }, (_, i) => `j${i}`);
      for (const id of ids) {
        const s = (await store.get(id))!.state;
        expect(s.state).toBe('unfilled');
        const evs = await store.events(id);
        expect(evs.map((e) => e.version)).toEqual(evs.map((_, i) => i + 1));
        // A technician is never notified twice by one job (policy: no re-offer).
        const n = notified(evs.flatMap((e) => e.effects));
        expect(new Set(n).size).toBe(n.length);
        expect(evs.flatMap((e) => e.effects).filter((e) => e.type === 'unfilled')).toHaveLength(1);
      }
      await expectReplays(store, ids);
      expect(await d[0]!.advance(T0 + 300_000)).toEqual([]);
    });

    it('leaves a due job whose step fails as it was, still due, and applies the others of the batch', async () => {
      const { d } = replicas(store);
      for (const id of ['x1', 'x2', 'x3']) await d[0]!.open(job(id), T0);
      const before = await store.get('x2');
      const r = await store.claimDue(T0 + 10_000, 10, (j) => {
        if (j.jobId === 'x2') throw new Error('fleet read failed');
        return null;
      });
      expect(r.claimed).toBe(3);
      expect(r.failures.map((f) => f.jobId)).toEqual(['x2']);
      expect(await store.get('x2')).toEqual(before);
      const skipped = await store.claimDue(T0 + 10_000, 10, () => null, new Set(['x1', 'x2']));
      expect(skipped.claimed).toBe(1);
      const effects = await d[1]!.advance(T0 + 10_000);
      expect(new Set(effects.map((e) => e.jobId))).toEqual(new Set(['x1', 'x2', 'x3']));
      for (const id of ['x1', 'x2', 'x3']) expect((await store.get(id))!.version).toBe(2);
    });

    it('hands outbox entries out again when delivery fails (at least once), never two deliverers at once', async () => {
      const { d } = replicas(store);
      await d[0]!.open(job('j1'), T0);
      await expect(
        store.deliver(10, () => {
          throw new Error('push service down');
        }),
      ).rejects.toThrow('push service down');
      // A failed delivery hands its batch back at once; two deliverers then never share an entry
      // (with a lease longer than a delivery takes: a zero lease would let the second take it too).
      const seen: string[] = [];
      const [x, y] = await Promise.all([
        store.deliver(10, async (es) => {
          seen.push(...es.map((e) => e.id));
        }),
        store.deliver(10, async (es) => {
          seen.push(...es.map((e) => e.id));
        }),
      ]);
      expect(new Set(seen).size).toBe(seen.length);
      expect(x + y).toBe(seen.length);
    });

    it('best accept: accepts through different replicas are held, one replica awards the nearest once', async () => {
      const { d } = replicas(store, 3, 20, bestPolicy);
      const opened = await d[0]!.open(job('b1'), T0);
      const notify = opened.find((e) => e.type === 'notify')!;
      const ids = notify.technicianIds.slice(0, 4);
      const answers = await Promise.all(ids.map((id, i) => d[i % 3]!.accept('b1', id, T0 + 1_000, `r${i}`)));
      expect(answers.map((a) => a.outcome)).toEqual(['held', 'held', 'held', 'held']);
      const awardAt = (answers[0] as Extract<AcceptOutcome, { outcome: 'held' }>).awardAt;
      expect(awardAt).toBe(T0 + 6_000);
      expect(await d[1]!.advance(T0 + 5_999)).toEqual([]);
      const fired = (await Promise.all(d.map((x) => x.advance(awardAt)))).flat();
      const assigned = fired.filter((e) => e.type === 'assigned');
      expect(assigned).toHaveLength(1);
      const km = (id: string) => notify.distancesKm[notify.technicianIds.indexOf(id)]!;
      const nearest = [...ids].sort((a, b) => km(a) - km(b) || ids.indexOf(a) - ids.indexOf(b))[0]!;
      expect(assigned[0]).toMatchObject({ technicianId: nearest });
      expect((await store.capacityOf(nearest))?.load).toBe(1);
      // The winner's retry (same request id) is the assignment; a loser's is already_taken.
      const w = ids.indexOf(nearest);
      expect(await d[2]!.accept('b1', nearest, T0 + 7_000, `r${w}`)).toMatchObject({ outcome: 'assigned' });
      const loser = ids.find((id) => id !== nearest)!;
      expect(await d[0]!.accept('b1', loser, T0 + 7_000, 'again')).toEqual({
        outcome: 'already_taken',
        jobId: 'b1',
      });
      await expectReplays(store, ['b1'], bestPolicy);
    });

    it('best accept: an award whose winner has no capacity left in the store goes to the next held accepter', async () => {
      const { d } = replicas(store, 2, 20, bestPolicy);
      const opened = await d[0]!.open(job('b2'), T0);
      const notify = opened.find((e) => e.type === 'notify')!;
      const order = [...notify.technicianIds].sort(
        (a, b) =>
          notify.distancesKm[notify.technicianIds.indexOf(a)]! -
            notify.distancesKm[notify.technicianIds.indexOf(b)]! ||
          notify.technicianIds.indexOf(a) - notify.technicianIds.indexOf(b),
      );
      const [first, second] = order;
      for (const id of [first!, second!])
        expect((await d[1]!.accept('b2', id, T0 + 500)).outcome).toBe('held');
      // Elsewhere (another job, decided by the store) the nearest one filled his capacity meanwhile.
      await store.setCapacity(first!, 0);
      const fired = await d[0]!.advance(T0 + 10_000);
      expect(fired.filter((e) => e.type === 'assigned')).toEqual([
        expect.objectContaining({ technicianId: second }),
      ]);
      expect((await store.capacityOf(second!))?.load).toBe(1);
      await expectReplays(store, ['b2'], bestPolicy);
    });

    it('keeps ids with SQL-significant characters intact (parameters only)', async () => {
      const { d, fleets } = replicas(store, 2, 0);
      const nasty = ["o'brien", 'x"); DROP TABLE jobs; --', 'back\\slash', 'ünï😀', '%_*'];
      for (const f of fleets) {
        nasty.forEach((id, i) => {
          f.add({ id, lat: 47.3769 + i * 0.001, lon: 8.5417, tier: 'friend', radiusKm: 30 });
        });
      }
      const jobId = "job'; DELETE FROM requests; --";
      const ids = notified(await d[0]!.open(job(jobId), T0));
      expect(ids.every((id) => nasty.includes(id))).toBe(true);
      const r = await d[1]!.accept(jobId, ids[0]!, T0 + 100, "req'--");
      expect(r).toMatchObject({ outcome: 'assigned', technicianId: ids[0] });
      expect(await d[0]!.accept(jobId, ids[0]!, T0 + 200, "req'--")).toMatchObject({ repeated: true });
      expect((await store.get(jobId))?.state.winner?.technicianId).toBe(ids[0]);
      expect(await store.capacityOf(ids[0]!)).toEqual({ load: 1, capacity: 1 });
      await expectReplays(store, [jobId]);
    });

    it("brings another replica's fleet counters up to date from the shared feed", async () => {
      const { d, fleets } = replicas(store);
      const follower = new FleetFollower(store, fleets[1]!);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      await d[0]!.accept('j1', ids[0]!, T0 + 1000);
      expect(fleets[1]!.load[fleets[1]!.slotOf(ids[0]!)]).toBe(0);
      expect(await follower.catchUp()).toBe(2);
      expect(fleets[1]!.load[fleets[1]!.slotOf(ids[0]!)]).toBe(1);
      expect(fleets[1]!.countersAtTime(fleets[1]!.slotOf(ids[1]!), T0 + 1000).offers).toBeGreaterThan(0);
      await d[1]!.complete('j1', T0 + 5000);
      expect(await follower.catchUp()).toBe(1);
      expect(fleets[1]!.load[fleets[1]!.slotOf(ids[0]!)]).toBe(0);
      expect(await follower.catchUp()).toBe(0);
    });

    it('an appointment takes no capacity; its window is reserved on every follower until completed', async () => {
      const { d, fleets } = replicas(store);
      const followers = fleets.map((f) => new FleetFollower(store, f));
      const H = 3_600_000;
      const start = T0 + policy.appointments.leadMs + H;
      const a = job('a', { window: { start, end: start + 2 * H, timeZone: 'Europe/Zurich' } });
      expect(await d[0]!.open(a, T0)).toEqual([]); // offers go out at start − leadMs
      const ids = notified(await d[1]!.advance(start - policy.appointments.leadMs));
      expect(ids).toHaveLength(2);
      const won = await d[1]!.accept('a', ids[0]!, start - policy.appointments.leadMs + 100, 'ra');
      expect(won.outcome).toBe('assigned');
      expect((await store.capacityOf(ids[0]!))?.load ?? 0).toBe(0);
      for (const f of followers) await f.catchUp();
      const reserved = { jobId: 'a', start, end: start + 2 * H, lat: a.lat, lon: a.lon };
      for (const f of fleets) {
        expect(f.reservationsOf(ids[0]!)).toEqual([reserved]);
        expect(f.get(ids[0]!)!.load).toBe(0);
      }
      // Another replica plans an overlapping appointment without him.
      const b = job('b', { window: { start: start + H, end: start + 3 * H, timeZone: 'Europe/Zurich' } });
      await d[0]!.open(b, start - policy.appointments.leadMs + 200);
      const forB = notified(await d[0]!.advance(start + H - policy.appointments.leadMs));
      expect(forB.length).toBeGreaterThan(0);
      expect(forB).not.toContain(ids[0]);
      expect(await d[0]!.complete('a', start + 2 * H)).toBe(true);
      for (const f of followers) await f.catchUp();
      for (const f of fleets) expect(f.reservationsOf(ids[0]!)).toEqual([]);
      await expectReplays(store, ['a', 'b']);
    });

    it('books each appointment in the store: replicas that each saw him free never book him twice (travel counted)', async () => {
      // No followers: each replica's fleet believes him free, so only the store can refuse.
      const { d } = replicas(store);
      const H = HOUR;
      const start = APPT;
      const a = job('a', { window: windowOf(start, 2) });
      await d[0]!.open(a, T0);
      const x = notified(await d[0]!.advance(start - LEAD))[0]!;
      expect((await d[0]!.accept('a', x, start - LEAD + 100, 'ra')).outcome).toBe('assigned');
      /** Opens an appointment booked directly with him on replica `r` and has him accept it there. */
      const book = async (r: number, id: string, from: number, hours: number, dLat = 0) => {
        const w = windowOf(from, hours);
        const jb = job(id, { lat: a.lat + dLat, window: w, preferred: { technicianIds: [x] } });
        await d[r]!.open(jb, T0 + 1_000);
        expect(notified(await d[r]!.advance(from - LEAD))).toContain(x);
        return d[r]!.accept(id, x, from - LEAD + 100, `r-${id}`);
      };
      // Overlapping window, through the other replica.
      expect(await book(1, 'b', start + H, 2)).toMatchObject({
        outcome: 'no_longer_eligible',
        reason: 'booked_in_window',
      });
      // Back to back with a at the same place: no travel, no collision.
      expect((await book(1, 'c', start + 2 * H, 1)).outcome).toBe('assigned');
      // Back to back with c but about 11 km away: the travel collides.
      expect(await book(0, 'e', start + 3 * H, 1, 0.1)).toMatchObject({ reason: 'booked_in_window' });
      // A retry gets the same refusal; completing a frees its window in the store for anyone's replica.
      expect(await d[1]!.accept('b', x, start - LEAD + H + 200, 'r-b')).toMatchObject({
        reason: 'booked_in_window',
      });
      expect(await d[0]!.complete('a', start + 2 * H - 1)).toBe(true);
      expect((await book(1, 'f', start + 30 * 60_000, 1)).outcome).toBe('assigned');
      await expectReplays(store, ['a', 'b', 'c', 'e', 'f']);
    });

    it('two overlapping appointments accepted by one technician at once through two replicas: exactly one is his', async () => {
      const { d } = replicas(store);
      const x = 't0';
      await d[0]!.open(job('p', { window: windowOf(APPT, 1), preferred: { technicianIds: [x] } }), T0);
      await d[1]!.open(job('q', { window: windowOf(APPT, 2), preferred: { technicianIds: [x] } }), T0);
      expect(notified(await d[0]!.advance(APPT - LEAD))).toEqual([x, x]);
      const outs = await Promise.all([
        d[0]!.accept('p', x, APPT - LEAD + 10, 'rp'),
        d[1]!.accept('q', x, APPT - LEAD + 10, 'rq'),
      ]);
      expect(outs.map((o) => o.outcome).sort()).toEqual(['assigned', 'no_longer_eligible']);
      expect(outs.find((o) => o.outcome !== 'assigned')).toMatchObject({ reason: 'booked_in_window' });
      await expectReplays(store, ['p', 'q']);
    });

    it('a direct booking offers the chosen technician alone first, then the crowd (the same on every replica)', async () => {
      const { d } = replicas(store);
      const chosen = 't5';
      const opened = await d[0]!.open(job('p', { preferred: { technicianIds: [chosen] } }), T0);
      expect(opened).toEqual([
        expect.objectContaining({ type: 'notify', technicianIds: [chosen], preferred: true }),
      ]);
      expect(await d[1]!.advance(T0 + policy.preferredExclusiveMs - 1)).toEqual([]);
      const crowd = notified(await d[1]!.advance(T0 + policy.preferredExclusiveMs));
      expect(crowd).toHaveLength(2);
      expect(crowd).not.toContain(chosen);
      // His offer still runs one offer TTL into the crowd phase.
      expect((await d[0]!.accept('p', chosen, T0 + policy.preferredExclusiveMs + 1, 'rp')).outcome).toBe(
        'assigned',
      );
      await expectReplays(store, ['p']);
    });

    it('re-opens a job its winner cancels, releases him in the same step, never re-offers him; no-shows complete with a reason', async () => {
      const { d, fleets } = replicas(store);
      const follower = new FleetFollower(store, fleets[1]!);
      const ids = notified(await d[0]!.open(job('j1'), T0));
      const won = await d[0]!.accept('j1', ids[0]!, T0 + 1000, 'req-1');
      expect(won.outcome).toBe('assigned');
      await follower.catchUp();
      const slot = fleets[1]!.slotOf(ids[0]!);
      const rateBefore = fleets[1]!.acceptRate[slot]!;
      expect(await d[1]!.technicianCancel('nope', ids[0]!, T0 + 2000)).toEqual({
        outcome: 'unknown_job',
        jobId: 'nope',
      });
      expect(await d[1]!.technicianCancel('j1', ids[1]!, T0 + 2000)).toEqual({
        outcome: 'not_winner',
        jobId: 'j1',
      });
      expect((await store.get('j1'))?.version).toBe(2);
      const r = await d[1]!.technicianCancel('j1', ids[0]!, T0 + 2000, 'flat tyre');
      expect(r.outcome).toBe('reopened');
      const effects = r.outcome === 'reopened' ? r.effects : [];
      expect(effects[0]).toMatchObject({
        type: 'reopened',
        technicianId: ids[0],
        reason: 'flat tyre',
        deadlineAt: T0 + 2000 + 180_000,
      });
      expect(notified(effects)).not.toContain(ids[0]);
      expect(notified(effects).length).toBeGreaterThan(0);
      const stored = (await store.get('j1'))!;
      expect(stored.state.state).toBe('open');
      expect(stored.state.winner).toBeNull();
      expect(await store.capacityOf(ids[0]!)).toEqual({ load: 0, capacity: 1 });
      expect(await d[0]!.technicianCancel('j1', ids[0]!, T0 + 2001)).toEqual({
        outcome: 'not_assigned',
        jobId: 'j1',
      });
      // His retried accept no longer holds the job: he may not take it again.
      expect(await d[0]!.accept('j1', ids[0]!, T0 + 2002, 'req-1')).toEqual({
        outcome: 'offer_cancelled',
        jobId: 'j1',
      });
      await follower.catchUp();
      expect(fleets[1]!.load[slot]).toBe(0);
      expect(fleets[1]!.acceptRate[slot]!).toBeLessThan(rateBefore);
      // Someone else takes it; the customer is not home.
      const next = notified(effects)[0]!;
      expect((await d[1]!.accept('j1', next, T0 + 3000)).outcome).toBe('assigned');
      expect(await d[0]!.complete('j1', T0 + 9000, 'customer_no_show')).toBe(true);
      expect((await store.get('j1'))!.state).toMatchObject({
        state: 'completed',
        completion: 'customer_no_show',
      });
      expect(await store.capacityOf(next)).toEqual({ load: 0, capacity: 1 });
      await expect(d[0]!.complete('j1', T0 + 9001, 'late' as 'done')).rejects.toThrow(InvalidArgumentError);
      await expect(d[0]!.technicianCancel('j1', next, T0 + 9001, '')).rejects.toThrow(InvalidArgumentError);
      await expectReplays(store, ['j1']);
    });

    it('rejects bad input with typed errors and changes nothing', async () => {
      const { d } = replicas(store);
      await d[0]!.open(job('j1'), T0);
      await expect(d[0]!.accept('', 't0', T0)).rejects.toThrow(InvalidArgumentError);
      await expect(d[0]!.accept('j1', 't0', Number.NaN)).rejects.toThrow(InvalidArgumentError);
      await expect(d[0]!.withdraw('j1', 't0', T0, 'bored' as 'offline')).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(store.setCapacity('t0', -1)).rejects.toThrow(InvalidArgumentError);
      await expect(d[0]!.open({ ...job('j9'), colour: 'red' } as Job, T0)).rejects.toThrow(InvalidJobError);
      await expect(d[0]!.open({ ...job('j9'), lat: 91 }, T0)).rejects.toThrow(InvalidJobError);
      expect(await store.get('j9')).toBeUndefined();
      expect(() => new StoreDispatcher({ store: {} as DispatchStore, fleet: makeFleet(1), policy })).toThrow(
        InvalidArgumentError,
      );
      const fleet = makeFleet(1);
      expect(() => new StoreDispatcher({ store, fleet, policy, rememberJobs: 5 } as never)).toThrow(
        /unknown field 'rememberJobs'\. Did you mean 'rememberedJobs'\?/,
      );
      expect(() => new StoreDispatcher({ store, fleet, policy, rememberedJobs: -1 })).toThrow(
        /rememberedJobs is -1; pass an integer ≥ 0/,
      );
      expect((await store.get('j1'))?.version).toBe(1);
      expect(await d[0]!.accept('nope', 't0', T0)).toEqual({ outcome: 'unknown_job', jobId: 'nope' });
    });

    it('with rememberedJobs 0 every step reads the job first, and answers the same', async () => {
      const fleets = [makeFleet(20), makeFleet(20)];
      const d = fleets.map((fleet) => new StoreDispatcher({ store, fleet, policy, rememberedJobs: 0 }));
      const ids = notified(await d[0]!.open(job('j1'), T0));
      expect((await d[1]!.accept('j1', ids[0]!, T0 + 1000, 'a')).outcome).toBe('assigned');
      expect(await d[0]!.accept('j1', ids[1]!, T0 + 1500, 'b')).toEqual({
        outcome: 'already_taken',
        jobId: 'j1',
      });
      expect(await d[0]!.accept('j1', ids[0]!, T0 + 1600, 'a')).toMatchObject({
        outcome: 'assigned',
        repeated: true,
      });
      await expectReplays(store, ['j1']);
    });

    it('property: random concurrent inputs through three replicas keep one winner, capacity and replayable streams', async () => {
      const op = fc.oneof(
        fc.record({ k: fc.constant('accept' as const), job: fc.nat(3), tech: fc.nat(9), req: fc.boolean() }),
        fc.record({ k: fc.constant('decline' as const), job: fc.nat(3), tech: fc.nat(9) }),
        fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40_000 }) }),
        fc.record({ k: fc.constant('complete' as const), job: fc.nat(3) }),
        fc.record({ k: fc.constant('cancel' as const), job: fc.nat(3) }),
        fc.record({ k: fc.constant('techCancel' as const), job: fc.nat(3) }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { maxLength: 12 }),
          async (rounds) => {
            const s = await target.make();
            const { d } = replicas(s, 3);
            const jobs = ['p0', 'p1', 'p2', 'p3'];
            let now = T0;
            for (const id of jobs) await d[0]!.open(job(id), now);
            const effects: Effect[] = [];
            for (const round of rounds) {
              // Each round's inputs run concurrently, one per replica.
              await Promise.all(
                round.map(async (o, i) => {
                  const r = d[i % 3]!;
                  if (o.k === 'advance') effects.push(...(await r.advance(now + o.ms)));
                  else if (o.k === 'accept')
                    await r.accept(jobs[o.job]!, `t${o.tech}`, now, o.req ? `q${o.tech}` : undefined);
                  else if (o.k === 'decline') await r.decline(jobs[o.job]!, `t${o.tech}`, now);
                  else if (o.k === 'complete') await r.complete(jobs[o.job]!, now);
                  else if (o.k === 'techCancel') {
                    const w = (await s.get(jobs[o.job]!))!.state.winner?.technicianId ?? 't0';
                    await r.technicianCancel(jobs[o.job]!, w, now);
                  } else await r.cancel(jobs[o.job]!, now);
                }),
              );
              now += 5_000;
            }
            const load = new Map<string, number>();
            for (const id of jobs) {
              const st = (await s.get(id))!.state;
              const evs = await s.events(id);
              const all = evs.flatMap((e) => e.effects);
              // One winner at a time: every further assignment follows a re-opening by the one before.
              const held =
                all.filter((e) => e.type === 'assigned').length -
                all.filter((e) => e.type === 'reopened').length;
              expect([0, 1]).toContain(held);
              if (st.state === 'assigned') {
                expect(held).toBe(1);
                const w = st.winner!.technicianId;
                load.set(w, (load.get(w) ?? 0) + 1);
              }
            }
            for (let t = 0; t < 10; t++) {
              const c = await s.capacityOf(`t${t}`);
              expect(c?.load ?? 0).toBe(load.get(`t${t}`) ?? 0);
              expect(c?.load ?? 0).toBeLessThanOrEqual(1);
            }
            await expectReplays(s, jobs);
          },
        ),
        { seed, numRuns: 15 },
      );
    });
  });
}
