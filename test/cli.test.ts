/**
 * The command line, run as a child process the way a user runs it: outputs written, deterministic
 * files, clear errors with exit code 2, quiet progress when not a terminal, and shards of a sweep
 * that add up to the whole grid.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';

const SMALL = { name: 'small', days: 1, fleet: { size: 300 }, demand: { jobsPerDay: 300 } };

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: join(import.meta.dirname, '..'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in this process (fast; for error paths that stop before any simulation). */
async function cliInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await main(['node', 'crowd-dispatch', ...args]);
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stderr };
}

afterEach(() => {
  process.exitCode = 0;
});

const dir = mkdtempSync(join(tmpdir(), 'crowd-cli-'));
const scenarioFile = join(dir, 'small.json');
writeFileSync(scenarioFile, JSON.stringify(SMALL));

describe('crowd-dispatch CLI', () => {
  it('simulate writes JSON, CSV and the report; the same seed gives byte-identical files', () => {
    const outs = ['a', 'b'].map((name) => {
      const out = join(dir, name);
      const r = cli([
        'simulate',
        '--scenario',
        scenarioFile,
        '--policy',
        'today',
        '--seed',
        '3',
        '--out',
        out,
      ]);
      expect(r.stderr).not.toMatch(/ETA|█/); // no progress bar when stderr is not a terminal
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\| metric \(mean over 1 seed; no interval below 3 seeds\) \| today \|/);
      return out;
    });
    const json = readFileSync(join(outs[0]!, 'comparison.json'), 'utf8');
    expect(readFileSync(join(outs[1]!, 'comparison.json'), 'utf8')).toBe(json);
    const parsed = JSON.parse(json);
    expect(parsed.runs[0].policy).toBe('today');
    expect(parsed.runs[0].seed).toBe(3);
    expect(parsed.runs[0].jobs).toBeGreaterThan(200);
    const csv = readFileSync(join(outs[0]!, 'runs.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[0]).toMatch(/^policy,seed,days,technicians,jobs,/);
    expect(readFileSync(join(outs[0]!, 'report.html'), 'utf8')).toMatch(/<svg/);
  });

  it('compare runs policy files and presets over seeds and writes the comparison CSV', () => {
    const policyFile = join(dir, 'wide.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ name: 'wide', policy: { waves: [{ size: 30, offsetMs: 0 }] } }),
    );
    const compare = (out: string, ...extra: string[]) =>
      cli([
        'compare',
        '--scenario',
        scenarioFile,
        '--policies',
        `today,${policyFile}`,
        '--seeds',
        '1,2',
        '--out',
        out,
        '--no-report',
        ...extra,
      ]);
    const out = join(dir, 'cmp');
    const r = compare(out);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(join(out, 'comparison.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('metric,policy,seeds,mean,ci95,diff_vs_baseline,diff_ci95');
    const fill = rows.filter((l) => l.startsWith('fillRate,'));
    expect(fill.map((l) => l.split(',')[1])).toEqual(['today', 'wide']);
    expect(fill[0]!.split(',')[2]).toBe('2'); // the number of seeds in every row
    expect(fill[0]!.split(',')[5]).toBe('0'); // the baseline's difference to itself
    // The same comparison on two worker threads is byte-identical.
    const par = join(dir, 'cmp-par');
    const p = compare(par, '--workers', '2');
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(join(par, 'comparison.json'), 'utf8')).toBe(
      readFileSync(join(out, 'comparison.json'), 'utf8'),
    );
  });

  it('fails with exit code 2 and the path of a bad scenario field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ demand: { hourly: [1, 2] } }));
    const r = await cliInProcess(['simulate', '--scenario', bad, '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/demand\.hourly: expected 24 weights/);
  });

  it('explains unknown policies, bad shards and unreadable files', async () => {
    const p = await cliInProcess([
      'simulate',
      '--scenario',
      scenarioFile,
      '--policy',
      'fastest',
      '--out',
      join(dir, 'y'),
    ]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/Unknown policy preset 'fastest'; use one of today, ranked-waves/);
    const missing = await cliInProcess(['simulate', '--scenario', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the scenario file/);
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ parameters: { 'weights.fairness': [0] } }));
    const s = await cliInProcess(['sweep', '--spec', spec, '--shard', '3/2']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/--shard '3\/2': write i\/n with 1 ≤ i ≤ n/);
  });

  it('loads the fleet from a GeoJSON FeatureCollection', async () => {
    const features = Array.from({ length: 20 }, (_, i) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [8.54 + (i % 5) * 0.02, 47.37 + Math.floor(i / 5) * 0.02] },
      properties: { id: `geo-${i}`, tier: i % 4 === 0 ? 'pro' : 'friend', radiusKm: 40, skills: ['router'] },
    }));
    const fleetFile = join(dir, 'fleet.geojson');
    writeFileSync(fleetFile, JSON.stringify({ type: 'FeatureCollection', features }));
    const out = join(dir, 'geo');
    const r = await cliInProcess([
      'simulate',
      '--fleet',
      fleetFile,
      '--days',
      '0.25',
      '--jobs-per-day',
      '200',
      '--out',
      out,
      '--no-report',
      '-q',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')).runs[0];
    expect(run.technicians).toBe(20);
    expect(run.fairness.pros.technicians).toBe(5);
    const bad = join(dir, 'bad.geojson');
    writeFileSync(
      bad,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [] } }],
      }),
    );
    const e = await cliInProcess(['simulate', '--fleet', bad, '-q']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/features\[0\] is not a Point/);
  });

  it('sweep shards partition the grid and match an unsharded run', () => {
    const spec = join(dir, 'grid.json');
    writeFileSync(
      spec,
      JSON.stringify({
        scenario: SMALL,
        base: 'today',
        parameters: { 'waves[0].size': [4, 8, 16] },
        seeds: [1],
      }),
    );
    const all = cli(['sweep', '--spec', spec, '--workers', '2', '--out', join(dir, 'sw'), '-q']);
    expect(all.code, all.stderr).toBe(0);
    const whole = JSON.parse(readFileSync(join(dir, 'sw', 'grid.json'), 'utf8')).rows;
    const parts = ['1/2', '2/2'].flatMap((shard) => {
      const r = cli([
        'sweep',
        '--spec',
        spec,
        '--shard',
        shard,
        '--workers',
        '1',
        '--out',
        join(dir, 'sw'),
        '-q',
      ]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(dir, 'sw', `grid-shard-${shard[0]}-of-2.json`), 'utf8')).rows;
    });
    expect(parts.map((r: { index: number }) => r.index).sort()).toEqual([0, 1, 2]);
    expect(parts.sort((a: { index: number }, b: { index: number }) => a.index - b.index)).toEqual(whole);
    expect(whole.map((r: { params: object }) => r.params)).toEqual([
      { 'waves[0].size': 4 },
      { 'waves[0].size': 8 },
      { 'waves[0].size': 16 },
    ]);
  });
});
