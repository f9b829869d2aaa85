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
