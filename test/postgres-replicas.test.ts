/** scripts/replicas.ts (the docs' three-replica example) runs and finds one winner per job. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DATABASE_URL, SKIP_REASON } from './helpers/pg.js';

describe('three replicas on one database (scripts/replicas.ts)', () => {
  it.skipIf(!DATABASE_URL)('assigns each job once and never beyond capacity', () => {
    const out = execFileSync('npx', ['tsx', 'scripts/replicas.ts'], { encoding: 'utf8', timeout: 120_000 });
    const summary = /(\d+) jobs, (\d+) accepts from 3 replicas, (\d+) assigned, (\d+) assigned twice/.exec(
      out,
    );
    expect(summary, out).not.toBeNull();
    const [, jobs, accepts, assigned, twice] = summary!.map(Number);
    expect(accepts).toBe(3 * jobs!);
    expect(twice).toBe(0);
    // Three technicians answer every job (one per replica), each can hold 3 jobs.
    expect(assigned).toBe(9);
    const tally = JSON.parse(/answers: (.*)/.exec(out)![1]!) as Record<string, number>;
    expect(tally.assigned).toBe(9);
    expect(tally.already_taken! + tally.no_longer_eligible!).toBe(3 * jobs! - 9);
  });
  if (!DATABASE_URL) it.skip(SKIP_REASON, () => {});
});
