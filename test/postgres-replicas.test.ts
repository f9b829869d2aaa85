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
    // The others: taken by someone else, or refused because the technician is full (at accept,
    // or his offer was already withdrawn when an award filled him).
    const refused =
      (tally.already_taken ?? 0) + (tally.no_longer_eligible ?? 0) + (tally.offer_withdrawn ?? 0);
    expect(refused).toBe(3 * jobs! - 9);
  });
  if (!DATABASE_URL) it.skip(SKIP_REASON, () => {});
});
