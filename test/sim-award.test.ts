/**
 * The simulator under a best-accept window (`policy.award`): the run reports the technicians' first
 * accept apart from the award the window waits for, per job and in the summary, and under first
 * accept the two are the same accept.
 */
import type { PolicyInput } from 'crowd-dispatch';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../src/sim/presets.js';
import { runSimulation } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';

const SMALL = parseScenario({ name: 'small', days: 1, fleet: { size: 300 }, demand: { jobsPerDay: 400 } });
const today = PRESETS.today!.policy;
const WINDOW_MS = 5_000;
const best: PolicyInput = {
  ...today,
  award: { mode: 'best', windowMs: WINDOW_MS, by: 'fewestRecentAwards' },
};

describe('time to first accept', () => {
  it('is the winning accept under first accept, per job and in the summary', () => {
    const { summary, records } = runSimulation(SMALL, today, { seed: 3, records: true });
    const assigned = records!.jobs.filter((r) => r.outcome === 'assigned');
    expect(assigned.length).toBeGreaterThan(100);
    for (const r of assigned) expect(r.firstAcceptS).toBe(r.acceptS);
    for (const r of records!.jobs.filter((x) => x.outcome !== 'assigned')) expect(r.firstAcceptS).toBeNull();
    expect(summary.timeToFirstAcceptS).toEqual({
      p50: summary.timeToAcceptS.p50,
      p90: summary.timeToAcceptS.p90,
    });
  });

  it('comes one window before the award under best accept', () => {
    const { summary, records } = runSimulation(SMALL, best, { seed: 3, records: true });
    const assigned = records!.jobs.filter((r) => r.outcome === 'assigned');
    expect(assigned.length).toBeGreaterThan(100);
    // The award fires when the window that the first taken accept opened closes.
    for (const r of assigned) expect(r.acceptS! - r.firstAcceptS!).toBeCloseTo(WINDOW_MS / 1000, 2);
    expect(summary.timeToAcceptS.p50! - summary.timeToFirstAcceptS.p50!).toBeCloseTo(WINDOW_MS / 1000, 1);
  });
});
