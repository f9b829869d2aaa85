/**
 * Per-job, per-technician and timeline records of a run, and the files `--export` writes: every
 * job's timeline in order and consistent with its row, technicians' counts adding up to the jobs,
 * earnings from the scenario's pay, and GeoJSON that a map tool reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFiles, rowsCsv } from '../src/sim/export.js';
import { PRESETS } from '../src/sim/presets.js';
import { runSimulation } from '../src/sim/runner.js';

const SMALL = {
  days: 1,
  fleet: { size: 300 },
  demand: { jobsPerDay: 400 },
  pay: { perJob: 10, perHourOnSite: 60 },
};

describe('run records', () => {
  const { summary, records } = runSimulation(SMALL, PRESETS.today!.policy, {
    seed: 2,
    records: true,
    policyName: 'today',
  });
  const r = records!;

  it('has one row per job and per technician, agreeing with the summary', () => {
    expect(r.jobs).toHaveLength(summary.jobs);
    expect(r.technicians).toHaveLength(summary.technicians);
    const assigned = r.jobs.filter((j) => j.outcome === 'assigned');
    const considered = r.jobs.filter((j) => j.outcome !== 'cancelled').length;
    expect(assigned.length / considered).toBeCloseTo(summary.fillRate!, 3);
    expect(r.technicians.reduce((s, t) => s + t.awards, 0)).toBe(assigned.length);
    expect(r.technicians.reduce((s, t) => s + t.offers, 0)).toBe(r.jobs.reduce((s, j) => s + j.notified, 0));
    expect(r.jobs.filter((j) => j.outcome === 'unfilled').length).toBe(summary.unfilled.total);
  });

  it('gives every job a timeline in time order that matches its row', () => {
    const byJob = new Map<string, typeof r.timeline>();
    for (const e of r.timeline) byJob.set(e.jobId, [...(byJob.get(e.jobId) ?? []), e]);
    for (const job of r.jobs) {
      const events = byJob.get(job.id)!;
      expect(events[0]!.event).toBe('opened');
      for (let k = 1; k < events.length; k++)
        expect(events[k]!.atS).toBeGreaterThanOrEqual(events[k - 1]!.atS);
      expect(events.filter((e) => e.event === 'wave')).toHaveLength(job.waves);
      if (job.outcome === 'assigned') {
        const kinds = events.map((e) => e.event);
        // Jobs still on site when the run ends have no `completed`.
        const tail = kinds.slice(kinds.indexOf('assigned'));
        expect([
          ['assigned', 'on_site', 'completed'],
          ['assigned', 'on_site'],
        ]).toContainEqual(tail);
        const assigned = events.find((e) => e.event === 'assigned')!;
        expect(assigned.detail).toBe(job.technicianId);
        expect(assigned.sinceCreatedS).toBeCloseTo(job.acceptS!, 2);
        expect(events.find((e) => e.event === 'on_site')!.sinceCreatedS / 60).toBeCloseTo(job.onSiteMin!, 1);
      } else if (job.outcome === 'unfilled') {
        expect(events[events.length - 1]).toMatchObject({ event: 'unfilled', detail: job.reason });
      }
    }
  });

  it('pays each technician the fee per job plus time on site', () => {
    for (const t of r.technicians) {
      expect(t.earnings).toBeCloseTo(10 * t.awards + 60 * t.onSiteHours, 0);
      expect(t.onlineHours).toBeGreaterThanOrEqual(0);
      expect(t.onlineHours).toBeLessThanOrEqual(24);
    }
    expect(r.technicians.some((t) => t.onlineHours > 0)).toBe(true);
  });

  it('writes CSV, JSON Lines and GeoJSON that read back to the same rows', () => {
    const files = exportFiles([r]);
    const lines = files['jobs.jsonl']!.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(r.jobs);
    const csv = files['jobs.csv']!.trim().split('\n');
    expect(csv).toHaveLength(r.jobs.length + 1);
    expect(csv[0]!.split(',').slice(0, 4)).toEqual(['policy', 'seed', 'id', 'createdS']);
    const unfilled = JSON.parse(files['unfilled.geojson']!);
    expect(unfilled.type).toBe('FeatureCollection');
    expect(unfilled.features).toHaveLength(summary.unfilled.total);
    for (const f of unfilled.features) {
      expect(f.properties.outcome).toBe('unfilled');
      expect(f.geometry.coordinates).toEqual([f.properties.lon, f.properties.lat]);
    }
    expect(JSON.parse(files['jobs.geojson']!).features).toHaveLength(r.jobs.length);
  });

  it('quotes CSV cells that need it', () => {
    expect(rowsCsv([{ a: 'x,y', b: 'say "hi"', c: null, d: true }])).toBe(
      'a,b,c,d\n"x,y","say ""hi""",,true\n',
    );
  });
});

describe('crowd-dispatch --export', () => {
  it('writes every file for every policy × seed, from a CSV fleet and a replayed history', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crowd-export-'));
    const fleet = join(dir, 'fleet.csv');
    const techs = Array.from(
      { length: 40 },
      (_, i) =>
        `t${i},${47.3 + (i % 8) * 0.02},${8.5 + Math.floor(i / 8) * 0.02},${i % 5 ? 'friend' : 'pro'},40,router`,
    );
    writeFileSync(fleet, ['id,lat,lon,tier,radiusKm,skills', ...techs].join('\n'));
    const jobs = join(dir, 'jobs.jsonl');
    const rows = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        id: `J${i}`,
        createdAt: `2026-11-02T${String(9 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}:00+01:00`,
        lat: 47.35,
        lon: 8.55,
        skills: ['router'],
      }),
    );
    writeFileSync(jobs, rows.join('\n'));
    const out = join(dir, 'exp');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'compare',
        '--fleet',
        fleet,
        '--jobs',
        jobs,
        '--policies',
        'today,fairness-aware',
        '--seeds',
        '1,2',
        '--no-report',
        '--out',
        join(dir, 'o'),
        '--export',
        out,
        '-q',
      ],
      { cwd: join(import.meta.dirname, '..'), encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'o', 'comparison.json'), 'utf8')).scenario).toBe('jobs');
    const jobRows = readFileSync(join(out, 'jobs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jobRows).toHaveLength(30 * 2 * 2);
    expect(new Set(jobRows.map((j) => `${j.policy}/${j.seed}`))).toEqual(
      new Set(['today/1', 'fairness-aware/1', 'today/2', 'fairness-aware/2']),
    );
    expect(jobRows.filter((j) => j.policy === 'today' && j.seed === 1).map((j) => j.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `J${i}`),
    );
    const techCsv = readFileSync(join(out, 'technicians.csv'), 'utf8').trim().split('\n');
    expect(techCsv).toHaveLength(1 + 40 * 4);
    expect(readFileSync(join(out, 'timeline.csv'), 'utf8')).toMatch(
      /^policy,seed,jobId,atS,sinceCreatedS,event,detail\n/,
    );
    for (const f of ['jobs.geojson', 'unfilled.geojson', 'timeline.jsonl', 'technicians.jsonl', 'jobs.csv'])
      expect(readFileSync(join(out, f), 'utf8').length).toBeGreaterThan(0);
  });
});
