/**
 * Own data in: fleets from CSV and job histories from CSV or JSON Lines, parsed strictly (every bad
 * cell with its row and column, unknown columns with a guess) and replayed through the real
 * dispatcher in place of synthetic demand.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputFileError, parseFleetCsv, parseJobHistory } from '../src/sim/input.js';
import { runSimulation } from '../src/sim/runner.js';
import { parseScenario } from '../src/sim/scenario.js';
import { buildWorld } from '../src/sim/world.js';

function failure(fn: () => unknown): InvalidInputFileError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputFileError);
    return e as InvalidInputFileError;
  }
  throw new Error('expected a failure');
}

describe('fleet CSV', () => {
  it('reads every technician field, lists split on ;', () => {
    const techs = parseFleetCsv(
      'id,lat,lon,tier,radiusKm,skills,certifications,bestFriend,capacity,stats.recentOffers\n' +
        't1,47.37,8.54,friend,30,router;printer,,true,1,4.5\n' +
        '"t,2",46.2,6.14,pro,45,,swisscom,false,2,\n',
    );
    expect(techs).toEqual([
      {
        id: 't1',
        lat: 47.37,
        lon: 8.54,
        tier: 'friend',
        radiusKm: 30,
        skills: ['router', 'printer'],
        bestFriend: true,
        capacity: 1,
        stats: { recentOffers: 4.5 },
      },
      {
        id: 't,2',
        lat: 46.2,
        lon: 6.14,
        tier: 'pro',
        radiusKm: 45,
        certifications: ['swisscom'],
        bestFriend: false,
        capacity: 2,
      },
    ]);
  });

  it('reports every bad cell with its row and column', () => {
    const e = failure(() =>
      parseFleetCsv(
        'id,lat,lon,tier\nt1,47.3,8.5,friend\nt2,abc,8.5,friend\nt3,47,8.5,robot\n,47,8,pro\n',
        'f.csv',
      ),
    );
    expect(e.message).toMatch(/^f\.csv: 3 bad values/);
    expect(e.message).toContain('row 3, column 2 (lat): "abc" is not a finite number');
    expect(e.message).toContain('row 4, column 4 (tier): "robot" is not one of friend, pro');
    expect(e.message).toContain('row 5, column 1 (id): is empty but required');
    expect(e.path).toBe('row 3, column 2 (lat)');
  });

  it('refuses unknown and missing columns, and ragged rows', () => {
    expect(failure(() => parseFleetCsv('id,lat,lon,tier,raduisKm\n')).message).toMatch(
      /row 1, column 5 \("raduisKm"\): unknown column; did you mean "radiusKm"\?/,
    );
    expect(failure(() => parseFleetCsv('id,lat,tier\n')).message).toMatch(/required column "lon" is missing/);
    expect(failure(() => parseFleetCsv('id,lat,lon,tier\nt1,47,8\n')).message).toMatch(
      /row 2: has 3 cells but the header has 4/,
    );
    expect(failure(() => parseFleetCsv('id,lat,lon,tier\n')).message).toMatch(
      /no technicians below the header/,
    );
  });
});

const HEADER =
  'id,createdAt,lat,lon,tier,skills,partner,appointmentStart,appointmentEnd,observedOutcome,observedAcceptS';

describe('job history', () => {
  it('puts time 0 at the local midnight of the first job and sorts by creation', () => {
    const h = parseJobHistory(
      `${HEADER}\n` +
        'b,2026-11-03T09:00:00+01:00,47.37,8.54,,,,,,,\n' +
        'a,2026-11-02T08:15:30+01:00,47.37,8.54,friend,router;tv-mount,swisscom,2026-11-02T18:00+01:00,2026-11-02T20:00+01:00,assigned,12.5\n',
      'csv',
    );
    expect(h.origin).toBe('2026-11-02T00:00');
    expect(h.startWeekday).toBe(1); // 2 Nov 2026 is a Monday
    expect(h.days).toBe(2);
    expect(h.history.map((j) => j.id)).toEqual(['a', 'b']);
    expect(h.history[0]).toEqual({
      id: 'a',
      at: (8 * 3600 + 15 * 60 + 30) * 1000,
      lat: 47.37,
      lon: 8.54,
      tier: 'friend',
      skills: ['router', 'tv-mount'],
      partner: 'swisscom',
      appointment: { start: 18 * 3_600_000, end: 20 * 3_600_000 },
      observed: { outcome: 'assigned', acceptS: 12.5 },
    });
    expect(h.history[1]!.at).toBe((24 + 9) * 3_600_000);
  });

  it('orders by the instant but keeps the written wall clock of the first job', () => {
    const h = parseJobHistory(
      'createdAt,lat,lon\n2026-11-02T10:00Z,47,8\n2026-11-02T10:30+01:00,47,8\n',
      'csv',
    );
    // 10:30+01:00 is 09:30Z, earlier than 10:00Z: it comes first and is 10:30 local.
    expect(h.history.map((j) => j.id)).toEqual(['row-3', 'row-2']);
    expect(h.history[0]!.at).toBe(10.5 * 3_600_000);
    expect(h.history[1]!.at).toBe(11 * 3_600_000);
  });

  it('reports bad CSV cells by row and column', () => {
    const e = failure(() =>
      parseJobHistory(
        `${HEADER}\n` +
          'a,2026-13-02T08:00,47,8,,,,,,,\n' +
          'b,2026-11-02T08:00,95,8,anyone,,,,,,\n' +
          'c,2026-11-02T08:00,47,8,,,,2026-11-02T10:00,,,\n' +
          'd,2026-11-02T08:00,47,8,,,,,,maybe,-1\n' +
          'a,2026-11-02T09:00,47,8,,,,,,,\n',
        'csv',
        'h.csv',
      ),
    );
    expect(e.message).toContain(
      'row 2, column 2 (createdAt): "2026-13-02T08:00" is not a real date and time',
    );
    expect(e.message).toContain('row 3, column 5 (tier): "anyone" is not one of friend, pro, any');
    expect(e.message).toContain('row 3, column lat: 95 is outside −90…90');
    expect(e.message).toContain('row 4, column appointmentEnd: is missing');
    expect(e.message).toContain('row 5, column 10 (observedOutcome): "maybe" is not one of');
    expect(e.message).toContain('row 5, column observedAcceptS: is negative');
  });

  it('reads JSON Lines strictly, by line and field', () => {
    const ok = parseJobHistory(
      '{"id":"x","createdAt":"2026-11-04T12:00:00Z","lat":46.9,"lon":7.4,"skills":["router"]}\n\n',
      'jsonl',
    );
    expect(ok.history).toEqual([{ id: 'x', at: 12 * 3_600_000, lat: 46.9, lon: 7.4, skills: ['router'] }]);
    expect(ok.startWeekday).toBe(3);
    const e = failure(() =>
      parseJobHistory(
        '{"createdAt":"2026-11-04T12:00:00Z","lat":46.9,"lon":7.4,"skils":["router"]}\nnot json\n[1]\n{"createdAt":12,"lat":"46","lon":7}\n',
        'jsonl',
        'h.jsonl',
      ),
    );
    expect(e.message).toContain('line 1, field "skils": unknown field; did you mean "skills"?');
    expect(e.message).toContain('line 2: is not valid JSON');
    expect(e.message).toContain('line 3: is not a JSON object');
    expect(e.message).toContain('line 4, field createdAt: 12 is not an ISO 8601 time text');
    expect(e.message).toContain('line 4, field lat: "46" is not a finite number');
  });

  it('refuses duplicate ids', () => {
    expect(
      failure(() =>
        parseJobHistory('id,createdAt,lat,lon\nq,2026-11-02T08:00,47,8\nq,2026-11-02T09:00,47,8\n', 'csv'),
      ).message,
    ).toContain('row 3, column id: "q" is also the id at row 2');
  });
});

describe('replaying a history', () => {
  // Real jobs of a synthetic day, written out as a history, then replayed.
  const base = parseScenario({
    days: 1,
    fleet: { size: 300 },
    demand: { jobsPerDay: 300, cancel: { share: 0, medianMin: 1 } },
  });
  const jobs = buildWorld(base, 4).jobs;
  const iso = (ms: number) => new Date(Date.UTC(2026, 10, 2) + ms).toISOString();
  const csv = [
    'id,createdAt,lat,lon,tier,skills,partner,appointmentStart,appointmentEnd',
    ...jobs.map((sj, i) =>
      [
        `src-${i}`,
        iso(sj.at),
        sj.job.lat,
        sj.job.lon,
        sj.job.tier ?? '',
        (sj.job.skills ?? []).join(';'),
        sj.job.partner ?? '',
        i === 0 ? iso(sj.at + 5 * 3_600_000) : '',
        i === 0 ? iso(sj.at + 6 * 3_600_000) : '',
      ].join(','),
    ),
    `far-away,${iso(12 * 3_600_000)},-40,-30,,,,,`, // the South Atlantic: nobody covers it
  ].join('\n');
  const h = parseJobHistory(csv, 'csv');
  const scenario = { days: h.days, startWeekday: h.startWeekday, fleet: { size: 300 }, history: h.history };

  it('runs exactly the history, with the source ids in the records', () => {
    const { summary, records } = runSimulation(
      scenario,
      { waves: [{ size: 10, offsetMs: 0 }] },
      {
        seed: 4,
        records: true,
      },
    );
    expect(summary.jobs).toBe(jobs.length + 1);
    const byId = new Map(records!.jobs.map((j) => [j.id, j]));
    expect(byId.get('far-away')).toMatchObject({ outcome: 'unfilled', notified: 0, technicianId: null });
    const appointment = byId.get('src-0')!;
    expect(appointment.appointmentStartS).toBeCloseTo(jobs[0]!.at / 1000 + 5 * 3600, 3);
    if (appointment.outcome === 'assigned') expect(appointment.onSiteMin!).toBeGreaterThanOrEqual(5 * 60);
    expect(records!.jobs.filter((j) => j.outcome === 'assigned').length).toBeGreaterThan(jobs.length / 2);
  });

  it('a history written from a synthetic day replays to the very same summary', () => {
    const policy = { waves: [{ size: 10, offsetMs: 0 }] };
    const lines = jobs.map((sj, i) =>
      [
        `s${i}`,
        iso(sj.at),
        sj.job.lat,
        sj.job.lon,
        sj.job.tier ?? '',
        (sj.job.skills ?? []).join(';'),
        sj.job.partner ?? '',
      ].join(','),
    );
    const replay = parseJobHistory(['id,createdAt,lat,lon,tier,skills,partner', ...lines].join('\n'), 'csv');
    const synthetic = runSimulation(base, policy, { seed: 4 }).summary;
    const replayed = runSimulation(
      { days: 1, startWeekday: replay.startWeekday, fleet: { size: 300 }, history: replay.history },
      policy,
      { seed: 4 },
    ).summary;
    expect({ ...replayed, startWeekday: undefined }).toEqual({ ...synthetic, startWeekday: undefined });
  });

  it('names the history row of a job the dispatcher refuses', () => {
    expect(() =>
      runSimulation(
        { days: 1, fleet: { size: 50 }, history: [{ id: 'bad', at: 1000, lat: 47, lon: 8, skills: [''] }] },
        { waves: [{ size: 10, offsetMs: 0 }] },
      ),
    ).toThrow(/history\[0\]/);
  });
});
