/**
 * Shared set-up of the dispatch tests: a small seeded fleet around Zurich and a fast policy whose
 * waves, offers and escalation fit in a few simulated minutes.
 */

import type { Effect } from '../src/dispatch/types.js';
import { Fleet } from '../src/fleet/fleet.js';
import { createPolicy, type Policy, type PolicyInput } from '../src/plan/policy.js';
import { createRng } from '../src/shared/random.js';
import type { Job, TechnicianInput } from '../src/shared/types.js';

export const T0 = 1_700_000_000_000;
export const ZURICH = { lat: 47.3769, lon: 8.5417 };

/** Technician records: `n` technicians within ~8 km of Zurich; every third one certified by swisscom. */
export function technicians(n: number, seed = 1, extra: Partial<TechnicianInput> = {}): TechnicianInput[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    lat: ZURICH.lat + (rng.next() - 0.5) * 0.14,
    lon: ZURICH.lon + (rng.next() - 0.5) * 0.2,
    tier: i % 7 === 6 ? ('pro' as const) : ('friend' as const),
    radiusKm: 30,
    certifications: i % 3 === 0 ? ['swisscom'] : [],
    ...extra,
  }));
}

/** A fleet of {@link technicians}. */
export function makeFleet(n: number, seed = 1, extra: Partial<TechnicianInput> = {}): Fleet {
  const fleet = new Fleet();
  for (const t of technicians(n, seed, extra)) fleet.add(t);
  return fleet;
}

/** Small waves, 20 s offers, escalation within two minutes, deadline at three. */
export function fastPolicy(overrides: PolicyInput = {}): Policy {
  return createPolicy({
    waves: [
      { size: 2, offsetMs: 0 },
      { size: 2, offsetMs: 10_000 },
    ],
    maxNotifiedPerJob: 10,
    notificationCap: null,
    offerTtlMs: 20_000,
    escalation: [
      { action: 'deeper', afterMs: 30_000, size: 2 },
      { action: 'widen', afterMs: 60_000, radiusKm: 50 },
      { action: 'allowPros', afterMs: 90_000 },
      { action: 'broadcast', afterMs: 120_000 },
    ],
    deadlineMs: 180_000,
    partners: { swisscom: { requireCertification: true } },
    ...overrides,
  });
}

/** A job at Zurich. */
export function job(id: string, extra: Partial<Job> = {}): Job {
  return { id, lat: ZURICH.lat, lon: ZURICH.lon, tier: 'friend', ...extra };
}

/** Technician ids notified by these effects, in order. */
export function notified(effects: readonly Effect[]): string[] {
  return effects.flatMap((e) => (e.type === 'notify' ? e.technicianIds : []));
}
