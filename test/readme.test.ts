import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const root = new URL('../', import.meta.url);

describe('README example', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is the file examples/quickstart.ts, verbatim', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const example = readFileSync(new URL('examples/quickstart.ts', root), 'utf8');
    expect(readme).toContain(example.trim());
  });

  it('runs and prints a ranked plan with waves and explained exclusions', async () => {
    const lines: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args);
    });
    await import('../examples/quickstart.js');
    const ranked = lines.filter((l) => typeof l[0] === 'number').map((l) => l[1]);
    expect(ranked).toEqual(['ben', 'anna']); // carla is a Pro: excluded from a Friend job
    const excluded = lines.at(-1)![0] as { id: string; reasons: string[] }[];
    expect(excluded.map((e) => [e.id, e.reasons])).toEqual([
      ['dario', ['missing_skill']],
      ['carla', ['tier']],
    ]);
  });
});

describe('README service-area example', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is the file examples/service-areas.ts, verbatim, and prints what its comments say', async () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const example = readFileSync(new URL('examples/service-areas.ts', root), 'utf8');
    expect(readme).toContain(example.trim());
    const lines: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args);
    });
    await import('../examples/service-areas.js');
    expect(lines).toEqual([[[['marco', 'area']]], [0, []]]);
  });
});

describe('plan demo (npm run demo:plan)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('plans every demo job on the Swiss fixture fleet and explains exclusions', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      out.push(args.join(' '));
    });
    await import('../examples/plan-demo.js');
    const text = out.join('\n');
    for (const id of ['zurich-router', 'geneva-tv', 'lugano-delivery', 'bern-mesh', 'scuol-pc']) {
      expect(text).toContain(`${id}: `);
    }
    // Swisscom jobs need the certification: someone near Zurich lacks it.
    expect(text).toMatch(/not_certified \d+/);
    // BRACK is Pro-only: Friends near Lugano are excluded by tier.
    expect(text).toMatch(/lugano-delivery[\s\S]*tier \d+/);
  });
});

describe('README bookings example (examples/booking.ts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is in the README and in docs/appointments.md, verbatim', () => {
    const example = readFileSync(new URL('examples/booking.ts', root), 'utf8').trim();
    expect(readFileSync(new URL('README.md', root), 'utf8')).toContain(example);
    expect(readFileSync(new URL('docs/appointments.md', root), 'utf8')).toContain(example);
  });

  it('runs: an appointment offered at its lead time and reserved; a direct booking falling back to the crowd', async () => {
    const logged: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    await import('../examples/booking.js');
    const start = Date.UTC(2026, 11, 7, 20);
    expect(logged[0]![0]).toEqual([]);
    expect(logged[1]![0]).toEqual([
      expect.objectContaining({ type: 'notify', at: start - 4 * 3_600_000, technicianIds: ['anna', 'ben'] }),
    ]);
    expect(logged[2]).toEqual(['assigned']);
    expect(logged[3]![0]).toEqual([
      expect.objectContaining({ jobId: 'tv-tonight', start, end: start + 5_400_000 }),
    ]);
    expect(logged[4]![0]).toEqual([
      expect.objectContaining({ type: 'notify', technicianIds: ['ben'], preferred: true }),
    ]);
    const fallback = logged[5]![0] as { type: string; technicianIds: string[]; preferred?: true }[];
    expect(fallback).toEqual([expect.objectContaining({ type: 'notify', technicianIds: ['anna'] })]);
    expect(fallback[0]!.preferred).toBeUndefined();
  });
});
