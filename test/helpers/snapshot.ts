/**
 * A deep, comparable snapshot of a fleet: every technician read back, the registries, and the
 * results of a few queries and a plan. Two snapshots are equal iff nothing observable changed.
 */
import type { Fleet } from '../../src/fleet/fleet.js';
import { plan } from '../../src/plan/plan.js';
import { createPolicy } from '../../src/plan/policy.js';
import type { Point } from './arbitraries.js';

const POLICY = createPolicy({ maxNotifiedPerJob: 100_000, notificationCap: { max: 3, windowMs: 3_600_000 } });

/** Snapshot of `fleet` as seen through its public surface, probed at `probes`. */
export function snapshotFleet(fleet: Fleet, probes: readonly Point[], now = 1_790_000_000_000): unknown {
  const ids = [...fleet.idsIterator()].sort();
  return {
    size: fleet.size,
    maxRadiusKm: fleet.maxRadiusKm,
    technicians: ids.map((id) => fleet.get(id)),
    skills: [...fleet.skillBits],
    partners: [...fleet.partnerBits],
    probes: probes.map((p) => ({
      within: fleet.within(p.lat, p.lon, 500),
      covering: fleet.covering(p.lat, p.lon),
      nearest: fleet.size ? fleet.nearest(p.lat, p.lon, 3) : [],
      plan: plan(fleet, { id: 'probe', lat: p.lat, lon: p.lon }, { now, policy: POLICY, explain: true }),
    })),
  };
}
