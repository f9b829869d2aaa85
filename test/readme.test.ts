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
