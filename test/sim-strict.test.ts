/**
 * Scenario strictness and geography edges: unknown fields at any depth are refused with their path
 * and a close known field; a city next to the antimeridian or a pole yields valid technicians and
 * jobs (positions wrap over the sphere instead of failing in the fleet).
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../src/sim/runner.js';
import { InvalidScenarioError, parseScenario } from '../src/sim/scenario.js';
import { didYouMean, show } from '../src/sim/strict.js';
import { buildWorld } from '../src/sim/world.js';

function errorOf(input: unknown): InvalidScenarioError {
  try {
    parseScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidScenarioError);
    return e as InvalidScenarioError;
  }
  throw new Error('expected parseScenario to throw');
}

describe('strict scenarios', () => {
  it.each([
    [{ dayz: 1 }, 'dayz', /did you mean "days"/],
    [{ demand: { jobsPerDy: 3 } }, 'demand.jobsPerDy', /did you mean "jobsPerDay"/],
    [
      { demand: { cancel: { share: 0.1, medianMin: 3, x: 1 } } },
      'demand.cancel.x',
      /known fields here: share, medianMin/,
    ],
    [
      { behaviour: { shifts: [{ share: 1, days: [1], start: '08:00', end: '09:00', skipshare: 0 }] } },
      'behaviour.shifts[0].skipshare',
      /did you mean "skipShare"/,
    ],
    [
      { partners: { acme: { share: 0.1, proOnyl: true } } },
      'partners.acme.proOnyl',
      /did you mean "proOnly"/,
    ],
    [{ cities: [{ name: 'x', lat: 1, lon: 2, population: 3, pop: 1 }] }, 'cities[0].pop', /unknown field/],
  ])('%j is refused at %s', (input, path, hint) => {
    const e = errorOf(input);
    expect(e.path).toBe(path);
    expect(e.message).toContain(`${path}: unknown field`);
    expect(e.message).toMatch(hint);
  });

  it('a parsed scenario parses again to the same value (defaults are known fields)', () => {
    const s = parseScenario({ days: 2 });
    expect(parseScenario(s)).toEqual(s);
  });

  it('didYouMean picks close names only', () => {
    expect(didYouMean('dayz', ['days', 'name'])).toBe('days');
    expect(didYouMean('DAYS', ['days'])).toBe('days');
    expect(didYouMean('fleetsize', ['days', 'name'])).toBeUndefined();
    expect(didYouMean('halfDistancKm', ['halfDistanceKm', 'base'])).toBe('halfDistanceKm');
  });

  it('show never throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [1n, Symbol('s'), Object.create(null), cyclic, 'x'.repeat(100), undefined, () => 1])
      expect(typeof show(v)).toBe('string');
  });
});

describe('geography edges', () => {
  it.each([
    ['antimeridian', -16.5, 179.97],
    ['antimeridian west', -16.5, -179.99],
    ['near the north pole', 89.99, 10],
  ])('a city at the %s gives valid positions and a run', (_, lat, lon) => {
    const scenario = parseScenario({
      days: 0.25,
      cities: [{ name: 'edge', lat, lon, population: 1000 }],
      fleet: { size: 60, jitterKm: 20 },
      demand: { jobsPerDay: 200, jitterKm: 20 },
    });
    const world = buildWorld(scenario, 3);
    const points = [...world.technicians.map((t) => t.input), ...world.jobs.map((j) => j.job)];
    for (const p of points) {
      expect(Math.abs(p.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(p.lon)).toBeLessThanOrEqual(180);
    }
    if (lon > 179) expect(points.some((p) => p.lon < 0)).toBe(true); // some wrapped to the west side
    const { summary } = runSimulation(scenario, { waves: [{ size: 10, offsetMs: 0 }] }, { seed: 3, world });
    expect(summary.technicians).toBe(60);
    expect(summary.fillRate).not.toBeNull();
  });
});
