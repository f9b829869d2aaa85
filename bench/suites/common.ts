/**
 * What the suites share: the scenario catalogue (sizes, seeds), the fixed clock and policy, and
 * cached city lists.
 */
import { createPolicy, type Policy } from '../../src/plan/policy.js';
import { type City, loadCities, loadSwissCities, PARTNER_RULES } from '../data.js';
import type { ScenarioSpec } from '../harness.js';

/** The `now` every scenario plans at: a Wednesday, 10:00 UTC (11:00 in Zurich). */
export const NOW = Date.UTC(2026, 0, 14, 10, 0, 0);

/** The policy of every scenario: defaults plus the partner rules the generated jobs use. */
export function benchPolicy(): Policy {
  return createPolicy({ partners: PARTNER_RULES });
}

/** A fleet size on a geography. */
export interface Geography {
  name: string;
  region: 'ch' | 'world';
  technicians: number;
  seed: number;
  /** Measured in quick mode too (the CI gate); otherwise full mode only. */
  quick: boolean;
  /** Technicians whose radius covers the whole country (see `generateFleet`). @default 0 */
  nationwide?: number;
}

/**
 * The four scenarios of DESIGN.md §4. Every fleet has the long-tailed radii of `generateFleet`
 * (most 20–50 km, ~5 % at 50–400 km).
 */
export const GEOGRAPHIES: readonly Geography[] = [
  { name: 'ch-1500', region: 'ch', technicians: 1500, seed: 1500, quick: true },
  { name: 'ch-10000', region: 'ch', technicians: 10_000, seed: 10_000, quick: true },
  { name: 'world-100k', region: 'world', technicians: 100_000, seed: 100_000, quick: true },
  { name: 'world-1m', region: 'world', technicians: 1_000_000, seed: 1_000_000, quick: false },
];

/**
 * The plan suite's scenarios: the four above and CH-1,500 where five technicians cover the whole
 * country (400 km), so a query that scans to the fleet's largest radius would read every entry.
 */
export const PLAN_GEOGRAPHIES: readonly Geography[] = [
  ...GEOGRAPHIES.slice(0, 1),
  { name: 'ch-1500-national', region: 'ch', technicians: 1500, seed: 1500, quick: true, nationwide: 5 },
  ...GEOGRAPHIES.slice(1),
];

let world: City[] | undefined;
let swiss: City[] | undefined;

/** Cities of a region (cached). */
export function citiesOf(region: 'ch' | 'world'): City[] {
  if (region === 'ch') return (swiss ??= loadSwissCities());
  return (world ??= loadCities());
}

/** How to build a scenario. */
export interface BuildOptions {
  /**
   * Build only what the `subject` methods need: no peer baselines, no cross-checks against them, no
   * memory probe. The instruction counter (`../count.ts`) builds this way, under Valgrind, where
   * every skipped setup step saves seconds.
   */
  subjectOnly?: boolean;
}

/** A scenario of a suite, built only when selected (world-1m needs seconds and ~0.5 GB). */
export interface ScenarioDef {
  name: string;
  quick: boolean;
  build(options?: BuildOptions): ScenarioSpec;
}

/** A suite: a name and its scenarios. */
export interface SuiteDef {
  name: string;
  description: string;
  scenarios: ScenarioDef[];
}
