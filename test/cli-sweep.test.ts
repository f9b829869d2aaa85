/**
 * Grids at scale: shards merged with `crowd-dispatch merge` are byte-identical to the unsharded
 * sweep however the grid was split, merge refuses incomplete or mixed shard sets, and the
 * fairness–speed frontier marks exactly the points no other point dominates.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../src/cli/sweep-commands.js';
import { dominates, type FrontierPoint, markEfficient } from '../src/sim/frontier.js';
import { expandSweep, runPoint } from '../src/sim/sweep.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('cli-sweep.test.ts');

function cli(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: join(import.meta.dirname, '..'),
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'crowd-sweep-'));
const SMALL = { name: 'small', days: 0.5, fleet: { size: 200 }, demand: { jobsPerDay: 300 } };
const spec = join(dir, 'grid.json');
writeFileSync(
  spec,
  JSON.stringify({
    scenario: SMALL,
    base: 'today',
    parameters: { 'waves[0].size': [3, 6, 12], 'weights.fairness': [0, 0.5] },
    seeds: [1, 2],
  }),
);

describe('crowd-dispatch merge', () => {
  it('gives byte-identical results however the grid was split', () => {
    const whole = cli(['sweep', '--spec', spec, '--workers', '2', '--out', join(dir, 'whole'), '-q']);
    expect(whole.code, whole.stderr).toBe(0);
    const json = readFileSync(join(dir, 'whole', 'grid.json'), 'utf8');
    const csv = readFileSync(join(dir, 'whole', 'grid.csv'), 'utf8');
    expect(JSON.parse(json).rows).toHaveLength(6);
    // The pool runs each point × seed as its own task; its rows are the in-thread runPoint's.
    const points = expandSweep({
      base: 'today',
      parameters: JSON.parse(readFileSync(spec, 'utf8')).parameters,
    });
    const inThread = points.map((p) => runPoint(SMALL, p, [1, 2]));
    expect(JSON.parse(json).rows).toEqual(JSON.parse(JSON.stringify(inThread)));
    const [head, first] = csv.split('\n');
    expect(head!.startsWith('index,seeds,waves[0].size,weights.fairness,')).toBe(true);
    expect(first!.startsWith('0,2,3,0,')).toBe(true); // every row says how many seeds are behind it
    for (const n of [2, 4]) {
      const out = join(dir, `split-${n}`);
      const files: string[] = [];
      for (let i = n; i >= 1; i--) {
        const r = cli([
          'sweep',
          '--spec',
          spec,
          '--shard',
          `${i}/${n}`,
          '--workers',
          '1',
          '--out',
          out,
          '-q',
        ]);
        expect(r.code, r.stderr).toBe(0);
        files.push(join(out, `grid-shard-${i}-of-${n}.json`));
      }
      const m = cli(['merge', ...files, '--out', join(out, 'merged'), '-q']);
      expect(m.code, m.stderr).toBe(0);
      expect(readFileSync(join(out, 'merged', 'grid.json'), 'utf8')).toBe(json);
      expect(readFileSync(join(out, 'merged', 'grid.csv'), 'utf8')).toBe(csv);
    }
  });

  it('refuses missing, repeated and foreign shards', () => {
    const row = (index: number) => ({ index, params: {}, metrics: {} });
    const shard = (i: number, n: number, rows: number[], grid = 4) => ({
      path: `s${i}of${n}.json`,
      data: { shard: `${i}/${n}`, grid, seeds: [1], rows: rows.map(row) },
    });
    expect(() => mergeShards([shard(1, 2, [0, 2])])).toThrow(/shard 2\/2 missing/);
    expect(() => mergeShards([shard(1, 2, [0, 2]), shard(1, 2, [0, 2])])).toThrow(
      /shard 1\/2 is given twice/,
    );
    expect(() => mergeShards([shard(1, 2, [0, 2]), shard(2, 3, [1])])).toThrow(/merge shards of one split/);
    expect(() => mergeShards([shard(1, 2, [0, 2]), shard(2, 2, [1, 3], 5)])).toThrow(
      /another grid or other seeds/,
    );
    expect(() => mergeShards([shard(1, 2, [0, 2]), shard(2, 2, [1])])).toThrow(
      /do not cover the grid of 4 points/,
    );
    expect(() => mergeShards([{ path: 'x.json', data: { rows: [] } }])).toThrow(
      /'x\.json' is not a sweep result/,
    );
    expect(mergeShards([shard(2, 2, [1, 3]), shard(1, 2, [0, 2])]).rows.map((r) => r.index)).toEqual([
      0, 1, 2, 3,
    ]);
  });
});

describe('the fairness–speed frontier', () => {
  const point = fc.record({
    gini: fc.integer({ min: 0, max: 6 }).map((x) => x / 10),
    tta: fc.integer({ min: 1, max: 6 }),
    served: fc.integer({ min: 0, max: 6 }).map((x) => x / 10),
  });

  it('marks exactly the undominated points, and every dominated point has an efficient dominator', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 25 }), (raw) => {
        const pts: FrontierPoint[] = raw.map((p, i) => ({
          ...p,
          name: `P${i}`,
          params: {},
          seeds: 3,
          efficient: false,
          reference: false,
        }));
        const marked = markEfficient(pts);
        marked.forEach((p, i) => {
          const dominated = pts.some((q, k) => k !== i && dominates(q, pts[i]!));
          expect(p.efficient).toBe(!dominated);
          if (dominated) expect(marked.some((q) => q.efficient && dominates(q, p))).toBe(true);
        });
        expect(marked.some((p) => p.efficient)).toBe(true);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('crowd-dispatch frontier writes the points, the Pareto marks and a chart', () => {
    const small = join(dir, 'frontier.json');
    writeFileSync(
      small,
      JSON.stringify({
        scenario: SMALL,
        base: 'fairness-aware',
        parameters: { 'weights.fairness': [0, 0.8] },
        seeds: [1],
      }),
    );
    const r = cli(['frontier', '--spec', small, '--workers', '2', '--out', join(dir, 'fr')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/of 2 points are Pareto-efficient/);
    const data = JSON.parse(readFileSync(join(dir, 'fr', 'frontier-frontier.json'), 'utf8'));
    expect(data.points.map((p: FrontierPoint) => p.name)).toEqual(['today', 'P0', 'P1']);
    const pts: FrontierPoint[] = data.points;
    for (const p of pts) expect(p.efficient).toBe(!pts.some((q) => q !== p && dominates(q, p)));
    const csv = readFileSync(join(dir, 'fr', 'frontier-frontier.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'name,reference,efficient,activeFriendsAwardGini,timeToAcceptP50S,servedWithinHour,seeds,weights.fairness',
    );
    const html = readFileSync(join(dir, 'fr', 'frontier-frontier.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/<script|src="http/);
  });
});
