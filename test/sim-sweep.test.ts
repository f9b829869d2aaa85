/**
 * Sweep grids: stable expansion order, copy-on-write policy edits (presets stay untouched), shards
 * that partition the grid for any n, and errors that name the bad field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../src/sim/presets.js';
import { expandSweep, parseShard, parseSweep, shardPoints } from '../src/sim/sweep.js';
import { fcSeed } from './helpers/seed.js';

const seed = fcSeed('sim-sweep.test.ts');

describe('sweep grid', () => {
  it('expands the Cartesian product, last parameter fastest, into valid policies', () => {
    const before = JSON.stringify(PRESETS['fairness-aware']);
    const points = expandSweep({
      base: 'fairness-aware',
      parameters: { 'weights.fairness': [0, 0.5], 'waves[0].size': [3, 6, 9] },
    });
    expect(points.map((p) => p.params)).toEqual([
      { 'weights.fairness': 0, 'waves[0].size': 3 },
      { 'weights.fairness': 0, 'waves[0].size': 6 },
      { 'weights.fairness': 0, 'waves[0].size': 9 },
      { 'weights.fairness': 0.5, 'waves[0].size': 3 },
      { 'weights.fairness': 0.5, 'waves[0].size': 6 },
      { 'weights.fairness': 0.5, 'waves[0].size': 9 },
    ]);
    const p4 = points[4]!.policy;
    expect(p4.weights?.fairness).toBe(0.5);
    expect(p4.waves?.[0]?.size).toBe(6);
    expect(p4.waves?.[1]).toEqual(PRESETS['fairness-aware']!.policy.waves![1]); // the rest of the base is kept
    expect(JSON.stringify(PRESETS['fairness-aware'])).toBe(before); // the preset is not mutated
  });

  it('shards partition the grid for any shard count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), (size, count) => {
        const points = expandSweep({
          parameters: { 'weights.distance': Array.from({ length: size }, (_, i) => i / 10) },
        });
        const seen = Array.from({ length: count }, (_, i) => shardPoints(points, { index: i, count })).flat();
        expect(seen.map((p) => p.index).sort((a, b) => a - b)).toEqual(points.map((p) => p.index));
      }),
      { seed },
    );
  });

  it('parses shards and sweep files, naming what is wrong', () => {
    expect(parseShard('2/4')).toEqual({ index: 1, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/1 ≤ i ≤ n/);
    expect(() => parseShard('two')).toThrow(/write i\/n/);
    expect(() => parseSweep({ parameters: {} })).toThrow(/give at least one parameter/);
    expect(() => parseSweep({ parameters: { 'weights..x': [1] } })).toThrow(/dotted path/);
    expect(() => parseSweep({ parameters: { 'weights.fairness': [] } })).toThrow(/parameters/);
    expect(() => expandSweep({ base: 'nope', parameters: { 'weights.fairness': [0] } })).toThrow(
      /Unknown policy preset 'nope'/,
    );
  });
});
