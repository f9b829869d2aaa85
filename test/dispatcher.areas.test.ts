/**
 * Service areas and partner regions in both dispatchers: technicians reached only through an
 * extra area are notified, also by the re-plan of a `widen` step; a job outside its partner's
 * region is handed back unfilled at open with the reason `outside_partner_region`; the in-memory
 * Dispatcher and the StoreDispatcher (over MemoryStore) emit the same effects, and replay and
 * snapshot/restore reproduce them.
 */
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { DispatchEvent } from '../src/dispatch/event-types.js';
import type { Effect } from '../src/dispatch/types.js';
import { Fleet } from '../src/fleet/fleet.js';
import type { GeoJsonArea } from '../src/shared/types.js';
import { StoreDispatcher } from '../src/store/dispatcher.js';
import { MemoryStore } from '../src/store/memory.js';
import { fastPolicy, job, notified, T0, ZURICH } from './dispatcher.fixtures.js';

/** A box around Zürich city, about 15 km across. */
const AROUND_ZURICH: GeoJsonArea = {
  type: 'Polygon',
  coordinates: [
    [
      [8.45, 47.32],
      [8.65, 47.32],
      [8.65, 47.44],
      [8.45, 47.44],
      [8.45, 47.32],
    ],
  ],
};
/** A region far from Zürich (around Geneva): jobs of partner `geneva` in Zürich are refused. */
const AROUND_GENEVA: GeoJsonArea = {
  type: 'Polygon',
  coordinates: [
    [
      [5.9, 46.1],
      [6.3, 46.1],
      [6.3, 46.4],
      [5.9, 46.4],
      [5.9, 46.1],
    ],
  ],
};

const policy = fastPolicy({
  partners: { swisscom: { requireCertification: true }, geneva: { region: AROUND_GENEVA } },
});

/** Two Friends in Bern (~95 km away, radius 20 km) whose extra area is Zürich; one in Baden (~20 km, radius 5 km) likewise; one local. */
function areaFleet(): Fleet {
  const fleet = new Fleet();
  fleet.add({ id: 'bern1', lat: 46.948, lon: 7.447, tier: 'friend', radiusKm: 20, areas: [AROUND_ZURICH] });
  fleet.add({ id: 'bern2', lat: 46.95, lon: 7.45, tier: 'friend', radiusKm: 20, areas: [AROUND_ZURICH] });
  fleet.add({ id: 'baden', lat: 47.473, lon: 8.306, tier: 'friend', radiusKm: 5, areas: [AROUND_ZURICH] });
  fleet.add({ id: 'local', lat: ZURICH.lat + 0.01, lon: ZURICH.lon, tier: 'friend', radiusKm: 30 });
  return fleet;
}

async function both(
  run: (
    open: (j: ReturnType<typeof job>, at: number) => Promise<Effect[][]>,
    advance: (at: number) => Promise<Effect[][]>,
  ) => Promise<void>,
) {
  const events: DispatchEvent[] = [];
  const mem = new Dispatcher({ fleet: areaFleet(), policy, onEvent: (e) => events.push(e) });
  const st = new StoreDispatcher({ store: new MemoryStore(), fleet: areaFleet(), policy });
  await run(
    async (j, at) => [mem.open(j, at), await st.open(j, at)],
    async (at) => [mem.advance(at), await st.advance(at)],
  );
  // The log replays to the same state without a fleet (its facts carry the plans), and a
  // snapshot restores to it.
  const snap = mem.snapshot();
  expect(Dispatcher.replay(events, { fleet: new Fleet(), policy }).snapshot()).toEqual(snap);
  expect(
    Dispatcher.restore(JSON.parse(JSON.stringify(snap)), { fleet: new Fleet(), policy }).snapshot(),
  ).toEqual(snap);
}

describe('areas in the dispatchers', () => {
  it('technicians reached through an area are notified, the same in both dispatchers', async () => {
    await both(async (open, advance) => {
      const [a, b] = await open(job('j'), T0);
      expect(b).toEqual(a);
      // Wave 0 holds two: the local Friend (nearest, distance factor > 0) and one of the area Friends.
      const all = [...notified(a!), ...notified((await advance(T0 + 10_000))[0]!)];
      expect(all).toContain('local');
      expect(new Set(all)).toEqual(new Set(['local', 'bern1', 'bern2', 'baden']));
    });
  });

  it('a widen step re-plans with areas: a technician beyond the job radius comes in once it is widened', async () => {
    await both(async (open, advance) => {
      // maxRadiusKm 10: the Baden Friend (~20 km) is beyond it, Bern (~95 km) beyond even the widened 50 km.
      const [a, b] = await open(job('w', { maxRadiusKm: 10 }), T0);
      expect(b).toEqual(a);
      expect(notified(a!)).toEqual(['local']);
      let seen: string[] = [];
      for (const at of [T0 + 10_000, T0 + 30_000, T0 + 60_000]) {
        const [x, y] = await advance(at);
        expect(y).toEqual(x);
        seen = [...seen, ...notified(x!)];
      }
      expect(seen).toEqual(['baden']);
    });
  });

  it("a job outside its partner's region is handed back at open, unfilled with outside_partner_region", async () => {
    await both(async (open, advance) => {
      const [a, b] = await open(job('g', { partner: 'geneva' }), T0);
      expect(b).toEqual(a);
      expect(a).toEqual([
        {
          type: 'unfilled',
          jobId: 'g',
          partner: 'geneva',
          at: T0,
          reason: 'outside_partner_region',
          notified: 0,
        },
      ]);
      expect((await advance(T0 + 200_000))[0]).toEqual([]);
      // Inside the region, the same partner's job is dispatched as usual (nobody lives there: exhausted later).
      const [c] = await open(job('h', { partner: 'geneva', lat: 46.2, lon: 6.15 }), T0);
      expect(c!.some((e) => e.type === 'unfilled' && e.reason === 'outside_partner_region')).toBe(false);
      // A chosen-only direct booking outside the region: the region's reason, not preferred_unavailable.
      const [d, e] = await open(
        job('p', { partner: 'geneva', preferred: { technicianIds: ['local'], only: true } }),
        T0,
      );
      expect(e).toEqual(d);
      expect(d).toEqual([
        {
          type: 'unfilled',
          jobId: 'p',
          partner: 'geneva',
          at: T0,
          reason: 'outside_partner_region',
          notified: 0,
        },
      ]);
    });
  });
});
