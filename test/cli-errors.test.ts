/**
 * The command line's refusals: argument errors exit 2 with one line (no help dump), `--out` is
 * checked and created before any work, work limits name themselves and how to raise them, and
 * scenario or sweep files with unknown fields are refused with the path and a "did you mean".
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await main(['node', 'crowd-dispatch', ...args]);
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stderr, stdout };
}

afterEach(() => {
  process.exitCode = 0;
});

const dir = mkdtempSync(join(tmpdir(), 'crowd-cli-errors-'));
const file = (name: string, data: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
};
const aFile = file('plain.txt', 'not a directory');
const badScenario = file('bad.json', { dayz: 1 });

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/Usage:/);
  return lines[0]!;
}

describe('CLI argument errors', () => {
  it.each([
    [['simulate', '--seed', '-1'], /--seed <n>' argument '-1' is invalid.*whole numbers ≥ 0/],
    [['simulate', '--nope'], /unknown option '--nope'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['compare', '--replications', '0'], /'0' is not a whole number ≥ 1/],
    [['sweep'], /required option '--spec <file>' not specified/],
    [['simulate', '--limit', 'seedz=5'], /'seedz=5' is not name=value with a name among days, jobs/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../packages/crowd-dispatch-sim/package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('--help still prints the help and exits 0', async () => {
    const r = await run(['simulate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: crowd-dispatch simulate/);
  });
});

describe('--out', () => {
  it('is checked before the scenario is even read (a path through a file)', async () => {
    const r = await run(['simulate', '--scenario', badScenario, '--out', join(aFile, 'sub')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /--out '.*plain\.txt\/sub': cannot create the directory.*choose another --out/,
    );
  });

  it('refuses a special file', async () => {
    const r = await run(['simulate', '--out', '/dev/null']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--out '\/dev\/null'/);
  });

  it('is created before any work, even when the work then fails', async () => {
    const out = join(dir, 'made', 'deep');
    const r = await run(['simulate', '--scenario', badScenario, '--out', out]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(true);
  });
});

describe('work limits', () => {
  const out = join(dir, 'lim');
  it.each([
    [
      ['compare', '--replications', '1000000'],
      /1,000,000 seeds, over the limit of 1,000.*--limit seeds=1000000/,
    ],
    [
      ['simulate', '--workers', '1000'],
      /--workers asks for 1,000 workers, over the limit of 64.*--limit workers=1000/,
    ],
    [
      ['simulate', '--jobs-per-day', '1000000'],
      /days × demand\.jobsPerDay asks for 7,000,000 jobs, over the limit of 5,000,000.*--limit jobs=7000000/,
    ],
    [['simulate', '--days', '400'], /days asks for 400 days, over the limit of 366.*--limit days=400/],
  ])('%j names the limit and how to raise it', async (args, message) => {
    const r = await run([...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  it('a raised limit lets the same request through (it then fails on the next check)', async () => {
    const r = await run([
      'simulate',
      '--days',
      '400',
      '--limit',
      'days=400',
      '--policy',
      'nope',
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/Unknown policy preset 'nope'/);
  });

  it('limits the technicians of a scenario', async () => {
    const big = file('big.json', { fleet: { size: 300_000 } });
    const r = await run(['simulate', '--scenario', big, '--out', out]);
    expect(oneLine(r.stderr)).toMatch(/fleet\.size asks for 300,000 technicians.*--limit technicians=300000/);
  });

  it('limits the points of a sweep grid', async () => {
    const values = Array.from({ length: 101 }, (_, i) => i + 1);
    const spec = file('huge-grid.json', {
      base: 'today',
      parameters: { 'waves[0].size': values, deadlineMs: values.map((v) => 60_000 * v) },
    });
    const r = await run(['sweep', '--spec', spec, '--out', out]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /sweep grid asks for 10,201 points, over the limit of 10,000.*--limit points=10201/,
    );
  });
});

describe('strict files', () => {
  it('an unknown scenario field is an error with its path and a guess', async () => {
    const r = await run(['simulate', '--scenario', badScenario, '--out', join(dir, 's')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/Invalid scenario: dayz: unknown field; did you mean "days"\?/);
    const nested = file('nested.json', { behaviour: { accept: { halfDistancKm: 10 } } });
    const n = await run(['simulate', '--scenario', nested, '--out', join(dir, 's')]);
    expect(n.stderr).toMatch(
      /behaviour\.accept\.halfDistancKm: unknown field; did you mean "halfDistanceKm"\?/,
    );
    const far = file('far.json', { fleet: { zzz: 1 } });
    const f = await run(['simulate', '--scenario', far, '--out', join(dir, 's')]);
    expect(f.stderr).toMatch(/fleet\.zzz: unknown field; known fields here: size, technicians, friendShare/);
  });

  it('an unknown sweep-spec field is an error with a guess', async () => {
    const spec = file('typo-spec.json', { base: 'today', paramters: { 'waves[0].size': [4] } });
    const r = await run(['sweep', '--spec', spec, '--out', join(dir, 'sw')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /Invalid sweep file: .*paramters: unknown field; did you mean "parameters"\?/,
    );
  });

  it('a bad technician in a fleet file is named by its index in the scenario', async () => {
    const fleet = file('fleet.json', [
      { id: 'a', lat: 47.3, lon: 8.5, tier: 'friend' },
      { id: 'b', lat: 47.3, lon: 8.5, tier: 'friend', radiusKm: -3 },
    ]);
    const r = await run(['simulate', '--fleet', fleet, '--days', '0.1', '--out', join(dir, 'f')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/fleet\.technicians\[1\].*radiusKm/);
  });
});
