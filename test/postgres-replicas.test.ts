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
    // Never beyond capacity (3 each). How many technicians take part depends on timing: a replica
    // picks from a job's running offers when it accepts, and an award that fills a technician
    // withdraws his other offers and notifies replacements — so it is at least 9 (the first three
    // technicians fill up), and more when replacements were already notified (seen under load: 12).
    const perTechnician = new Map<string, number>();
    for (const m of out.matchAll(/^job-\d+: won by (\S+)@\d+$/gm)) {
      perTechnician.set(m[1]!, (perTechnician.get(m[1]!) ?? 0) + 1);
    }
    expect([...perTechnician.values()].reduce((a, b) => a + b, 0)).toBe(assigned);
    for (const [tech, n] of perTechnician) expect(n, tech).toBeLessThanOrEqual(3);
    expect(assigned).toBeGreaterThanOrEqual(9);
    const tally = JSON.parse(/answers: (.*)/.exec(out)![1]!) as Record<string, number>;
    expect(tally.assigned).toBe(assigned);
    // The others: taken by someone else, or refused because the technician is full (at accept,
    // or his offer was already withdrawn when an award filled him).
    const refused =
      (tally.already_taken ?? 0) +
      (tally.no_longer_eligible ?? 0) +
      (tally.offer_withdrawn ?? 0) +
      // a retry of the winner's own request (two replicas picked the same technician)
      (tally.repeated ?? 0);
    expect(refused).toBe(3 * jobs! - assigned!);
  });
  if (!DATABASE_URL) it.skip(SKIP_REASON, () => {});
});
