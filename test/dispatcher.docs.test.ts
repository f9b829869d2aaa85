/** The live-dispatch README section (docs/dispatch.md) shows examples/dispatch-loop.ts verbatim, and it runs as it says. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const root = new URL('../', import.meta.url);

describe('docs/dispatch.md example', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is examples/dispatch-loop.ts, verbatim, in at most 40 lines of text', () => {
    const doc = readFileSync(new URL('docs/dispatch.md', root), 'utf8');
    const example = readFileSync(new URL('examples/dispatch-loop.ts', root), 'utf8');
    expect(doc).toContain(example.trim());
    expect(doc.trim().split('\n').length).toBeLessThanOrEqual(40);
  });

  it('runs: two waves, a race with one winner, an idempotent retry', async () => {
    const logged: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    await import('../examples/dispatch-loop.js');
    expect(logged[0]![0]).toMatchObject([{ type: 'notify', wave: 0, technicianIds: ['anna', 'ben'] }]);
    expect(logged[1]![0]).toMatchObject([{ type: 'notify', wave: 1, technicianIds: ['carla'] }]);
    expect(logged[2]).toEqual(['assigned', 'already_taken']);
    expect(logged[3]![0]).toEqual([
      expect.objectContaining({ type: 'assigned', technicianId: 'ben' }),
      expect.objectContaining({ type: 'revoke', technicianIds: ['anna', 'carla'], reason: 'taken' }),
    ]);
    expect(logged[4]![0]).toMatchObject({ outcome: 'assigned', technicianId: 'ben', repeated: true });
  });
});

describe('docs/cancellations.md example', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is examples/cancellations.ts, verbatim, in the doc and the README', () => {
    const example = readFileSync(new URL('examples/cancellations.ts', root), 'utf8').trim();
    expect(readFileSync(new URL('docs/cancellations.md', root), 'utf8')).toContain(example);
    expect(readFileSync(new URL('README.md', root), 'utf8')).toContain(example);
  });

  it('runs: the winner cancels, the job re-opens to someone else, a no-show completes it', async () => {
    const logged: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    await import('../examples/cancellations.js');
    expect(logged[0]![0]).toMatchObject([
      { type: 'reopened', technicianId: 'anna', reason: 'car broke down' },
      { type: 'notify', technicianIds: ['ben'] },
    ]);
    expect(logged[1]).toEqual(['offer_cancelled']);
    expect(logged[2]).toEqual([true]);
  });
});
